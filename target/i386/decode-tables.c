/*
 * decode-tables.c: the x86 opcode maps as static const tables, transcribed
 * from the Intel SDM Vol 2, appendix A (one-byte map, two-byte 0F
 * map, the ModRM.reg groups A-6).  Each entry gives the mnemonic,
 * the operands in SDM notation (Eb, Gv, Ib, Jz, ...) and flags (i64, o64,
 * d64, f64, lockable, REP-able, condition in the low nibble).
 *
 * Entries left zero are X86_INVALID (#UD).  The 0F 38 / 0F 3A maps and
 * the VEX maps hold the general-purpose insns (MOVBE, CRC32, ADCX/ADOX,
 * INVPCID, BMI1/BMI2).  MMX/SSE..SSE4.2 (0F 10-17, 28-2F, 50-7F, C2-C6,
 * D0-FE, the SSSE3/SSE4 entries of 0F 38/3A) are one X86_SSE entry per
 * opcode (SSE0/SSEI below): the helper picks the insn by mandatory prefix
 * at run time (docs/devel/x86-fpu.md).  Not here yet: EVEX, AVX.
 *
 * Read-only data; any thread.
 */
#include "util/osdep.h"
#include "target/i386/cpu.h"
#include "target/i386/decode.h"

#define OP(k, s) { OPK_##k, SZ_##s, 0 }
#define Eb OP(E, b)
#define Ew OP(E, w)
#define Ed OP(E, d)
#define Ev OP(E, v)
#define Ey OP(E, y)
#define Gb OP(G, b)
#define Gw OP(G, w)
#define Gv OP(G, v)
#define Gz OP(G, z)
#define Ib OP(I, b)
#define Iw OP(I, w)
#define Iz OP(I, z)
#define Iv OP(I, v)
#define Jb OP(J, b)
#define Jz OP(J, z)
#define Mb OP(M, b)
#define Mw OP(M, w)
#define Mq OP(M, q)
#define Mv OP(M, v)
#define Mp OP(M, p)
#define Ms OP(M, NONE)
#define Ob OP(O, b)
#define Ov OP(O, v)
#define Ap OP(A, p)
#define Sw OP(S, w)
#define Ry OP(R, y)
#define Gy OP(G, y)
#define Gd OP(G, d)
#define My OP(M, y)
#define Mdq OP(M, dq)
#define By OP(B, y)
#define Cy OP(C, y)
#define Dy OP(D, y)
#define Zb OP(Z, b)
#define Zv OP(Z, v)
#define Xb OP(X, b)
#define Xv OP(X, v)
#define Xz OP(X, z)
#define Yb OP(Y, b)
#define Yv OP(Y, v)
#define Yz OP(Y, z)
#define ONE OP(ONE, b)
#define AL { OPK_REG, SZ_b, R_EAX }
#define CL { OPK_REG, SZ_b, R_ECX }
#define DX { OPK_REG, SZ_w, R_EDX }
#define rAX { OPK_REG, SZ_v, R_EAX }
#define eAX { OPK_REG, SZ_z, R_EAX }
#define SEG(r) { OPK_SEG, SZ_w, r }

#define E0(m, f) { X86_##m, (f), { { 0 } }, NULL }
#define E1(m, f, a) { X86_##m, (f), { a }, NULL }
#define E2(m, f, a, b) { X86_##m, (f), { a, b }, NULL }
#define E3(m, f, a, b, c) { X86_##m, (f), { a, b, c }, NULL }
#define GRP(g, f, a, b) { X86_INVALID, (f) | X86F_GROUP, { a, b }, g }
#define PFX { X86_INVALID, X86F_PREFIX, { { 0 } }, NULL }
/* Selected by the mandatory prefix (none, 66, F3, F2) or VEX.pp. */
#define SSE(t) { X86_INVALID, X86F_SSE, { { 0 } }, t }
/* A group whose register forms (mod = 3) are t[8 + reg]. */
#define GRPM(g) { X86_INVALID, X86F_GROUP | X86F_GRPMOD3, { { 0 } }, g }

#define L X86F_LOCK
/* MMX/SSE opcodes: the mandatory prefix is decoded by sse_helper.c. */
#define SSE0 { X86_SSE, X86F_MODRM, { { 0 } }, NULL }
#define SSEI { X86_SSE, X86F_MODRM, { Ib }, NULL }

/* The six ALU forms at 8n+0..5 (SDM A-2: Eb,Gb Ev,Gv Gb,Eb Gv,Ev AL,Ib rAX,Iz). */
#define ALU(base, m, lk) \
    [(base) + 0] = E2(m, lk, Eb, Gb), [(base) + 1] = E2(m, lk, Ev, Gv), \
    [(base) + 2] = E2(m, 0, Gb, Eb), [(base) + 3] = E2(m, 0, Gv, Ev), \
    [(base) + 4] = E2(m, 0, AL, Ib), [(base) + 5] = E2(m, 0, rAX, Iz)

static const X86OpcodeEntry grp1[8] = {
    E0(ADD, L), E0(OR, L), E0(ADC, L), E0(SBB, L),
    E0(AND, L), E0(SUB, L), E0(XOR, L), E0(CMP, 0),
};
static const X86OpcodeEntry grp1a[8] = { E0(POP, 0) };
static const X86OpcodeEntry grp2[8] = {
    E0(ROL, 0), E0(ROR, 0), E0(RCL, 0), E0(RCR, 0),
    E0(SHL, 0), E0(SHR, 0), E0(SHL, 0), E0(SAR, 0),
};
static const X86OpcodeEntry grp3b[8] = {
    E2(TEST, 0, Eb, Ib), E2(TEST, 0, Eb, Ib), E1(NOT, L, Eb),
    E1(NEG, L, Eb), E2(MUL, 0, AL, Eb), E2(IMUL, 0, AL, Eb),
    E2(DIV, 0, AL, Eb), E2(IDIV, 0, AL, Eb),
};
static const X86OpcodeEntry grp3v[8] = {
    E2(TEST, 0, Ev, Iz), E2(TEST, 0, Ev, Iz), E1(NOT, L, Ev),
    E1(NEG, L, Ev), E2(MUL, 0, rAX, Ev), E2(IMUL, 0, rAX, Ev),
    E2(DIV, 0, rAX, Ev), E2(IDIV, 0, rAX, Ev),
};
static const X86OpcodeEntry grp4[8] = {
    E1(INC, L, Eb), E1(DEC, L, Eb),
};
static const X86OpcodeEntry grp5[8] = {
    E1(INC, L, Ev), E1(DEC, L, Ev), E1(CALL, X86F_F64, Ev),
    E1(CALLF, 0, Mp), E1(JMP, X86F_F64, Ev), E1(JMPF, 0, Mp),
    E1(PUSH, X86F_D64, Ev),
};
static const X86OpcodeEntry grp6[8] = {
    E1(SLDT, 0, Ev), E1(STR, 0, Ev), E1(LLDT, 0, Ew), E1(LTR, 0, Ew),
    E1(VERR, 0, Ew), E1(VERW, 0, Ew),
};
static const X86OpcodeEntry grp7[8] = {
    E1(SGDT, 0, Ms), E1(SIDT, 0, Ms), E1(LGDT, 0, Ms), E1(LIDT, 0, Ms),
    E1(SMSW, 0, Ev), E0(INVALID, 0), E1(LMSW, 0, Ew), E1(INVLPG, 0, Mb),
};
static const X86OpcodeEntry grp8[8] = {
    [4] = E0(BT, 0), [5] = E0(BTS, L), [6] = E0(BTR, L), [7] = E0(BTC, L),
};
/* F3 0F C7 /7 with mod = 3: RDPID (RDSEED without F3: not implemented). */
static const X86OpcodeEntry grp9_rdpid[4] = {
    [2] = E1(RDPID, X86F_F64, Ry),
};
/* CMPXCHG8B m64 (REX.W: CMPXCHG16B m128; the translator tells them apart
 * by the operand size). */
static const X86OpcodeEntry grp9[16] = {
    [1] = E1(CMPXCHG8B, L, Mq),
    [4] = E1(XSAVEC, 0, Ms),
    [8 + 7] = SSE(grp9_rdpid),
};
/* 0F AE: memory forms (FXSAVE.. are the x87/SSE work's; CLFLUSH), register
 * forms: F3 /0-3 RD/WR FS/GS base, /5-7 the fences. */
static const X86OpcodeEntry grp15_rdfsbase[4] = { [2] = E1(RDFSBASE, 0, Ry) };
static const X86OpcodeEntry grp15_rdgsbase[4] = { [2] = E1(RDGSBASE, 0, Ry) };
static const X86OpcodeEntry grp15_wrfsbase[4] = { [2] = E1(WRFSBASE, 0, Ry) };
static const X86OpcodeEntry grp15_wrgsbase[4] = { [2] = E1(WRGSBASE, 0, Ry) };
static const X86OpcodeEntry grp15[16] = {
    /* FXSAVE FXRSTOR LDMXCSR STMXCSR XSAVE XRSTOR XSAVEOPT: xsave_helper.c */
    [0 ... 6] = E1(GRP15, 0, Ms),
    [7] = E1(CLFLUSH, 0, Mb),
    [8 + 0] = SSE(grp15_rdfsbase), [8 + 1] = SSE(grp15_rdgsbase),
    [8 + 2] = SSE(grp15_wrfsbase), [8 + 3] = SSE(grp15_wrgsbase),
    [8 + 5] = E0(LFENCE, 0), [8 + 6] = E0(MFENCE, 0),
    [8 + 7] = E0(SFENCE, 0),
};
/* 0F 0D: PREFETCH/PREFETCHW (memory only; all /r are hints). */
static const X86OpcodeEntry grp_prefetch[8] = {
    [0 ... 7] = E1(PREFETCHW, 0, Mb),
};

/* 0F 01 with mod = 3, by reg * 8 + rm (SDM table A-6). */
const X86OpcodeEntry x86_grp7_mod3[64] = {
    [1 * 8 + 2] = E0(CLAC, 0),
    [1 * 8 + 3] = E0(STAC, 0),
    [4 * 8 + 0 ... 4 * 8 + 7] = E1(SMSW, 0, Ev),
    [6 * 8 + 0 ... 6 * 8 + 7] = E1(LMSW, 0, Ew),
    [2 * 8 + 0] = E0(XGETBV, 0),
    [2 * 8 + 1] = E0(XSETBV, 0),
    [7 * 8 + 0] = E0(SWAPGS, X86F_O64),
    [7 * 8 + 1] = E0(RDTSCP, 0),
};

/* 0F B8 (F3: POPCNT; without: JMPE, #UD), 0F BC/BD (F3: TZCNT/LZCNT;
 * otherwise, and on CPUs without BMI1/ABM, BSF/BSR). */
static const X86OpcodeEntry map0f_b8[4] = { [2] = E2(POPCNT, 0, Gv, Ev) };
static const X86OpcodeEntry map0f_bc[4] = {
    E2(BSF, 0, Gv, Ev), E2(BSF, 0, Gv, Ev), E2(TZCNT, 0, Gv, Ev),
    E2(BSF, 0, Gv, Ev),
};
static const X86OpcodeEntry map0f_bd[4] = {
    E2(BSR, 0, Gv, Ev), E2(BSR, 0, Gv, Ev), E2(LZCNT, 0, Gv, Ev),
    E2(BSR, 0, Gv, Ev),
};
static const X86OpcodeEntry grp11b[8] = { E2(MOV, 0, Eb, Ib) };
static const X86OpcodeEntry grp11v[8] = { E2(MOV, 0, Ev, Iz) };

