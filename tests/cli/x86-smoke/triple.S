/*
 * triple.S: a multiboot guest that triple-faults (tests/cli/x86-triple-fault.t).
 * It writes "B\n" to COM1, counts its boots in RAM outside its image
 * (at 3 MiB, which a reset does not clear), exits through isa-debug-exit
 * with 5 on the third boot (unless built with -DFOREVER), and otherwise
 * triple-faults:
 *   default:       an empty IDT (limit 0): INT3 -> #GP -> #DF -> triple;
 *   -DNOT_PRESENT: a full IDT of not-present gates: INT3 -> #NP -> #DF
 *                  (not present either) -> triple.
 */
    .text
    .align 4
    .long 0x1badb002, 0, -0x1badb002
    .globl _start
_start:
    mov $0x200000, %esp
    mov $0x3f8, %dx
    mov $'B', %al
    out %al, %dx
    mov $'\n', %al
    out %al, %dx
#ifndef FOREVER
    mov $0x300000, %ebx
    cmpl $0x7a11fa17, (%ebx)
    je 1f
    movl $0x7a11fa17, (%ebx)
    movl $0, 4(%ebx)
1:  incl 4(%ebx)
    cmpl $3, 4(%ebx)
    jb 2f
    mov $0xf4, %dx
    mov $5, %eax
    out %eax, %dx
#endif
2:  lidt idtr
    int3
    hlt

    .data
idtr:
#ifdef NOT_PRESENT
    .word 256 * 8 - 1
    .long idt
    .align 8
idt:
    .fill 256, 8, 0
#else
    .word 0
    .long 0
#endif
