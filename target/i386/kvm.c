/*
 * kvm.c: the x86 side of the KVM accelerator (KvmTargetOps for "x86_64").
 *
 * accel/kvm/kvm-all.c runs the generic KVM_RUN loop; this file translates
 * between CPUX86State and the kernel's structures and does what is x86
 * specific:
 *   - VM setup: TSS and identity-map pages (needed by VMX, harmless on
 *     SVM), and with the in-kernel irqchip (the default) the PIC, IOAPIC,
 *     LAPICs and the PIT in the kernel, with the PC's GSI routing (ISA IRQ
 *     n is GSI n; GSI 0 reaches IOAPIC pin 2, the PC's one override).
 *   - CPUID: the -cpu model's leaves (x86_cpuid(), the same function the
 *     translator's CPUID uses), with the feature words ANDed with
 *     KVM_GET_SUPPORTED_CPUID: a feature the host cannot virtualise is
 *     hidden from the guest.  Leaf 0xD (XSAVE layout) is the kernel's, and
 *     so is the vendor string: the hardware behaves like its vendor.
 *     -cpu host (x86_kvm_host_model, called at CPU creation) takes the
 *     whole model from KVM_GET_SUPPORTED_CPUID and the host's brand.
 *   - get_state/put_state: regs, sregs, the XSAVE image (KVM_GET_XSAVE,
 *     or KVM_GET_XSAVE2 when the kernel's is larger than 4 KiB; mapped to
 *     env's x87 and SSE state by xsave_helper.c's layout routines, the
 *     components env does not hold kept as the kernel had them;
 *     KVM_GET_FPU only without KVM_CAP_XSAVE), XCR0, MSRs, debug
 *     registers, vcpu events (NMI, interrupt shadow, pending exception),
 *     mp_state and the in-kernel LAPIC (KVM_GET_LAPIC into the LAPIC
 *     model, hw/intc/apic.c apic_load_regs, and the APIC base MSR; back
 *     with KVM_SET_LAPIC only when the model changed while stopped, and
 *     on reset the state the kernel created it in).
 *   - guest debugging: the gdbstub's breakpoints become execute
 *     breakpoints in a free DR0-3, or INT3 bytes written into guest memory
 *     (KVM_GUESTDBG_USE_SW_BP) when none is free, shared by the vCPUs;
 *     its watchpoints DR0-3 (USE_HW_BP); single-step
 *     KVM_GUESTDBG_SINGLESTEP (with BLOCKIRQ where the kernel has it).
 *     Unit-tested without /dev/kvm by tests/unit/test-x86-kvm-debug.c
 *     through kvm_fake_ioctls().
 *   - userspace irqchip (-machine kernel-irqchip=off): pre_run delivers
 *     INIT/SIPI, NMI and the PIC/LAPIC's interrupt (KVM_INTERRUPT, or an
 *     interrupt-window request), and carries CR8 to and from the LAPIC.
 *
 * Reset: a reset handler registered at VM creation runs before the CPUs'
 * reset (system_reset runs handlers first) and marks every vCPU; the next
 * put_state (the one cpu_reset_all makes) then also resets what env does
 * not hold: pending events, the in-kernel LAPIC (to the state the kernel
 * created it in) and mp_state (BSP runnable, APs waiting for SIPI).
 *
 * Threads: hooks run as include/system/kvm.h says; X86KvmVcpu belongs to
 * its vCPU (its thread, or any thread while it is paused, with the BQL).
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/boards.h"
#include "hw/cpu.h"
#include "hw/intc/apic.h"
#include "system/bql.h"
#include "system/kvm.h"
#include "system/runstate.h"
#include "accel/accel.h"
#include "exec/breakpoint.h"
#include "system/memory.h"
#include "target/i386/cpu.h"
#include "target/i386/helper.h"
#include "target/i386/fpu-sse.h"
#include "target/i386/kvm.h"

#include <linux/kvm.h>
#include <cpuid.h>

#define X86_KVM_TSS_ADDR 0xfeffd000ul
#define X86_KVM_IDMAP_ADDR 0xfeffc000ull
#define X86_KVM_MAX_CPUID 128

#define MSR_IA32_SYSENTER_CS  0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_MISC_ENABLE  0x1a0
#define MSR_PAT               0x277
#define MSR_MTRR_DEF_TYPE     0x2ff
#define MSR_STAR              0xc0000081
#define MSR_LSTAR             0xc0000082
#define MSR_CSTAR             0xc0000083
#define MSR_FMASK             0xc0000084
#define MSR_KERNEL_GS_BASE    0xc0000102
#define MSR_TSC_AUX           0xc0000103

#define X86_KVM_MAX_SWBP 32

/* A vCPU's gdbstub breakpoint made of an INT3 in guest memory. */
typedef struct X86KvmSwBp {
    uint64_t pc;                   /* guest virtual */
    uint64_t phys;                 /* where the INT3 is (x86_kvm_int3) */
} X86KvmSwBp;

/* An INT3 byte written into guest memory.  It is the VM's: the gdbstub
 * sets each breakpoint on every vCPU, and they share the byte. */
typedef struct X86KvmInt3 {
    uint64_t phys;
    uint8_t saved;                 /* the byte it replaced */
    int users;                     /* vCPUs whose X86KvmSwBp names it */
} X86KvmInt3;

/* A gdbstub watchpoint, or breakpoint (exec), in one of DR0-3. */
typedef struct X86KvmHwWp {
    bool used;
    bool exec;
    uint64_t addr, len;
    int flags;
} X86KvmHwWp;

/*
 * Per-vCPU state of this file.  Unless a field says otherwise it belongs
 * to the vCPU's own thread, or to whoever holds the BQL while the vCPU is
 * paused (gdbstub, reset, state sync), as get_state/put_state do.
 */
typedef struct X86KvmVcpu {
    X86KvmSwBp swbp[X86_KVM_MAX_SWBP];  /* vCPU thread, or paused */
    int nswbp;                     /* with swbp */
    X86KvmHwWp hwwp[4];            /* vCPU thread, or paused */
    bool reset_pending;            /* BQL: set by the reset handler */
    bool lapic_saved;              /* init_vcpu, then const */
    struct kvm_lapic_state lapic_at_create;     /* with lapic_saved */
    /* In-kernel LAPIC: the page last fetched, and the LAPIC model's
     * encoding of it right after (to see whether the model was changed
     * while the VM was stopped). */
    bool lapic_valid;
    struct kvm_lapic_state lapic;
    uint8_t lapic_enc[KVM_APIC_REG_SIZE];
    struct kvm_vcpu_events events; /* last fetched, for the round trip */
    uint32_t mp_state;             /* last fetched (in-kernel irqchip) */
    uint8_t *xsave;                /* last fetched XSAVE image (with the
                                      components env does not hold) */
} X86KvmVcpu;

static X86KvmVcpu x86_kvm_vcpus[CPU_MAX];    /* by cpu_index, see above */
static bool x86_kvm_irqchip;                 /* set once in init_vm */
static bool x86_kvm_has_xcrs;                /* set once in init_vm */
static size_t x86_kvm_xsave_size;            /* set once in init_vm; 0:
                                                no KVM_CAP_XSAVE */
static bool x86_kvm_xsave2;                  /* KVM_GET_XSAVE2; init_vm */
/* BQL, changed only while the vCPUs are paused (the gdbstub). */
static X86KvmInt3 x86_kvm_int3[X86_KVM_MAX_SWBP];
static int x86_kvm_nint3;

/* ------------------------------------------------------------------ */
/* VM                                                                  */

/* Before the CPUs' reset: see the file comment.  BQL. */
static void x86_kvm_reset(void *opaque)
{
    for (int i = 0; i < CPU_MAX; i++) {
        x86_kvm_vcpus[i].reset_pending = true;
    }
}

static bool x86_kvm_set_routing(Error **errp)
{
    struct kvm_irq_routing *r;
    int n = 0, ret;

    r = g_malloc0(sizeof(*r) + 48 * sizeof(struct kvm_irq_routing_entry));
    for (int gsi = 0; gsi < 16; gsi++) {
        if (gsi == 2) {
            continue;                  /* the cascade */
        }
        r->entries[n++] = (struct kvm_irq_routing_entry){
            .gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
            .u.irqchip = {
                .irqchip = gsi < 8 ? KVM_IRQCHIP_PIC_MASTER
                                   : KVM_IRQCHIP_PIC_SLAVE,
                .pin = gsi & 7,
            },
        };
    }
    for (int gsi = 0; gsi < 24; gsi++) {
        if (gsi == 2) {
            continue;                  /* pin 2 is GSI 0's */
        }
        r->entries[n++] = (struct kvm_irq_routing_entry){
            .gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
            .u.irqchip = {
                .irqchip = KVM_IRQCHIP_IOAPIC, .pin = gsi ? gsi : 2,
            },
        };
    }
    r->nr = n;
    ret = kvm_vm_ioctl(KVM_SET_GSI_ROUTING, r);
    g_free(r);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "KVM_SET_GSI_ROUTING");
        return false;
    }
    return true;
}

/* Main thread, BQL, before vCPUs. */
static bool x86_kvm_init_vm(int vm_fd, bool irqchip, Error **errp)
{
    static const struct {
        int cap;
        const char *name;
        bool irqchip_only;
    } caps[] = {
        { KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR", false },
        { KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID", false },
        { KVM_CAP_VCPU_EVENTS, "KVM_CAP_VCPU_EVENTS", false },
        { KVM_CAP_DEBUGREGS, "KVM_CAP_DEBUGREGS", false },
        { KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP", true },
        { KVM_CAP_PIT2, "KVM_CAP_PIT2", true },
        { KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING", true },
    };
    uint64_t idmap = X86_KVM_IDMAP_ADDR;
    int r;

    for (size_t i = 0; i < ARRAY_SIZE(caps); i++) {
        if ((!caps[i].irqchip_only || irqchip) &&
            kvm_check_extension(caps[i].cap) <= 0) {
            error_setg(errp, "the host's KVM lacks the required capability "
                       "%s", caps[i].name);
            return false;
        }
    }
    x86_kvm_irqchip = irqchip;
    x86_kvm_has_xcrs = kvm_check_extension(KVM_CAP_XCRS) > 0;
    if (kvm_check_extension(KVM_CAP_XSAVE) > 0) {
        /* KVM_CAP_XSAVE2 reports the size of the kernel's image; KVM_GET_
         * XSAVE (struct kvm_xsave, 4 KiB) must only be used when it fits. */
        int size2 = kvm_check_extension(KVM_CAP_XSAVE2);

        x86_kvm_xsave_size = sizeof(struct kvm_xsave);
        if (size2 > (int)sizeof(struct kvm_xsave)) {
            x86_kvm_xsave_size = size2;
            x86_kvm_xsave2 = true;
        }
    }
    r = kvm_vm_ioctl(KVM_SET_TSS_ADDR, (void *)X86_KVM_TSS_ADDR);
    if (r < 0) {
        error_setg_errno(errp, -r, "KVM_SET_TSS_ADDR");
        return false;
    }
    if (kvm_check_extension(KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0) {
        kvm_vm_ioctl(KVM_SET_IDENTITY_MAP_ADDR, &idmap);
    }
    if (irqchip) {
        struct kvm_pit_config pit = { .flags = 0 };

        r = kvm_vm_ioctl(KVM_CREATE_IRQCHIP, NULL);
        if (r < 0) {
            error_setg_errno(errp, -r, "KVM_CREATE_IRQCHIP");
            return false;
        }
        r = kvm_vm_ioctl(KVM_CREATE_PIT2, &pit);
        if (r < 0) {
            error_setg_errno(errp, -r, "KVM_CREATE_PIT2");
            return false;
        }
        if (!x86_kvm_set_routing(errp)) {
            return false;
        }
    }
    reset_handler_register(x86_kvm_reset, NULL);
    return true;
}

/* ------------------------------------------------------------------ */
/* CPUID                                                               */

static struct kvm_cpuid2 *x86_kvm_supported;   /* set once, BQL */

static const struct kvm_cpuid_entry2 *x86_kvm_supported_entry(
    uint32_t leaf, uint32_t index)
{
    for (uint32_t i = 0; x86_kvm_supported && i < x86_kvm_supported->nent;
         i++) {
        const struct kvm_cpuid_entry2 *e = &x86_kvm_supported->entries[i];

        if (e->function == leaf &&
            (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
             e->index == index)) {
            return e;
        }
    }
    return NULL;
}

static bool x86_kvm_fetch_supported(Error **errp)
{
    int n = 256, r;

    if (x86_kvm_supported) {
        return true;
    }
    for (;;) {
        struct kvm_cpuid2 *c = g_malloc0(sizeof(*c) +
                                         n * sizeof(c->entries[0]));

        c->nent = n;
        r = kvm_system_ioctl(KVM_GET_SUPPORTED_CPUID, c);
        if (r == 0) {
            x86_kvm_supported = c;
            return true;
        }
        g_free(c);
        if (r != -E2BIG || n > 4096) {
            error_setg_errno(errp, -r, "KVM_GET_SUPPORTED_CPUID");
            return false;
        }
        n *= 2;
    }
}

/*
 * -cpu host: the model is what the kernel supports, which for the identity
 * leaves (vendor, family/model/stepping) is the host CPU's own CPUID.  Feature words are taken whole: only KVM's filter applies
 * (x86_kvm_cpuid_add ANDs them with the same leaves again), not the
 * list of features the TCG translator implements.
 */
bool x86_kvm_host_model(CPUX86State *env, Error **errp)
{
    static const struct {
        uint32_t leaf, index;
        int reg;                /* 0..3: EAX, EBX, ECX, EDX */
        int word;
    } words[] = {
        { 1, 0, 3, FEAT_1_EDX }, { 1, 0, 2, FEAT_1_ECX },
        { 7, 0, 1, FEAT_7_0_EBX }, { 7, 0, 2, FEAT_7_0_ECX },
        { 7, 0, 3, FEAT_7_0_EDX }, { 0x80000001u, 0, 3, FEAT_8000_0001_EDX },
        { 0x80000001u, 0, 2, FEAT_8000_0001_ECX }, { 0xd, 1, 0, FEAT_D_1_EAX },
        { 6, 0, 0, FEAT_6_EAX },
    };
    const struct kvm_cpuid_entry2 *e;

    if (!x86_kvm_fetch_supported(errp)) {
        return false;
    }
    e = x86_kvm_supported_entry(0, 0);
    if (!e || !x86_kvm_supported_entry(1, 0)) {
        error_setg(errp, "-cpu host: KVM_GET_SUPPORTED_CPUID has no leaf "
                   "0 or 1");
        return false;
    }
    env->cpuid_level = e->eax;
    env->cpuid_vendor[0] = e->ebx;
    env->cpuid_vendor[1] = e->edx;
    env->cpuid_vendor[2] = e->ecx;
    env->cpuid_version = x86_kvm_supported_entry(1, 0)->eax;
    e = x86_kvm_supported_entry(0x80000000u, 0);
    env->cpuid_xlevel = e ? e->eax : 0;
    /* The brand string: KVM reports those leaves as zero, so it comes
     * from the host's own CPUID, as the reference's host model does
     * (KVM only exists on x86 hosts for x86 guests). */
    memset(env->cpuid_model, 0, sizeof(env->cpuid_model));
    if (__get_cpuid_max(0x80000000u, NULL) >= 0x80000004u) {
        for (uint32_t i = 0; i < 3; i++) {
            uint32_t r[4];

            __cpuid(0x80000002u + i, r[0], r[1], r[2], r[3]);
            memcpy(env->cpuid_model + 16 * i, r, 16);
        }
    }
    env->cpuid_model[sizeof(env->cpuid_model) - 1] = 0;
    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        e = x86_kvm_supported_entry(words[i].leaf, words[i].index);
        if (e) {
            uint32_t r[4] = { e->eax, e->ebx, e->ecx, e->edx };

            env->features[words[i].word] = r[words[i].reg];
        } else {
            env->features[words[i].word] = 0;
        }
    }
    return true;
}

static void x86_kvm_cpuid_add(struct kvm_cpuid2 *c, CPUX86State *env,
                              uint32_t leaf, uint32_t index, bool indexed)
{
    struct kvm_cpuid_entry2 *e;
    const struct kvm_cpuid_entry2 *s;

    if (c->nent >= X86_KVM_MAX_CPUID) {
        return;
    }
    e = &c->entries[c->nent++];
    memset(e, 0, sizeof(*e));
    e->function = leaf;
    e->index = index;
    e->flags = indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
    x86_cpuid(env, leaf, index, &e->eax, &e->ebx, &e->ecx, &e->edx);
    s = x86_kvm_supported_entry(leaf, index);
    switch (leaf) {
    case 1:
        e->ecx &= s ? s->ecx : 0;
        e->edx &= s ? s->edx : 0;
        e->ecx &= ~(1u << 27);               /* OSXSAVE: the kernel's */
        if (!x86_kvm_irqchip) {
            e->ecx &= ~(1u << 21);           /* x2APIC: not in userspace */
            e->ecx &= ~(1u << 24);           /* TSC deadline */
        }
        break;
    case 6:
        e->eax &= s ? s->eax : 0;
        break;
    case 7:
        if (index == 0) {
            e->ebx &= s ? s->ebx : 0;
            e->ecx &= s ? s->ecx : 0;
            e->edx &= s ? s->edx : 0;
        } else {
            e->eax &= s ? s->eax : 0;
            e->ebx &= s ? s->ebx : 0;
            e->ecx &= s ? s->ecx : 0;
            e->edx &= s ? s->edx : 0;
        }
        break;
    case 0xd:
        if (s) {
            e->eax = s->eax;
            e->ebx = s->ebx;
            e->ecx = s->ecx;
            e->edx = s->edx;
        } else {
            e->eax = e->ebx = e->ecx = e->edx = 0;
        }
        break;
    case 0x80000001:
        e->ecx &= s ? s->ecx : 0;
        e->edx &= s ? s->edx : 0;
        break;
    default:
        break;
    }
}

/* The vCPU thread, BQL. */
static bool x86_kvm_set_cpuid(CPUState *cs, Error **errp)
{
    CPUX86State *env = x86_env(cs);
    struct kvm_cpuid2 *c;
    uint32_t a, b, cx, d;
    int r;

    if (!x86_kvm_fetch_supported(errp)) {
        return false;
    }
    /* The host's vendor: the hardware behaves like it whatever CPUID
     * says (SYSENTER/SYSCALL in each mode, for one), so the guest must
     * be told the truth. */
    if (x86_kvm_supported_entry(0, 0)) {
        const struct kvm_cpuid_entry2 *v = x86_kvm_supported_entry(0, 0);

        env->cpuid_vendor[0] = v->ebx;
        env->cpuid_vendor[1] = v->edx;
        env->cpuid_vendor[2] = v->ecx;
    }
    c = g_malloc0(sizeof(*c) + X86_KVM_MAX_CPUID * sizeof(c->entries[0]));
    for (uint32_t leaf = 0; leaf <= env->cpuid_level && leaf < 0x20; leaf++) {
        switch (leaf) {
        case 4:
            for (uint32_t i = 0; i < 8; i++) {
                x86_cpuid(env, leaf, i, &a, &b, &cx, &d);
                x86_kvm_cpuid_add(c, env, leaf, i, true);
                if (!(a & 0x1f)) {
                    break;
                }
            }
            break;
        case 7:
            x86_cpuid(env, 7, 0, &a, &b, &cx, &d);
            for (uint32_t i = 0; i <= a && i < 4; i++) {
                x86_kvm_cpuid_add(c, env, leaf, i, true);
            }
            break;
        case 0xb:
        case 0x1f:
            for (uint32_t i = 0; i < 4; i++) {
                x86_cpuid(env, leaf, i, &a, &b, &cx, &d);
                x86_kvm_cpuid_add(c, env, leaf, i, true);
                if (!((cx >> 8) & 0xff)) {
                    break;
                }
            }
            break;
        case 0xd:
            for (uint32_t i = 0; i < 64; i++) {
                if (i < 2 || x86_kvm_supported_entry(0xd, i)) {
                    x86_kvm_cpuid_add(c, env, leaf, i, true);
                }
            }
            break;
        default:
            x86_kvm_cpuid_add(c, env, leaf, 0, false);
            break;
        }
    }
    for (uint32_t leaf = 0x80000000u;
         leaf <= env->cpuid_xlevel && leaf < 0x80000020u; leaf++) {
        x86_kvm_cpuid_add(c, env, leaf, 0, false);
    }
    r = kvm_vcpu_ioctl(cs, KVM_SET_CPUID2, c);
    g_free(c);
    if (r < 0) {
        error_setg_errno(errp, -r, "KVM_SET_CPUID2");
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* vCPU                                                                */

static unsigned long x86_kvm_vcpu_id(CPUState *cs)
{
    return x86_cpu(cs)->apic_id;
}

/* The vCPU thread, BQL. */
static bool x86_kvm_init_vcpu(CPUState *cs, int fd, Error **errp)
{
    X86KvmVcpu *xv = &x86_kvm_vcpus[cs->cpu_index];

    if (!x86_kvm_set_cpuid(cs, errp)) {
        return false;
    }
    if (x86_kvm_xsave_size) {
        g_free(xv->xsave);
        xv->xsave = g_malloc0(x86_kvm_xsave_size);
        if (kvm_vcpu_ioctl(cs, x86_kvm_xsave2 ? KVM_GET_XSAVE2 : KVM_GET_XSAVE,
                           xv->xsave) < 0) {
            error_setg(errp, "KVM_GET_XSAVE failed on a new vCPU");
            return false;
        }
    }
    if (x86_kvm_irqchip &&
        kvm_vcpu_ioctl(cs, KVM_GET_LAPIC, &xv->lapic_at_create) == 0) {
        xv->lapic_saved = true;
    }
    xv->reset_pending = true;
    return true;
}

static void x86_kvm_seg_get(SegmentCache *sc, const struct kvm_segment *k)
{
    sc->selector = k->selector;
    sc->base = k->base;
    sc->limit = k->limit;
    sc->flags = ((uint32_t)k->type << DESC_TYPE_SHIFT) |
                (k->s ? DESC_S_MASK : 0) |
                ((uint32_t)k->dpl << DESC_DPL_SHIFT) |
                (k->present && !k->unusable ? DESC_P_MASK : 0) |
                (k->avl ? DESC_AVL_MASK : 0) | (k->l ? DESC_L_MASK : 0) |
                (k->db ? DESC_B_MASK : 0) | (k->g ? DESC_G_MASK : 0);
}

static void x86_kvm_seg_put(struct kvm_segment *k, const SegmentCache *sc)
{
    uint32_t f = sc->flags;

    *k = (struct kvm_segment){
        .base = sc->base,
        .limit = sc->limit,
        .selector = sc->selector,
        .type = (f & DESC_TYPE_MASK) >> DESC_TYPE_SHIFT,
        .present = !!(f & DESC_P_MASK),
        .dpl = (f & DESC_DPL_MASK) >> DESC_DPL_SHIFT,
        .db = !!(f & DESC_B_MASK),
        .s = !!(f & DESC_S_MASK),
        .l = !!(f & DESC_L_MASK),
        .g = !!(f & DESC_G_MASK),
        .avl = !!(f & DESC_AVL_MASK),
        .unusable = !(f & DESC_P_MASK),
    };
}

static const uint32_t x86_kvm_msr_list[] = {
    MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
    MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_FMASK, MSR_KERNEL_GS_BASE, MSR_PAT,
    MSR_MTRR_DEF_TYPE,
    /* Last: the kernel stops at the first MSR it refuses. */
    MSR_IA32_MISC_ENABLE, MSR_TSC_AUX,
};
#define X86_KVM_NR_MSRS ARRAY_SIZE(x86_kvm_msr_list)

typedef struct X86KvmMsrs {
    struct kvm_msrs hdr;
    struct kvm_msr_entry e[X86_KVM_NR_MSRS];
} X86KvmMsrs;

static uint64_t *x86_kvm_msr_field(CPUX86State *env, uint32_t index,
                                   uint64_t *scratch)
{
    switch (index) {
    case MSR_IA32_SYSENTER_ESP: return &env->sysenter_esp;
    case MSR_IA32_SYSENTER_EIP: return &env->sysenter_eip;
    case MSR_STAR: return &env->star;
    case MSR_LSTAR: return &env->lstar;
    case MSR_CSTAR: return &env->cstar;
    case MSR_FMASK: return &env->fmask;
    case MSR_KERNEL_GS_BASE: return &env->kernelgsbase;
    case MSR_PAT: return &env->pat;
    case MSR_MTRR_DEF_TYPE: return &env->mtrr_deftype;
    case MSR_IA32_MISC_ENABLE: return &env->misc_enable;
    case MSR_TSC_AUX: return &env->tsc_aux;
    default: return scratch;
    }
}

/* struct kvm_fpu (hosts without KVM_CAP_XSAVE) -> env. */
static void x86_kvm_fpu_to_env(CPUX86State *env, const struct kvm_fpu *fpu)
{
    for (int i = 0; i < 8; i++) {
        X86FpReg *f = &env->fpregs[(((fpu->fsw >> 11) & 7) + i) & 7];

        memcpy(&f->mant, fpu->fpr[i], 8);
        memcpy(&f->exp, fpu->fpr[i] + 8, 2);
    }
    env->fpuc = fpu->fcw;
    env->fpstt = (fpu->fsw >> 11) & 7;
    env->fpus = fpu->fsw & ~0x3800;
    env->fptag_word = 0;
    for (int i = 0; i < 8; i++) {
        if (!(fpu->ftwx & (1u << i))) {
            env->fptag_word |= 3u << (2 * i);
        }
    }
    env->fpop = fpu->last_opcode;
    env->fpip = fpu->last_ip;
    env->fpdp = fpu->last_dp;
    memcpy(env->xmm_regs, fpu->xmm, sizeof(fpu->xmm));
    env->mxcsr = fpu->mxcsr;
}

/* The x87/SSE state from the kernel: the XSAVE image into xv->xsave, or
 * KVM_GET_FPU into fpu.  Returns 0 or -errno. */
static int x86_kvm_get_fpu(CPUState *cs, X86KvmVcpu *xv, struct kvm_fpu *fpu)
{
    if (xv->xsave) {
        return kvm_vcpu_ioctl(cs, x86_kvm_xsave2 ? KVM_GET_XSAVE2
                                                 : KVM_GET_XSAVE, xv->xsave);
    }
    return kvm_vcpu_ioctl(cs, KVM_GET_FPU, fpu);
}

/* env's x87/SSE state to the kernel.  With XSAVE, the image last fetched
 * is updated with env's components and written back, so that the
 * components env does not hold (AVX and up) keep their values; after a
 * reset they return to their initial state (XSTATE_BV cleared).  Returns 0
 * or -errno. */
static int x86_kvm_put_fpu(CPUState *cs, X86KvmVcpu *xv, CPUX86State *env)
{
    struct kvm_fpu fpu = {
        .fcw = env->fpuc,
        .fsw = (env->fpus & ~0x3800) | ((env->fpstt & 7) << 11),
        .last_opcode = env->fpop,
        .last_ip = env->fpip,
        .last_dp = env->fpdp,
        .mxcsr = env->mxcsr,
    };

    if (xv->xsave) {
        if (xv->reset_pending) {
            uint64_t bv;

            memcpy(&bv, xv->xsave + 512, 8);
            bv &= X86_XCR0_SUPPORTED;
            memcpy(xv->xsave + 512, &bv, 8);
        }
        x86_xsave_to_buffer(env, xv->xsave, x86_kvm_xsave_size);
        return kvm_vcpu_ioctl(cs, KVM_SET_XSAVE, xv->xsave);
    }
    for (int i = 0; i < 8; i++) {
        const X86FpReg *f = &env->fpregs[(env->fpstt + i) & 7];

        memcpy(fpu.fpr[i], &f->mant, 8);
        memcpy(fpu.fpr[i] + 8, &f->exp, 2);
        if (((env->fptag_word >> (2 * i)) & 3) != 3) {
            fpu.ftwx |= 1u << i;
        }
    }
    memcpy(fpu.xmm, env->xmm_regs, sizeof(fpu.xmm));
    return kvm_vcpu_ioctl(cs, KVM_SET_FPU, &fpu);
}

/* The LAPIC model's registers as a kvm_lapic_state page, without the
 * current count (it changes with time, not with the state). */
#define X86_KVM_APIC_TMCCT 0x390
static void x86_kvm_lapic_encode(X86CPU *cpu, uint8_t *page)
{
    apic_store_regs(cpu->apic, page, KVM_APIC_REG_SIZE);
    memset(page + X86_KVM_APIC_TMCCT, 0, 16);
}

/* In-kernel LAPIC -> the LAPIC model (a copy for "info lapic", the
 * gdbstub and vmstate).  BQL, vCPU not in KVM_RUN. */
static void x86_kvm_get_lapic(CPUState *cs, X86KvmVcpu *xv, uint64_t base)
{
    X86CPU *cpu = x86_cpu(cs);

    xv->lapic_valid = false;
    if (!x86_kvm_irqchip || !cpu->apic ||
        kvm_vcpu_ioctl(cs, KVM_GET_LAPIC, &xv->lapic) < 0) {
        return;
    }
    apic_load_regs(cpu->apic, (const uint8_t *)xv->lapic.regs,
                   sizeof(xv->lapic.regs), base);
    memcpy(xv->lapic_enc, xv->lapic.regs, sizeof(xv->lapic_enc));
    x86_kvm_lapic_encode(cpu, xv->lapic_enc);
    xv->lapic_valid = true;
}

/* The LAPIC model -> the in-kernel LAPIC, only when the model was changed
 * since the fetch (a vmstate load, a debugger): KVM_SET_LAPIC restarts
 * the kernel's timer, so it is not done on every resume.  Registers the
 * model does not hold keep the kernel's values.  BQL. */
static int x86_kvm_put_lapic(CPUState *cs, X86KvmVcpu *xv)
{
    X86CPU *cpu = x86_cpu(cs);
    uint8_t enc[KVM_APIC_REG_SIZE];

    if (!xv->lapic_valid) {
        return 0;
    }
    memcpy(enc, xv->lapic.regs, sizeof(enc));
    x86_kvm_lapic_encode(cpu, enc);
    if (!memcmp(enc, xv->lapic_enc, sizeof(enc))) {
        return 0;
    }
    apic_store_regs(cpu->apic, (uint8_t *)xv->lapic.regs,
                    sizeof(xv->lapic.regs));
    memcpy(xv->lapic_enc, enc, sizeof(enc));
    return kvm_vcpu_ioctl(cs, KVM_SET_LAPIC, &xv->lapic);
}

/* Kernel -> env.  BQL, vCPU not in KVM_RUN. */
static bool x86_kvm_get_state(CPUState *cs, int fd)
{
    X86CPU *cpu = x86_cpu(cs);
    CPUX86State *env = &cpu->env;
    X86KvmVcpu *xv = &x86_kvm_vcpus[cs->cpu_index];
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct kvm_fpu fpu;
    struct kvm_debugregs dbg;
    struct kvm_mp_state mp;
    X86KvmMsrs msrs = { .hdr.nmsrs = X86_KVM_NR_MSRS };
    int r;

    if ((r = kvm_vcpu_ioctl(cs, KVM_GET_REGS, &regs)) < 0 ||
        (r = kvm_vcpu_ioctl(cs, KVM_GET_SREGS, &sregs)) < 0 ||
        (r = x86_kvm_get_fpu(cs, xv, &fpu)) < 0 ||
        (r = kvm_vcpu_ioctl(cs, KVM_GET_DEBUGREGS, &dbg)) < 0 ||
        (r = kvm_vcpu_ioctl(cs, KVM_GET_VCPU_EVENTS, &xv->events)) < 0) {
        error_report("kvm: vCPU %d: cannot read registers: %s",
                     cs->cpu_index, strerror(-r));
        return false;
    }
    env->regs[R_EAX] = regs.rax;
    env->regs[R_EBX] = regs.rbx;
    env->regs[R_ECX] = regs.rcx;
    env->regs[R_EDX] = regs.rdx;
    env->regs[R_ESI] = regs.rsi;
    env->regs[R_EDI] = regs.rdi;
    env->regs[R_ESP] = regs.rsp;
    env->regs[R_EBP] = regs.rbp;
    env->regs[R_R8] = regs.r8;
    env->regs[R_R9] = regs.r9;
    env->regs[R_R10] = regs.r10;
    env->regs[R_R11] = regs.r11;
    env->regs[R_R12] = regs.r12;
    env->regs[R_R13] = regs.r13;
    env->regs[R_R14] = regs.r14;
    env->regs[R_R15] = regs.r15;
    env->eip = regs.rip;
    env->eflags = regs.rflags;
    cpu_load_eflags(env, regs.rflags, ~0u);

    x86_kvm_seg_get(&env->segs[R_CS], &sregs.cs);
    x86_kvm_seg_get(&env->segs[R_DS], &sregs.ds);
    x86_kvm_seg_get(&env->segs[R_ES], &sregs.es);
    x86_kvm_seg_get(&env->segs[R_FS], &sregs.fs);
    x86_kvm_seg_get(&env->segs[R_GS], &sregs.gs);
    x86_kvm_seg_get(&env->segs[R_SS], &sregs.ss);
    x86_kvm_seg_get(&env->tr, &sregs.tr);
    x86_kvm_seg_get(&env->ldt, &sregs.ldt);
    env->gdt.base = sregs.gdt.base;
    env->gdt.limit = sregs.gdt.limit;
    env->idt.base = sregs.idt.base;
    env->idt.limit = sregs.idt.limit;
    env->cr[0] = sregs.cr0;
    env->cr[2] = sregs.cr2;
    env->cr[3] = sregs.cr3;
    env->cr[4] = sregs.cr4;
    env->tpr = sregs.cr8;
    env->efer = sregs.efer;
    env->apic_base = sregs.apic_base;

    if (xv->xsave) {
        x86_xrstor_from_buffer(env, xv->xsave, x86_kvm_xsave_size);
    } else {
        x86_kvm_fpu_to_env(env, &fpu);
    }

    if (x86_kvm_has_xcrs) {
        struct kvm_xcrs xcrs;

        if (kvm_vcpu_ioctl(cs, KVM_GET_XCRS, &xcrs) == 0) {
            for (uint32_t i = 0; i < xcrs.nr_xcrs; i++) {
                if (xcrs.xcrs[i].xcr == 0) {
                    env->xcr0 = xcrs.xcrs[i].value;
                }
            }
        }
    }
    for (size_t i = 0; i < X86_KVM_NR_MSRS; i++) {
        msrs.e[i].index = x86_kvm_msr_list[i];
    }
    r = kvm_vcpu_ioctl(cs, KVM_GET_MSRS, &msrs);
    for (int i = 0; i < r; i++) {
        uint64_t scratch;

        if (msrs.e[i].index == MSR_IA32_SYSENTER_CS) {
            env->sysenter_cs = msrs.e[i].data;
        } else {
            *x86_kvm_msr_field(env, msrs.e[i].index, &scratch) =
                msrs.e[i].data;
        }
    }
    for (int i = 0; i < 4; i++) {
        env->dr[i] = dbg.db[i];
    }
    env->dr[6] = dbg.dr6;
    env->dr[7] = dbg.dr7;

    x86_kvm_get_lapic(cs, xv, sregs.apic_base);
    env->nmi_pending = xv->events.nmi.pending;
    env->nmi_blocked = xv->events.nmi.masked;
    if (x86_kvm_irqchip && kvm_vcpu_ioctl(cs, KVM_GET_MP_STATE, &mp) == 0) {
        xv->mp_state = mp.mp_state;
        cpu->wait_sipi = mp.mp_state == KVM_MP_STATE_UNINITIALIZED ||
                         mp.mp_state == KVM_MP_STATE_INIT_RECEIVED;
    }
    x86_update_hflags(env);
    if (xv->events.interrupt.shadow) {
        env->hflags |= HF_INHIBIT_IRQ_MASK;
    }
    return true;
}

/* env -> kernel.  BQL, vCPU not in KVM_RUN. */
static bool x86_kvm_put_state(CPUState *cs, int fd)
{
    X86CPU *cpu = x86_cpu(cs);
    CPUX86State *env = &cpu->env;
    X86KvmVcpu *xv = &x86_kvm_vcpus[cs->cpu_index];
    struct kvm_regs regs = {
        .rax = env->regs[R_EAX], .rbx = env->regs[R_EBX],
        .rcx = env->regs[R_ECX], .rdx = env->regs[R_EDX],
        .rsi = env->regs[R_ESI], .rdi = env->regs[R_EDI],
        .rsp = env->regs[R_ESP], .rbp = env->regs[R_EBP],
        .r8 = env->regs[R_R8], .r9 = env->regs[R_R9],
        .r10 = env->regs[R_R10], .r11 = env->regs[R_R11],
        .r12 = env->regs[R_R12], .r13 = env->regs[R_R13],
        .r14 = env->regs[R_R14], .r15 = env->regs[R_R15],
        .rip = env->eip, .rflags = cpu_compute_eflags(env),
    };
    struct kvm_sregs sregs;
    struct kvm_debugregs dbg = { .dr6 = env->dr[6], .dr7 = env->dr[7] };
    X86KvmMsrs msrs = { .hdr.nmsrs = X86_KVM_NR_MSRS };
    int r;

    /* sregs: keep the kernel's pending-interrupt bitmap. */
    if ((r = kvm_vcpu_ioctl(cs, KVM_GET_SREGS, &sregs)) < 0) {
        goto fail;
    }
    x86_kvm_seg_put(&sregs.cs, &env->segs[R_CS]);
    x86_kvm_seg_put(&sregs.ds, &env->segs[R_DS]);
    x86_kvm_seg_put(&sregs.es, &env->segs[R_ES]);
    x86_kvm_seg_put(&sregs.fs, &env->segs[R_FS]);
    x86_kvm_seg_put(&sregs.gs, &env->segs[R_GS]);
    x86_kvm_seg_put(&sregs.ss, &env->segs[R_SS]);
    x86_kvm_seg_put(&sregs.tr, &env->tr);
    x86_kvm_seg_put(&sregs.ldt, &env->ldt);
    /* The task register is never "unusable" to VM entry. */
    sregs.tr.unusable = 0;
    sregs.gdt.base = env->gdt.base;
    sregs.gdt.limit = env->gdt.limit;
    sregs.idt.base = env->idt.base;
    sregs.idt.limit = env->idt.limit;
    sregs.cr0 = env->cr[0];
    sregs.cr2 = env->cr[2];
    sregs.cr3 = env->cr[3];
    sregs.cr4 = env->cr[4];
    sregs.cr8 = env->tpr;
    sregs.efer = env->efer;
    sregs.apic_base = env->apic_base;
    if (xv->reset_pending) {
        memset(sregs.interrupt_bitmap, 0, sizeof(sregs.interrupt_bitmap));
    }

    for (int i = 0; i < 4; i++) {
        dbg.db[i] = env->dr[i];
    }
    for (size_t i = 0; i < X86_KVM_NR_MSRS; i++) {
        uint64_t scratch = 0;

        msrs.e[i].index = x86_kvm_msr_list[i];
        msrs.e[i].data = x86_kvm_msr_list[i] == MSR_IA32_SYSENTER_CS ?
                         env->sysenter_cs :
                         *x86_kvm_msr_field(env, x86_kvm_msr_list[i],
                                            &scratch);
    }

    if ((r = kvm_vcpu_ioctl(cs, KVM_SET_SREGS, &sregs)) < 0 ||
        (r = kvm_vcpu_ioctl(cs, KVM_SET_REGS, &regs)) < 0 ||
        (r = kvm_vcpu_ioctl(cs, KVM_SET_DEBUGREGS, &dbg)) < 0) {
        goto fail;
    }
    /* XCR0 before the image: the kernel checks XSTATE_BV against what the
     * guest may enable, not against XCR0, but keep the hardware order. */
    if (x86_kvm_has_xcrs) {
        struct kvm_xcrs xcrs = { .nr_xcrs = 1 };

        xcrs.xcrs[0].xcr = 0;
        xcrs.xcrs[0].value = env->xcr0 ? env->xcr0 : 1;
        kvm_vcpu_ioctl(cs, KVM_SET_XCRS, &xcrs);
    }
    if ((r = x86_kvm_put_fpu(cs, xv, env)) < 0) {
        goto fail;
    }
    r = kvm_vcpu_ioctl(cs, KVM_SET_MSRS, &msrs);
    if (r >= 0 && r < (int)X86_KVM_NR_MSRS - 1) {
        log_guest_error("kvm: vCPU %d: MSR %#x refused\n", cs->cpu_index,
                        x86_kvm_msr_list[r]);
    }

    if (xv->reset_pending) {
        memset(&xv->events, 0, sizeof(xv->events));
        xv->lapic_valid = false;
        if (xv->lapic_saved) {
            kvm_vcpu_ioctl(cs, KVM_SET_LAPIC, &xv->lapic_at_create);
        }
    } else if ((r = x86_kvm_put_lapic(cs, xv)) < 0) {
        goto fail;
    }
    if (xv->reset_pending) {
        xv->mp_state = cpu->wait_sipi ? KVM_MP_STATE_UNINITIALIZED
                                      : KVM_MP_STATE_RUNNABLE;
    }
    xv->events.flags = KVM_VCPUEVENT_VALID_NMI_PENDING |
                       KVM_VCPUEVENT_VALID_SIPI_VECTOR |
                       KVM_VCPUEVENT_VALID_SHADOW;
    xv->events.nmi.pending = env->nmi_pending;
    xv->events.nmi.masked = env->nmi_blocked;
    xv->events.sipi_vector = cpu->sipi_vector;
    xv->events.interrupt.shadow = (env->hflags & HF_INHIBIT_IRQ_MASK) ?
                                  KVM_X86_SHADOW_INT_MOV_SS : 0;
    if ((r = kvm_vcpu_ioctl(cs, KVM_SET_VCPU_EVENTS, &xv->events)) < 0) {
        goto fail;
    }
    if (x86_kvm_irqchip) {
        struct kvm_mp_state mp = { .mp_state = xv->mp_state };

        if (cpu->wait_sipi && xv->mp_state == KVM_MP_STATE_RUNNABLE) {
            mp.mp_state = KVM_MP_STATE_UNINITIALIZED;
        }
        if ((r = kvm_vcpu_ioctl(cs, KVM_SET_MP_STATE, &mp)) < 0) {
            goto fail;
        }
        /* The kernel does HLT and wait-for-SIPI: the loop must enter
         * KVM_RUN, which blocks there. */
        cs->halted = false;
    }
    xv->reset_pending = false;
    return true;

fail:
    error_report("kvm: vCPU %d: cannot write registers: %s", cs->cpu_index,
                 strerror(-r));
    return false;
}

/* ------------------------------------------------------------------ */
/* The run loop's x86 part (userspace irqchip)                         */

/* Userspace irqchip only (see KvmTargetOps).  vCPU thread, no BQL (taken
 * for the APIC and the acknowledge). */
static int x86_kvm_pre_run(CPUState *cs, int fd, struct kvm_run *run)
{
    X86CPU *cpu = x86_cpu(cs);
    uint32_t irq;

    irq = __atomic_load_n(&cs->interrupt_request, __ATOMIC_ACQUIRE);
    if (irq & (CPU_INTERRUPT_INIT | CPU_INTERRUPT_SIPI)) {
        bql_lock(bql_cause_exception);
        cs->accel->get_state(cs);
        if (irq & CPU_INTERRUPT_INIT) {
            cpu_reset_interrupt(cs, CPU_INTERRUPT_INIT);
            x86_cpu_do_init(cpu);
        }
        irq = __atomic_load_n(&cs->interrupt_request, __ATOMIC_ACQUIRE);
        if (irq & CPU_INTERRUPT_SIPI) {
            cpu_reset_interrupt(cs, CPU_INTERRUPT_SIPI);
            if (cpu->wait_sipi) {
                x86_cpu_do_sipi(cpu, cpu->sipi_vector);
            }
        }
        cs->accel->put_state(cs);
        bql_unlock();
    }
    if (cpu->wait_sipi) {
        return EXCP_HLT;
    }
    if (irq & CPU_INTERRUPT_NMI) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_NMI);
        kvm_vcpu_ioctl(cs, KVM_NMI, NULL);
    }
    /*
     * The PIC/LAPIC's interrupt.  ready_for_interrupt_injection is the
     * kernel's word from the last exit (IF = 1, no interrupt shadow, no
     * event being re-injected, nothing queued by an earlier
     * KVM_INTERRUPT); only then may a vector be acknowledged and handed
     * over, otherwise the kernel exits (KVM_EXIT_IRQ_WINDOW_OPEN) as soon
     * as the guest can take one.  HARD is cleared by the acknowledge
     * itself (the APIC/PIC lowers the line) or, when nothing was there
     * after all, here under the same BQL section, so that a device raising
     * it again in between is not lost.  A window is also requested while
     * more is pending after this vector, so that it goes in at the first
     * opportunity rather than at the next unrelated exit.
     */
    run->request_interrupt_window = 0;
    if (irq & CPU_INTERRUPT_HARD) {
        if (run->ready_for_interrupt_injection && run->if_flag &&
            x86_cpu_int_ack_hook) {
            int vec, r = 0;

            bql_lock(bql_cause_exception);
            vec = x86_cpu_int_ack_hook(cpu);
            if (vec >= 0) {
                struct kvm_interrupt i = { .irq = vec };

                r = kvm_vcpu_ioctl(cs, KVM_INTERRUPT, &i);
            } else {
                cpu_reset_interrupt(cs, CPU_INTERRUPT_HARD);
            }
            irq = __atomic_load_n(&cs->interrupt_request, __ATOMIC_ACQUIRE);
            bql_unlock();
            if (r < 0) {
                error_report("kvm: vCPU %d: KVM_INTERRUPT of vector %d "
                             "failed: %s", cs->cpu_index, vec, strerror(-r));
            }
            if (irq & CPU_INTERRUPT_HARD) {
                run->request_interrupt_window = 1;
            }
        } else {
            run->request_interrupt_window = 1;
        }
    }
    if (cpu->apic) {
        bql_lock(bql_cause_exception);
        run->cr8 = apic_get_cr8(cpu->apic);
        bql_unlock();
    }
    return -1;
}

/* Userspace irqchip only (see KvmTargetOps).  vCPU thread, no BQL. */
static void x86_kvm_post_run(CPUState *cs, struct kvm_run *run)
{
    X86CPU *cpu = x86_cpu(cs);
    CPUX86State *env = &cpu->env;

    /* has_work reads IF while the vCPU halts (KVM_EXIT_HLT): keep it
     * current. */
    env->eflags = (env->eflags & ~IF_MASK) | (run->if_flag ? IF_MASK : 0);
    if (cpu->apic) {
        bql_lock(bql_cause_exception);
        apic_set_cr8(cpu->apic, run->cr8);
        bql_unlock();
    }
}

/* ------------------------------------------------------------------ */
/* Guest debugging (the gdbstub)                                       */

/* Debug registers for KVM_SET_GUEST_DEBUG: the gdbstub's watchpoints.
 * DR7: L<i> enables slot i; R/W<i> 01 = write, 11 = read or write;
 * LEN<i> 00/01/11/10 = 1/2/4/8 bytes (SDM Vol 3A 18.2.4). */
static void x86_kvm_fill_guest_debug(CPUState *cs, void *opaque)
{
    struct kvm_guest_debug *dbg = opaque;
    X86KvmVcpu *xv = &x86_kvm_vcpus[cs->cpu_index];
    uint64_t dr7 = 0;

    for (int i = 0; i < 4; i++) {
        const X86KvmHwWp *w = &xv->hwwp[i];
        unsigned rw, len;

        if (!w->used) {
            continue;
        }
        rw = w->exec ? 0 : (w->flags & BP_MEM_READ) ? 3 : 1;
        len = w->exec || w->len == 1 ? 0 : w->len == 2 ? 1 :
              w->len == 8 ? 2 : 3;
        dbg->arch.debugreg[i] = w->addr;
        dr7 |= (1ull << (2 * i)) | ((uint64_t)rw << (16 + 4 * i)) |
                ((uint64_t)len << (18 + 4 * i));
    }
    dbg->arch.debugreg[7] = dr7;
}

/* KVM_SET_GUEST_DEBUG for what cs has now, plus extra (INJECT_BP);
 * false (reported) if the kernel refuses.  vCPU thread, or paused. */
static bool x86_kvm_apply_debug(CPUState *cs, uint32_t extra)
{
    X86KvmVcpu *xv = &x86_kvm_vcpus[cs->cpu_index];
    uint32_t control = extra;
    Error *err = NULL;
    int sstep;

    if (xv->nswbp) {
        control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
    }
    for (int i = 0; i < 4; i++) {
        if (xv->hwwp[i].used) {
            control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
        }
    }
    sstep = __atomic_load_n(&cs->singlestep_enabled, __ATOMIC_ACQUIRE);
    if (sstep & SSTEP_ENABLE) {
        control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
        /* Interrupts stay pending while stepping where the kernel can
         * (KVM_GUESTDBG_BLOCKIRQ, listed by KVM_CAP_SET_GUEST_DEBUG2); an
         * older kernel steps into the interrupt handler. */
        if ((sstep & SSTEP_NOIRQ) &&
            (kvm_check_extension(KVM_CAP_SET_GUEST_DEBUG2) &
             KVM_GUESTDBG_BLOCKIRQ)) {
            control |= KVM_GUESTDBG_BLOCKIRQ;
        }
    }
    if (!kvm_update_guest_debug(cs, control, &err)) {
        error_report_err(err);
        return false;
    }
    return true;
}

/* One byte of guest-physical memory, read or written. */
static bool x86_kvm_phys_byte(uint64_t pa, uint8_t *b, bool write)
{
    return address_space_rw(&address_space_memory, pa,
                            MEMTXATTRS_UNSPECIFIED, b, 1, write) == MEMTX_OK;
}

/*
 * Takes a reference on the INT3 byte at guest-physical phys, writing it
 * on the first; false if it cannot be written.  BQL, vCPUs paused.
 */
static bool x86_kvm_int3_get(uint64_t phys)
{
    uint8_t int3 = 0xcc;
    X86KvmInt3 *b;
    int i;

    assert(bql_locked());
    for (i = 0; i < x86_kvm_nint3 && x86_kvm_int3[i].phys != phys; i++) {
    }
    if (i < x86_kvm_nint3) {
        x86_kvm_int3[i].users++;
        return true;
    }
    if (i == X86_KVM_MAX_SWBP) {
        return false;
    }
    b = &x86_kvm_int3[i];
    if (!x86_kvm_phys_byte(phys, &b->saved, false) ||
        !x86_kvm_phys_byte(phys, &int3, true)) {
        return false;
    }
    b->phys = phys;
    b->users = 1;
    x86_kvm_nint3++;
    return true;
}

/* Drops a reference; the last one puts the old byte back.  BQL, vCPUs
 * paused. */
static void x86_kvm_int3_put(uint64_t phys)
{
    int i;

    assert(bql_locked());
    for (i = 0; i < x86_kvm_nint3 && x86_kvm_int3[i].phys != phys; i++) {
    }
    assert(i < x86_kvm_nint3);
    if (--x86_kvm_int3[i].users == 0) {
        x86_kvm_phys_byte(phys, &x86_kvm_int3[i].saved, true);
        x86_kvm_int3[i] = x86_kvm_int3[--x86_kvm_nint3];
    }
}

/*
 * A gdbstub breakpoint: a free debug register (an execute breakpoint)
 * first, an INT3 byte when all four are taken.  Debug registers first
 * because they need no write to guest memory, and because the outer
 * emulator of the nested test environment does not intercept INT3 for
 * its SVM guests (a software interrupt skips its exception-intercept
 * check), so INT3 breakpoints only work on real hardware.
 */
static void x86_kvm_swbp_changed(CPUState *cs, uint64_t pc)
{
    X86KvmVcpu *xv = &x86_kvm_vcpus[cs->cpu_index];
    bool want = cpu_breakpoint_test(cs, pc, BP_GDB);
    struct kvm_translation t = { .linear_address = pc };
    int i, free_slot = -1;

    for (i = 0; i < 4; i++) {
        X86KvmHwWp *w = &xv->hwwp[i];

        if (w->used && w->exec && w->addr == pc) {
            if (!want) {
                w->used = false;
            }
            return;
        }
        if (!w->used && free_slot < 0) {
            free_slot = i;
        }
    }

    for (i = 0; i < xv->nswbp && xv->swbp[i].pc != pc; i++) {
    }
    if (want && i == xv->nswbp && free_slot >= 0) {
        xv->hwwp[free_slot] = (X86KvmHwWp){ true, true, pc, 1, BP_GDB };
    } else if (want && i == xv->nswbp) {
        if (i == X86_KVM_MAX_SWBP ||
            kvm_vcpu_ioctl(cs, KVM_TRANSLATE, &t) < 0 || !t.valid ||
            !x86_kvm_int3_get(t.physical_address)) {
            warn_report("kvm: cannot set a breakpoint at %#" PRIx64, pc);
            return;
        }
        xv->swbp[i] = (X86KvmSwBp){ pc, t.physical_address };
        xv->nswbp++;
    } else if (!want && i < xv->nswbp) {
        x86_kvm_int3_put(xv->swbp[i].phys);
        xv->swbp[i] = xv->swbp[--xv->nswbp];
    }
}

static void x86_kvm_hwwp_changed(CPUState *cs, uint64_t addr, uint64_t len,
                                 int flags)
{
    X86KvmVcpu *xv = &x86_kvm_vcpus[cs->cpu_index];
    bool want = cpu_watchpoint_test(cs, addr, len, flags);
    int i, free_slot = -1;

    for (i = 0; i < 4; i++) {
        X86KvmHwWp *w = &xv->hwwp[i];

        if (w->used && !w->exec && w->addr == addr && w->len == len &&
            w->flags == flags) {
            break;
        }
        if (!w->used && free_slot < 0) {
            free_slot = i;
        }
    }
    if (want && i == 4) {
        if (free_slot < 0 || (len != 1 && len != 2 && len != 4 && len != 8) ||
            (addr & (len - 1))) {
            warn_report("kvm: watchpoint at %#" PRIx64 " (%" PRIu64
                        " bytes) does not fit a free debug register", addr,
                        len);
            return;
        }
        xv->hwwp[free_slot] = (X86KvmHwWp){ true, false, addr, len, flags };
    } else if (!want && i < 4) {
        xv->hwwp[i].used = false;
    }
}

/* AccelOps.debug_changed through kvm-all.c.  vCPU thread or paused. */
static void x86_kvm_debug_changed(CPUState *cs, uint64_t addr, uint64_t len,
                                  int flags)
{
    if (flags & BP_GDB) {
        if (flags & BP_MEM_ACCESS) {
            x86_kvm_hwwp_changed(cs, addr, len, flags);
        } else {
            x86_kvm_swbp_changed(cs, addr);
        }
    }
    x86_kvm_apply_debug(cs, 0);
}

/* KVM_EXIT_DEBUG.  vCPU thread, no BQL.  A #BP at none of the vCPU's
 * INT3 breakpoints is the guest's own INT3: it goes back to the guest
 * (KVM_GUESTDBG_INJECT_BP; the kernel delivers it as the INT3 would have
 * been, return address after the instruction) and the vCPU runs on. */
static int x86_kvm_handle_debug(CPUState *cs, struct kvm_run *run)
{
    X86KvmVcpu *xv = &x86_kvm_vcpus[cs->cpu_index];
    uint64_t dr6 = run->debug.arch.dr6;

    if (run->debug.arch.exception == EXCP03_INT3) {
        for (int i = 0; i < xv->nswbp; i++) {
            if (xv->swbp[i].pc == run->debug.arch.pc) {
                return EXCP_DEBUG;
            }
        }
        /* Refused: stop rather than meet the INT3 again at once. */
        return x86_kvm_apply_debug(cs, KVM_GUESTDBG_INJECT_BP) ? -1
                                                                : EXCP_DEBUG;
    }

    if (run->debug.arch.exception == EXCP01_DB) {
        for (int i = 0; i < 4; i++) {
            X86KvmHwWp *w = &xv->hwwp[i];

            if (w->used && !w->exec && (dr6 & (1u << i))) {
                CPUWatchpointHit hit = {
                    .wp = { w->addr, w->len, w->flags },
                    .addr = w->addr,
                    .access = (w->flags & BP_MEM_READ) ? BP_MEM_READ
                                                      : BP_MEM_WRITE,
                };

                cpu_watchpoint_set_hit(cs, &hit);
                break;
            }
        }
    }
    return EXCP_DEBUG;
}

const KvmTargetOps x86_kvm_ops = {
    .init_vm = x86_kvm_init_vm,
    .init_vcpu = x86_kvm_init_vcpu,
    .vcpu_id = x86_kvm_vcpu_id,
    .get_state = x86_kvm_get_state,
    .put_state = x86_kvm_put_state,
    .pre_run = x86_kvm_pre_run,
    .post_run = x86_kvm_post_run,
    .fill_guest_debug = x86_kvm_fill_guest_debug,
    .debug_changed = x86_kvm_debug_changed,
    .handle_debug = x86_kvm_handle_debug,
};

__attribute__((constructor)) static void x86_kvm_register(void)
{
    kvm_register_target("x86_64", &x86_kvm_ops);
}
