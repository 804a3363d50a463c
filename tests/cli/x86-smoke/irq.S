/*
 * irq.S: external interrupts end to end: builds an IDT gate for vector
 * 0x20, programs the 8259 pair (IRQ0 -> 0x20, only IRQ0 unmasked) and the
 * 8254 channel 0 (rate generator), then STI; waits until the handler has
 * counted NTICKS timer ticks (each acknowledged with an EOI), prints
 * "IRQ OK" on COM1 and exits through isa-debug-exit with status 0x21.
 * Built twice: by default it waits with HLT between ticks (the vCPU must
 * be woken by each new INTR); with -DBUSY_WAIT it spins instead, which
 * separates the halt/wakeup path from the PIT/8259 edge path.  A multiboot
 * ELF like smoke.S (preprocessed: gcc -c of a .S).
 */
#define NTICKS 5
    .text
    .align 4
    .long 0x1badb002, 0, -0x1badb002

    .globl _start
_start:
    mov $stack_top, %esp
    mov $handler, %eax
    mov %ax, idt + 0x20 * 8
    mov %cs, %bx
    mov %bx, idt + 0x20 * 8 + 2
    movw $0x8e00, idt + 0x20 * 8 + 4     /* present, DPL 0, 32-bit int gate */
    shr $16, %eax
    mov %ax, idt + 0x20 * 8 + 6
    lidt idtr

    mov $0x11, %al                       /* ICW1: edge, cascade, ICW4 */
    out %al, $0x20
    out %al, $0xa0
    mov $0x20, %al                       /* ICW2: vector bases */
    out %al, $0x21
    mov $0x28, %al
    out %al, $0xa1
    mov $0x04, %al                       /* ICW3 */
    out %al, $0x21
    mov $0x02, %al
    out %al, $0xa1
    mov $0x01, %al                       /* ICW4: 8086 mode */
    out %al, $0x21
    out %al, $0xa1
    mov $0xfe, %al                       /* masks: IRQ0 only */
    out %al, $0x21
    mov $0xff, %al
    out %al, $0xa1

    mov $0x34, %al                       /* PIT ch0, lo/hi, mode 2 */
    out %al, $0x43
    mov $0x00, %al                       /* count 0x2000: ~146 Hz */
    out %al, $0x40
    mov $0x20, %al
    out %al, $0x40

    sti
#ifdef BUSY_WAIT
1:  cmpl $NTICKS, ticks
    jb 1b
#else
1:  hlt
    cmpl $NTICKS, ticks
    jb 1b
#endif
    cli

    mov $msg, %esi
    mov $0x3f8, %dx
2:  lodsb
    test %al, %al
    jz 3f
    out %al, %dx
    jmp 2b
3:  mov $0xf4, %dx
    mov $0x10, %eax
    out %eax, %dx
4:  hlt
    jmp 4b

handler:
    push %eax
    incl ticks
    mov $0x20, %al                       /* EOI */
    out %al, $0x20
    pop %eax
    iret

    .data
    .align 4
idtr:   .word 256 * 8 - 1
        .long idt
ticks:  .long 0
msg:    .asciz "IRQ OK\n"

    .bss
    .align 16
idt:    .skip 256 * 8
    .skip 4096
stack_top:
