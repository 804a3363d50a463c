/*
 * crt0-64.S: start-up code for 64-bit guest test programs: a multiboot
 * header, then a long-mode trampoline.
 *
 * The program is linked as x86-64 code and converted to an ELF32 container
 * (objcopy -O elf32-i386), because the reference emulator's multiboot
 * loader refuses ELF64 files; every address is below 4 GiB, so nothing is
 * lost.  The loader enters _start in 32-bit protected mode with paging off
 * (see crt0-32.S).  The trampoline (SDM Vol 3A 10.8.5, "Initializing
 * IA-32e Mode"):
 *   1. identity-maps the first 4 GiB with 2 MiB pages: one PML4 entry, one
 *      PDPT with 4 entries, 4 page directories of 512 entries each;
 *   2. loads CR3, sets CR4.PAE, sets EFER.LME (MSR 0xC0000080 bit 8), then
 *      sets CR0.PG, which activates long mode (EFER.LMA) in compatibility
 *      mode;
 *   3. loads a GDT with a 64-bit code descriptor (L=1) and far-jumps to it;
 *   4. loads the data segments and the stack and calls main(magic, info)
 *      (SysV: EDI, ESI), then tap_exit().
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

    .text
    .code32
    .globl _start
_start:
    cli
    cld
    mov %eax, %edi              /* keep magic and info for main */
    mov %ebx, %esi
    mov $stack_top, %esp

    /* 2048 PDEs: PS | RW | P, physical address i * 2 MiB. */
    mov $pd, %edx
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax
    mov %eax, (%edx, %ecx, 8)
    mov %ecx, %eax
    shr $11, %eax               /* bits 63..32 of i * 2 MiB */
    mov %eax, 4(%edx, %ecx, 8)
    inc %ecx
    cmp $2048, %ecx
    jb 1b

    /* PDPT entries 0..3 -> the four page directories; PML4[0] -> PDPT. */
    mov $pdpt, %edx
    xor %ecx, %ecx
2:  mov %ecx, %eax
    shl $12, %eax
    add $pd + 3, %eax
    mov %eax, (%edx, %ecx, 8)
    movl $0, 4(%edx, %ecx, 8)
    inc %ecx
    cmp $4, %ecx
    jb 2b
    movl $pdpt + 3, pml4
    movl $0, pml4 + 4

    mov $pml4, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $0x20, %eax              /* CR4.PAE */
    mov %eax, %cr4
    mov $0xC0000080, %ecx       /* IA32_EFER */
    rdmsr
    or $0x100, %eax             /* LME */
    wrmsr
    mov %cr0, %eax
    or $0x80000001, %eax        /* PG | PE */
    mov %eax, %cr0
    lgdt gdt64_desc
    ljmp $0x08, $long_entry

    .code64
long_entry:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs
    mov $stack_top, %rsp
    call main
    call tap_exit
3:  hlt
    jmp 3b

    .section .rodata
    .align 8
gdt64:
    .quad 0                     /* null */
    .quad 0x00af9a000000ffff    /* 0x08: 64-bit code, DPL 0 */
    .quad 0x00cf92000000ffff    /* 0x10: flat data */
gdt64_end:
gdt64_desc:
    .word gdt64_end - gdt64 - 1
    .long gdt64

    .bss
    .align 4096
    .globl pml4, pdpt, pd       /* runtime/sys.c sets their U bits */
pml4:
    .space 4096
pdpt:
    .space 4096
pd:
    .space 4 * 4096
    .align 16
stack:
    .space 65536
stack_top:
