/*
 * test-x86-kvm-debug.c: the gdbstub side of the x86 KVM code
 * (target/i386/kvm.c) without /dev/kvm.
 *
 * kvm_fake_ioctls() (include/system/kvm.h) makes x86_kvm_ops the current
 * target and sends every vCPU ioctl to fake_ioctl below, which records
 * the struct kvm_guest_debug of each KVM_SET_GUEST_DEBUG, translates
 * guest-virtual addresses for KVM_TRANSLATE (VA_BASE maps to PA_BASE;
 * nothing at or above UNMAPPED) and answers KVM_CAP_SET_GUEST_DEBUG2.
 * The test CPUs' AccelOps forward debug_changed to x86_kvm_ops as
 * accel/kvm/kvm-all.c does, so the generic breakpoint calls of the
 * gdbstub (cpu_breakpoint_insert, cpu_watchpoint_insert,
 * cpu_single_step) drive the real code.  The expected DR7 values are
 * written out by hand from the SDM (Vol. 3B 18.2.4: L<n> at bit 2n,
 * R/W<n> at 16+4n (00 exec, 01 write, 11 read/write), LEN<n> at 18+4n
 * (00 1 byte, 01 2, 11 4, 10 8)), not computed with the code's formula.
 *
 * KVM_EXIT_DEBUG: a struct kvm_run with a given exception and DR6 goes
 * to x86_kvm_ops.handle_debug, and the test reads what the gdbstub's hook
 * would read (cpu_watchpoint_hit), or, for the guest's own INT3, the
 * KVM_GUESTDBG_INJECT_BP that gives it back.  The pc the gdbstub reports
 * is the vCPU's rip, which kvm-all.c fetches with get_state before
 * returning EXCP_DEBUG; handle_debug uses kvm_run's pc only to tell our
 * INT3s from the guest's.
 *
 * Main thread with the BQL, the test CPUs never started: the state the
 * gdbstub changes while the vCPUs are paused.
 */
#include "util/osdep.h"
#include "support/accel-test.h"
#include "exec/breakpoint.h"
#include "system/bql.h"
#include "system/kvm.h"
#include "system/memory.h"
#include "system/rcu.h"
#include "target/i386/kvm.h"

#include <linux/kvm.h>

#define VA_BASE 0x80000000ull   /* guest virtual ... */
#define PA_BASE 0x10000ull      /* ... maps to guest physical here */
#define UNMAPPED 0x80080000ull  /* and stops here */
#define RAM_SIZE 0x100000ull

#define GDB_ON KVM_GUESTDBG_ENABLE
#define HW_BP KVM_GUESTDBG_USE_HW_BP
#define SW_BP KVM_GUESTDBG_USE_SW_BP

static CPUState *cpu0, *cpu1;
static MemoryRegion ram;
static uint8_t *ram_ptr;

/* What the fake kernel saw (main thread). */
static struct kvm_guest_debug dbg_of[2];   /* last SET_GUEST_DEBUG per cpu */
static int n_set_debug[2];
static int n_translate;
static int guest_debug2 = -1;              /* KVM_CAP_SET_GUEST_DEBUG2 */
static int set_debug_error;                /* SET_GUEST_DEBUG fails: -errno */

static int fake_ioctl(CPUState *cpu, unsigned long type, void *arg)
{
    struct kvm_translation *t = arg;

    switch (type) {
    case KVM_SET_GUEST_DEBUG:
        g_assert_true(cpu == cpu0 || cpu == cpu1);
        if (set_debug_error) {
            return set_debug_error;
        }
        dbg_of[cpu->cpu_index] = *(struct kvm_guest_debug *)arg;
        n_set_debug[cpu->cpu_index]++;
        return 0;
    case KVM_TRANSLATE:
        n_translate++;
        t->valid = t->linear_address >= VA_BASE &&
                   t->linear_address < UNMAPPED;
        t->physical_address = t->linear_address - VA_BASE + PA_BASE;
        return 0;
    case KVM_CHECK_EXTENSION:
        g_assert_null(cpu);
        if ((long)arg == KVM_CAP_SET_GUEST_DEBUG2) {
            return guest_debug2;
        }
        return 0;
    }
    g_test_message("unexpected ioctl %#lx", type);
    g_assert_not_reached();
}

/* What kvm-all.c's kvm_debug_changed does for a KVM vCPU. */
static void fwd_debug_changed(CPUState *cpu, uint64_t addr, uint64_t len,
                              int flags)
{
    x86_kvm_ops.debug_changed(cpu, addr, len, flags);
}

static AccelOps fwd_ops;

static const struct kvm_guest_debug *dbg0(void)
{
    return &dbg_of[0];
}

/* The guest byte at virtual address va (through the fake translation). */
static uint8_t *guest_byte(uint64_t va)
{
    return ram_ptr + (va - VA_BASE + PA_BASE);
}

static void check_regs(const struct kvm_guest_debug *d, uint32_t control,
                       uint64_t dr0, uint64_t dr1, uint64_t dr2,
                       uint64_t dr3, uint64_t dr7)
{
    g_assert_cmphex(d->control, ==, control);
    g_assert_cmphex(d->arch.debugreg[0], ==, dr0);
    g_assert_cmphex(d->arch.debugreg[1], ==, dr1);
    g_assert_cmphex(d->arch.debugreg[2], ==, dr2);
    g_assert_cmphex(d->arch.debugreg[3], ==, dr3);
    g_assert_cmphex(d->arch.debugreg[7], ==, dr7);
}

/* Everything off: KVM_SET_GUEST_DEBUG with control 0 and no registers. */
static void check_off(int cpu)
{
    check_regs(&dbg_of[cpu], 0, 0, 0, 0, 0, 0);
}

static void test_exec_breakpoints(void)
{
    int n = n_set_debug[0];

    g_assert_cmpint(cpu_breakpoint_insert(cpu0, VA_BASE + 0x100, BP_GDB),
                    ==, 0);
    g_assert_cmpint(n_set_debug[0], ==, n + 1);
    /* DR0, L0 set, R/W0 = 00 (execute), LEN0 = 00. */
    check_regs(dbg0(), GDB_ON | HW_BP, VA_BASE + 0x100, 0, 0, 0, 0x1);

    cpu_breakpoint_insert(cpu0, VA_BASE + 0x200, BP_GDB);
    cpu_breakpoint_insert(cpu0, VA_BASE + 0x300, BP_GDB);
    cpu_breakpoint_insert(cpu0, VA_BASE + 0x400, BP_GDB);
    check_regs(dbg0(), GDB_ON | HW_BP, VA_BASE + 0x100, VA_BASE + 0x200,
               VA_BASE + 0x300, VA_BASE + 0x400, 0x55);
    g_assert_cmpint(n_translate, ==, 0);

    /* The fifth: an INT3 byte in guest memory, the registers unchanged. */
    *guest_byte(VA_BASE + 0x500) = 0x90;
    cpu_breakpoint_insert(cpu0, VA_BASE + 0x500, BP_GDB);
    g_assert_cmpint(n_translate, ==, 1);
    g_assert_cmphex(*guest_byte(VA_BASE + 0x500), ==, 0xcc);
    check_regs(dbg0(), GDB_ON | HW_BP | SW_BP, VA_BASE + 0x100,
               VA_BASE + 0x200, VA_BASE + 0x300, VA_BASE + 0x400, 0x55);

    /* One it cannot translate is refused (warning), nothing written. */
    cpu_breakpoint_insert(cpu0, UNMAPPED + 0x10, BP_GDB);
    check_regs(dbg0(), GDB_ON | HW_BP | SW_BP, VA_BASE + 0x100,
               VA_BASE + 0x200, VA_BASE + 0x300, VA_BASE + 0x400, 0x55);
    cpu_breakpoint_remove(cpu0, UNMAPPED + 0x10, BP_GDB);

    /* Freeing DR1 clears L1 (and its address is no longer filled). */
    cpu_breakpoint_remove(cpu0, VA_BASE + 0x200, BP_GDB);
    check_regs(dbg0(), GDB_ON | HW_BP | SW_BP, VA_BASE + 0x100, 0,
               VA_BASE + 0x300, VA_BASE + 0x400, 0x51);

    /* Removing the INT3 puts the old byte back and drops USE_SW_BP. */
    cpu_breakpoint_remove(cpu0, VA_BASE + 0x500, BP_GDB);
    g_assert_cmphex(*guest_byte(VA_BASE + 0x500), ==, 0x90);
    check_regs(dbg0(), GDB_ON | HW_BP, VA_BASE + 0x100, 0,
               VA_BASE + 0x300, VA_BASE + 0x400, 0x51);

    /* The next breakpoint takes the free DR1. */
    cpu_breakpoint_insert(cpu0, VA_BASE + 0x600, BP_GDB);
    check_regs(dbg0(), GDB_ON | HW_BP, VA_BASE + 0x100, VA_BASE + 0x600,
               VA_BASE + 0x300, VA_BASE + 0x400, 0x55);

    cpu_breakpoint_remove_all(cpu0, BP_GDB);
    check_off(0);
}

/* Only INT3 breakpoints: USE_SW_BP alone, no debug register. */
static void test_int3_only_when_full(void)
{
    cpu_watchpoint_insert(cpu0, 0x1000, 4, BP_GDB | BP_MEM_WRITE);
    cpu_watchpoint_insert(cpu0, 0x1004, 4, BP_GDB | BP_MEM_WRITE);
    cpu_watchpoint_insert(cpu0, 0x1008, 4, BP_GDB | BP_MEM_WRITE);
    cpu_breakpoint_insert(cpu0, VA_BASE + 0x10, BP_GDB);
    /* Slots 0-2 are 4-byte write watchpoints, slot 3 the breakpoint. */
    check_regs(dbg0(), GDB_ON | HW_BP, 0x1000, 0x1004, 0x1008,
               VA_BASE + 0x10, 0x0ddd0055);
    *guest_byte(VA_BASE + 0x20) = 0x55;
    cpu_breakpoint_insert(cpu0, VA_BASE + 0x20, BP_GDB);
    g_assert_cmphex(*guest_byte(VA_BASE + 0x20), ==, 0xcc);
    g_assert_cmphex(dbg0()->control, ==, GDB_ON | HW_BP | SW_BP);
    cpu_watchpoint_remove(cpu0, 0x1000, 4, BP_GDB | BP_MEM_WRITE);
    cpu_watchpoint_remove(cpu0, 0x1004, 4, BP_GDB | BP_MEM_WRITE);
    cpu_watchpoint_remove(cpu0, 0x1008, 4, BP_GDB | BP_MEM_WRITE);
    cpu_breakpoint_remove(cpu0, VA_BASE + 0x10, BP_GDB);
    check_regs(dbg0(), GDB_ON | SW_BP, 0, 0, 0, 0, 0);
    cpu_breakpoint_remove(cpu0, VA_BASE + 0x20, BP_GDB);
    g_assert_cmphex(*guest_byte(VA_BASE + 0x20), ==, 0x55);
    check_off(0);
}

static void fill_registers(CPUState *cpu, uint64_t base)
{
    for (int i = 0; i < 4; i++) {
        cpu_breakpoint_insert(cpu, base + i, BP_GDB);
    }
}

/*
 * The gdbstub sets a breakpoint on every vCPU: an INT3 is written once,
 * both vCPUs intercept #BP, and the byte the guest had comes back when
 * the last vCPU drops it, whatever the order.
 */
static void test_int3_shared_by_vcpus(void)
{
    uint64_t pc = VA_BASE + 0x700;

    fill_registers(cpu0, VA_BASE);
    fill_registers(cpu1, VA_BASE);
    *guest_byte(pc) = 0x0f;
    cpu_breakpoint_insert(cpu0, pc, BP_GDB);
    cpu_breakpoint_insert(cpu1, pc, BP_GDB);
    g_assert_cmphex(*guest_byte(pc), ==, 0xcc);
    g_assert_cmphex(dbg_of[0].control, ==, GDB_ON | HW_BP | SW_BP);
    g_assert_cmphex(dbg_of[1].control, ==, GDB_ON | HW_BP | SW_BP);
    cpu_breakpoint_remove(cpu0, pc, BP_GDB);
    g_assert_cmphex(*guest_byte(pc), ==, 0xcc);     /* cpu1 still has it */
    g_assert_cmphex(dbg_of[0].control, ==, GDB_ON | HW_BP);
    cpu_breakpoint_remove(cpu1, pc, BP_GDB);
    g_assert_cmphex(*guest_byte(pc), ==, 0x0f);
    g_assert_cmphex(dbg_of[1].control, ==, GDB_ON | HW_BP);

    /* Same again, the other way round. */
    cpu_breakpoint_insert(cpu1, pc, BP_GDB);
    cpu_breakpoint_insert(cpu0, pc, BP_GDB);
    cpu_breakpoint_remove(cpu1, pc, BP_GDB);
    cpu_breakpoint_remove(cpu0, pc, BP_GDB);
    g_assert_cmphex(*guest_byte(pc), ==, 0x0f);

    cpu_breakpoint_remove_all(cpu0, BP_GDB);
    cpu_breakpoint_remove_all(cpu1, BP_GDB);
    check_off(0);
    check_off(1);
}

static void test_write_watchpoints(void)
{
    cpu_watchpoint_insert(cpu0, 0x100, 1, BP_GDB | BP_MEM_WRITE);
    /* DR0: L0, R/W0 = 01, LEN0 = 00. */
    check_regs(dbg0(), GDB_ON | HW_BP, 0x100, 0, 0, 0, 0x00010001);
    cpu_watchpoint_insert(cpu0, 0x202, 2, BP_GDB | BP_MEM_WRITE);
    cpu_watchpoint_insert(cpu0, 0x304, 4, BP_GDB | BP_MEM_WRITE);
    cpu_watchpoint_insert(cpu0, 0x408, 8, BP_GDB | BP_MEM_WRITE);
    /* R/W 01 everywhere; LEN1 = 01, LEN2 = 11, LEN3 = 10. */
    check_regs(dbg0(), GDB_ON | HW_BP, 0x100, 0x202, 0x304, 0x408,
               0x9d510055);

    /* Five do not fit: refused with a warning, the registers unchanged. */
    cpu_watchpoint_insert(cpu0, 0x500, 4, BP_GDB | BP_MEM_WRITE);
    check_regs(dbg0(), GDB_ON | HW_BP, 0x100, 0x202, 0x304, 0x408,
               0x9d510055);
    cpu_watchpoint_remove(cpu0, 0x500, 4, BP_GDB | BP_MEM_WRITE);

    cpu_watchpoint_remove(cpu0, 0x202, 2, BP_GDB | BP_MEM_WRITE);
    check_regs(dbg0(), GDB_ON | HW_BP, 0x100, 0, 0x304, 0x408, 0x9d010051);
    cpu_watchpoint_remove(cpu0, 0x100, 1, BP_GDB | BP_MEM_WRITE);
    cpu_watchpoint_remove(cpu0, 0x304, 4, BP_GDB | BP_MEM_WRITE);
    cpu_watchpoint_remove(cpu0, 0x408, 8, BP_GDB | BP_MEM_WRITE);
    check_off(0);
}

static void test_access_watchpoints(void)
{
    /* awatch and rwatch are both R/W = 11: x86 has no read-only kind. */
    cpu_watchpoint_insert(cpu0, 0x500, 4, BP_GDB | BP_MEM_ACCESS);
    check_regs(dbg0(), GDB_ON | HW_BP, 0x500, 0, 0, 0, 0x000f0001);
    cpu_watchpoint_insert(cpu0, 0x602, 2, BP_GDB | BP_MEM_READ);
    check_regs(dbg0(), GDB_ON | HW_BP, 0x500, 0x602, 0, 0, 0x007f0005);
    cpu_watchpoint_insert(cpu0, 0x708, 8, BP_GDB | BP_MEM_ACCESS);
    cpu_watchpoint_insert(cpu0, 0x800, 1, BP_GDB | BP_MEM_READ);
    check_regs(dbg0(), GDB_ON | HW_BP, 0x500, 0x602, 0x708, 0x800,
               0x3b7f0055);

    /* A write watchpoint at the same place as an access one is another
     * register. */
    cpu_watchpoint_remove(cpu0, 0x800, 1, BP_GDB | BP_MEM_READ);
    cpu_watchpoint_insert(cpu0, 0x500, 4, BP_GDB | BP_MEM_WRITE);
    check_regs(dbg0(), GDB_ON | HW_BP, 0x500, 0x602, 0x708, 0x500,
               0xdb7f0055);
    cpu_breakpoint_remove_all(cpu0, BP_GDB);
    check_off(0);
}

/* Lengths and alignments a debug register cannot express are refused. */
static void test_watchpoints_that_do_not_fit(void)
{
    int n = n_set_debug[0];

    cpu_watchpoint_insert(cpu0, 0x900, 3, BP_GDB | BP_MEM_WRITE);
    cpu_watchpoint_insert(cpu0, 0x902, 4, BP_GDB | BP_MEM_WRITE);
    cpu_watchpoint_insert(cpu0, 0x904, 8, BP_GDB | BP_MEM_WRITE);
    cpu_watchpoint_insert(cpu0, 0x901, 2, BP_GDB | BP_MEM_ACCESS);
    cpu_watchpoint_insert(cpu0, 0x1000, 16, BP_GDB | BP_MEM_WRITE);
    g_assert_cmpint(n_set_debug[0], ==, n + 5);
    check_off(0);
    /* The guest's own (BP_CPU) ones are the hardware's business. */
    cpu_watchpoint_insert(cpu0, 0x900, 4, BP_CPU | BP_MEM_WRITE);
    check_off(0);
    cpu_breakpoint_remove_all(cpu0, BP_OWNERS);
    check_off(0);
}

static void test_single_step(void)
{
    guest_debug2 = -1;          /* an old kernel: no KVM_CAP_... */
    cpu_single_step(cpu0, SSTEP_ENABLE | SSTEP_NOIRQ | SSTEP_NOTIMER);
    check_regs(dbg0(), GDB_ON | KVM_GUESTDBG_SINGLESTEP, 0, 0, 0, 0, 0);

    /* Interrupts blocked where the kernel lists BLOCKIRQ. */
    guest_debug2 = GDB_ON | KVM_GUESTDBG_SINGLESTEP | SW_BP | HW_BP |
                   KVM_GUESTDBG_INJECT_BP | KVM_GUESTDBG_INJECT_DB |
                   KVM_GUESTDBG_BLOCKIRQ;
    cpu_single_step(cpu0, SSTEP_ENABLE | SSTEP_NOIRQ | SSTEP_NOTIMER);
    check_regs(dbg0(), GDB_ON | KVM_GUESTDBG_SINGLESTEP |
               KVM_GUESTDBG_BLOCKIRQ, 0, 0, 0, 0, 0);
    /* Not when the debugger lets interrupts in. */
    cpu_single_step(cpu0, SSTEP_ENABLE);
    check_regs(dbg0(), GDB_ON | KVM_GUESTDBG_SINGLESTEP, 0, 0, 0, 0, 0);
    /* BLOCKIRQ not listed: not asked for. */
    guest_debug2 = GDB_ON | KVM_GUESTDBG_SINGLESTEP | SW_BP | HW_BP;
    cpu_single_step(cpu0, SSTEP_ENABLE | SSTEP_NOIRQ);
    check_regs(dbg0(), GDB_ON | KVM_GUESTDBG_SINGLESTEP, 0, 0, 0, 0, 0);

    /* Stepping with a breakpoint and a watchpoint set. */
    cpu_breakpoint_insert(cpu0, VA_BASE + 0x40, BP_GDB);
    cpu_watchpoint_insert(cpu0, 0x208, 8, BP_GDB | BP_MEM_WRITE);
    check_regs(dbg0(), GDB_ON | KVM_GUESTDBG_SINGLESTEP | HW_BP,
               VA_BASE + 0x40, 0x208, 0, 0, 0x00900005);
    cpu_single_step(cpu0, 0);
    check_regs(dbg0(), GDB_ON | HW_BP, VA_BASE + 0x40, 0x208, 0, 0,
               0x00900005);
    cpu_breakpoint_remove_all(cpu0, BP_GDB);
    check_off(0);
    guest_debug2 = -1;
}

static int exit_debug(CPUState *cpu, uint32_t exception, uint64_t dr6,
                      uint64_t pc)
{
    struct kvm_run run = { .exit_reason = KVM_EXIT_DEBUG };

    run.debug.arch.exception = exception;
    run.debug.arch.dr6 = dr6;
    run.debug.arch.pc = pc;
    cpu_watchpoint_clear_hit(cpu);
    return x86_kvm_ops.handle_debug(cpu, &run);
}

#define DR6_BASE 0xffff0ff0ull      /* the bits that read as 1 */
#define DR6_BS (1ull << 14)

static void test_exit_debug(void)
{
    CPUWatchpointHit hit;
    int n;

    cpu_breakpoint_insert(cpu0, VA_BASE + 0x80, BP_GDB);            /* DR0 */
    cpu_watchpoint_insert(cpu0, 0x304, 4, BP_GDB | BP_MEM_WRITE);   /* DR1 */
    cpu_watchpoint_insert(cpu0, 0x408, 8, BP_GDB | BP_MEM_ACCESS);  /* DR2 */
    cpu_watchpoint_insert(cpu0, 0x512, 2, BP_GDB | BP_MEM_READ);    /* DR3 */
    check_regs(dbg0(), GDB_ON | HW_BP, VA_BASE + 0x80, 0x304, 0x408, 0x512,
               0x7bd00055);

    /* The execute breakpoint: a stop, no watchpoint hit (the gdbstub
     * reports a breakpoint at the vCPU's pc). */
    g_assert_cmpint(exit_debug(cpu0, 1, DR6_BASE | 0x1, VA_BASE + 0x80),
                    ==, EXCP_DEBUG);
    g_assert_false(cpu_watchpoint_hit(cpu0, NULL));

    /* DR1: the 4-byte write watchpoint. */
    g_assert_cmpint(exit_debug(cpu0, 1, DR6_BASE | 0x2, VA_BASE + 0x93),
                    ==, EXCP_DEBUG);
    g_assert_true(cpu_watchpoint_hit(cpu0, &hit));
    g_assert_cmphex(hit.addr, ==, 0x304);
    g_assert_cmphex(hit.wp.addr, ==, 0x304);
    g_assert_cmpuint(hit.wp.len, ==, 4);
    g_assert_cmphex(hit.wp.flags, ==, BP_GDB | BP_MEM_WRITE);
    g_assert_cmpint(hit.access, ==, BP_MEM_WRITE);

    /* DR2: the access watchpoint (reported as a read: DR6 does not say
     * which). */
    exit_debug(cpu0, 1, DR6_BASE | 0x4, VA_BASE + 0x99);
    g_assert_true(cpu_watchpoint_hit(cpu0, &hit));
    g_assert_cmphex(hit.addr, ==, 0x408);
    g_assert_cmpuint(hit.wp.len, ==, 8);
    g_assert_cmphex(hit.wp.flags, ==, BP_GDB | BP_MEM_ACCESS);
    g_assert_cmpint(hit.access, ==, BP_MEM_READ);

    /* DR3: the read watchpoint. */
    exit_debug(cpu0, 1, DR6_BASE | 0x8, VA_BASE + 0x9c);
    g_assert_true(cpu_watchpoint_hit(cpu0, &hit));
    g_assert_cmphex(hit.addr, ==, 0x512);
    g_assert_cmpuint(hit.wp.len, ==, 2);
    g_assert_cmpint(hit.access, ==, BP_MEM_READ);

    /* A single-step trap: a stop, no watchpoint. */
    g_assert_cmpint(exit_debug(cpu0, 1, DR6_BASE | DR6_BS, VA_BASE + 0x84),
                    ==, EXCP_DEBUG);
    g_assert_false(cpu_watchpoint_hit(cpu0, NULL));

    /* A step that also wrote the watched variable reports the
     * watchpoint. */
    exit_debug(cpu0, 1, DR6_BASE | DR6_BS | 0x2, VA_BASE + 0x93);
    g_assert_true(cpu_watchpoint_hit(cpu0, &hit));
    g_assert_cmphex(hit.addr, ==, 0x304);

    /* #BP at none of our INT3s: the guest's own, given back to it with
     * INJECT_BP (the registers as they are), and the vCPU runs on. */
    n = n_set_debug[0];
    g_assert_cmpint(exit_debug(cpu0, 3, DR6_BASE | 0x2, VA_BASE + 0x10),
                    ==, -1);
    g_assert_cmpint(n_set_debug[0], ==, n + 1);
    check_regs(dbg0(), GDB_ON | HW_BP | KVM_GUESTDBG_INJECT_BP,
               VA_BASE + 0x80, 0x304, 0x408, 0x512, 0x7bd00055);
    g_assert_false(cpu_watchpoint_hit(cpu0, NULL));
    /* The kernel refusing it: stop rather than loop on the INT3. */
    set_debug_error = -EBUSY;
    g_assert_cmpint(exit_debug(cpu0, 3, DR6_BASE, VA_BASE + 0x10),
                    ==, EXCP_DEBUG);
    set_debug_error = 0;

    /* #BP at our INT3 (the four registers are taken): a stop, DR6 not
     * looked at, nothing asked of the kernel. */
    *guest_byte(VA_BASE + 0x10) = 0x90;
    cpu_breakpoint_insert(cpu0, VA_BASE + 0x10, BP_GDB);
    g_assert_cmphex(*guest_byte(VA_BASE + 0x10), ==, 0xcc);
    n = n_set_debug[0];
    g_assert_cmpint(exit_debug(cpu0, 3, DR6_BASE | 0x2, VA_BASE + 0x10),
                    ==, EXCP_DEBUG);
    g_assert_cmpint(n_set_debug[0], ==, n);
    g_assert_false(cpu_watchpoint_hit(cpu0, NULL));
    cpu_breakpoint_remove(cpu0, VA_BASE + 0x10, BP_GDB);
    g_assert_cmphex(*guest_byte(VA_BASE + 0x10), ==, 0x90);

    /* A freed register's DR6 bit is not a hit. */
    cpu_watchpoint_remove(cpu0, 0x304, 4, BP_GDB | BP_MEM_WRITE);
    exit_debug(cpu0, 1, DR6_BASE | 0x2, VA_BASE + 0x93);
    g_assert_false(cpu_watchpoint_hit(cpu0, NULL));

    cpu_breakpoint_remove_all(cpu0, BP_GDB);
    check_off(0);
}

int main(int argc, char **argv)
{
    TestCPU *c0, *c1;

    g_test_init(&argc, &argv, NULL);
    rcu_register_thread();
    accel_test_init();
    bql_lock(bql_cause_init);

    memory_region_init_ram(&ram, "ram", RAM_SIZE, &error_abort);
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    ram_ptr = memory_region_get_ram_ptr(&ram);

    fwd_ops = *current_accel;
    fwd_ops.debug_changed = fwd_debug_changed;
    c0 = test_cpu_new(0);
    c1 = test_cpu_new(1);
    cpu0 = &c0->parent;
    cpu1 = &c1->parent;
    cpu0->accel = &fwd_ops;
    cpu1->accel = &fwd_ops;
    kvm_fake_ioctls(&x86_kvm_ops, fake_ioctl);

    g_test_add_func("/x86-kvm-debug/exec-breakpoints", test_exec_breakpoints);
    g_test_add_func("/x86-kvm-debug/int3-when-full", test_int3_only_when_full);
    g_test_add_func("/x86-kvm-debug/int3-shared", test_int3_shared_by_vcpus);
    g_test_add_func("/x86-kvm-debug/write-watchpoints",
                    test_write_watchpoints);
    g_test_add_func("/x86-kvm-debug/access-watchpoints",
                    test_access_watchpoints);
    g_test_add_func("/x86-kvm-debug/watchpoints-that-do-not-fit",
                    test_watchpoints_that_do_not_fit);
    g_test_add_func("/x86-kvm-debug/single-step", test_single_step);
    g_test_add_func("/x86-kvm-debug/exit-debug", test_exit_debug);
    return g_test_run();
}
