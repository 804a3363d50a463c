/*
 * guest.c: the program tests/cli/gdbstub-*.t debug with gdb: a multiboot
 * guest built with -g (32- or 64-bit) on the tests/tcg/x86_64 runtime.
 * It calls bump() ten times, stores 0x1234 into `watched` from
 * set_watched(), counts a loop in `spins`, and exits through
 * isa-debug-exit with "all passed" (tandem status 1) if counter is 45, so
 * that a debugger that broke into it and detached lets it finish
 * normally.  Registers and memory the scripts check: bump()'s argument,
 * `counter`, `pattern` (bytes 0x11 0x22 0x33 0x44), `watched`.
 */
#include "runtime.h"

volatile uint32_t counter;
volatile uint32_t watched;
volatile uint32_t spins;
volatile uint8_t pattern[4] = { 0x11, 0x22, 0x33, 0x44 };

__attribute__((noinline)) void bump(uint32_t v)
{
    counter += v;
}

__attribute__((noinline)) void set_watched(uint32_t v)
{
    watched = v;
    spins = spins + 1;
}

int main(uint32_t magic, uint32_t info)
{
    for (uint32_t i = 0; i < 10; i++) {
        bump(i);
    }
    set_watched(0x1234);
    tap_plan(2);
    tap_ok(counter == 45, "counter is %u", counter);
    tap_ok(watched == 0x1234 && pattern[2] == 0x33, "watched is 0x%x",
           watched);
    return 0;
}
