/*
 * tap.c: TAP output for guest programs over COM1, and the exit verdict
 * through isa-debug-exit.
 *
 *     tap_plan(2);
 *     tap_ok(1 + 1 == 2, "addition");
 *     tap_ok(x == 3, "x is %d", x);
 *     return 0;                    // crt0 calls tap_exit()
 *
 * tap_exit() writes 0 to port 0xf4 when every test passed and the number
 * run equals the plan (or no plan was printed), else 1; the emulator then
 * exits with (v << 1) | 1: 1 for pass, 3 for fail.  If no isa-debug-exit
 * device is present it halts forever (the runner's timeout catches that).
 */
#include "runtime.h"

static int tap_planned = -1;   /* -1: no plan printed */
static int tap_count;
static int tap_failed;

void tap_plan(int n)
{
    tap_planned = n;
    printf("1..%d\n", n);
}

static void tap_line(bool cond, const char *directive, const char *fmt,
                     va_list ap)
{
    char desc[256];

    vsnprintf(desc, sizeof(desc), fmt, ap);
    tap_count++;
    printf("%sok %d - %s%s\n", cond ? "" : "not ", tap_count, desc,
           directive ? directive : "");
}

bool tap_ok(bool cond, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tap_line(cond, NULL, fmt, ap);
    va_end(ap);
    if (!cond) {
        tap_failed++;
    }
    return cond;
}

void tap_skip(const char *reason, const char *fmt, ...)
{
    char directive[160];
    va_list ap;

    snprintf(directive, sizeof(directive), " # SKIP %s", reason);
    va_start(ap, fmt);
    tap_line(true, directive, fmt, ap);
    va_end(ap);
}

void tap_diag(const char *fmt, ...)
{
    char buf[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printf("# %s\n", buf);
}

void exit_with(uint32_t code)
{
    outl(DEBUG_EXIT_PORT, code);
    for (;;) {
        __asm__ volatile("cli; hlt");
    }
}

void tap_exit(void)
{
    if (tap_planned < 0) {
        printf("1..%d\n", tap_count);
    } else if (tap_count != tap_planned) {
        printf("# planned %d tests but ran %d\n", tap_planned, tap_count);
        tap_failed++;
    }
    exit_with(tap_failed ? 1 : 0);
}
