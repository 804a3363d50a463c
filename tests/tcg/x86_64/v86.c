/*
 * v86.c: virtual-8086 mode (32-bit build only; the 64-bit build prints
 * skips: long mode has no v86).
 *
 * 16-bit code (below, .code16) is copied to 0x20000 and entered with IRET
 * and EFLAGS.VM = 1 (CS = SS = DS = ES = 0x2000).  Interrupts and faults
 * come back to the ring-0 handlers through the TSS stack; the handlers
 * check the v86 frame, skip what must be skipped and IRET back to v86.
 * The code ends with HLT, which is #GP(0) in v86 and ends the run.
 *   IOPL 3: real-mode arithmetic, INT n through a DPL-3 gate (VM = 1 in
 *           the pushed EFLAGS, CS = 0x2000, the v86 data segments pushed),
 *           OUT to a port the I/O bitmap allows, IN from one it denies
 *           (#GP(0) although IOPL = 3), CLI allowed;
 *   IOPL 0: INT n is #GP(0) to the monitor (no VME), CLI is #GP(0), IN
 *           from a port the bitmap allows works.
 * See docs/devel/x86-guest-tests.md.
 */
#include "sys.h"

#define TESTS 13

#ifdef __x86_64__
int main(uint32_t magic, uint32_t info)
{
    (void)magic;
    (void)info;
    tap_plan(TESTS);
    for (int i = 0; i < TESTS; i++) {
        tap_skip("no virtual-8086 mode in long mode", "v86");
    }
    return 0;
}
#else

#define V86_SEG 0x2000
#define V86_BASE (V86_SEG << 4)

extern char v86a[], v86a_int[], v86a_in[], v86a_hlt[], v86a_end[];
extern char v86b[], v86b_int[], v86b_cli[], v86b_pushf[], v86b_hlt[];
extern char v86b_end[], v86c[], v86c_end[];

__asm__(".text\n"
        ".code16\n"
        "v86a:\n"
        "    mov $0x1234, %bx\n"
        "    inc %bx\n"
        "    shl $4, %bx\n"             /* 0x2350 */
        "v86a_int:\n"
        "    int $0x30\n"
        "    mov $0x3ff, %dx\n"
        "    mov $0x5a, %al\n"
        "    out %al, %dx\n"
        "    mov $0x3fe, %dx\n"
        "v86a_in:\n"
        "    in %dx, %al\n"
        "    cli\n"
        "    pushf\n"
        "    popf\n"
        "v86a_hlt:\n"
        "    hlt\n"
        "v86a_end:\n"
        "v86b:\n"
        "v86b_int:\n"
        "    int $0x30\n"
        "v86b_cli:\n"
        "    cli\n"
        "v86b_pushf:\n"
        "    pushf\n"
        "    mov $0x3ff, %dx\n"
        "    in %dx, %al\n"
        "    mov %al, %cl\n"
        "v86b_hlt:\n"
        "    hlt\n"
        "v86b_end:\n"
        /* Spin (bounded) until the timer interrupt comes. */
        "v86c:\n"
        "    mov $400, %dx\n"
        "2:  mov $0xffff, %cx\n"
        "1:  loop 1b\n"
        "    dec %dx\n"
        "    jnz 2b\n"
        "    hlt\n"
        "v86c_end:\n"
        ".code32\n");

#define OFF(l, base) ((uintptr_t)(l) - (uintptr_t)(base))

static volatile uint32_t v86_entry, v86_flags;
static volatile ureg int_flags, int_cs, int_ip, int_ebx, int_ss, int_sp;
static volatile int gp_count;
static volatile ureg gp_ips[4];
static ureg end_ecx;

static void enter_v86(void *a)
{
    (void)a;
    __asm__ volatile("push $0\n"            /* GS */
                     "push $0\n"            /* FS */
                     "push %2\n"            /* DS */
                     "push %2\n"            /* ES */
                     "push %2\n"            /* SS */
                     "push $0xfff0\n"       /* ESP */
                     "push %1\n"            /* EFLAGS */
                     "push %2\n"            /* CS */
                     "push %0\n"            /* EIP */
                     "iret\n"
                     : : "r"(v86_entry), "r"(v86_flags), "i"(V86_SEG)
                     : "memory");
}

static bool h_int30(struct xframe *f)
{
    int_flags = f->flags;
    int_cs = f->cs;
    int_ip = f->ip;
    int_ebx = f->ebx;
    int_ss = f->ss;
    int_sp = f->sp;
    return true;
}

/* #GP in v86: skip the INT n (2 bytes), IN (1) or CLI (1); HLT ends. */
static bool h_gp(struct xframe *f)
{
    if (!(f->flags & (1u << 17)) || f->ip == OFF(v86a_hlt, v86a) ||
        f->ip == OFF(v86b_hlt, v86b)) {
        end_ecx = f->ecx;
        return false;
    }
    if (gp_count < 4) {
        gp_ips[gp_count] = f->ip;
    }
    gp_count++;
    f->ip += (f->ip == OFF(v86b_int, v86b)) ? 2 : 1;
    return true;
}

static volatile ureg irq_flags, irq_cs, irq_ds;
static volatile int irq_count;

