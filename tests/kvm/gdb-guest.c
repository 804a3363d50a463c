/*
 * gdb-guest.c: the program kvm-guests.t debugs with gdb-multiarch under
 * tandem -accel kvm in the nested environment (64-bit multiboot guest on
 * the tests/tcg/x86_64 runtime, built with -g by kvm-guests.t).
 *
 * Like tests/cli/gdbstub/guest.c (the TCG tests' program) it calls bump()
 * ten times, stores 0x1234 into `watched` from set_watched() and exits
 * through isa-debug-exit with "all passed" (tandem status 1) when counter
 * is 45, so that a debugger that detaches lets it finish.  `pattern` holds
 * the bytes 0x11 0x22 0x33 0x44 for a memory read.
 *
 * One addition: emulated_out, an OUTSB to port 0x80.  KVM emulates string
 * I/O in its instruction emulator, which checks the debugger's execute
 * breakpoints (KVM_SET_GUEST_DEBUG debug registers) before it emulates.
 * In the nested environment that is the one place where a debug-register
 * breakpoint can fire: the outer emulator does not raise debug-register
 * hits for its SVM guests (docs/devel/kvm.md "Guest debugging").
 */
#include "runtime.h"

volatile uint32_t counter;
volatile uint32_t watched;
volatile uint8_t pattern[4] = { 0x11, 0x22, 0x33, 0x44 };
static const uint8_t post_byte = 0x42;

/* emulated_out: OUTSB (%rsi) to port %dx; the first instruction is the
 * OUTSB itself, so that "break emulated_out" lands on it. */
void emulated_out(void);
__asm__(".text\n"
        ".globl emulated_out\n"
        ".type emulated_out, @function\n"
        "emulated_out:\n"
        "    outsb\n"
        "    ret\n"
        ".size emulated_out, . - emulated_out\n");

__attribute__((noinline)) void bump(uint32_t v)
{
    counter += v;
}

__attribute__((noinline)) void set_watched(uint32_t v)
{
    watched = v;
}

int main(uint32_t magic, uint32_t info)
{
    const uint8_t *p = &post_byte;

    for (uint32_t i = 0; i < 10; i++) {
        bump(i);
    }
    __asm__ volatile("call emulated_out" : "+S"(p) : "d"(0x80) : "memory");
    set_watched(0x1234);
    tap_plan(2);
    tap_ok(counter == 45, "counter is %u", counter);
    tap_ok(watched == 0x1234 && pattern[2] == 0x33, "watched is 0x%x",
           watched);
    return 0;
}
