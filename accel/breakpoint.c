/*
 * breakpoint.c: the per-vCPU breakpoint and watchpoint lists and the
 * single-step flags (include/exec/breakpoint.h), independent of the
 * accelerator.  After every change the accelerator is told through
 * AccelOps.debug_changed (TCG invalidates the TBs of the page, or flushes
 * the vCPU's TLB so that watched pages get TLB_WATCHPOINT).
 *
 * Callers: the gdbstub (main thread, BQL, through run_on_cpu so that the
 * change runs on the vCPU's thread), the target's debug-register helpers
 * (the vCPU's own thread), the TCG translator and slow paths (lookups, the
 * vCPU's own thread, no BQL).
 *
 * Locking: bp_lock (a leaf mutex) protects every CPU's lists, because the
 * translator of one vCPU asks whether *any* vCPU has a breakpoint at a pc
 * (TBs are shared between vCPUs).  bp_count and wp_count let the
 * translator and every TLB fill skip the lock when there is none at all.
 */
#include "util/osdep.h"
#include "accel/accel.h"
#include "exec/breakpoint.h"

struct CPUDebugState {
    GArray *bps;                   /* bp_lock: CPUBreakpoint */
    GArray *wps;                   /* bp_lock: CPUWatchpoint */
    bool hit_valid;                /* owner thread / paused: last hit */
    CPUWatchpointHit hit;
};

static pthread_mutex_t bp_lock = PTHREAD_MUTEX_INITIALIZER;
static int bp_count;               /* bp_lock to write; atomic read */
static int wp_count;               /* the same, for watchpoints */

/* bp_lock held. */
static CPUDebugState *cpu_debug(CPUState *cpu)
{
    if (!cpu->debug) {
        CPUDebugState *d = g_new0(CPUDebugState, 1);

        d->bps = g_array_new(false, false, sizeof(CPUBreakpoint));
        d->wps = g_array_new(false, false, sizeof(CPUWatchpoint));
        cpu->debug = d;
    }
    return cpu->debug;
}

static void debug_changed(CPUState *cpu, uint64_t addr, uint64_t len,
                          int flags)
{
    if (cpu->accel && cpu->accel->debug_changed) {
        cpu->accel->debug_changed(cpu, addr, len, flags);
    }
}

static bool owner_ok(int flags)
{
    int o = flags & BP_OWNERS;

    return o == BP_GDB || o == BP_CPU;
}

int cpu_breakpoint_insert(CPUState *cpu, uint64_t pc, int flags)
{
    CPUDebugState *d;
    CPUBreakpoint bp = { .pc = pc, .flags = flags & BP_OWNERS };

    if (!owner_ok(flags) || (flags & BP_MEM_ACCESS)) {
        return -EINVAL;
    }
    pthread_mutex_lock(&bp_lock);
    d = cpu_debug(cpu);
    for (guint i = 0; i < d->bps->len; i++) {
        CPUBreakpoint *b = &g_array_index(d->bps, CPUBreakpoint, i);

        if (b->pc == pc && b->flags == bp.flags) {
            pthread_mutex_unlock(&bp_lock);
            return -EEXIST;
        }
    }
    g_array_append_val(d->bps, bp);
    __atomic_store_n(&bp_count, bp_count + 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&bp_lock);
    debug_changed(cpu, pc, 1, bp.flags);
    return 0;
}

int cpu_breakpoint_remove(CPUState *cpu, uint64_t pc, int flags)
{
    CPUDebugState *d;

    pthread_mutex_lock(&bp_lock);
    d = cpu_debug(cpu);
    for (guint i = 0; i < d->bps->len; i++) {
        CPUBreakpoint *b = &g_array_index(d->bps, CPUBreakpoint, i);

        if (b->pc == pc && b->flags == (flags & BP_OWNERS)) {
            g_array_remove_index(d->bps, i);
            __atomic_store_n(&bp_count, bp_count - 1, __ATOMIC_RELEASE);
            pthread_mutex_unlock(&bp_lock);
            debug_changed(cpu, pc, 1, flags & BP_OWNERS);
            return 0;
        }
    }
    pthread_mutex_unlock(&bp_lock);
    return -ENOENT;
}

int cpu_watchpoint_insert(CPUState *cpu, uint64_t addr, uint64_t len,
                          int flags)
{
    CPUDebugState *d;
    CPUWatchpoint wp = { .addr = addr, .len = len, .flags = flags };

    if (!owner_ok(flags) || !(flags & BP_MEM_ACCESS) || len == 0 ||
        addr + len - 1 < addr) {
        return -EINVAL;
    }
    pthread_mutex_lock(&bp_lock);
    d = cpu_debug(cpu);
    for (guint i = 0; i < d->wps->len; i++) {
        CPUWatchpoint *w = &g_array_index(d->wps, CPUWatchpoint, i);

        if (w->addr == addr && w->len == len && w->flags == flags) {
            pthread_mutex_unlock(&bp_lock);
            return -EEXIST;
        }
    }
    g_array_append_val(d->wps, wp);
    __atomic_store_n(&wp_count, wp_count + 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&bp_lock);
    debug_changed(cpu, addr, len, flags);
    return 0;
}

int cpu_watchpoint_remove(CPUState *cpu, uint64_t addr, uint64_t len,
                          int flags)
{
    CPUDebugState *d;

    pthread_mutex_lock(&bp_lock);
    d = cpu_debug(cpu);
    for (guint i = 0; i < d->wps->len; i++) {
        CPUWatchpoint *w = &g_array_index(d->wps, CPUWatchpoint, i);

        if (w->addr == addr && w->len == len && w->flags == flags) {
            g_array_remove_index(d->wps, i);
            __atomic_store_n(&wp_count, wp_count - 1, __ATOMIC_RELEASE);
            pthread_mutex_unlock(&bp_lock);
            debug_changed(cpu, addr, len, flags);
            return 0;
        }
    }
    pthread_mutex_unlock(&bp_lock);
    return -ENOENT;
}

void cpu_breakpoint_remove_all(CPUState *cpu, int mask)
{
    CPUDebugState *d;
    GArray *gone_b = g_array_new(false, false, sizeof(CPUBreakpoint));
    GArray *gone_w = g_array_new(false, false, sizeof(CPUWatchpoint));

    pthread_mutex_lock(&bp_lock);
    d = cpu_debug(cpu);
    for (guint i = d->bps->len; i-- > 0;) {
        CPUBreakpoint b = g_array_index(d->bps, CPUBreakpoint, i);

        if (b.flags & mask) {
            g_array_append_val(gone_b, b);
            g_array_remove_index(d->bps, i);
            __atomic_store_n(&bp_count, bp_count - 1, __ATOMIC_RELEASE);
        }
    }
    for (guint i = d->wps->len; i-- > 0;) {
        CPUWatchpoint w = g_array_index(d->wps, CPUWatchpoint, i);

        if (w.flags & mask) {
            g_array_append_val(gone_w, w);
            g_array_remove_index(d->wps, i);
            __atomic_store_n(&wp_count, wp_count - 1, __ATOMIC_RELEASE);
        }
    }
    pthread_mutex_unlock(&bp_lock);
    for (guint i = 0; i < gone_b->len; i++) {
        CPUBreakpoint *b = &g_array_index(gone_b, CPUBreakpoint, i);

        debug_changed(cpu, b->pc, 1, b->flags);
    }
    for (guint i = 0; i < gone_w->len; i++) {
        CPUWatchpoint *w = &g_array_index(gone_w, CPUWatchpoint, i);

        debug_changed(cpu, w->addr, w->len, w->flags);
    }
    g_array_free(gone_b, true);
    g_array_free(gone_w, true);
}

bool cpu_watchpoint_test(CPUState *cpu, uint64_t addr, uint64_t len,
                         int flags)
{
    bool found = false;

    pthread_mutex_lock(&bp_lock);
    if (cpu->debug) {
        for (guint i = 0; i < cpu->debug->wps->len && !found; i++) {
            CPUWatchpoint *w = &g_array_index(cpu->debug->wps,
                                              CPUWatchpoint, i);

            found = w->addr == addr && w->len == len && w->flags == flags;
        }
    }
    pthread_mutex_unlock(&bp_lock);
    return found;
}

bool cpu_breakpoint_test(CPUState *cpu, uint64_t pc, int mask)
{
    bool found = false;

    if (!__atomic_load_n(&bp_count, __ATOMIC_ACQUIRE)) {
        return false;
    }
    pthread_mutex_lock(&bp_lock);
    if (cpu->debug) {
        for (guint i = 0; i < cpu->debug->bps->len && !found; i++) {
            CPUBreakpoint *b = &g_array_index(cpu->debug->bps,
                                              CPUBreakpoint, i);

            found = b->pc == pc && (b->flags & mask);
        }
    }
    pthread_mutex_unlock(&bp_lock);
    return found;
}

bool cpu_any_breakpoint_at(uint64_t pc)
{
    bool found = false;
    int n;

    if (!__atomic_load_n(&bp_count, __ATOMIC_ACQUIRE)) {
        return false;
    }
    n = __atomic_load_n(&nr_cpus, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(&bp_lock);
    for (int c = 0; c < n && !found; c++) {
        CPUState *cpu = __atomic_load_n(&cpus[c], __ATOMIC_SEQ_CST);

        if (!cpu || !cpu->debug) {
            continue;
        }
        for (guint i = 0; i < cpu->debug->bps->len && !found; i++) {
            found = g_array_index(cpu->debug->bps, CPUBreakpoint, i).pc == pc;
        }
    }
    pthread_mutex_unlock(&bp_lock);
    return found;
}

bool cpu_watchpoint_match(CPUState *cpu, uint64_t addr, uint64_t len,
                          int access, int mask, CPUWatchpoint *wp)
{
    bool found = false;
    uint64_t last = len ? addr + len - 1 : addr;

    pthread_mutex_lock(&bp_lock);
    if (cpu->debug) {
        for (guint i = 0; i < cpu->debug->wps->len && !found; i++) {
            CPUWatchpoint *w = &g_array_index(cpu->debug->wps,
                                              CPUWatchpoint, i);
            uint64_t wlast = w->addr + w->len - 1;

            if (!(w->flags & mask) || (len && !(w->flags & access))) {
                continue;
            }
            if (addr <= wlast && w->addr <= last) {
                found = true;
                if (wp) {
                    *wp = *w;
                }
            }
        }
    }
    pthread_mutex_unlock(&bp_lock);
    return found;
}

bool cpu_has_watchpoints(CPUState *cpu)
{
    bool any;

    if (!__atomic_load_n(&wp_count, __ATOMIC_ACQUIRE)) {
        return false;               /* the common case, on every TLB fill */
    }
    pthread_mutex_lock(&bp_lock);
    any = cpu->debug && cpu->debug->wps->len > 0;
    pthread_mutex_unlock(&bp_lock);
    return any;
}

void cpu_watchpoint_set_hit(CPUState *cpu, const CPUWatchpointHit *hit)
{
    pthread_mutex_lock(&bp_lock);
    cpu_debug(cpu)->hit = *hit;
    cpu->debug->hit_valid = true;
    pthread_mutex_unlock(&bp_lock);
}

bool cpu_watchpoint_hit(CPUState *cpu, CPUWatchpointHit *hit)
{
    bool valid;

    pthread_mutex_lock(&bp_lock);
    valid = cpu->debug && cpu->debug->hit_valid;
    if (valid && hit) {
        *hit = cpu->debug->hit;
    }
    pthread_mutex_unlock(&bp_lock);
    return valid;
}

void cpu_watchpoint_clear_hit(CPUState *cpu)
{
    pthread_mutex_lock(&bp_lock);
    if (cpu->debug) {
        cpu->debug->hit_valid = false;
    }
    pthread_mutex_unlock(&bp_lock);
}

void cpu_single_step(CPUState *cpu, int flags)
{
    __atomic_store_n(&cpu->singlestep_enabled, flags, __ATOMIC_RELEASE);
    debug_changed(cpu, 0, 0, 0);
}

void cpu_debug_memory_written(uint64_t addr, uint64_t len)
{
    if (current_accel && current_accel->debug_memory_written && len) {
        current_accel->debug_memory_written(addr, len);
    }
}