const X86OpcodeEntry x86_map_1[256] = {
    ALU(0x00, ADD, L),
    [0x06] = E1(PUSH, X86F_I64, SEG(R_ES)),
    [0x07] = E1(POP, X86F_I64, SEG(R_ES)),
    ALU(0x08, OR, L),
    [0x0e] = E1(PUSH, X86F_I64, SEG(R_CS)),
    ALU(0x10, ADC, L),
    [0x16] = E1(PUSH, X86F_I64, SEG(R_SS)),
    [0x17] = E1(POP, X86F_I64, SEG(R_SS)),
    ALU(0x18, SBB, L),
    [0x1e] = E1(PUSH, X86F_I64, SEG(R_DS)),
    [0x1f] = E1(POP, X86F_I64, SEG(R_DS)),
    ALU(0x20, AND, L),
    [0x26] = PFX,
    [0x27] = E0(DAA, X86F_I64),
    ALU(0x28, SUB, L),
    [0x2e] = PFX,
    [0x2f] = E0(DAS, X86F_I64),
    ALU(0x30, XOR, L),
    [0x36] = PFX,
    [0x37] = E0(AAA, X86F_I64),
    ALU(0x38, CMP, 0),
    [0x3e] = PFX,
    [0x3f] = E0(AAS, X86F_I64),
    [0x40 ... 0x47] = E1(INC, X86F_I64, Zv),
    [0x48 ... 0x4f] = E1(DEC, X86F_I64, Zv),
    [0x50 ... 0x57] = E1(PUSH, X86F_D64, Zv),
    [0x58 ... 0x5f] = E1(POP, X86F_D64, Zv),
    [0x60] = E0(PUSHA, X86F_I64),
    [0x61] = E0(POPA, X86F_I64),
    [0x62] = E2(BOUND, X86F_I64, Gv, Mv),
    [0x63] = E2(ARPL, X86F_I64, Ew, Gw),
    [0x64 ... 0x67] = PFX,
    [0x68] = E1(PUSH, X86F_D64, Iz),
    [0x69] = E3(IMUL, 0, Gv, Ev, Iz),
    [0x6a] = E1(PUSH, X86F_D64, Ib),
    [0x6b] = E3(IMUL, 0, Gv, Ev, Ib),
    [0x6c] = E2(INS, X86F_REP, Yb, DX),
    [0x6d] = E2(INS, X86F_REP, Yz, DX),
    [0x6e] = E2(OUTS, X86F_REP, DX, Xb),
    [0x6f] = E2(OUTS, X86F_REP, DX, Xz),
    [0x70 ... 0x7f] = E1(JCC, X86F_COND | X86F_F64, Jb),
    [0x80] = GRP(grp1, 0, Eb, Ib),
    [0x81] = GRP(grp1, 0, Ev, Iz),
    [0x82] = GRP(grp1, X86F_I64, Eb, Ib),
    [0x83] = GRP(grp1, 0, Ev, Ib),
    [0x84] = E2(TEST, 0, Eb, Gb),
    [0x85] = E2(TEST, 0, Ev, Gv),
    [0x86] = E2(XCHG, L, Eb, Gb),
    [0x87] = E2(XCHG, L, Ev, Gv),
    [0x88] = E2(MOV, 0, Eb, Gb),
    [0x89] = E2(MOV, 0, Ev, Gv),
    [0x8a] = E2(MOV, 0, Gb, Eb),
    [0x8b] = E2(MOV, 0, Gv, Ev),
    [0x8c] = E2(MOV, 0, Ev, Sw),
    [0x8d] = E2(LEA, 0, Gv, Mv),
    [0x8e] = E2(MOV, 0, Sw, Ew),
    [0x8f] = GRP(grp1a, X86F_D64, Ev, {0}),
    [0x90 ... 0x97] = E2(XCHG, 0, Zv, rAX),
    [0x98] = E0(CBW, 0),
    [0x99] = E0(CWD, 0),
    [0x9a] = E1(CALLF, X86F_I64, Ap),
    [0x9b] = E0(FWAIT, 0),
    [0x9c] = E0(PUSHF, X86F_D64),
    [0x9d] = E0(POPF, X86F_D64),
    [0x9e] = E0(SAHF, 0),
    [0x9f] = E0(LAHF, 0),
    [0xa0] = E2(MOV, 0, AL, Ob),
    [0xa1] = E2(MOV, 0, rAX, Ov),
    [0xa2] = E2(MOV, 0, Ob, AL),
    [0xa3] = E2(MOV, 0, Ov, rAX),
    [0xa4] = E2(MOVS, X86F_REP, Yb, Xb),
    [0xa5] = E2(MOVS, X86F_REP, Yv, Xv),
    [0xa6] = E2(CMPS, X86F_REP, Xb, Yb),
    [0xa7] = E2(CMPS, X86F_REP, Xv, Yv),
    [0xa8] = E2(TEST, 0, AL, Ib),
    [0xa9] = E2(TEST, 0, rAX, Iz),
    [0xaa] = E2(STOS, X86F_REP, Yb, AL),
    [0xab] = E2(STOS, X86F_REP, Yv, rAX),
    [0xac] = E2(LODS, X86F_REP, AL, Xb),
    [0xad] = E2(LODS, X86F_REP, rAX, Xv),
    [0xae] = E2(SCAS, X86F_REP, AL, Yb),
    [0xaf] = E2(SCAS, X86F_REP, rAX, Yv),
    [0xb0 ... 0xb7] = E2(MOV, 0, Zb, Ib),
    [0xb8 ... 0xbf] = E2(MOV, 0, Zv, Iv),
    [0xc0] = GRP(grp2, 0, Eb, Ib),
    [0xc1] = GRP(grp2, 0, Ev, Ib),
    [0xc2] = E1(RET, X86F_F64, Iw),
    [0xc3] = E0(RET, X86F_F64),
    [0xc4] = E2(LES, X86F_I64, Gz, Mp),
    [0xc5] = E2(LDS, X86F_I64, Gz, Mp),
    [0xc6] = GRP(grp11b, 0, {0}, {0}),
    [0xc7] = GRP(grp11v, 0, {0}, {0}),
    [0xc8] = E2(ENTER, X86F_D64, Iw, Ib),
    [0xc9] = E0(LEAVE, X86F_D64),
    [0xca] = E1(RETF, 0, Iw),
    [0xcb] = E0(RETF, 0),
    [0xcc] = E0(INT3, 0),
    [0xcd] = E1(INT, 0, Ib),
    [0xce] = E0(INTO, X86F_I64),
    [0xcf] = E0(IRET, 0),
    [0xd0] = GRP(grp2, 0, Eb, ONE),
    [0xd1] = GRP(grp2, 0, Ev, ONE),
    [0xd2] = GRP(grp2, 0, Eb, CL),
    [0xd3] = GRP(grp2, 0, Ev, CL),
    [0xd4] = E1(AAM, X86F_I64, Ib),
    [0xd5] = E1(AAD, X86F_I64, Ib),
    [0xd7] = E0(XLAT, 0),
    [0xd8 ... 0xdf] = E0(X87, X86F_MODRM),
    [0xe0] = E1(LOOPNE, X86F_F64, Jb),
    [0xe1] = E1(LOOPE, X86F_F64, Jb),
    [0xe2] = E1(LOOP, X86F_F64, Jb),
    [0xe3] = E1(JCXZ, X86F_F64, Jb),
    [0xe4] = E2(IN, 0, AL, Ib),
    [0xe5] = E2(IN, 0, eAX, Ib),
    [0xe6] = E2(OUT, 0, Ib, AL),
    [0xe7] = E2(OUT, 0, Ib, eAX),
    [0xe8] = E1(CALL, X86F_F64, Jz),
    [0xe9] = E1(JMP, X86F_F64, Jz),
    [0xea] = E1(JMPF, X86F_I64, Ap),
    [0xeb] = E1(JMP, X86F_F64, Jb),
    [0xec] = E2(IN, 0, AL, DX),
    [0xed] = E2(IN, 0, eAX, DX),
    [0xee] = E2(OUT, 0, DX, AL),
    [0xef] = E2(OUT, 0, DX, eAX),
    [0xf0] = PFX,
    [0xf1] = E0(INT1, 0),
    [0xf2 ... 0xf3] = PFX,
    [0xf4] = E0(HLT, 0),
    [0xf5] = E0(CMC, 0),
    [0xf6] = GRP(grp3b, 0, {0}, {0}),
    [0xf7] = GRP(grp3v, 0, {0}, {0}),
    [0xf8] = E0(CLC, 0),
    [0xf9] = E0(STC, 0),
    [0xfa] = E0(CLI, 0),
    [0xfb] = E0(STI, 0),
    [0xfc] = E0(CLD, 0),
    [0xfd] = E0(STD, 0),
    [0xfe] = GRP(grp4, 0, {0}, {0}),
    [0xff] = GRP(grp5, 0, {0}, {0}),
};

