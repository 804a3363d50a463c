/*
 * kvm-all.c: the "kvm" accelerator (-accel kvm, -enable-kvm).
 *
 * Guest code runs in the host kernel; this file is the generic part that
 * knows no guest architecture (the contract is include/system/kvm.h):
 *
 *   available      opens /dev/kvm, checks KVM_GET_API_VERSION and the
 *                  capabilities we rely on; one error line names the first
 *                  missing one.  Used by the -accel fallback list.
 *   init_machine   KVM_CREATE_VM, the target's VM setup (irqchip, PIT), and
 *                  a MemoryListener on the system address space that keeps
 *                  one KVM memory slot per RAM/ROM range of the FlatView
 *                  (ROM: read-only slots, whose writes come back as MMIO
 *                  exits and are dropped by the ROM region), and hands the
 *                  ioeventfds of MMIO and port I/O regions to the kernel
 *                  (KVM_IOEVENTFD).
 *   init_vcpu      KVM_CREATE_VCPU, mmap of struct kvm_run, the kick
 *                  signal's handler, the target's CPUID setup.
 *   exec_vcpu      the KVM_RUN loop: port I/O and MMIO exits go through the
 *                  memory API (which takes the BQL itself for needs_bql
 *                  regions only), HLT, SHUTDOWN (triple fault), errors.
 *   kick_vcpu      immediate_exit = 1, then SIGUSR1 to the vCPU thread.
 *                  The signal is unblocked in that thread, with an empty
 *                  SA_RESTART handler: it interrupts KVM_RUN (EINTR),
 *                  restarts other system calls, and a kick that lands
 *                  outside KVM_RUN leaves immediate_exit set, so the next
 *                  KVM_RUN returns at once.  No KVM_SET_SIGNAL_MASK: the
 *                  kernel would swap the signal mask twice per exit.
 *   get/put_state  through the target, guarded by KvmVcpu.env_valid.
 *   debug_changed  the gdbstub's breakpoints, watchpoints and single-step
 *                  become KVM_SET_GUEST_DEBUG through the target;
 *                  KVM_EXIT_DEBUG goes back to the target, then to the
 *                  loop as EXCP_DEBUG.
 *
 * Threads and locks: kvm_state is written on the main thread with the BQL
 * before any vCPU exists, then read-only, except the slot table, which only
 * the memory listener touches (BQL).  A KvmVcpu belongs to its vCPU thread;
 * other threads touch only run->immediate_exit (atomic) through the kick,
 * and the register state while the vCPU is paused.  docs/devel/kvm.md
 * describes the locking of every exit path.
 *
 * The run loop and the MMIO/PIO handlers are marked hot, like the memory
 * dispatch and the BQL they call: GCC groups them in .text.hot, so an
 * exit touches few code pages ("The cost of an exit" in kvm.md).
 */
#include "util/osdep.h"
#include "util/log.h"
#include "accel/accel.h"
#include "hw/boards.h"
#include "hw/cpu.h"
#include "system/bql.h"
#include "system/kvm.h"
#include "system/memory.h"
#include "system/runstate.h"
#include "accel/kvm/kvm-coalesced.h"

#include <linux/kvm.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define KVM_DEVICE "/dev/kvm"
#define KVM_SIG_KICK SIGUSR1
#define KVM_TARGET_MAX 2
#define KVM_PAGE_SIZE 4096ull

typedef struct KvmTarget {
    const char *arch;
    const KvmTargetOps *ops;
} KvmTarget;

static KvmTarget kvm_targets[KVM_TARGET_MAX];   /* constructors only */
static int kvm_nb_targets;

typedef struct KvmSlot {
    bool used;
    uint64_t gpa;
    uint64_t size;
    void *host;
    uint32_t flags;            /* KVM_MEM_* */
} KvmSlot;

typedef struct KvmState {
    int fd;                    /* /dev/kvm */
    int vm_fd;
    int run_size;              /* KVM_GET_VCPU_MMAP_SIZE */
    const KvmTargetOps *ops;
    bool irqchip_in_kernel;
    KvmSlot *slots;            /* BQL (memory listener) */
    int nr_slots;
    MemoryListener listener;       /* system memory: slots, MMIO eventfds */
    MemoryListener io_listener;    /* port I/O: eventfds */
} KvmState;

/* Set up by init_machine (main thread, BQL), read-only afterwards except
 * slots. */
static KvmState kvm_state = { .fd = -1, .vm_fd = -1 };
static bool kvm_on;            /* written before vCPUs exist */

typedef struct KvmVcpu {
    int fd;
    struct kvm_run *run;       /* immediate_exit: atomic, any thread */
    /* owner thread or paused: env holds the kernel's register state */
    bool env_valid;
    int sstep_applied;         /* owner thread: singlestep_enabled as set */
} KvmVcpu;

/* Capabilities every VM needs, with the words the error line uses. */
static const struct {
    int cap;
    const char *name;
} kvm_required_caps[] = {
    { KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
    { KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
    { KVM_CAP_READONLY_MEM, "KVM_CAP_READONLY_MEM" },
    { KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
    { KVM_CAP_SET_GUEST_DEBUG, "KVM_CAP_SET_GUEST_DEBUG" },
    { KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD" },
    { KVM_CAP_IRQFD, "KVM_CAP_IRQFD" },
};

/* Start-up (constructor). */
void kvm_register_target(const char *arch, const KvmTargetOps *ops)
{
    assert(arch && ops && kvm_nb_targets < KVM_TARGET_MAX);
    kvm_targets[kvm_nb_targets++] = (KvmTarget){ arch, ops };
}

static const KvmTargetOps *kvm_target_for(const char *arch)
{
    for (int i = 0; arch && i < kvm_nb_targets; i++) {
        if (!strcmp(kvm_targets[i].arch, arch)) {
            return kvm_targets[i].ops;
        }
    }
    return NULL;
}

bool kvm_enabled(void)
{
    return kvm_on;
}

bool kvm_irqchip_in_kernel(void)
{
    return kvm_on && kvm_state.irqchip_in_kernel;
}

static int kvm_ioctl_errno(int fd, unsigned long type, void *arg)
{
    int r;

    do {
        r = ioctl(fd, type, arg);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : r;
}

int kvm_system_ioctl(unsigned long type, void *arg)
{
    return kvm_ioctl_errno(kvm_state.fd, type, arg);
}

int kvm_vm_ioctl(unsigned long type, void *arg)
{
    return kvm_ioctl_errno(kvm_state.vm_fd, type, arg);
}

/* Tests only: kvm_fake_ioctls().  Set before any vCPU exists. */
static KvmFakeIoctlFn *kvm_fake_ioctl;

int kvm_vcpu_ioctl(CPUState *cpu, unsigned long type, void *arg)
{
    KvmVcpu *v = cpu->accel_data;

    if (kvm_fake_ioctl) {
        return kvm_fake_ioctl(cpu, type, arg);
    }
    return kvm_ioctl_errno(v->fd, type, arg);
}

int kvm_check_extension(int cap)
{
    int fd = kvm_state.vm_fd >= 0 ? kvm_state.vm_fd : kvm_state.fd;
    int r = kvm_fake_ioctl
            ? kvm_fake_ioctl(NULL, KVM_CHECK_EXTENSION, (void *)(long)cap)
            : ioctl(fd, KVM_CHECK_EXTENSION, (unsigned long)cap);

    return r < 0 ? 0 : r;
}

void kvm_fake_ioctls(const KvmTargetOps *ops, KvmFakeIoctlFn *fn)
{
    kvm_state.ops = ops;
    kvm_fake_ioctl = fn;
}

/*
 * Opens /dev/kvm and checks the API version and required capabilities.
 * Returns the fd, or -1 with errp.  Main thread.
 */
static int kvm_open_checked(Error **errp)
{
    int fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);
    int v;

    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot open %s", KVM_DEVICE);
        return -1;
    }
    v = ioctl(fd, KVM_GET_API_VERSION, 0);
    if (v != KVM_API_VERSION) {
        error_setg(errp, "%s: KVM API version %d, need %d", KVM_DEVICE, v,
                   KVM_API_VERSION);
        close(fd);
        return -1;
    }
    for (size_t i = 0; i < ARRAY_SIZE(kvm_required_caps); i++) {
        if (ioctl(fd, KVM_CHECK_EXTENSION,
                  (unsigned long)kvm_required_caps[i].cap) <= 0) {
            error_setg(errp, "the host's KVM lacks the required capability "
                       "%s", kvm_required_caps[i].name);
            close(fd);
            return -1;
        }
    }
    return fd;
}

/* Main thread, start-up. */
static bool kvm_available(Error **errp)
{
    int fd = kvm_open_checked(errp);

    if (fd < 0) {
        return false;
    }
    close(fd);
    return true;
}

static bool kvm_supports_arch(const char *arch, Error **errp)
{
    if (!kvm_target_for(arch)) {
        error_setg(errp, "no KVM support for %s guests", arch ? arch : "none");
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Memory slots (BQL: the memory listener)                             */

static int kvm_slot_set(int id, const KvmSlot *s, bool remove)
{
    struct kvm_userspace_memory_region r = {
        .slot = id,
        .flags = s->flags,
        .guest_phys_addr = s->gpa,
        .memory_size = remove ? 0 : s->size,
        .userspace_addr = (uintptr_t)s->host,
    };

    return kvm_vm_ioctl(KVM_SET_USER_MEMORY_REGION, &r);
}

/* The page-aligned part of a RAM/ROM section: false if there is none. */
static bool kvm_section_slot(const MemoryRegionSection *sec, KvmSlot *s)
{
    uint64_t start, end;
    uint8_t *host;

    if (!sec->mr || !memory_region_is_ram(sec->mr)) {
        return false;
    }
    start = (sec->addr + KVM_PAGE_SIZE - 1) & ~(KVM_PAGE_SIZE - 1);
    end = (sec->addr + sec->size) & ~(KVM_PAGE_SIZE - 1);
    if (sec->addr + sec->size < sec->addr || end <= start) {
        return false;                 /* wraps, or less than a page */
    }
    host = (uint8_t *)memory_region_get_ram_ptr(sec->mr) +
           sec->offset_in_region + (start - sec->addr);
    if ((uintptr_t)host & (KVM_PAGE_SIZE - 1)) {
        /* Not mappable as a slot: every access exits and goes through
         * the memory API (slow, but correct for data). */
        return false;
    }
    *s = (KvmSlot){
        .used = true, .gpa = start, .size = end - start, .host = host,
        .flags = memory_region_is_rom(sec->mr) ? KVM_MEM_READONLY : 0,
    };
    return true;
}

static void kvm_region_add(MemoryListener *l, const MemoryRegionSection *sec)
{
    KvmSlot s;
    int id, r;

    if (!kvm_section_slot(sec, &s)) {
        return;
    }
    for (id = 0; id < kvm_state.nr_slots && kvm_state.slots[id].used; id++) {
    }
    if (id == kvm_state.nr_slots) {
        error_report("kvm: out of memory slots (%d) for %s at %#" PRIx64,
                     kvm_state.nr_slots, memory_region_name(sec->mr), s.gpa);
        return;
    }
    r = kvm_slot_set(id, &s, false);
    if (r < 0) {
        error_report("kvm: cannot map %s at %#" PRIx64 " (%#" PRIx64
                     " bytes): %s", memory_region_name(sec->mr), s.gpa,
                     s.size, strerror(-r));
        return;
    }
    kvm_state.slots[id] = s;
}

static void kvm_region_del(MemoryListener *l, const MemoryRegionSection *sec)
{
    KvmSlot s;

    if (!kvm_section_slot(sec, &s)) {
        return;
    }
    for (int id = 0; id < kvm_state.nr_slots; id++) {
        KvmSlot *k = &kvm_state.slots[id];

        if (k->used && k->gpa == s.gpa && k->size == s.size &&
            k->host == s.host) {
            kvm_slot_set(id, k, true);
            k->used = false;
            return;
        }
    }
}

static void kvm_eventfd_assign(const MemoryRegionIoeventfd *e, hwaddr gpa,
                               bool pio, bool assign)
{
    Error *err = NULL;

    if (!kvm_ioeventfd_assign(e->fd, gpa, e->size, pio, e->match_data,
                              e->data, assign, &err)) {
        error_report_err(err);
    }
}

static void kvm_mem_eventfd_add(MemoryListener *l,
                                const MemoryRegionSection *sec, hwaddr gpa,
                                const MemoryRegionIoeventfd *e)
{
    kvm_eventfd_assign(e, gpa, false, true);
}

static void kvm_mem_eventfd_del(MemoryListener *l,
                                const MemoryRegionSection *sec, hwaddr gpa,
                                const MemoryRegionIoeventfd *e)
{
    kvm_eventfd_assign(e, gpa, false, false);
}

static void kvm_io_eventfd_add(MemoryListener *l,
                               const MemoryRegionSection *sec, hwaddr gpa,
                               const MemoryRegionIoeventfd *e)
{
    kvm_eventfd_assign(e, gpa, true, true);
}

static void kvm_io_eventfd_del(MemoryListener *l,
                               const MemoryRegionSection *sec, hwaddr gpa,
                               const MemoryRegionIoeventfd *e)
{
    kvm_eventfd_assign(e, gpa, true, false);
}

static KvmSlot *kvm_slot_find(uint64_t gpa, int *idp)
{
    for (int id = 0; id < kvm_state.nr_slots; id++) {
        KvmSlot *k = &kvm_state.slots[id];

        if (k->used && gpa >= k->gpa && gpa - k->gpa < k->size) {
            *idp = id;
            return k;
        }
    }
    return NULL;
}

/* BQL. */
bool kvm_dirty_log_start(uint64_t gpa, bool on, Error **errp)
{
    int id = -1;
    KvmSlot *k = kvm_slot_find(gpa, &id);
    int r;

    if (!k || (k->flags & KVM_MEM_READONLY)) {
        error_setg(errp, "kvm: no RAM slot at %#" PRIx64, gpa);
        return false;
    }
    k->flags = on ? k->flags | KVM_MEM_LOG_DIRTY_PAGES
                  : k->flags & ~KVM_MEM_LOG_DIRTY_PAGES;
    r = kvm_slot_set(id, k, false);
    if (r < 0) {
        error_setg_errno(errp, -r, "kvm: dirty log on slot %d", id);
        return false;
    }
    return true;
}

/* BQL. */
bool kvm_dirty_log_sync(uint64_t gpa, unsigned long *bitmap, Error **errp)
{
    int id = -1;
    KvmSlot *k = kvm_slot_find(gpa, &id);
    struct kvm_dirty_log d = { .slot = id, .dirty_bitmap = bitmap };
    int r;

    if (!k || !(k->flags & KVM_MEM_LOG_DIRTY_PAGES)) {
        error_setg(errp, "kvm: no dirty-logged slot at %#" PRIx64, gpa);
        return false;
    }
    r = kvm_vm_ioctl(KVM_GET_DIRTY_LOG, &d);
    if (r < 0) {
        error_setg_errno(errp, -r, "kvm: KVM_GET_DIRTY_LOG");
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Interrupt lines, irqfd, ioeventfd (any thread / BQL)                */

void kvm_set_irq(int gsi, int level)
{
    struct kvm_irq_level l = { .irq = gsi, .level = level };
    int r = kvm_vm_ioctl(KVM_IRQ_LINE, &l);

    if (r < 0) {
        error_report("kvm: KVM_IRQ_LINE %d: %s", gsi, strerror(-r));
    }
}

bool kvm_irqfd_assign(int fd, int gsi, bool assign, Error **errp)
{
    struct kvm_irqfd f = {
        .fd = fd, .gsi = gsi, .flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
    };
    int r = kvm_vm_ioctl(KVM_IRQFD, &f);

    if (r < 0) {
        error_setg_errno(errp, -r, "kvm: KVM_IRQFD (gsi %d)", gsi);
        return false;
    }
    return true;
}

bool kvm_ioeventfd_assign(int fd, uint64_t addr, unsigned size, bool pio,
                          bool datamatch, uint64_t data, bool assign,
                          Error **errp)
{
    struct kvm_ioeventfd e = {
        .datamatch = datamatch ? data : 0,
        .addr = addr,
        .len = size,
        .fd = fd,
        .flags = (pio ? KVM_IOEVENTFD_FLAG_PIO : 0) |
                 (datamatch ? KVM_IOEVENTFD_FLAG_DATAMATCH : 0) |
                 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
    };
    int r = kvm_vm_ioctl(KVM_IOEVENTFD, &e);

    if (r < 0) {
        error_setg_errno(errp, -r, "kvm: KVM_IOEVENTFD at %s %#" PRIx64,
                         pio ? "port" : "address", addr);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* The machine                                                         */

/* Main thread, BQL, before the machine's devices and vCPUs exist. */
static bool kvm_init_machine(MachineState *ms, Error **errp)
{
    KvmState *s = &kvm_state;
    const char *irqchip = ms->kernel_irqchip;
    int r;

    s->ops = kvm_target_for(ms->mc->arch);
    if (!s->ops) {
        return kvm_supports_arch(ms->mc->arch, errp);
    }
    if (irqchip && !strcmp(irqchip, "split")) {
        error_setg(errp, "kernel-irqchip=split is not supported yet "
                   "(use on or off)");
        return false;
    }
    s->irqchip_in_kernel = !irqchip || !strcmp(irqchip, "on");
    s->fd = kvm_open_checked(errp);
    if (s->fd < 0) {
        return false;
    }
    do {
        s->vm_fd = ioctl(s->fd, KVM_CREATE_VM, 0);
    } while (s->vm_fd < 0 && errno == EINTR);
    if (s->vm_fd < 0) {
        error_setg_errno(errp, errno, "KVM_CREATE_VM");
        goto fail;
    }
    s->run_size = ioctl(s->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (s->run_size < (int)sizeof(struct kvm_run)) {
        error_setg(errp, "KVM_GET_VCPU_MMAP_SIZE: %d", s->run_size);
        goto fail;
    }
    r = kvm_check_extension(KVM_CAP_NR_MEMSLOTS);
    s->nr_slots = r > 0 ? MIN(r, 512) : 32;
    s->slots = g_new0(KvmSlot, s->nr_slots);
    if (s->ops->init_vm && !s->ops->init_vm(s->vm_fd, s->irqchip_in_kernel,
                                            errp)) {
        goto fail;
    }
    kvm_on = true;
    s->listener.region_add = kvm_region_add;
    s->listener.region_del = kvm_region_del;
    s->listener.eventfd_add = kvm_mem_eventfd_add;
    s->listener.eventfd_del = kvm_mem_eventfd_del;
    kvm_coalesced_setup(&s->listener, &s->io_listener);
    memory_listener_register(&s->listener, &address_space_memory);
    s->io_listener.eventfd_add = kvm_io_eventfd_add;
    s->io_listener.eventfd_del = kvm_io_eventfd_del;
    memory_listener_register(&s->io_listener, &address_space_io);
    return true;

fail:
    if (s->vm_fd >= 0) {
        close(s->vm_fd);
        s->vm_fd = -1;
    }
    close(s->fd);
    s->fd = -1;
    return false;
}

/* ------------------------------------------------------------------ */
/* vCPUs                                                               */

static void kvm_kick_handler(int sig)
{
    /* Nothing: the signal's only job is to make KVM_RUN return EINTR
     * (immediate_exit covers a kick outside KVM_RUN). */
}

/* The vCPU's own thread, BQL. */
static bool kvm_init_vcpu(CPUState *cpu, Error **errp)
{
    KvmVcpu *v = g_new0(KvmVcpu, 1);
    struct sigaction sa = {
        .sa_handler = kvm_kick_handler,
        .sa_flags = SA_RESTART,
    };
    sigset_t set;
    long id = kvm_state.ops->vcpu_id ? (long)kvm_state.ops->vcpu_id(cpu)
                                     : cpu->cpu_index;

    /* SA_RESTART restarts the thread's other system calls; KVM_RUN
     * returns EINTR whatever the flags say. */
    sigemptyset(&sa.sa_mask);
    sigaction(KVM_SIG_KICK, &sa, NULL);

    v->fd = ioctl(kvm_state.vm_fd, KVM_CREATE_VCPU, id);
    if (v->fd < 0) {
        error_setg_errno(errp, errno, "KVM_CREATE_VCPU %ld", id);
        g_free(v);
        return false;
    }
    v->run = mmap(NULL, kvm_state.run_size, PROT_READ | PROT_WRITE,
                  MAP_SHARED, v->fd, 0);
    if (v->run == MAP_FAILED) {
        error_setg_errno(errp, errno, "mmap of kvm_run for vCPU %ld", id);
        close(v->fd);
        g_free(v);
        return false;
    }
    if (!kvm_coalesced_vcpu_created(v->fd, errp)) {
        goto fail;
    }
    /* Before accel_data is published: kicks start after this. */
    sigemptyset(&set);
    sigaddset(&set, KVM_SIG_KICK);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    __atomic_store_n(&cpu->accel_data, v, __ATOMIC_RELEASE);
    if (kvm_state.ops->init_vcpu &&
        !kvm_state.ops->init_vcpu(cpu, v->fd, errp)) {
        __atomic_store_n(&cpu->accel_data, NULL, __ATOMIC_RELEASE);
        goto fail;
    }
    v->env_valid = false;
    return true;

fail:
    munmap(v->run, kvm_state.run_size);
    close(v->fd);
    g_free(v);
    return false;
}

/* BQL, vCPU not in KVM_RUN. */
static void kvm_get_state(CPUState *cpu)
{
    KvmVcpu *v = cpu->accel_data;

    if (!v || v->env_valid) {
        return;
    }
    if (kvm_state.ops->get_state(cpu, v->fd)) {
        v->env_valid = true;
    }
}

/* BQL, vCPU not in KVM_RUN. */
static void kvm_put_state(CPUState *cpu)
{
    KvmVcpu *v = cpu->accel_data;

    if (!v) {
        return;
    }
    if (kvm_state.ops->put_state(cpu, v->fd)) {
        v->env_valid = true;
    }
}

/* Any thread, any locks. */
static void kvm_kick_vcpu(CPUState *cpu)
{
    KvmVcpu *v = __atomic_load_n(&cpu->accel_data, __ATOMIC_ACQUIRE);

    if (!v) {
        return;          /* not created yet: it will see exit_request */
    }
    __atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_RELEASE);
    pthread_kill(cpu->thread, KVM_SIG_KICK);
}

/* An exit we cannot continue from: register dump, clean stop.  vCPU
 * thread, no BQL. */
static int kvm_fatal_exit(CPUState *cpu, const char *what)
{
    bql_lock(bql_cause_vcpu);
    kvm_get_state(cpu);
    error_report("kvm: vCPU %d: %s; stopping the machine", cpu->cpu_index,
                 what);
    if (cpu->cc->dump_state) {
        cpu->cc->dump_state(cpu, stderr);
    }
    bql_unlock();
    system_shutdown_request(SHUTDOWN_CAUSE_HOST_ERROR, 1);
    return EXCP_SHUTDOWN;
}

/* Port I/O exit: count accesses of size bytes each.  No BQL: the memory
 * API takes it for needs_bql regions. */
__attribute__((hot))
static void kvm_handle_io(CPUState *cpu, struct kvm_run *run)
{
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    MemTxAttrs attrs = { .requester_id = cpu->cpu_index };

    for (uint32_t i = 0; i < run->io.count; i++) {
        address_space_rw(&address_space_io, run->io.port, attrs, data,
                         run->io.size, run->io.direction == KVM_EXIT_IO_OUT);
        data += run->io.size;
    }
}

__attribute__((hot))
static void kvm_handle_mmio(CPUState *cpu, struct kvm_run *run)
{
    MemTxAttrs attrs = { .requester_id = cpu->cpu_index };

    address_space_rw(&address_space_memory, run->mmio.phys_addr, attrs,
                     run->mmio.data, run->mmio.len, run->mmio.is_write);
}

/*
 * KVM_RUN; -errno on failure.  On x86-64 hosts it is the bare system call
 * rather than libc's ioctl(): the return from the kernel then lands in
 * the run loop's own code, with no trip through the PLT and a libc page
 * (each exit pays for every page and indirect jump it touches when the
 * host is itself emulated; docs/devel/kvm.md, "The cost of an exit").
 * The sanitizers' ioctl interceptors have nothing to check for KVM_RUN
 * (it takes no argument).
 */
__attribute__((hot, always_inline))
static inline long kvm_run_ioctl(int fd)
{
#ifdef __x86_64__
    long r;

    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "0"((long)SYS_ioctl), "D"((long)fd),
                       "S"((long)KVM_RUN), "d"(0L)
                     : "rcx", "r11", "memory");
    return r;
#else
    return ioctl(fd, KVM_RUN, 0) < 0 ? -errno : 0;
#endif
}

/* The vCPU's own thread, no BQL. */
__attribute__((hot))
static int kvm_exec_vcpu(CPUState *cpu)
{
    KvmVcpu *v = cpu->accel_data;
    struct kvm_run *run = v->run;
    const KvmTargetOps *ops = kvm_state.ops;
    /* The target's run hooks serve the userspace irqchip only. */
    bool user_irqchip = !kvm_state.irqchip_in_kernel;
    int (*pre_run)(CPUState *, int, struct kvm_run *) =
        user_irqchip ? ops->pre_run : NULL;
    void (*post_run)(CPUState *, struct kvm_run *) =
        user_irqchip ? ops->post_run : NULL;
    char what[96];
    int r, ret;

    for (;;) {
        /* Clear first: a kick after the exchange below sets it again. */
        __atomic_store_n(&run->immediate_exit, 0, __ATOMIC_RELAXED);
        if (__atomic_exchange_n(&cpu->exit_request, 0, __ATOMIC_ACQ_REL)) {
            return EXCP_INTERRUPT;
        }
        ret = __atomic_load_n(&cpu->singlestep_enabled, __ATOMIC_ACQUIRE);
        if (ret != v->sstep_applied && ops->debug_changed) {
            v->sstep_applied = ret;
            ops->debug_changed(cpu, 0, 0, 0);
        }
        if (pre_run && (ret = pre_run(cpu, v->fd, run)) >= 0) {
            return ret;
        }
        r = kvm_run_ioctl(v->fd);
        v->env_valid = false;
        if (post_run) {
            post_run(cpu, run);
        }
        if (r < 0) {
            if (r == -EINTR || r == -EAGAIN) {
                continue;          /* a kick: exit_request says why */
            }
            snprintf(what, sizeof(what), "KVM_RUN failed: %s",
                     strerror(-r));
            return kvm_fatal_exit(cpu, what);
        }
        /* The device exits first, without the switch's indirect jump. */
        if (run->exit_reason == KVM_EXIT_MMIO) {
            kvm_handle_mmio(cpu, run);
            continue;
        }
        if (run->exit_reason == KVM_EXIT_IO) {
            kvm_handle_io(cpu, run);
            continue;
        }
        switch (run->exit_reason) {
        case KVM_EXIT_IRQ_WINDOW_OPEN:
        case KVM_EXIT_INTR:
            break;
        case KVM_EXIT_HLT:
            return EXCP_HLT;
        case KVM_EXIT_SHUTDOWN:
            /* A triple fault (or an INIT the kernel turned into one). */
            log_guest_error("kvm: vCPU %d: triple fault, resetting\n",
                            cpu->cpu_index);
            system_reset_request(RESET_CAUSE_GUEST);
            return EXCP_SHUTDOWN;
        case KVM_EXIT_SYSTEM_EVENT:
            if (run->system_event.type == KVM_SYSTEM_EVENT_RESET) {
                system_reset_request(RESET_CAUSE_GUEST);
            } else {
                system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN, 0);
            }
            return EXCP_SHUTDOWN;
        case KVM_EXIT_DEBUG:
            ret = ops->handle_debug ? ops->handle_debug(cpu, run) : EXCP_DEBUG;
            if (ret >= 0) {
                /* The debug hook (BQL, next) reads the registers: fetch
                 * them now, on the owner thread, which is all get_state
                 * really needs. */
                kvm_get_state(cpu);
                return ret;
            }
            break;
        case KVM_EXIT_FAIL_ENTRY:
            snprintf(what, sizeof(what), "VM entry failed (hardware reason "
                     "%#llx)", (unsigned long long)
                     run->fail_entry.hardware_entry_failure_reason);
            return kvm_fatal_exit(cpu, what);
        case KVM_EXIT_INTERNAL_ERROR:
            snprintf(what, sizeof(what), "KVM internal error (suberror %u)",
                     run->internal.suberror);
            return kvm_fatal_exit(cpu, what);
        default:
            ret = ops->handle_exit ? ops->handle_exit(cpu, run) : -2;
            if (ret == -2) {
                snprintf(what, sizeof(what), "unhandled KVM exit reason %u",
                         run->exit_reason);
                return kvm_fatal_exit(cpu, what);
            }
            if (ret >= 0) {
                return ret;
            }
            break;
        }
    }
}

/* The vCPU's own thread, BQL, after the last exec_vcpu. */
static void kvm_destroy_vcpu(CPUState *cpu)
{
    KvmVcpu *v = cpu->accel_data;

    if (!v) {
        return;
    }
    __atomic_store_n(&cpu->accel_data, NULL, __ATOMIC_RELEASE);
    munmap(v->run, kvm_state.run_size);
    close(v->fd);
    g_free(v);
}

/* BQL, vCPU paused or its own thread. */
bool kvm_update_guest_debug(CPUState *cpu, uint32_t control, Error **errp)
{
    struct kvm_guest_debug dbg = { .control = control };
    int r;

    if (control && kvm_state.ops->fill_guest_debug) {
        kvm_state.ops->fill_guest_debug(cpu, &dbg);
    }
    r = kvm_vcpu_ioctl(cpu, KVM_SET_GUEST_DEBUG, &dbg);
    if (r < 0) {
        error_setg_errno(errp, -r, "KVM_SET_GUEST_DEBUG");
        return false;
    }
    return true;
}

/* The vCPU's own thread, or BQL with it paused. */
static void kvm_debug_changed(CPUState *cpu, uint64_t addr, uint64_t len,
                              int flags)
{
    if (cpu->accel_data && kvm_state.ops->debug_changed) {
        kvm_state.ops->debug_changed(cpu, addr, len, flags);
    }
}

static const AccelOps kvm_accel_ops = {
    .name = "kvm",
    .thread_suffix = "KVM",
    .has_vcpu_threads = true,
    .available = kvm_available,
    .supports_arch = kvm_supports_arch,
    .init_machine = kvm_init_machine,
    .init_vcpu = kvm_init_vcpu,
    .exec_vcpu = kvm_exec_vcpu,
    .kick_vcpu = kvm_kick_vcpu,
    .get_state = kvm_get_state,
    .put_state = kvm_put_state,
    .destroy_vcpu = kvm_destroy_vcpu,
    .debug_changed = kvm_debug_changed,
};

__attribute__((constructor)) static void kvm_accel_register(void)
{
    accel_register(&kvm_accel_ops);
}
