/*
 * atomic.S: LOCKed read-modify-writes that cannot be one host atomic: a
 * dword that straddles a page boundary (LOCK INC, LOCK XADD, LOCK CMPXCHG
 * in both outcomes) and a LOCK INC on an address where nothing is mapped.
 * Each must have its architectural effect (or, unmapped, no effect and no
 * fault), never stop the emulator.  Prints "ATOMIC OK" and exits with
 * status 0x21, or exits with 0x23 at the first wrong result.
 */
#define SPLIT 0x200ffe                   /* 2 bytes below a page boundary */
    .text
    .align 4
    .long 0x1badb002, 0, -0x1badb002

    .globl _start
_start:
    mov $stack_top, %esp
    movl $0x0000ffff, SPLIT
    lock incl SPLIT                      /* carries across the page */
    cmpl $0x00010000, SPLIT
    jne fail

    mov $0x11223344, %eax
    lock xadd %eax, SPLIT
    cmp $0x00010000, %eax                /* old value returned */
    jne fail
    cmpl $0x11233344, SPLIT
    jne fail

    mov $0x11233344, %eax                /* matching: stores */
    mov $0xcafef00d, %ecx
    lock cmpxchg %ecx, SPLIT
    jne fail
    cmpl $0xcafef00d, SPLIT
    jne fail
    mov $0x12345678, %eax                /* not matching: loads */
    lock cmpxchg %ecx, SPLIT
    je fail
    cmp $0xcafef00d, %eax
    jne fail

    lock incl 0xe0000000                 /* nothing mapped there */

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

    .data
msg:    .asciz "ATOMIC OK\n"
    .bss
    .align 16
    .skip 4096
stack_top:
