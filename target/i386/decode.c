/*
 * decode.c: the table-driven x86 decoder; see decode.h.
 *
 * The walk follows SDM Vol 2 chapter 2: legacy prefixes (any order; the
 * last of F2/F3 and of the segment overrides wins), REX in 64-bit mode
 * (only when it immediately precedes the opcode; a legacy prefix after it
 * cancels it), the opcode (one byte or 0F xx), the entry from the map and,
 * for groups, ModRM.reg; then ModRM, SIB and displacement; then the
 * immediates in operand order.  Operand and address size follow the mode,
 * 66/67, REX.W and the entry's d64/f64 flags.
 *
 * Pure function of the bytes; any thread.
 */
#include "util/osdep.h"
#include "tcg/tcg.h"
#include "target/i386/cpu.h"
#include "target/i386/decode.h"

typedef struct DecodeState {
    X86Insn *insn;
    X86FetchFn *fetch;
    void *opaque;
    unsigned pos;
    bool too_long;
} DecodeState;

static uint8_t next_byte(DecodeState *d)
{
    if (d->pos >= X86_MAX_INSN_LEN) {
        d->too_long = true;
        return 0;
    }
    return d->fetch(d->opaque, d->pos++);
}

/* n little-endian bytes, sign-extended. */
static int64_t next_signed(DecodeState *d, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++) {
        v |= (uint64_t)next_byte(d) << (8 * i);
    }
    if (n < 8) {
        unsigned sh = 64 - 8 * n;

        return (int64_t)(v << sh) >> sh;
    }
    return (int64_t)v;
}

unsigned x86_op_bytes(const X86Insn *insn, unsigned sz)
{
    unsigned v = 1u << insn->osize;

    switch (sz) {
    case SZ_b:
        return 1;
    case SZ_w:
        return 2;
    case SZ_d:
        return 4;
    case SZ_q:
        return 8;
    case SZ_v:
        return v;
    case SZ_z:
        return v == 2 ? 2 : 4;
    case SZ_y:
        return v == 8 ? 8 : 4;
    case SZ_p:
        return v == 2 ? 4 : v == 4 ? 6 : 10;
    case SZ_dq:
        return 16;
    default:
        return 0;
    }
}

static bool op_needs_modrm(const X86OpSpec *op)
{
    switch (op->kind) {
    case OPK_E: case OPK_M: case OPK_R: case OPK_G: case OPK_S:
    case OPK_C: case OPK_D:
        return true;
    default:
        return false;
    }
}

/* The MOVSXD entry that replaces ARPL (63) in 64-bit mode. */
static const X86OpcodeEntry x86_movsxd = {
    X86_MOVSXD, 0, { { OPK_G, SZ_v, 0 }, { OPK_E, SZ_d, 0 } }, NULL
};

static void decode_modrm_mem(DecodeState *d, X86Insn *insn)
{
    unsigned rm3 = insn->modrm & 7;

    insn->base = insn->index = -1;
    if (insn->asize == MO_16) {
        static const int8_t b16[8] = { R_EBX, R_EBX, R_EBP, R_EBP, -1, -1,
                                       R_EBP, R_EBX };
        static const int8_t i16[8] = { R_ESI, R_EDI, R_ESI, R_EDI, R_ESI,
                                       R_EDI, -1, -1 };

        if (insn->mod == 0 && rm3 == 6) {
            insn->disp = next_signed(d, 2);
            return;
        }
        insn->base = b16[rm3];
        insn->index = i16[rm3];
        if (rm3 == 4 || rm3 == 5) {
            insn->base = i16[rm3];
            insn->index = -1;
        }
        insn->disp = insn->mod == 1 ? next_signed(d, 1) :
                     insn->mod == 2 ? next_signed(d, 2) : 0;
        return;
    }
    if (rm3 == 4) {
        uint8_t sib = next_byte(d);
        unsigned idx = ((sib >> 3) & 7) | ((insn->rex & 2) << 2);
        unsigned base = (sib & 7) | ((insn->rex & 1) << 3);

        insn->scale = sib >> 6;
        insn->index = idx == R_ESP ? -1 : (int8_t)idx;
        if ((sib & 7) == 5 && insn->mod == 0) {
            insn->base = -1;
            insn->disp = next_signed(d, 4);
            return;
        }
        insn->base = base;
    } else if (rm3 == 5 && insn->mod == 0) {
        insn->base = insn->mode == X86_MODE_64 ? X86_RIP : -1;
        insn->disp = next_signed(d, 4);
        return;
    } else {
        insn->base = rm3 | ((insn->rex & 1) << 3);
    }
    insn->disp = insn->mod == 1 ? next_signed(d, 1) :
                 insn->mod == 2 ? next_signed(d, 4) : 0;
}

/* Fetches the ModRM byte once; false if the insn got too long. */
static bool fetch_modrm(DecodeState *d, X86Insn *insn)
{
    uint8_t m;

    if (insn->has_modrm) {
        return true;
    }
    m = next_byte(d);
    if (d->too_long) {
        return false;
    }
    insn->has_modrm = true;
    insn->modrm = m;
    insn->mod = m >> 6;
    insn->reg = ((m >> 3) & 7) | ((insn->rex & 4) << 1);
    insn->rm = (m & 7) | ((insn->rex & 1) << 3);
    return true;
}

/*
 * The VEX prefix (SDM Vol 2A 2.3): C5 (two bytes: R vvvv L pp, map 0F) or
 * C4 (three: R X B mmmmm, W vvvv L pp).  R, X, B and vvvv are inverted.
 * Returns the map to use, or NULL for #UD.
 */
static const X86OpcodeEntry *decode_vex(DecodeState *d, X86Insn *insn,
                                        uint8_t b)
{
    uint8_t b1 = next_byte(d), b2, map;

    if (insn->prefixes & (X86P_OPSIZE | X86P_REPZ | X86P_REPNZ | X86P_LOCK |
                          X86P_REX)) {
        return NULL;            /* SDM 2.3.2: #UD with these prefixes */
    }
    if (b == 0xc5) {
        b2 = b1;
        map = 1;
        b1 = (b1 & 0x80) | 0x60;        /* X and B not given: 1 (unused) */
    } else {
        b2 = next_byte(d);
        map = b1 & 0x1f;
    }
    insn->prefixes |= X86P_VEX;
    insn->vex_w = b2 >> 7;
    insn->vex_v = (~b2 >> 3) & 15;
    insn->vex_l = (b2 >> 2) & 1;
    insn->prefix_idx = b2 & 3;      /* pp: none, 66, F3, F2 */
    if (insn->mode == X86_MODE_64) {
        insn->rex = 0x40 | (insn->vex_w << 3) | (((~b1) >> 5) & 7);
    } else {
        insn->vex_v &= 7;       /* only 8 registers outside 64-bit mode */
    }
    b = next_byte(d);
    switch (map) {
    case 1:
        insn->opcode = 0x100 | b;
        return &x86_vex_map_0f[b];
    case 2:
        insn->opcode = 0x200 | b;
        return &x86_vex_map_0f38[b];
    case 3:
        insn->opcode = 0x300 | b;
        return &x86_vex_map_0f3a[b];
    default:
        return NULL;            /* reserved map: #UD */
    }
}

int x86_decode(X86Insn *insn, X86CodeMode mode, X86FetchFn *fetch,
               void *opaque)
{
    DecodeState d = { insn, fetch, opaque, 0, false };
    const X86OpcodeEntry *e;
    bool imm_taken = false;
    uint16_t flags;
    uint8_t b;
    int ret = X86_DECODE_UD;

    memset(insn, 0, sizeof(*insn));
    insn->seg = -1;
    insn->base = insn->index = -1;
    insn->mode = mode;

    /* Prefixes. */
    for (;;) {
        b = next_byte(&d);
        if (d.too_long) {
            goto out;
        }
        if (mode == X86_MODE_64 && (b & 0xf0) == 0x40) {
            insn->rex = b;
            insn->prefixes |= X86P_REX;
            continue;
        }
        if (!(x86_map_1[b].flags & X86F_PREFIX)) {
            break;
        }
        /* A legacy prefix after REX cancels the REX. */
        insn->rex = 0;
        insn->prefixes &= ~X86P_REX;
        switch (b) {
        case 0x26: insn->seg = R_ES; break;
        case 0x2e: insn->seg = R_CS; break;
        case 0x36: insn->seg = R_SS; break;
        case 0x3e: insn->seg = R_DS; break;
        case 0x64: insn->seg = R_FS; break;
        case 0x65: insn->seg = R_GS; break;
        case 0x66: insn->prefixes |= X86P_OPSIZE; break;
        case 0x67: insn->prefixes |= X86P_ADSIZE; break;
        case 0xf0: insn->prefixes |= X86P_LOCK; break;
        case 0xf2:
            insn->prefixes = (insn->prefixes & ~X86P_REPZ) | X86P_REPNZ;
            break;
        case 0xf3:
            insn->prefixes = (insn->prefixes & ~X86P_REPNZ) | X86P_REPZ;
            break;
        }
    }
    /* In 64-bit mode, ES/CS/SS/DS overrides are ignored (flat). */
    if (mode == X86_MODE_64 && insn->seg >= 0 && insn->seg < R_FS) {
        insn->seg = -1;
    }
    /* The mandatory prefix of 0F 38/0F 3A/SSE entries: F2/F3 win. */
    insn->prefix_idx = (insn->prefixes & X86P_REPNZ) ? 3 :
                       (insn->prefixes & X86P_REPZ) ? 2 :
                       (insn->prefixes & X86P_OPSIZE) ? 1 : 0;

    /* Opcode. */
    if (b == 0x0f) {
        b = next_byte(&d);
        if (d.too_long) {
            goto out;
        }
        insn->opcode = 0x100 | b;
        if (b == 0x38 || b == 0x3a) {
            uint8_t b3 = next_byte(&d);

            if (d.too_long) {
                goto out;
            }
            insn->opcode = (b == 0x38 ? 0x200 : 0x300) | b3;
            e = b == 0x38 ? &x86_map_0f38[b3] : &x86_map_0f3a[b3];
        } else {
            e = &x86_map_0f[b];
        }
    } else if ((b == 0xc4 || b == 0xc5) &&
               (mode == X86_MODE_64 ||
                (d.pos < X86_MAX_INSN_LEN &&
                 (fetch(opaque, d.pos) & 0xc0) == 0xc0))) {
        /* VEX; outside 64-bit mode only when it cannot be LES/LDS (whose
         * ModRM must name memory). */
        e = decode_vex(&d, insn, b);
        if (d.too_long || !e) {
            goto out;
        }
    } else {
        insn->opcode = b;
        e = &x86_map_1[b];
        if (b == 0x63 && mode == X86_MODE_64) {
            e = &x86_movsxd;
        }
    }

    /*
     * Resolve prefix-selected (X86F_SSE) and ModRM.reg-selected
     * (X86F_GROUP) entries down to the insn.  The flags of the outer
     * entries carry over (minus the selection flags); a selected entry
     * without operands takes the outer entry's.
     */
    flags = 0;
    insn->merged = *e;
    for (int depth = 0; depth < 4; depth++) {
        const X86OpcodeEntry *sel;

        if (e->flags & X86F_SSE) {
            sel = &e->group[insn->prefix_idx];
        } else if (e->flags & X86F_GROUP) {
            if (!fetch_modrm(&d, insn)) {
                goto out;
            }
            if (insn->opcode == 0x101 && insn->mod == 3) {
                sel = &x86_grp7_mod3[insn->modrm & 0x3f];
            } else {
                sel = &e->group[((insn->modrm >> 3) & 7) +
                                ((e->flags & X86F_GRPMOD3) &&
                                 insn->mod == 3 ? 8 : 0)];
            }
        } else {
            break;
        }
        flags |= e->flags & ~(X86F_GROUP | X86F_SSE | X86F_GRPMOD3 |
                              X86F_LOCK);
        if (sel->ops[0].kind) {
            memcpy(insn->merged.ops, sel->ops, sizeof(insn->merged.ops));
        }
        insn->merged.mnem = sel->mnem;
        insn->merged.flags = flags | sel->flags;
        insn->merged.group = sel->group;
        e = sel;
    }
    if (e->mnem == X86_INVALID || (e->flags & (X86F_GROUP | X86F_SSE))) {
        goto out;
    }
    flags = insn->merged.flags;
    insn->merged.group = NULL;
    if ((mode == X86_MODE_64 && (flags & X86F_I64)) ||
        (mode != X86_MODE_64 && (flags & X86F_O64))) {
        goto out;
    }
    if (insn->prefixes & X86P_VEX) {
        if ((flags & X86F_L0) && insn->vex_l) {
            goto out;
        }
        if ((flags & X86F_NOV) && insn->vex_v) {
            goto out;
        }
    }
    e = &insn->merged;

    /* Sizes. */
    if (mode == X86_MODE_64) {
        if (insn->rex & 8) {
            insn->osize = MO_64;
        } else if (flags & X86F_F64) {
            insn->osize = MO_64;
        } else if (insn->prefixes & X86P_OPSIZE) {
            insn->osize = MO_16;
        } else {
            insn->osize = (flags & X86F_D64) ? MO_64 : MO_32;
        }
        insn->asize = (insn->prefixes & X86P_ADSIZE) ? MO_32 : MO_64;
    } else {
        bool big = mode == X86_MODE_32;

        insn->osize = (big ^ !!(insn->prefixes & X86P_OPSIZE)) ? MO_32 :
                      MO_16;
        insn->asize = (big ^ !!(insn->prefixes & X86P_ADSIZE)) ? MO_32 :
                      MO_16;
    }

    /* ModRM, if the entry has one and a group did not fetch it. */
    if ((flags & X86F_MODRM) || op_needs_modrm(&e->ops[0]) ||
        op_needs_modrm(&e->ops[1]) || op_needs_modrm(&e->ops[2])) {
        if (!fetch_modrm(&d, insn)) {
            goto out;
        }
    }
    if (insn->has_modrm) {
        if (e->mnem == X86_MOVCR || e->mnem == X86_MOVDR) {
            insn->mod = 3;      /* SDM: mod is ignored, always a register */
        }
        if (insn->mod != 3) {
            decode_modrm_mem(&d, insn);
        }
    }
    insn->e = e;
    insn->mnem = e->mnem;

    for (int i = 0; i < 3; i++) {
        const X86OpSpec *op = &e->ops[i];
        int64_t v;

        switch (op->kind) {
        case OPK_M:
            if (insn->mod == 3) {
                goto out;
            }
            break;
        case OPK_R:
            if (insn->mod != 3) {
                goto out;
            }
            break;
        case OPK_S:
            if ((insn->reg & 7) > R_GS ||
                (i == 0 && (insn->reg & 7) == R_CS)) {
                goto out;       /* no such sreg; MOV CS,x is #UD */
            }
            break;
        case OPK_I:
        case OPK_J:
        {
            unsigned n = op->size == SZ_b ? 1 :
                         op->size == SZ_w ? 2 :
                         op->size == SZ_v ? (1u << insn->osize) :
                         op->size == SZ_d ? 4 :
                         insn->osize == MO_16 ? 2 : 4;

            v = next_signed(&d, n);
            if (!imm_taken) {
                insn->imm = v;
                insn->imm_size = n;
                imm_taken = true;
            } else {
                insn->imm2 = v;
            }
            break;
        }
        case OPK_O:
            insn->disp = next_signed(&d, 1u << insn->asize);
            if (insn->asize != MO_64) {
                insn->disp &= insn->asize == MO_16 ? 0xffff : 0xffffffff;
            }
            insn->base = insn->index = -1;
            break;
        case OPK_A:
            insn->imm = next_signed(&d, insn->osize == MO_16 ? 2 : 4);
            insn->imm2 = next_signed(&d, 2) & 0xffff;
            imm_taken = true;
            break;
        case OPK_Z:
            insn->rm = (insn->opcode & 7) | ((insn->rex & 1) << 3);
            break;
        }
    }
    if (d.too_long) {
        ret = X86_DECODE_TOO_LONG;
        goto out;
    }
    /* 90 without REX.B is NOP (F3 90: PAUSE), not XCHG eAX,eAX. */
    if (insn->opcode == 0x90 && insn->rm == R_EAX) {
        insn->mnem = (insn->prefixes & X86P_REPZ) ? X86_PAUSE : X86_NOP;
    }
    /* LOCK only on lockable insns with a memory destination. */
    if ((insn->prefixes & X86P_LOCK) &&
        (!(e->flags & X86F_LOCK) || !insn->has_modrm || insn->mod == 3)) {
        goto out;
    }
    ret = X86_DECODE_OK;
out:
    if (d.too_long) {
        ret = X86_DECODE_TOO_LONG;
    }
    insn->len = d.pos;
    return ret;
}
