/*
 * tcg-accel.c: the "tcg" accelerator (-accel tcg) and the registry of
 * guest translators.
 *
 * The TCG runtime (tcg-exec.c, translator.c, cputlb.c) is generic; a guest
 * target plugs in through one TargetTcgOps table.  Each target that has a
 * translator registers its table for its machine arch from a constructor
 * (tcg_register_target("x86_64", ...)); the accelerator's init_machine
 * looks up the table for current_machine's arch, initialises the runtime
 * with it and lets the target declare its TCG globals.  A machine whose
 * arch has no translator yet cannot use tcg: supports_arch says so, which
 * keeps tcg out of the default accelerator choice for it and gives
 * "-accel tcg" a one-line error.
 *
 * Threads: the registry is written by constructors only and read-only
 * afterwards.  init_machine runs on the main thread with the BQL, before
 * any vCPU; init_vcpu/exec_vcpu/destroy_vcpu on each vCPU's thread, as
 * accel/accel.h describes: one host thread per vCPU ("multi-threaded
 * TCG", the default), or with -accel tcg,thread=single one thread for
 * all of them, round robin (cpu_set_round_robin, chosen in system/main.c).
 * The runtime keeps per-vCPU state in TcgCpu and only the translation
 * context per thread, so either works.
 */
#include "util/osdep.h"
#include "accel/accel.h"
#include "accel/tcg/internal.h"
#include "hw/boards.h"
#include "hw/cpu.h"

#define TCG_TARGET_MAX 4
#define TCG_CODE_SIZE (128u << 20)

typedef struct TcgTarget {
    const char *arch;
    const TargetTcgOps *ops;
    TcgTargetGlobalsFn *init_globals;
} TcgTarget;

static TcgTarget tcg_targets[TCG_TARGET_MAX];   /* constructors only */
static int tcg_nb_targets;

/* Start-up (constructor). */
void tcg_register_target(const char *arch, const TargetTcgOps *ops,
                         TcgTargetGlobalsFn *init_globals)
{
    assert(arch && ops && tcg_nb_targets < TCG_TARGET_MAX);
    assert(!tcg_find_target(arch));
    tcg_targets[tcg_nb_targets++] = (TcgTarget){ arch, ops, init_globals };
}

static const TcgTarget *tcg_target_for(const char *arch)
{
    for (int i = 0; arch && i < tcg_nb_targets; i++) {
        if (!strcmp(tcg_targets[i].arch, arch)) {
            return &tcg_targets[i];
        }
    }
    return NULL;
}

/* Any thread. */
const TargetTcgOps *tcg_find_target(const char *arch)
{
    const TcgTarget *t = tcg_target_for(arch);

    return t ? t->ops : NULL;
}

static bool tcg_supports_arch(const char *arch, Error **errp)
{
    if (!tcg_target_for(arch)) {
        error_setg(errp, "no translator for %s yet", arch ? arch : "none");
        return false;
    }
    return true;
}

/* Main thread, BQL, before any vCPU exists. */
static bool tcg_accel_init_machine(MachineState *ms, Error **errp)
{
    const TcgTarget *t;

    if (!tcg_supports_arch(ms->mc->arch, errp)) {
        return false;
    }
    t = tcg_target_for(ms->mc->arch);
    if (!tcg_runtime_init(t->ops, TCG_CODE_SIZE, errp)) {
        return false;
    }
    if (t->init_globals) {
        t->init_globals();
    }
    return true;
}

/* The vCPU's own thread, BQL. */
static bool tcg_accel_init_vcpu(CPUState *cpu, Error **errp)
{
    tcg_vcpu_init(cpu);
    return true;
}

/* Main thread, at exit: how often the rare paths ran. */
static void tcg_accel_dump_stats(FILE *f)
{
    fprintf(f, "tcg: %" PRIu64 " atomic accesses ran as an exclusive step\n",
            tcg_atomic_step_count());
}

static const AccelOps tcg_accel_ops = {
    .name = "tcg",
    .thread_suffix = "TCG",
    .has_vcpu_threads = true,
    .supports_arch = tcg_supports_arch,
    .init_machine = tcg_accel_init_machine,
    .init_vcpu = tcg_accel_init_vcpu,
    .exec_vcpu = tcg_cpu_exec,
    /* No kick hook: cpu_exit() sets exit_request, which generated code
     * checks at every TB entry, and cpu_exit() itself calls kick_vcpu. */
    .destroy_vcpu = tcg_vcpu_destroy,
    .debug_changed = tcg_debug_changed,
    .debug_memory_written = tcg_debug_memory_written,
    .dump_stats = tcg_accel_dump_stats,
};

__attribute__((constructor)) static void tcg_accel_register(void)
{
    accel_register(&tcg_accel_ops);
}
