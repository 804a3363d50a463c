/*
 * a20.c: the fast A20 gate, port 0x92 bit 1.  It reads back as on
 * (firmware enables A20 before a multiboot kernel runs), and in the 32-bit
 * build a routine copied below 1 MiB turns A20 off, reads an address
 * above 1 MiB, which then aliases the one 1 MiB lower (physical bit 20
 * reads as 0), and turns A20 back on.  The routine uses no stack and no
 * code above 1 MiB while A20 is off; a jump after each OUT ends the
 * translation block, so the gate is in force for the next access on
 * every emulator.  The 64-bit build checks the port only: with A20 off
 * its page tables (above 1 MiB) would alias too.
 */
#include "runtime.h"

#define LOW_CODE 0x7000u
#define ADDR_LO  0x280000u
#define ADDR_HI  0x380000u      /* ADDR_LO with bit 20 set */

#ifndef __x86_64__
extern char a20_probe_start[], a20_probe_end[];

/* uint32_t probe(uint32_t addr): the 32-bit word at addr with A20 off. */
__asm__(
    "    .text\n"
    "a20_probe_start:\n"
    "    mov 4(%esp), %ecx\n"
    "    in $0x92, %al\n"
    "    and $0xfd, %al\n"
    "    out %al, $0x92\n"
    "    jmp 1f\n"
    "1:  mov (%ecx), %edx\n"
    "    in $0x92, %al\n"
    "    or $0x02, %al\n"
    "    out %al, $0x92\n"
    "    jmp 2f\n"
    "2:  mov %edx, %eax\n"
    "    ret\n"
    "a20_probe_end:\n");

static volatile uint32_t *at(uint32_t a)
{
    return (volatile uint32_t *)(uintptr_t)a;
}
#endif


int main(uint32_t magic, uint32_t info)
{
    printf("# A20 gate, %d-bit\n", (int)sizeof(void *) * 8);
#ifdef __x86_64__
    tap_plan(1);
    tap_ok(inb(0x92) & 0x02, "port 0x92 says A20 is on (0x%x)", inb(0x92));
#else
    {
        uint32_t (*probe)(uint32_t) = (uint32_t (*)(uint32_t))LOW_CODE;
        uint32_t v;

        tap_plan(4);
        tap_ok(inb(0x92) & 0x02, "port 0x92 says A20 is on (0x%x)",
               inb(0x92));
        *at(ADDR_LO) = 0x11111111;
        *at(ADDR_HI) = 0x22222222;
        tap_ok(*at(ADDR_LO) == 0x11111111 && *at(ADDR_HI) == 0x22222222,
               "with A20 on, 0x%x and 0x%x are different memory", ADDR_LO,
               ADDR_HI);
        memcpy((void *)LOW_CODE, a20_probe_start,
               a20_probe_end - a20_probe_start);
        __asm__ volatile("cli");
        v = probe(ADDR_HI);
        tap_ok(v == 0x11111111, "with A20 off, 0x%x reads 0x%x's word "
               "(0x%x)", ADDR_HI, ADDR_LO, v);
        tap_ok((inb(0x92) & 0x02) && *at(ADDR_HI) == 0x22222222,
               "A20 back on: 0x%x is itself again", ADDR_HI);
    }
#endif
    return 0;
}
