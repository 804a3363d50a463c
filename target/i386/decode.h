/*
 * decode.h: the x86 instruction decoder (decode.c, decode-tables.c).
 *
 * The decoder turns guest bytes into an X86Insn: prefixes, the opcode and
 * its table entry (mnemonic, operand specifiers in Intel SDM notation, and
 * flags), ModRM/SIB/displacement, immediates and the length.  It knows the
 * opcode maps (SDM Vol 2 appendix A), not what instructions do: the
 * translator (translate.c) dispatches on the mnemonic.
 *
 * It is a pure function of the bytes and the code mode, with no guest
 * state, so it is unit-tested directly (tests/unit/test-x86-decode.c) and
 * may be called from any thread.  Bytes come through a fetch callback so
 * that the translator can read guest code with translator_ldub(); the
 * decoder never asks for more than X86_MAX_INSN_LEN bytes.
 */
#ifndef TARGET_I386_DECODE_H
#define TARGET_I386_DECODE_H

#include "util/osdep.h"

#define X86_MAX_INSN_LEN 15

#define X86_MNEMONICS(M) \
    M(INVALID) M(ADD) M(OR) M(ADC) M(SBB) M(AND) M(SUB) M(XOR) M(CMP) \
    M(INC) M(DEC) M(PUSH) M(POP) M(PUSHA) M(POPA) M(MOVSXD) M(ARPL) \
    M(BOUND) M(IMUL) M(INS) M(OUTS) M(JCC) M(TEST) M(XCHG) M(MOV) M(LEA) \
    M(NOP) M(PAUSE) M(CBW) M(CWD) M(CALLF) M(FWAIT) M(PUSHF) M(POPF) \
    M(SAHF) M(LAHF) M(MOVS) M(CMPS) M(STOS) M(LODS) M(SCAS) M(RET) \
    M(RETF) M(LES) M(LDS) M(ENTER) M(LEAVE) M(INT3) M(INT) M(INTO) \
    M(IRET) M(ROL) M(ROR) M(RCL) M(RCR) M(SHL) M(SHR) M(SAR) M(AAM) \
    M(AAD) M(XLAT) M(X87) M(LOOPNE) M(LOOPE) M(LOOP) M(JCXZ) M(IN) \
    M(OUT) M(CALL) M(JMP) M(JMPF) M(INT1) M(HLT) M(CMC) M(NOT) M(NEG) \
    M(MUL) M(DIV) M(IDIV) M(CLC) M(STC) M(CLI) M(STI) M(CLD) M(STD) \
    M(DAA) M(DAS) M(AAA) M(AAS) \
    M(SLDT) M(STR) M(LLDT) M(LTR) M(VERR) M(VERW) M(SGDT) M(SIDT) \
    M(LGDT) M(LIDT) M(SMSW) M(LMSW) M(INVLPG) M(SYSCALL) M(CLTS) \
    M(SYSRET) M(INVD) M(WBINVD) M(UD2) M(MOVCR) M(MOVDR) M(WRMSR) \
    M(RDTSC) M(RDMSR) M(RDPMC) M(SYSENTER) M(SYSEXIT) M(CMOVCC) M(SETCC) \
    M(CPUID) M(BT) M(BTS) M(BTR) M(BTC) M(SHLD) M(SHRD) M(RSM) \
    M(CMPXCHG) M(LSS) M(LFS) M(LGS) M(MOVZX) M(MOVSX) M(BSF) M(BSR) \
    M(XADD) M(CMPXCHG8B) M(BSWAP) M(LAR) M(LSL) M(UD1) M(UD0) \
    M(MOVBE) M(CRC32) M(ADCX) M(ADOX) M(POPCNT) M(LZCNT) M(TZCNT) \
    M(ANDN) M(BEXTR) M(BLSI) M(BLSMSK) M(BLSR) M(BZHI) M(MULX) M(PDEP) \
    M(PEXT) M(RORX) M(SARX) M(SHLX) M(SHRX) M(RDTSCP) M(RDPID) \
    M(SWAPGS) M(CLAC) M(STAC) M(PREFETCHW) M(CLFLUSH) M(LFENCE) \
    M(MFENCE) M(SFENCE) M(RDFSBASE) M(RDGSBASE) M(WRFSBASE) \
    M(WRGSBASE) M(INVPCID)

typedef enum X86Mnemonic {
#define X86_MNEM_ENUM(n) X86_##n,
    X86_MNEMONICS(X86_MNEM_ENUM)
#undef X86_MNEM_ENUM
    X86_NB_MNEMONICS
} X86Mnemonic;

extern const char *const x86_mnemonic_names[X86_NB_MNEMONICS];

/* Operand kinds (SDM A.2.1 addressing methods, plus fixed registers). */
enum {
    OPK_NONE,
    OPK_E,      /* ModRM r/m: register or memory */
    OPK_M,      /* ModRM r/m, memory only */
    OPK_R,      /* ModRM r/m, register only (mod must be 3) */
    OPK_G,      /* ModRM reg: general register */
    OPK_S,      /* ModRM reg: segment register */
    OPK_C,      /* ModRM reg: control register */
    OPK_D,      /* ModRM reg: debug register */
    OPK_I,      /* immediate */
    OPK_J,      /* relative branch offset */
    OPK_O,      /* moffs: address-size offset, no ModRM */
    OPK_A,      /* far pointer immediate (ptr16:16/32) */
    OPK_Z,      /* register in opcode bits 2:0 (+ REX.B) */
    OPK_REG,    /* fixed register, number in X86OpSpec.reg */
    OPK_SEG,    /* fixed segment register, number in reg */
    OPK_ONE,    /* the constant 1 (shift by one) */
    OPK_X,      /* memory at DS:rSI (string source) */
    OPK_Y,      /* memory at ES:rDI (string destination) */
    OPK_B,      /* VEX.vvvv: general register */
};

/* Operand sizes (SDM A.2.2). */
enum {
    SZ_NONE,
    SZ_b,       /* byte */
    SZ_w,       /* word */
    SZ_d,       /* dword */
    SZ_q,       /* qword */
    SZ_v,       /* word, dword or qword: the operand size */
    SZ_z,       /* word or dword: 16 with 16-bit operand size, else 32 */
    SZ_y,       /* dword or qword */
    SZ_p,       /* far pointer: 32 or 48 bits */
    SZ_dq,      /* 16 bytes (CMPXCHG16B, INVPCID's descriptor) */
};

typedef struct X86OpSpec {
    uint8_t kind;
    uint8_t size;
    uint8_t reg;
} X86OpSpec;

/* Entry flags. */
enum {
    X86F_MODRM  = 1u << 0,  /* has a ModRM byte (implied by E/M/R/G/S/C/D) */
    X86F_GROUP  = 1u << 1,  /* ModRM.reg selects the entry in group[] */
    X86F_I64    = 1u << 2,  /* invalid in 64-bit mode */
    X86F_O64    = 1u << 3,  /* valid only in 64-bit mode */
    X86F_D64    = 1u << 4,  /* 64-bit default operand size in 64-bit mode */
    X86F_F64    = 1u << 5,  /* operand size forced to 64 in 64-bit mode */
    X86F_LOCK   = 1u << 6,  /* LOCK allowed (with a memory destination) */
    X86F_PREFIX = 1u << 7,  /* a prefix byte, not an opcode */
    X86F_REP    = 1u << 8,  /* REP/REPE/REPNE apply */
    X86F_COND   = 1u << 9,  /* condition code in opcode bits 3:0 */
    X86F_SSE    = 1u << 10, /* the mandatory prefix selects the entry in
                               group[4]: [0] none, [1] 66, [2] F3, [3] F2
                               (F2/F3 win over 66; for VEX: VEX.pp) */
    X86F_L0     = 1u << 11, /* VEX.L must be 0 */
    X86F_NOV    = 1u << 12, /* VEX.vvvv must be 1111b (unused) */
    X86F_GRPMOD3 = 1u << 13, /* with GROUP: group[16], [8 + reg] for mod=3 */
};

typedef struct X86OpcodeEntry X86OpcodeEntry;
struct X86OpcodeEntry {
    uint16_t mnem;              /* X86Mnemonic */
    uint16_t flags;
    X86OpSpec ops[3];
    const X86OpcodeEntry *group;  /* X86F_GROUP: 8 entries by ModRM.reg */
};

/* Opcode maps: the one-byte map, 0F, 0F 38 and 0F 3A, and the VEX maps
 * (VEX.mmmmm 1, 2, 3).  Entries of the 0F 38/0F 3A and VEX maps are
 * usually X86F_SSE: a 4-entry table by mandatory prefix / VEX.pp. */
extern const X86OpcodeEntry x86_map_1[256];
extern const X86OpcodeEntry x86_map_0f[256];
extern const X86OpcodeEntry x86_map_0f38[256];
extern const X86OpcodeEntry x86_map_0f3a[256];
extern const X86OpcodeEntry x86_vex_map_0f[256];
extern const X86OpcodeEntry x86_vex_map_0f38[256];
extern const X86OpcodeEntry x86_vex_map_0f3a[256];
/* 0F 01 with mod = 3: by ModRM.reg * 8 + ModRM.rm (SDM table A-6). */
extern const X86OpcodeEntry x86_grp7_mod3[64];

/* Prefix bits in X86Insn.prefixes. */
enum {
    X86P_LOCK = 1u << 0,
    X86P_REPZ = 1u << 1,    /* F3 */
    X86P_REPNZ = 1u << 2,   /* F2 */
    X86P_OPSIZE = 1u << 3,  /* 66 */
    X86P_ADSIZE = 1u << 4,  /* 67 */
    X86P_REX = 1u << 5,
    X86P_VEX = 1u << 6,     /* C4/C5: see vex_* */
};

/* Code modes. */
typedef enum X86CodeMode { X86_MODE_16, X86_MODE_32, X86_MODE_64 } X86CodeMode;

/* Decode results. */
enum {
    X86_DECODE_OK = 0,
    X86_DECODE_UD,          /* #UD: undefined or invalid encoding */
    X86_DECODE_TOO_LONG,    /* #GP(0): longer than 15 bytes */
};

typedef struct X86Insn {
    const X86OpcodeEntry *e;    /* the (group-resolved) entry */
    X86OpcodeEntry merged;      /* storage for a group-resolved entry */
    uint16_t mnem;
    uint16_t opcode;            /* byte | 0x100 for 0F, 0x200 0F 38,
                                   0x300 0F 3A (also under VEX) */
    uint8_t len;
    uint8_t prefixes;           /* X86P_* */
    int8_t seg;                 /* override R_ES..R_GS, or -1 */
    uint8_t rex;                /* the REX byte, 0 if none */
    uint8_t osize;              /* MO_16/MO_32/MO_64: size of v operands */
    uint8_t asize;              /* MO_16/MO_32/MO_64 */
    X86CodeMode mode;
    bool has_modrm;
    uint8_t modrm, mod, reg, rm;   /* reg and rm with REX.R/B applied */
    /* Memory operand (mod != 3, or moffs): */
    int8_t base, index;         /* register numbers, -1 none, X86_RIP */
    uint8_t scale;              /* log2 */
    int64_t disp;
    int64_t imm, imm2;          /* sign-extended from their encoding */
    uint8_t imm_size;           /* bytes of the first immediate */
    /* VEX (X86P_VEX): the register in vvvv, L, W; pp is in prefix_idx. */
    uint8_t vex_v, vex_l, vex_w;
    uint8_t prefix_idx;         /* mandatory prefix: 0, 1 66, 2 F3, 3 F2 */
} X86Insn;

#define X86_RIP 16

typedef uint8_t X86FetchFn(void *opaque, unsigned offset);

/*
 * Decodes one instruction.  Returns X86_DECODE_OK and fills insn, or the
 * architectural error; in both cases insn->len says how many bytes were
 * consumed (for an error, possibly fewer than the full insn).  Any thread.
 */
int x86_decode(X86Insn *insn, X86CodeMode mode, X86FetchFn *fetch,
               void *opaque);

/* The size in bytes of an operand of the decoded insn with size code sz. */
unsigned x86_op_bytes(const X86Insn *insn, unsigned sz);

#endif
