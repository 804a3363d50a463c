/*
 * ud.S: an instruction that is decoded but not implemented (RSM, 0F AA:
 * there is no SMM) must reach the guest as #UD, never stop the emulator.
 * The #UD handler (vector 6) checks the faulting EIP, skips the two-byte
 * insn and returns; the guest then prints "UD OK" on COM1 and exits
 * through isa-debug-exit with status 0x21.
 */
    .text
    .align 4
    .long 0x1badb002, 0, -0x1badb002

    .globl _start
_start:
    mov $stack_top, %esp
    mov $handler, %eax
    mov %ax, idt + 6 * 8
    mov %cs, %bx
    mov %bx, idt + 6 * 8 + 2
    movw $0x8e00, idt + 6 * 8 + 4        /* present, DPL 0, 32-bit int gate */
    shr $16, %eax
    mov %ax, idt + 6 * 8 + 6
    lidt idtr

fault_insn:
    rsm
    cmpl $1, faults
    jne fail

    mov $msg, %esi
    mov $0x3f8, %dx
2:  lodsb
    test %al, %al
    jz 3f
    out %al, %dx
    jmp 2b
3:  mov $0x10, %eax                      /* exit status 0x21 */
    jmp 5f
fail:
    mov $0x11, %eax                      /* exit status 0x23 */
5:  mov $0xf4, %dx
    out %eax, %dx
4:  hlt
    jmp 4b

handler:
    cmpl $fault_insn, (%esp)             /* #UD: EIP of the faulting insn */
    jne 1f
    incl faults
1:  addl $2, (%esp)                      /* skip the two-byte insn */
    iret

    .data
    .align 4
idtr:   .word 256 * 8 - 1
        .long idt
faults: .long 0
msg:    .asciz "UD OK\n"

    .bss
    .align 16
idt:    .skip 256 * 8
    .skip 4096
stack_top:
