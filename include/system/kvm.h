/*
 * kvm.h: the KVM accelerator (accel/kvm/) and its contract with targets
 * and the rest of the system.
 *
 * With -accel kvm (or -enable-kvm) guest code runs in the host kernel's
 * KVM module; Tandem only handles what the kernel hands back.  The generic
 * part (accel/kvm/kvm-all.c) knows nothing about the guest architecture: it
 * opens /dev/kvm, creates the VM, mirrors the RAM/ROM ranges of the
 * system FlatView into KVM memory slots (a MemoryListener), creates one
 * KVM vCPU per CPUState with its mmap'd struct kvm_run, and runs the
 * KVM_RUN loop, sending port I/O and MMIO exits through the memory API.
 * A target plugs in through one KvmTargetOps table registered for its
 * machine arch (target/i386/kvm.c for "x86_64"), which translates between
 * the target's register file and the kernel's structures (regs, sregs,
 * FPU/XSAVE, MSRs, LAPIC, vcpu events, mp_state, debug registers), builds
 * the CPUID table and handles architecture-specific exits.
 *
 * Register state: the kernel is authoritative while the vCPU runs.  After
 * KVM_RUN returns, the CPUState's register file is stale until get_state
 * (AccelOps) copies it in; put_state copies it back.  A per-vCPU flag
 * (KvmVcpu.env_valid) records whether the register file currently holds
 * the kernel's state, so repeated get_state calls cost nothing.
 *
 * Threads and locks:
 *   - kvm_state fields are written once on the main thread with the BQL
 *     (init_machine) and read-only afterwards.
 *   - The memory slot table is changed only from the memory listener,
 *     which runs with the BQL inside a map change; KVM itself serialises
 *     slot updates against running vCPUs.
 *   - KVM_RUN and the exit handling run on the vCPU's own thread without
 *     the BQL; MMIO/PIO dispatch takes the BQL only for needs_bql regions
 *     (the memory API decides).  See docs/devel/kvm.md for every exit path.
 *   - kvm_set_irq(), ioeventfd and irqfd helpers: any thread.
 */
#ifndef SYSTEM_KVM_H
#define SYSTEM_KVM_H

#include "util/error.h"

typedef struct CPUState CPUState;
typedef struct MachineState MachineState;
struct kvm_run;

/* Target hooks.  Threads as in accel/accel.h; "vcpu" hooks may also run
 * on the main thread while the vCPU is paused (reset, gdbstub). */
typedef struct KvmTargetOps {
    /* After KVM_CREATE_VM, before vCPUs: arch VM setup (TSS, identity
     * map, irqchip, PIT).  Main thread, BQL. */
    bool (*init_vm)(int vm_fd, bool irqchip_in_kernel, Error **errp);
    /* After KVM_CREATE_VCPU: CPUID etc.  vCPU thread, BQL. */
    bool (*init_vcpu)(CPUState *cpu, int vcpu_fd, Error **errp);
    /* Kernel -> register file and back.  BQL, vCPU not in KVM_RUN. */
    bool (*get_state)(CPUState *cpu, int vcpu_fd);
    bool (*put_state)(CPUState *cpu, int vcpu_fd);
    /* The kernel's vCPU id (x86: the APIC ID); NULL: cpu_index. */
    unsigned long (*vcpu_id)(CPUState *cpu);
    /* With the interrupt controllers in userspace (kernel-irqchip=off)
     * only; the in-kernel irqchip needs neither, and the exit path stays
     * shorter without them.  Before each KVM_RUN: userspace interrupt
     * injection, INIT/SIPI, TPR.  Returns -1 to enter the guest, or an
     * EXCP_* code for exec_vcpu to return instead (e.g. EXCP_HLT while
     * waiting for a SIPI).  After each KVM_RUN: what kvm_run reports
     * without a register fetch (IF, TPR).  vCPU thread, no BQL (pre_run
     * takes it for the interrupt acknowledge). */
    int (*pre_run)(CPUState *cpu, int vcpu_fd, struct kvm_run *run);
    void (*post_run)(CPUState *cpu, struct kvm_run *run);
    /* Exits the generic loop does not know; returns an EXCP_* code, or -1
     * to keep running.  vCPU thread, no BQL. */
    int (*handle_exit)(CPUState *cpu, struct kvm_run *run);
    /* Arch part of KVM_SET_GUEST_DEBUG: fills debugreg[] of the arch
     * struct (pointer to struct kvm_guest_debug).  vCPU thread or paused. */
    void (*fill_guest_debug)(CPUState *cpu, void *dbg);
    /* AccelOps.debug_changed (include/exec/breakpoint.h); also called
     * with flags 0 when cpu->singlestep_enabled changed.  vCPU thread, or
     * BQL with it paused. */
    void (*debug_changed)(CPUState *cpu, uint64_t addr, uint64_t len,
                          int flags);
    /* KVM_EXIT_DEBUG: EXCP_DEBUG to stop for the debugger, -1 to go on.
     * vCPU thread, no BQL. */
    int (*handle_debug)(CPUState *cpu, struct kvm_run *run);
} KvmTargetOps;

/* Start-up (constructor). */
void kvm_register_target(const char *arch, const KvmTargetOps *ops);

/* True once the kvm accelerator has been initialised.  Any thread. */
bool kvm_enabled(void);
/* True when the kernel models the interrupt controllers (the default under
 * kvm; -machine kernel-irqchip=off turns it off).  Any thread. */
bool kvm_irqchip_in_kernel(void);

/* ioctls on /dev/kvm, the VM and a vCPU; -errno on failure.  Any
 * thread. */
int kvm_system_ioctl(unsigned long type, void *arg);
int kvm_vm_ioctl(unsigned long type, void *arg);
int kvm_vcpu_ioctl(CPUState *cpu, unsigned long type, void *arg);
/* KVM_CHECK_EXTENSION on the VM; 0 when absent.  Any thread. */
int kvm_check_extension(int cap);

/* Drives an in-kernel irqchip input (GSI) through KVM_IRQ_LINE.  Any
 * thread. */
void kvm_set_irq(int gsi, int level);

/*
 * irqfd: writing 1 to fd raises GSI gsi in the kernel without a trip
 * through userspace.  ioeventfd: a guest write of size bytes to addr (port
 * I/O if pio) signals fd in the kernel instead of exiting; with datamatch,
 * only a write of that value does.  Return false with errp when the kernel
 * refuses.  BQL (called from the memory API and the IRQ layer).
 */
bool kvm_irqfd_assign(int fd, int gsi, bool assign, Error **errp);
bool kvm_ioeventfd_assign(int fd, uint64_t addr, unsigned size, bool pio,
                          bool datamatch, uint64_t data, bool assign,
                          Error **errp);

/* Sets cpu's guest-debug state (KVM_SET_GUEST_DEBUG): control is the
 * KVM_GUESTDBG_* bits (0: off: software breakpoints via INT3 with
 * USE_SW_BP, single-step with SINGLESTEP, the debug registers the target
 * fills with USE_HW_BP).  BQL, vCPU paused or its own thread. */
bool kvm_update_guest_debug(CPUState *cpu, uint32_t control, Error **errp);

/*
 * Tests only (tests/unit/test-x86-kvm-debug.c): makes ops the current
 * target's hooks and sends every kvm_vcpu_ioctl() to fn, and every
 * kvm_check_extension() to fn(NULL, KVM_CHECK_EXTENSION, cap), instead of
 * the kernel, so that a target's hooks run without /dev/kvm.  Main
 * thread, before any vCPU; never with a real VM.
 */
typedef int KvmFakeIoctlFn(CPUState *cpu, unsigned long type, void *arg);
void kvm_fake_ioctls(const KvmTargetOps *ops, KvmFakeIoctlFn *fn);

/* Enables or disables the dirty log on the slots of the RAM region that
 * contains guest physical address gpa, and fetches/clears it: bitmap gets
 * one bit per page of the slot.  BQL.  (Ready for migration and display
 * devices; nothing uses it yet.) */
bool kvm_dirty_log_start(uint64_t gpa, bool on, Error **errp);
bool kvm_dirty_log_sync(uint64_t gpa, unsigned long *bitmap, Error **errp);

#endif