const X86OpcodeEntry x86_map_0f[256] = {
    [0x00] = GRP(grp6, 0, {0}, {0}),
    [0x01] = GRP(grp7, 0, {0}, {0}),
    [0x02] = E2(LAR, 0, Gv, Ew),
    [0x03] = E2(LSL, 0, Gv, Ew),
    [0x05] = E0(SYSCALL, 0),
    [0x06] = E0(CLTS, 0),
    [0x07] = E0(SYSRET, 0),
    [0x08] = E0(INVD, 0),
    [0x09] = E0(WBINVD, 0),
    [0x0b] = E0(UD2, 0),
    [0x0d] = GRP(grp_prefetch, 0, {0}, {0}),
    [0x18 ... 0x1f] = E1(NOP, 0, Ev),
    [0x20] = E2(MOVCR, X86F_F64, Ry, Cy),
    [0x21] = E2(MOVDR, X86F_F64, Ry, Dy),
    [0x22] = E2(MOVCR, X86F_F64, Cy, Ry),
    [0x23] = E2(MOVDR, X86F_F64, Dy, Ry),
    [0x30] = E0(WRMSR, 0),
    [0x31] = E0(RDTSC, 0),
    [0x32] = E0(RDMSR, 0),
    [0x33] = E0(RDPMC, 0),
    [0x34] = E0(SYSENTER, 0),
    [0x35] = E0(SYSEXIT, 0),
    [0x40 ... 0x4f] = E2(CMOVCC, X86F_COND, Gv, Ev),
    [0x80 ... 0x8f] = E1(JCC, X86F_COND | X86F_F64, Jz),
    [0x90 ... 0x9f] = E1(SETCC, X86F_COND, Eb),
    [0xa0] = E1(PUSH, X86F_D64, SEG(R_FS)),
    [0xa1] = E1(POP, X86F_D64, SEG(R_FS)),
    [0xa2] = E0(CPUID, 0),
    [0xa3] = E2(BT, 0, Ev, Gv),
    [0xa4] = E3(SHLD, 0, Ev, Gv, Ib),
    [0xa5] = E3(SHLD, 0, Ev, Gv, CL),
    [0xa8] = E1(PUSH, X86F_D64, SEG(R_GS)),
    [0xa9] = E1(POP, X86F_D64, SEG(R_GS)),
    [0xaa] = E0(RSM, 0),
    [0xab] = E2(BTS, L, Ev, Gv),
    [0xac] = E3(SHRD, 0, Ev, Gv, Ib),
    [0xad] = E3(SHRD, 0, Ev, Gv, CL),
    [0xae] = GRPM(grp15),
    [0xaf] = E2(IMUL, 0, Gv, Ev),
    [0xb0] = E2(CMPXCHG, L, Eb, Gb),
    [0xb1] = E2(CMPXCHG, L, Ev, Gv),
    [0xb2] = E2(LSS, 0, Gv, Mp),
    [0xb3] = E2(BTR, L, Ev, Gv),
    [0xb4] = E2(LFS, 0, Gv, Mp),
    [0xb5] = E2(LGS, 0, Gv, Mp),
    [0xb6] = E2(MOVZX, 0, Gv, Eb),
    [0xb7] = E2(MOVZX, 0, Gv, Ew),
    [0xb8] = SSE(map0f_b8),
    [0xb9] = E2(UD1, 0, Gv, Ev),
    [0xba] = GRP(grp8, 0, Ev, Ib),
    [0xbb] = E2(BTC, L, Ev, Gv),
    [0xbc] = SSE(map0f_bc),
    [0xbd] = SSE(map0f_bd),
    [0xbe] = E2(MOVSX, 0, Gv, Eb),
    [0xbf] = E2(MOVSX, 0, Gv, Ew),
    [0xc0] = E2(XADD, L, Eb, Gb),
    [0xc1] = E2(XADD, L, Ev, Gv),
    [0xc7] = GRPM(grp9),
    [0xc8 ... 0xcf] = E1(BSWAP, 0, Zv),
    [0xff] = E2(UD0, 0, Gv, Ev),
    [0x10 ... 0x17] = SSE0,
    [0x28 ... 0x2f] = SSE0,
    [0x50 ... 0x6f] = SSE0,
    [0x70 ... 0x73] = SSEI,
    [0x74 ... 0x76] = SSE0,
    [0x77] = { X86_SSE, 0, { { 0 } }, NULL },       /* EMMS: no ModRM */
    [0x7c ... 0x7f] = SSE0,
    [0xc2] = SSEI,
    [0xc3] = E2(MOVNTI, 0, My, Gy),
    [0xc4 ... 0xc6] = SSEI,
    [0xd0 ... 0xfe] = SSE0,
};

