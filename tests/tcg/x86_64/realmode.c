/*
 * realmode.c: exceptions in real mode (through the IVT) and in 16-bit
 * protected mode (32-bit build only; the 64-bit build prints skips).
 *
 * A blob of 16-bit code (below) is copied to 0x8000.  The 32-bit program
 * far-jumps into it through a 16-bit code segment (SEL_KCODE16, base 0),
 * and the blob then either
 *   - (real mode) loads 16-bit data segments, an IVT-sized IDTR, clears
 *     CR0.PE and far-jumps to 0x0800:xxxx; raises #DE (the IVT handler
 *     fixes the divisor and IRETs: the DIV is restarted), #BP, #OF (INTO),
 *     #UD (the handler skips it) and INT 0x40; the handlers record the
 *     IP, CS and FLAGS the CPU pushed at fixed addresses (0x7000...); then
 *     it sets CR0.PE again and far-jumps back to 32-bit code; or
 *   - (16-bit protected mode) calls a 16-bit interrupt gate (its handler
 *     is 16-bit code and returns with a 16-bit IRET), loads ES with a bad
 *     selector (#GP with its error code) and ends on UD2 (#UD at its
 *     16-bit CS:IP), both through the ordinary 32-bit gates.
 * See docs/devel/x86-guest-tests.md.
 */
#include "sys.h"

#define TESTS 12

#ifdef __x86_64__
int main(uint32_t magic, uint32_t info)
{
    (void)magic;
    (void)info;
    tap_plan(TESTS);
    for (int i = 0; i < TESTS; i++) {
        tap_skip("real mode is run by the 32-bit build", "real mode");
    }
    return 0;
}
#else

#define BLOB 0x8000
#define RES(off) (*(volatile uint16_t *)(uintptr_t)(0x7000 + (off)))

extern char rm_blob[], rm_blob_end[], rm_entry16[], rm_real[], rm_de[],
    rm_bp_after[], rm_into_after[], rm_ud[], rm_int40_after[], h_de[],
    h_bp[], h_of[], h_ud[], h_40[], p16_entry[], p16_after_int[],
    p16_gp[], p16_ud[], h16_44[];
void rm_run(void);

__asm__(".text\n"
        ".code16\n"
        "rm_blob:\n"
        /* 16-bit protected mode, CS = 0x40: load 16-bit data segments. */
        "rm_entry16:\n"
        "    mov $0x48, %ax\n"
        "    mov %ax, %ds\n"
        "    mov %ax, %es\n"
        "    mov %ax, %ss\n"
        "    mov %ax, %fs\n"
        "    mov %ax, %gs\n"
        "    lidt 0x7f00\n"
        "    mov %cr0, %eax\n"
        "    and $~1, %eax\n"
        "    mov %eax, %cr0\n"
        "    ljmp $0x0800, $rm_real - rm_blob\n"
        "rm_real:\n"
        "    xor %ax, %ax\n"
        "    mov %ax, %ds\n"
        "    mov %ax, %es\n"
        "    mov %ax, %ss\n"
        "    mov $0x7b00, %sp\n"
        "    mov $7, %ax\n"
        "    xor %cl, %cl\n"
        "rm_de:\n"
        "    div %cl\n"
        "    mov %ax, 0x7006\n"
        "    int3\n"
        "rm_bp_after:\n"
        "    mov $0x7f, %al\n"
        "    add $1, %al\n"
        "    into\n"
        "rm_into_after:\n"
        "rm_ud:\n"
        "    ud2\n"
        "    int $0x40\n"
        "rm_int40_after:\n"
        "    mov %cr0, %eax\n"
        "    or $1, %eax\n"
        "    mov %eax, %cr0\n"
        "    ljmpl $0x08, $rm_back32\n"
        /* IVT handlers: [bp + 2] IP, [bp + 4] CS, [bp + 6] FLAGS. */
        "h_de:\n"
        "    mov $2, %cl\n"                 /* fix the divisor */
        "    push %bp\n mov %sp, %bp\n push %ax\n"
        "    mov 2(%bp), %ax\n mov %ax, 0x7002\n"
        "    mov 4(%bp), %ax\n mov %ax, 0x7004\n"
        "    incw 0x7000\n"
        "    pop %ax\n pop %bp\n iret\n"
        "h_bp:\n"
        "    push %bp\n mov %sp, %bp\n push %ax\n"
        "    mov 2(%bp), %ax\n mov %ax, 0x7008\n"
        "    pop %ax\n pop %bp\n iret\n"
        "h_of:\n"
        "    push %bp\n mov %sp, %bp\n push %ax\n"
        "    mov 2(%bp), %ax\n mov %ax, 0x700a\n"
        "    pop %ax\n pop %bp\n iret\n"
        "h_ud:\n"
        "    push %bp\n mov %sp, %bp\n push %ax\n"
        "    mov 2(%bp), %ax\n mov %ax, 0x700c\n"
        "    addw $2, 2(%bp)\n"
        "    pop %ax\n pop %bp\n iret\n"
        "h_40:\n"
        "    push %bp\n mov %sp, %bp\n push %ax\n"
        "    mov 2(%bp), %ax\n mov %ax, 0x700e\n"
        "    mov 6(%bp), %ax\n mov %ax, 0x7010\n"
        "    mov 4(%bp), %ax\n mov %ax, 0x7012\n"
        "    pop %ax\n pop %bp\n iret\n"
        /* 16-bit protected mode: CS = 0x40, data still 32-bit flat. */
        "p16_entry:\n"
        "    int $0x44\n"
        "p16_after_int:\n"
        "    mov $0x1000, %ax\n"
        "p16_gp:\n"
        "    mov %ax, %es\n"
        "p16_ud:\n"
        "    ud2\n"
        /* 16-bit interrupt gate handler: record IP and CS, 16-bit IRET. */
        /* (SS is the flat 32-bit stack: address it through EBP.) */
        "h16_44:\n"
        "    push %ebp\n mov %esp, %ebp\n push %eax\n"
        "    mov 4(%ebp), %ax\n addr32 mov %ax, 0x7020\n"
        "    mov 6(%ebp), %ax\n addr32 mov %ax, 0x7022\n"
        "    pop %eax\n pop %ebp\n iret\n"
        "rm_blob_end:\n"
        ".code32\n"
        ".globl rm_run\n"
        "rm_run:\n"
        "    pusha\n"
        "    mov %esp, rm_saved_esp\n"
        "    ljmp $0x40, $0x8000 + rm_entry16 - rm_blob\n"
        "rm_back32:\n"
        "    mov $0x10, %eax\n"
        "    mov %eax, %ds\n"
        "    mov %eax, %es\n"
        "    mov %eax, %ss\n"
        "    mov %eax, %fs\n"
        "    mov %eax, %gs\n"
        "    mov rm_saved_esp, %esp\n"
        "    popa\n"
        "    ret\n");

uint32_t rm_saved_esp;

#define OFF(l) ((uint16_t)((uintptr_t)(l) - (uintptr_t)rm_blob))

static void set_ivt(int v, char *handler)
{
    volatile uint16_t *ivt;

    /* Address 0 is the IVT here, not a null pointer. */
    __asm__("" : "=r"(ivt) : "0"((uintptr_t)0));

    ivt[v * 2] = OFF(handler);
    ivt[v * 2 + 1] = BLOB >> 4;
}

static volatile uint32_t gp16_err, gp16_cs, gp16_ip;

/* #GP from the 16-bit code: record, skip the 2-byte MOV to ES. */
static bool h_skip_gp16(struct xframe *f)
{
    if (f->cs != SEL_KCODE16) {
        return false;
    }
    gp16_err = f->error_code;
    gp16_cs = f->cs;
    gp16_ip = f->ip;
    f->ip += 2;
    return true;
}

static void p16_run(void *a)
{
    (void)a;
    __asm__ volatile("ljmp $0x40, $0x8000 + p16_entry - rm_blob" : : :
                     "memory");
}

int main(uint32_t magic, uint32_t info)
{
    struct { uint16_t l; uint32_t b; } __attribute__((packed)) idtr;
    int v;

    (void)magic;
    (void)info;
    sys_init();
    tap_plan(TESTS);
    memcpy((void *)BLOB, rm_blob, rm_blob_end - rm_blob);
    for (int i = 0; i < 0x20; i += 2) {
        RES(i) = 0;
    }
    /* The real-mode IDTR: the IVT at 0. */
    *(volatile uint16_t *)0x7f00 = 0x3ff;
    *(volatile uint32_t *)0x7f02 = 0;
    set_ivt(0, h_de);
    set_ivt(3, h_bp);
    set_ivt(4, h_of);
    set_ivt(6, h_ud);
    set_ivt(0x40, h_40);

    __asm__ volatile("sidt %0" : "=m"(idtr));
    rm_run();
    __asm__ volatile("lidt %0" : : "m"(idtr));

    tap_ok(RES(0) == 1 && RES(2) == OFF(rm_de) && RES(4) == BLOB >> 4,
           "real mode #DE: IVT handler ran once, pushed CS:IP %x:%x "
           "(want %x:%x)", RES(4), RES(2), BLOB >> 4, OFF(rm_de));
    tap_ok(RES(6) == 0x0103, "the handler fixed the divisor and the DIV was "
           "restarted: AX = 0x%x (7 / 2: quotient 3, remainder 1)", RES(6));
    tap_ok(RES(8) == OFF(rm_bp_after), "real mode #BP: pushed IP %x (after "
           "INT3, %x)", RES(8), OFF(rm_bp_after));
    tap_ok(RES(0xa) == OFF(rm_into_after), "real mode #OF: pushed IP %x "
           "(after INTO, %x)", RES(0xa), OFF(rm_into_after));
    tap_ok(RES(0xc) == OFF(rm_ud), "real mode #UD: pushed IP %x (the UD2, "
           "%x); the handler skipped it", RES(0xc), OFF(rm_ud));
    tap_ok(RES(0xe) == OFF(rm_int40_after) && RES(0x12) == BLOB >> 4,
           "real mode INT 0x40: pushed CS:IP %x:%x", RES(0x12), RES(0xe));
    tap_ok((RES(0x10) & 0x0002) && !(RES(0x10) & 0x0200),
           "INT 0x40 pushed FLAGS 0x%x (bit 1 set, IF clear)", RES(0x10));
    tap_ok(read_cr0() & 1, "back in protected mode (CR0 0x%lx)",
           (long)read_cr0());

    /* 16-bit protected mode. */
    idt_set_gate(0x44, (uintptr_t)(BLOB + OFF(h16_44)), SEL_KCODE16, 0x6, 0,
                 0);
    excp_handlers[13] = h_skip_gp16;
    v = excp_try(p16_run, 0);
    tap_ok(RES(0x20) == OFF(p16_after_int) + BLOB &&
           RES(0x22) == SEL_KCODE16, "16-bit interrupt gate: the 16-bit "
           "handler saw CS:IP %x:%x and returned with a 16-bit IRET",
           RES(0x22), RES(0x20));
    tap_ok(gp16_err == 0x1000 && gp16_cs == SEL_KCODE16 &&
           gp16_ip == BLOB + OFF(p16_gp), "#GP from 16-bit code: error 0x%x "
           "at %x:%x", gp16_err, gp16_cs, gp16_ip);
    tap_ok(v == 6 && last_excp.cs == SEL_KCODE16 &&
           last_excp.ip == BLOB + OFF(p16_ud), "#UD from 16-bit code at "
           "%lx:%lx", (long)last_excp.cs, (long)last_excp.ip);
    tap_ok(excp_try(p16_run, 0) == 6, "and again (the 16-bit code is "
           "re-entrant)");
    return 0;
}
#endif
