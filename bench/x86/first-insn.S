/*
 * first-insn.S: a multiboot kernel whose very first instruction exits the
 * machine: it writes AL (the low byte of the multiboot magic 0x2BADB002,
 * so 2) to isa-debug-exit, and the emulator exits with status
 * (2 << 1) | 1 = 5.  bench/x86-compute.sh times the whole process, which
 * bounds "process start to first guest instruction" from above.
 */
    .section .text
    .align 4
    .long 0x1BADB002, 0x00000000, -(0x1BADB002)
    .globl _start
_start:
    outb %al, $0xf4
1:  hlt
    jmp 1b
