/*
 * accel.c: the accelerator registry behind -accel and -accel help.
 *
 * Each accelerator (accel/tcg, accel/kvm, accel/qtest) registers its
 * AccelOps from a constructor, before main() runs; the command line looks
 * one up by name and sets current_accel once, before any vCPU is created.
 * The registry is written only by constructors and by single-threaded
 * start-up code, so it needs no lock.
 *
 *     const AccelOps *ops = accel_find("tcg");
 *     if (!ops) { accel_list(stderr); exit(1); }
 *     current_accel = ops;
 */
#include "util/osdep.h"
#include "accel/accel.h"

#define ACCEL_MAX 8

static const AccelOps *accel_registry[ACCEL_MAX];   /* start-up only */
static int accel_count;                              /* start-up only */

const AccelOps *current_accel;

/* Start-up (constructor or main thread before other threads exist). */
void accel_register(const AccelOps *ops)
{
    assert(ops && ops->name && ops->thread_suffix);
    assert(!accel_find(ops->name));
    assert(accel_count < ACCEL_MAX);
    accel_registry[accel_count++] = ops;
}

/* Returns the accelerator called name, or NULL.  Any thread. */
const AccelOps *accel_find(const char *name)
{
    for (int i = 0; i < accel_count; i++) {
        if (!strcmp(accel_registry[i]->name, name)) {
            return accel_registry[i];
        }
    }
    return NULL;
}

/* Prints the registered accelerators, in registration order. */
void accel_list(FILE *f)
{
    fprintf(f, "Accelerators supported in this build:\n");
    for (int i = 0; i < accel_count; i++) {
        fprintf(f, "%s\n", accel_registry[i]->name);
    }
}