/*
 * The three-byte maps 0F 38 and 0F 3A (SDM tables ), legacy
 * encodings.  Only the general-purpose insns are here; the SSE work adds
 * its entries (most are 66-prefixed: SSE() tables).
 */
static const X86OpcodeEntry map0f38_f0[4] = {
    E2(MOVBE, 0, Gv, Mv), E2(MOVBE, 0, Gv, Mv), {0}, E2(CRC32, 0, Gy, Eb),
};
static const X86OpcodeEntry map0f38_f1[4] = {
    E2(MOVBE, 0, Mv, Gv), E2(MOVBE, 0, Mv, Gv), {0}, E2(CRC32, 0, Gy, Ev),
};
static const X86OpcodeEntry map0f38_f6[4] = {
    [1] = E2(ADCX, 0, Gy, Ey), [2] = E2(ADOX, 0, Gy, Ey),
};
static const X86OpcodeEntry map0f38_82[4] = {
    [1] = E2(INVPCID, X86F_F64, Gy, Mdq),
};

const X86OpcodeEntry x86_map_0f38[256] = {
    [0x00 ... 0x0b] = SSE0,
    [0x10] = SSE0, [0x14] = SSE0, [0x15] = SSE0, [0x17] = SSE0,
    [0x1c ... 0x1e] = SSE0,
    [0x20 ... 0x25] = SSE0,
    [0x28 ... 0x2b] = SSE0,
    [0x30 ... 0x35] = SSE0,
    [0x37 ... 0x41] = SSE0,
    [0x82] = SSE(map0f38_82),
    [0xdb ... 0xdf] = SSE0,             /* AES-NI */
    [0xf0] = SSE(map0f38_f0),
    [0xf1] = SSE(map0f38_f1),
    [0xf6] = SSE(map0f38_f6),
};

const X86OpcodeEntry x86_map_0f3a[256] = {
    [0x08 ... 0x0f] = SSEI,
    [0x14 ... 0x17] = SSEI,
    [0x20 ... 0x22] = SSEI,
    [0x40 ... 0x42] = SSEI,
    [0x44] = SSEI,
    [0x60 ... 0x63] = SSEI,
    [0xdf] = SSEI,                      /* AESKEYGENASSIST */
};

/*
 * VEX maps (VEX.mmmmm = 1, 2, 3).  BMI1/BMI2 (SDM Vol 2, chapter 4 and
 * table A-4): all VEX.LZ (L = 0), operand size from VEX.W in 64-bit mode.
 * The VEX 0F map is the SSE work's (AVX).
 */
#define VL (X86F_L0)
static const X86OpcodeEntry vex0f38_f2[4] = { E3(ANDN, VL, Gy, By, Ey) };
static const X86OpcodeEntry grp17[8] = {
    [1] = E2(BLSR, VL, By, Ey), [2] = E2(BLSMSK, VL, By, Ey),
    [3] = E2(BLSI, VL, By, Ey),
};
static const X86OpcodeEntry vex0f38_f3[4] = { GRP(grp17, 0, {0}, {0}) };
static const X86OpcodeEntry vex0f38_f5[4] = {
    [0] = E3(BZHI, VL, Gy, Ey, By), [2] = E3(PEXT, VL, Gy, By, Ey),
    [3] = E3(PDEP, VL, Gy, By, Ey),
};
static const X86OpcodeEntry vex0f38_f6[4] = {
    [3] = E3(MULX, VL, Gy, By, Ey),
};
static const X86OpcodeEntry vex0f38_f7[4] = {
    E3(BEXTR, VL, Gy, Ey, By), E3(SHLX, VL, Gy, Ey, By),
    E3(SARX, VL, Gy, Ey, By), E3(SHRX, VL, Gy, Ey, By),
};
static const X86OpcodeEntry vex0f3a_f0[4] = {
    [3] = E3(RORX, VL | X86F_NOV, Gy, Ey, Ib),
};

const X86OpcodeEntry x86_vex_map_0f[256] = {
    [0] = { 0 },
};

const X86OpcodeEntry x86_vex_map_0f38[256] = {
    [0xf2] = SSE(vex0f38_f2),
    [0xf3] = SSE(vex0f38_f3),
    [0xf5] = SSE(vex0f38_f5),
    [0xf6] = SSE(vex0f38_f6),
    [0xf7] = SSE(vex0f38_f7),
};

const X86OpcodeEntry x86_vex_map_0f3a[256] = {
    [0xf0] = SSE(vex0f3a_f0),
};

const char *const x86_mnemonic_names[X86_NB_MNEMONICS] = {
#define X86_MNEM_NAME(n) #n,
    X86_MNEMONICS(X86_MNEM_NAME)
#undef X86_MNEM_NAME
};
