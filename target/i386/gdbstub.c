/*
 * gdbstub.c: the x86 side of the gdbstub: the target description (the
 * XML files gdb asks for with qXfer:features:read) and register access by
 * gdb's register number.  Installed in the x86 CPUClass (cpu.c).
 *
 * Two descriptions: "i386:x86-64" (64-bit registers) for CPU models with
 * long mode, "i386" for models without it (-cpu ...,-lm); gdb keeps the one
 * it read at connection, whatever mode the guest switches to, as it does
 * with the established emulator.  Register numbers (x86-64 / i386):
 *
 *     0-15 / 0-7     rax..r15 / eax..edi
 *     16 / 8         rip / eip
 *     17 / 9         eflags
 *     18-23 / 10-15  cs ss ds es fs gs (selectors)
 *     24-31 / 16-23  st0-st7 (10 bytes each)
 *     32-39 / 24-31  fctrl fstat ftag fiseg fioff foseg fooff fop
 *     40-55 / 32-39  xmm0-xmm15 / xmm0-xmm7
 *     56 / 40        mxcsr
 *     57-59 / 41-43  fs_base gs_base k_gs_base
 *     60-65 / 44-49  cr0 cr2 cr3 cr4 cr8 efer
 *
 * The x87 and SSE values come from CPUX86State (docs/devel/x86-fpu.md):
 * st(i) is the physical register (TOP + i) & 7, fstat has TOP folded in,
 * ftag is the full tag word.
 *
 * Called by the gdbstub with the BQL held and the vCPU paused.
 */
#include "target/i386/helper.h"
#include "target/i386/debug.h"

static bool gdb_is64(CPUState *cs)
{
    return x86_env(cs)->features[FEAT_8000_0001_EDX] & (1u << 29);
}

#define XML_TYPES \
    "<flags id=\"i386_eflags\" size=\"4\">" \
    "<field name=\"CF\" start=\"0\" end=\"0\"/>" \
    "<field name=\"\" start=\"1\" end=\"1\"/>" \
    "<field name=\"PF\" start=\"2\" end=\"2\"/>" \
    "<field name=\"AF\" start=\"4\" end=\"4\"/>" \
    "<field name=\"ZF\" start=\"6\" end=\"6\"/>" \
    "<field name=\"SF\" start=\"7\" end=\"7\"/>" \
    "<field name=\"TF\" start=\"8\" end=\"8\"/>" \
    "<field name=\"IF\" start=\"9\" end=\"9\"/>" \
    "<field name=\"DF\" start=\"10\" end=\"10\"/>" \
    "<field name=\"OF\" start=\"11\" end=\"11\"/>" \
    "<field name=\"NT\" start=\"14\" end=\"14\"/>" \
    "<field name=\"RF\" start=\"16\" end=\"16\"/>" \
    "<field name=\"VM\" start=\"17\" end=\"17\"/>" \
    "<field name=\"AC\" start=\"18\" end=\"18\"/>" \
    "<field name=\"VIF\" start=\"19\" end=\"19\"/>" \
    "<field name=\"VIP\" start=\"20\" end=\"20\"/>" \
    "<field name=\"ID\" start=\"21\" end=\"21\"/>" \
    "</flags>"

#define XML_SSE_TYPES \
    "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>" \
    "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>" \
    "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>" \
    "<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>" \
    "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>" \
    "<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>" \
    "<union id=\"vec128\">" \
    "<field name=\"v4_float\" type=\"v4f\"/>" \
    "<field name=\"v2_double\" type=\"v2d\"/>" \
    "<field name=\"v16_int8\" type=\"v16i8\"/>" \
    "<field name=\"v8_int16\" type=\"v8i16\"/>" \
    "<field name=\"v4_int32\" type=\"v4i32\"/>" \
    "<field name=\"v2_int64\" type=\"v2i64\"/>" \
    "<field name=\"uint128\" type=\"uint128\"/>" \
    "</union>"

static const char *const gpr64[16] = {
    "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
static const char *const gpr32[8] = {
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
};
/* gdb's order of the GPRs, as register numbers (amd64 differs from i386). */
static const int gpr64_idx[16] = {
    R_EAX, R_EBX, R_ECX, R_EDX, R_ESI, R_EDI, R_EBP, R_ESP,
    R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15,
};
static const char *const seg_names[6] = { "cs", "ss", "ds", "es", "fs", "gs" };
static const int seg_idx[6] = { R_CS, R_SS, R_DS, R_ES, R_FS, R_GS };
static const char *const fpc_names[8] = {
    "fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop",
};
static const char *const sys_names[9] = {
    "fs_base", "gs_base", "k_gs_base", "cr0", "cr2", "cr3", "cr4", "cr8",
    "efer",
};

static char *gdb_build_xml(bool is64)
{
    GString *x = g_string_new("<?xml version=\"1.0\"?>"
                              "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
                              "<target><architecture>");
    int ngpr = is64 ? 16 : 8, nxmm = is64 ? 16 : 8;
    int bits = is64 ? 64 : 32, n = 0;

    g_string_append(x, is64 ? "i386:x86-64" : "i386");
    g_string_append(x, "</architecture>"
                    "<feature name=\"org.gnu.gdb.i386.core\">" XML_TYPES);
    for (int i = 0; i < ngpr; i++) {
        const char *name = is64 ? gpr64[i] : gpr32[i];
        bool sp = !strcmp(name + 1, "sp") || !strcmp(name + 1, "bp");

        g_string_append_printf(x, "<reg name=\"%s\" bitsize=\"%d\" "
                               "type=\"%s\" regnum=\"%d\"/>", name, bits,
                               sp ? "data_ptr" : is64 ? "int64" : "int32",
                               n++);
    }
    g_string_append_printf(x, "<reg name=\"%s\" bitsize=\"%d\" "
                           "type=\"code_ptr\" regnum=\"%d\"/>",
                           is64 ? "rip" : "eip", bits, n++);
    g_string_append_printf(x, "<reg name=\"eflags\" bitsize=\"32\" "
                           "type=\"i386_eflags\" regnum=\"%d\"/>", n++);
    for (int i = 0; i < 6; i++) {
        g_string_append_printf(x, "<reg name=\"%s\" bitsize=\"32\" "
                               "type=\"int32\" regnum=\"%d\"/>",
                               seg_names[i], n++);
    }
    for (int i = 0; i < 8; i++) {
        g_string_append_printf(x, "<reg name=\"st%d\" bitsize=\"80\" "
                               "type=\"i387_ext\" regnum=\"%d\"/>", i, n++);
    }
    for (int i = 0; i < 8; i++) {
        g_string_append_printf(x, "<reg name=\"%s\" bitsize=\"32\" "
                               "type=\"int\" group=\"float\" "
                               "regnum=\"%d\"/>", fpc_names[i], n++);
    }
    g_string_append(x, "</feature><feature name=\"org.gnu.gdb.i386.sse\">"
                    XML_SSE_TYPES);
    for (int i = 0; i < nxmm; i++) {
        g_string_append_printf(x, "<reg name=\"xmm%d\" bitsize=\"128\" "
                               "type=\"vec128\" regnum=\"%d\"/>", i, n++);
    }
    g_string_append_printf(x, "<reg name=\"mxcsr\" bitsize=\"32\" "
                           "type=\"int\" group=\"vector\" regnum=\"%d\"/>",
                           n++);
    /* gdb knows fs_base/gs_base as "org.gnu.gdb.i386.segments" for amd64
     * only (for i386 it asserts); there they go with the system ones. */
    if (is64) {
        g_string_append(x, "</feature>"
                        "<feature name=\"org.gnu.gdb.i386.segments\">");
        for (int i = 0; i < 2; i++) {
            g_string_append_printf(x, "<reg name=\"%s\" bitsize=\"64\" "
                                   "type=\"int\" regnum=\"%d\"/>",
                                   sys_names[i], n++);
        }
    }
    g_string_append(x, "</feature>"
                    "<feature name=\"org.tandem.gdb.i386.sys\">");
    for (int i = is64 ? 2 : 0; i < 9; i++) {
        g_string_append_printf(x, "<reg name=\"%s\" bitsize=\"%d\" "
                               "type=\"int\" group=\"system\" "
                               "regnum=\"%d\"/>", sys_names[i],
                               i == 8 ? 64 : bits, n++);
    }
    g_string_append(x, "</feature></target>");
    return g_string_free(x, false);
}

const char *x86_gdb_xml(CPUState *cs, const char *annex)
{
    static char *xml[2];            /* built once; BQL */
    bool is64;

    if (!strcmp(annex, "target.xml")) {
        is64 = gdb_is64(cs);
    } else if (!strcmp(annex, "i386-64bit.xml")) {
        is64 = true;
    } else if (!strcmp(annex, "i386-32bit.xml")) {
        is64 = false;
    } else {
        return NULL;
    }
    if (!xml[is64]) {
        xml[is64] = gdb_build_xml(is64);
    }
    return xml[is64];
}

static int put(uint8_t *buf, uint64_t v, int size)
{
    for (int i = 0; i < size; i++) {
        buf[i] = v >> (8 * i);
    }
    return size;
}

static uint64_t get(const uint8_t *buf, int size)
{
    uint64_t v = 0;

    for (int i = 0; i < size; i++) {
        v |= (uint64_t)buf[i] << (8 * i);
    }
    return v;
}

/* Register n in the layout of the header comment: its kind and index. */
typedef enum { GR_GPR, GR_PC, GR_FLAGS, GR_SEG, GR_ST, GR_FPC, GR_XMM,
               GR_MXCSR, GR_SYS, GR_NONE } GdbRegKind;

static GdbRegKind gdb_reg_kind(bool is64, int n, int *idx)
{
    int ngpr = is64 ? 16 : 8, nxmm = is64 ? 16 : 8;
    static const struct { GdbRegKind k; int count; } layout[] = {
        { GR_GPR, -1 }, { GR_PC, 1 }, { GR_FLAGS, 1 }, { GR_SEG, 6 },
        { GR_ST, 8 }, { GR_FPC, 8 }, { GR_XMM, -2 }, { GR_MXCSR, 1 },
        { GR_SYS, 9 },
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(layout); i++) {
        int c = layout[i].count == -1 ? ngpr :
                layout[i].count == -2 ? nxmm : layout[i].count;

        if (n < c) {
            *idx = n;
            return layout[i].k;
        }
        n -= c;
    }
    return GR_NONE;
}

static int gdb_gpr(bool is64, int idx)
{
    return is64 ? gpr64_idx[idx] : idx;
}

static uint16_t fpu_status(CPUX86State *env)
{
    return (env->fpus & ~0x3800) | ((env->fpstt & 7) << 11);
}

int x86_gdb_read_register(CPUState *cs, uint8_t *buf, int n)
{
    CPUX86State *env = x86_env(cs);
    bool is64 = gdb_is64(cs);
    int w = is64 ? 8 : 4, idx;

    switch (gdb_reg_kind(is64, n, &idx)) {
    case GR_GPR:
        return put(buf, env->regs[gdb_gpr(is64, idx)], w);
    case GR_PC:
        return put(buf, env->eip, w);
    case GR_FLAGS:
        return put(buf, cpu_compute_eflags(env), 4);
    case GR_SEG:
        return put(buf, env->segs[seg_idx[idx]].selector, 4);
    case GR_ST:
        /* st(i) is relative to the stack top: R[(TOP + i) & 7]. */
        idx = (env->fpstt + idx) & 7;
        put(buf, env->fpregs[idx].mant, 8);
        put(buf + 8, env->fpregs[idx].exp, 2);
        return 10;
    case GR_FPC: {
        uint64_t v[8] = { env->fpuc, fpu_status(env), env->fptag_word,
                          env->fpcs, (uint32_t)env->fpip, env->fpds,
                          (uint32_t)env->fpdp, env->fpop };

        return put(buf, v[idx], 4);
    }
    case GR_XMM:
        put(buf, env->xmm_regs[idx].q[0], 8);
        put(buf + 8, env->xmm_regs[idx].q[1], 8);
        return 16;
    case GR_MXCSR:
        return put(buf, env->mxcsr, 4);
    case GR_SYS: {
        uint64_t v[9] = { env->segs[R_FS].base, env->segs[R_GS].base,
                          env->kernelgsbase, env->cr[0], env->cr[2],
                          env->cr[3], env->cr[4], env->tpr, env->efer };

        return put(buf, v[idx], idx == 8 ? 8 : w);
    }
    default:
        return 0;
    }
}

int x86_gdb_write_register(CPUState *cs, const uint8_t *buf, int n)
{
    CPUX86State *env = x86_env(cs);
    bool is64 = gdb_is64(cs);
    int w = is64 ? 8 : 4, idx;
    uint64_t v;

    switch (gdb_reg_kind(is64, n, &idx)) {
    case GR_GPR:
        v = get(buf, w);
        env->regs[gdb_gpr(is64, idx)] = is64 ? v :
            (env->regs[gdb_gpr(is64, idx)] & ~0xffffffffull) | v;
        return w;
    case GR_PC:
        env->eip = get(buf, w);
        return w;
    case GR_FLAGS:
        cpu_load_eflags(env, get(buf, 4),
                        TF_MASK | IF_MASK | IOPL_MASK | NT_MASK | RF_MASK |
                        AC_MASK | VIF_MASK | VIP_MASK | ID_MASK);
        return 4;
    case GR_SEG: {
        SegmentCache *sc = &env->segs[seg_idx[idx]];

        sc->selector = get(buf, 4) & 0xffff;
        if (!(env->cr[0] & CR0_PE) || (env->eflags & VM_MASK)) {
            sc->base = sc->selector << 4;   /* real/V86 mode semantics */
        }
        x86_update_hflags(env);
        return 4;
    }
    case GR_ST:
        idx = (env->fpstt + idx) & 7;
        env->fpregs[idx].mant = get(buf, 8);
        env->fpregs[idx].exp = get(buf + 8, 2);
        return 10;
    case GR_FPC:
        v = get(buf, 4);
        switch (idx) {
        case 0: env->fpuc = v; break;
        case 1: env->fpus = v; env->fpstt = (v >> 11) & 7; break;
        case 2: env->fptag_word = v; break;
        case 3: env->fpcs = v; break;
        case 4: env->fpip = v; break;
        case 5: env->fpds = v; break;
        case 6: env->fpdp = v; break;
        default: env->fpop = v; break;
        }
        return 4;
    case GR_XMM:
        env->xmm_regs[idx].q[0] = get(buf, 8);
        env->xmm_regs[idx].q[1] = get(buf + 8, 8);
        return 16;
    case GR_MXCSR:
        env->mxcsr = get(buf, 4);
        return 4;
    case GR_SYS: {
        int size = idx == 8 ? 8 : w;
        X86Fault f;

        v = get(buf, size);
        switch (idx) {
        case 0: env->segs[R_FS].base = v; break;
        case 1: env->segs[R_GS].base = v; break;
        case 2: env->kernelgsbase = v; break;
        case 3: case 5: case 6:
            /* Through the architectural checks; a value the CPU would
             * refuse is ignored (gdb shows the old one afterwards). */
            x86_write_cr(env, idx == 3 ? 0 : idx == 5 ? 3 : 4, v, &f);
            break;
        case 4: env->cr[2] = v; break;
        case 7: env->tpr = v & 0xf; break;
        default:
            /* As WRMSR would: reserved bits and LMA changes are refused. */
            x86_wrmsr(env, 0xc0000080, v, &f);
            x86_tlb_flush(env);
            break;
        }
        return size;
    }
    default:
        return 0;
    }
}