/* IRQ 0 from v86: record the frame and the data segments the CPU left. */
static bool h_irq0(struct xframe *f)
{
    irq_flags = f->flags;
    irq_cs = f->cs;
    irq_ds = f->ds;
    irq_count++;
    outb(0x21, 0xff);
    outb(0x20, 0x20);
    return false;
}

static void pic_pit_start(void)
{
    outb(0x20, 0x11);
    outb(0x21, 0x20);
    outb(0x21, 0x04);
    outb(0x21, 0x01);
    outb(0xa0, 0x11);
    outb(0xa1, 0x28);
    outb(0xa1, 0x02);
    outb(0xa1, 0x01);
    outb(0xa1, 0xff);
    outb(0x43, 0x34);
    outb(0x40, 1193 & 0xff);
    outb(0x40, 1193 >> 8);
    outb(0x21, 0xfe);
}

static void nop_user(void)
{
}

static int run_v86(char *start, char *end, int iopl)
{
    memcpy((void *)V86_BASE, start, end - start);
    v86_entry = 0;
    v86_flags = 2 | (1u << 17) | ((uint32_t)iopl << 12);
    gp_count = 0;
    return excp_try(enter_v86, 0);
}

int main(uint32_t magic, uint32_t info)
{
    int v;

    (void)magic;
    (void)info;
    sys_init();
    tap_plan(TESTS);
    idt_reset_gate(0x30, 3);
    excp_handlers[0x30] = h_int30;
    excp_handlers[13] = h_gp;
    sys_tss.iomap[0x3ff / 8] &= ~(1 << (0x3ff % 8));

    /* IOPL 3. */
    outb(0x3ff, 0);
    int_flags = 0;
    v = run_v86(v86a, v86a_end, 3);
    tap_ok(v == 13 && last_excp.error_code == 0 &&
           last_excp.ip == OFF(v86a_hlt, v86a) && last_excp.cs == V86_SEG,
           "IOPL 3: the v86 code ran to its HLT, #GP(0) at %lx:%lx",
           (long)last_excp.cs, (long)last_excp.ip);
    tap_ok(int_flags & (1u << 17), "INT n from v86: the pushed EFLAGS has VM "
           "(0x%lx)", (long)int_flags);
    tap_ok(int_cs == V86_SEG && int_ip == OFF(v86a_int, v86a) + 2 &&
           int_ss == V86_SEG && int_sp == 0xfff0, "INT n from v86: pushed "
           "CS:IP %lx:%lx SS:SP %lx:%lx", (long)int_cs, (long)int_ip,
           (long)int_ss, (long)int_sp);
    tap_ok((int_ebx & 0xffff) == 0x2350, "16-bit code computed BX = 0x%lx",
           (long)(int_ebx & 0xffff));
    tap_ok(inb(0x3ff) == 0x5a, "OUT to a port the I/O bitmap allows wrote "
           "the scratch register");
    tap_ok(gp_count == 1 && gp_ips[0] == OFF(v86a_in, v86a),
           "IN from a port the bitmap denies: #GP(0) although IOPL = 3; "
           "CLI, PUSHF, POPF allowed (%d #GPs, first at %lx)", gp_count,
           (long)gp_ips[0]);
    tap_ok(!(read_flags() & (1u << 17)), "back in protected mode, VM clear");

    /* IOPL 0. */
    outb(0x3ff, 0xa5);
    v = run_v86(v86b, v86b_end, 0);
    tap_ok(v == 13 && last_excp.ip == OFF(v86b_hlt, v86b),
           "IOPL 0: the v86 code ran to its HLT (vector %d at %lx)", v,
           (long)last_excp.ip);
    tap_ok(gp_count == 3 && gp_ips[0] == OFF(v86b_int, v86b),
           "INT n with IOPL 0: #GP(0) to the monitor at %lx", (long)gp_ips[0]);
    tap_ok(gp_count == 3 && gp_ips[1] == OFF(v86b_cli, v86b) &&
           gp_ips[2] == OFF(v86b_pushf, v86b), "CLI and PUSHF with IOPL 0: "
           "#GP(0) at %lx and %lx", (long)gp_ips[1], (long)gp_ips[2]);
    tap_ok((end_ecx & 0xff) == 0xa5, "IN from an allowed port with IOPL 0 "
           "read 0x%lx", (long)(end_ecx & 0xff));
    sys_tss.iomap[0x3ff / 8] |= 1 << (0x3ff % 8);
    /* An external interrupt while in v86 (IOPL 0, IF = 1). */
    excp_handlers[0x20] = h_irq0;
    irq_count = 0;
    pic_pit_start();
    memcpy((void *)V86_BASE, v86c, v86c_end - v86c);
    v86_flags = 2 | (1u << 17) | 0x200;
    v = excp_try(enter_v86, 0);
    outb(0x21, 0xff);
    tap_ok(v == 0x20 && irq_count == 1 && (irq_flags & (1u << 17)) &&
           (irq_flags & 0x200) && irq_cs == V86_SEG && irq_ds == 0,
           "timer IRQ in v86: vector 0x%x, pushed EFLAGS 0x%lx CS 0x%lx, the "
           "handler entered with DS null (0x%lx)", v, (long)irq_flags,
           (long)irq_cs, (long)irq_ds);
    excp_handlers[13] = 0;
    tap_ok(run_user(nop_user, 0, 0) == VEC_USER_EXIT, "ring-3 entry still "
           "works after v86");
    return 0;
}
#endif
