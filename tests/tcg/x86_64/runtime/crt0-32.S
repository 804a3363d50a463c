/*
 * crt0-32.S: start-up code for 32-bit guest test programs.
 *
 * The multiboot header (no a.out kludge: the file is an ELF32 the loader
 * places by physical address) comes first in the image, inside the first
 * 8192 bytes the loader searches.  The loader enters _start in 32-bit
 * protected mode, paging off, interrupts off, EAX = 0x2BADB002, EBX = the
 * information structure.  We switch to our own stack, call
 * main(magic, info) and exit through tap_exit().
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003     /* page-aligned modules, memory info */

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

    .text
    .code32
    .globl _start
_start:
    cli
    cld
    mov $stack_top, %esp
    push %ebx
    push %eax
    call main
    call tap_exit
1:  hlt
    jmp 1b

    .bss
    .align 16
stack:
    .space 65536
stack_top:
