/*
 * smoke.S: the smallest end-to-end x86 guest: a multiboot (v1) ELF that the
 * pc machine's -kernel loader starts in 32-bit protected mode.  It does a
 * little real work (a loop, a call through the stack, a REP STOSB and a
 * compare, flags-driven branches), writes "OK\n" to COM1 if everything
 * came out right ("BAD\n" otherwise), and leaves through isa-debug-exit
 * (port 0xf4): status 0x21 on success, 0x23 on failure.
 * Built by tests/cli/x86-smoke.t with the host gcc -m32.
 */
    .text                       /* the header first: within 8 KiB */
    .align 4
    .long 0x1badb002            /* magic */
    .long 0                     /* flags: ELF image, nothing requested */
    .long -0x1badb002           /* checksum */

    .globl _start
_start:
    mov $stack_top, %esp
    cmp $0x2badb002, %eax       /* the loader's magic */
    jne bad

    /* sum 1..100 with LOOP-free code: 5050 */
    xor %eax, %eax
    mov $100, %ecx
1:  add %ecx, %eax
    dec %ecx
    jnz 1b
    cmp $5050, %eax
    jne bad

    /* a call and a return through the stack */
    push $7
    call triple
    add $4, %esp
    cmp $21, %eax
    jne bad

    /* rep stosb, then check the last byte and that nothing ran over */
    cld
    mov $buf, %edi
    mov $0x5a, %al
    mov $15, %ecx
    rep stosb
    cmpb $0x5a, buf+14
    jne bad
    cmpb $0, buf+15
    jne bad

    mov $msg_ok, %esi
    mov $0x10, %ebx             /* exit value: status (0x10 << 1) | 1 */
    jmp print
bad:
    mov $msg_bad, %esi
    mov $0x11, %ebx
print:
    mov $0x3f8, %dx
2:  lodsb
    test %al, %al
    jz 3f
    out %al, %dx
    jmp 2b
3:  mov $0xf4, %dx
    mov %ebx, %eax
    out %eax, %dx
4:  hlt
    jmp 4b

triple:
    mov 4(%esp), %eax
    lea (%eax,%eax,2), %eax
    ret

    .data
msg_ok:  .asciz "OK\n"
msg_bad: .asciz "BAD\n"

    .bss
    .align 16
buf:    .skip 64
    .skip 4096
stack_top:
