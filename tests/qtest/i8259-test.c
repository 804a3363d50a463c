/*
 * i8259-test.c: the pc machine's 8259A pair (hw/intc/i8259.c) driven
 * through the real binary.  ISA lines are raised with "set_irq_in isa N L"
 * (not intercepted, so they reach the PIC), the master's INT output is read
 * with the board command "cpu_intr", and "pic_inta" runs the CPU's
 * interrupt-acknowledge cycle.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "libqtest.h"

#define MASTER_CMD  0x20
#define MASTER_DATA 0x21
#define SLAVE_CMD   0xa0
#define SLAVE_DATA  0xa1
#define ELCR0       0x4d0
#define ELCR1       0x4d1

#define OCW3_READ_IRR 0x0a
#define OCW3_READ_ISR 0x0b
#define OCW3_POLL     0x0c
#define OCW2_EOI      0x20

/* The INT output level, and how many rising edges it had. */
static int intr(QTestState *qts, unsigned *raises)
{
    char *reply = qtest_cmd(qts, "cpu_intr");
    unsigned r = 0;
    int level = -1;

    g_assert_cmpint(sscanf(reply, "OK %d %u", &level, &r), ==, 2);
    g_free(reply);
    if (raises) {
        *raises = r;
    }
    return level;
}

static int inta(QTestState *qts)
{
    char *reply = qtest_cmd(qts, "pic_inta");
    unsigned v = 0;

    g_assert_cmpint(sscanf(reply, "OK 0x%x", &v), ==, 1);
    g_free(reply);
    return v;
}

static uint8_t read_isr(QTestState *qts, uint16_t cmd_port)
{
    qtest_outb(qts, cmd_port, OCW3_READ_ISR);
    return qtest_inb(qts, cmd_port);
}

static uint8_t read_irr(QTestState *qts, uint16_t cmd_port)
{
    qtest_outb(qts, cmd_port, OCW3_READ_IRR);
    return qtest_inb(qts, cmd_port);
}

/* The usual PC initialisation: vectors 0x08 and 0x70, cascade on IR2. */
static void pic_init(QTestState *qts, uint8_t icw4)
{
    qtest_outb(qts, MASTER_CMD, 0x11);
    qtest_outb(qts, MASTER_DATA, 0x08);
    qtest_outb(qts, MASTER_DATA, 0x04);
    qtest_outb(qts, MASTER_DATA, icw4);
    qtest_outb(qts, SLAVE_CMD, 0x11);
    qtest_outb(qts, SLAVE_DATA, 0x70);
    qtest_outb(qts, SLAVE_DATA, 0x02);
    qtest_outb(qts, SLAVE_DATA, icw4);
    qtest_outb(qts, MASTER_DATA, 0x00);
    qtest_outb(qts, SLAVE_DATA, 0x00);
}

static QTestState *start(uint8_t icw4)
{
    QTestState *qts = qtest_start("-serial null");

    pic_init(qts, icw4);
    return qts;
}

static void test_init_mask_inta_eoi(void)
{
    QTestState *qts = start(0x01);
    unsigned raises;

    g_assert_cmpint(intr(qts, &raises), ==, 0);
    g_assert_cmpuint(raises, ==, 0);
    g_assert_cmphex(qtest_inb(qts, MASTER_DATA), ==, 0x00);

    qtest_set_irq_in(qts, "isa", 3, 1);
    g_assert_cmpint(intr(qts, &raises), ==, 1);
    g_assert_cmpuint(raises, ==, 1);
    g_assert_cmphex(read_irr(qts, MASTER_CMD), ==, 0x08);
    g_assert_cmphex(inta(qts), ==, 0x0b);
    g_assert_cmphex(read_isr(qts, MASTER_CMD), ==, 0x08);
    g_assert_cmphex(read_irr(qts, MASTER_CMD), ==, 0x00);   /* edge */
    g_assert_cmpint(intr(qts, NULL), ==, 0);
    qtest_set_irq_in(qts, "isa", 3, 0);
    qtest_outb(qts, MASTER_CMD, OCW2_EOI);
    g_assert_cmphex(read_isr(qts, MASTER_CMD), ==, 0x00);
    g_assert_cmpint(intr(qts, NULL), ==, 0);

    /* Masked: IRR latches the edge, INT stays low until unmasked. */
    qtest_outb(qts, MASTER_DATA, 0x10);
    g_assert_cmphex(qtest_inb(qts, MASTER_DATA), ==, 0x10);
    qtest_set_irq_in(qts, "isa", 4, 1);
    g_assert_cmphex(read_irr(qts, MASTER_CMD), ==, 0x10);
    g_assert_cmpint(intr(qts, NULL), ==, 0);
    qtest_outb(qts, MASTER_DATA, 0x00);
    g_assert_cmpint(intr(qts, &raises), ==, 1);
    g_assert_cmpuint(raises, ==, 2);
    g_assert_cmphex(inta(qts), ==, 0x0c);
    qtest_outb(qts, MASTER_CMD, OCW2_EOI);

    /* A held edge line does not request again. */
    g_assert_cmpint(intr(qts, NULL), ==, 0);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_priority(void)
{
    QTestState *qts = start(0x01);

    qtest_set_irq_in(qts, "isa", 5, 1);
    qtest_set_irq_in(qts, "isa", 3, 1);
    g_assert_cmphex(inta(qts), ==, 0x0b);       /* IR3 beats IR5 */
    g_assert_cmpint(intr(qts, NULL), ==, 0);    /* IR5 waits for IR3 */
    /* A higher priority request nests. */
    qtest_set_irq_in(qts, "isa", 1, 1);
    g_assert_cmpint(intr(qts, NULL), ==, 1);
    g_assert_cmphex(inta(qts), ==, 0x09);
    g_assert_cmphex(read_isr(qts, MASTER_CMD), ==, 0x0a);
    /* Non-specific EOI clears the highest in service: IR1. */
    qtest_outb(qts, MASTER_CMD, OCW2_EOI);
    g_assert_cmphex(read_isr(qts, MASTER_CMD), ==, 0x08);
    g_assert_cmpint(intr(qts, NULL), ==, 0);
    /* Specific EOI for IR3. */
    qtest_outb(qts, MASTER_CMD, 0x60 | 3);
    g_assert_cmpint(intr(qts, NULL), ==, 1);
    g_assert_cmphex(inta(qts), ==, 0x0d);
    qtest_outb(qts, MASTER_CMD, OCW2_EOI);
    g_assert_cmphex(read_isr(qts, MASTER_CMD), ==, 0x00);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_cascade(void)
{
    QTestState *qts = start(0x01);

    for (int irq = 9; irq <= 15; irq++) {
        if (irq == 13) {
            continue;
        }
        qtest_set_irq_in(qts, "isa", irq, 1);
        g_assert_cmpint(intr(qts, NULL), ==, 1);
        g_assert_cmphex(inta(qts), ==, 0x70 + (irq - 8));
        g_assert_cmphex(read_isr(qts, SLAVE_CMD), ==, 1 << (irq - 8));
        g_assert_cmphex(read_isr(qts, MASTER_CMD), ==, 0x04);
        g_assert_cmpint(intr(qts, NULL), ==, 0);
        qtest_set_irq_in(qts, "isa", irq, 0);
        qtest_outb(qts, SLAVE_CMD, OCW2_EOI);
        qtest_outb(qts, MASTER_CMD, OCW2_EOI);
        g_assert_cmphex(read_isr(qts, SLAVE_CMD), ==, 0);
        g_assert_cmphex(read_isr(qts, MASTER_CMD), ==, 0);
    }
    /* Masking IR2 on the master hides the whole slave. */
    qtest_outb(qts, MASTER_DATA, 0x04);
    qtest_set_irq_in(qts, "isa", 8, 1);
    g_assert_cmpint(intr(qts, NULL), ==, 0);
    g_assert_cmphex(read_irr(qts, SLAVE_CMD), ==, 0x01);
    qtest_outb(qts, MASTER_DATA, 0x00);
    g_assert_cmpint(intr(qts, NULL), ==, 1);
    g_assert_cmphex(inta(qts), ==, 0x70);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_level_elcr(void)
{
    QTestState *qts = start(0x01);

    /* IRQ 0, 1, 2, 8 and 13 cannot be level-triggered. */
    qtest_outb(qts, ELCR0, 0xff);
    qtest_outb(qts, ELCR1, 0xff);
    g_assert_cmphex(qtest_inb(qts, ELCR0), ==, 0xf8);
    g_assert_cmphex(qtest_inb(qts, ELCR1), ==, 0xde);
    qtest_outb(qts, ELCR0, 0x00);
    qtest_outb(qts, ELCR1, 0x04);               /* IRQ 10 level */

    qtest_set_irq_in(qts, "isa", 10, 1);
    g_assert_cmphex(inta(qts), ==, 0x72);
    /* Still high after EOI: requested again. */
    qtest_outb(qts, SLAVE_CMD, OCW2_EOI);
    qtest_outb(qts, MASTER_CMD, OCW2_EOI);
    g_assert_cmpint(intr(qts, NULL), ==, 1);
    g_assert_cmphex(inta(qts), ==, 0x72);
    qtest_set_irq_in(qts, "isa", 10, 0);
    qtest_outb(qts, SLAVE_CMD, OCW2_EOI);
    qtest_outb(qts, MASTER_CMD, OCW2_EOI);
    g_assert_cmpint(intr(qts, NULL), ==, 0);
    g_assert_cmphex(read_irr(qts, SLAVE_CMD), ==, 0x00);

    /* The same held line, edge-triggered, is delivered once. */
    qtest_set_irq_in(qts, "isa", 11, 1);
    g_assert_cmphex(inta(qts), ==, 0x73);
    qtest_outb(qts, SLAVE_CMD, OCW2_EOI);
    qtest_outb(qts, MASTER_CMD, OCW2_EOI);
    g_assert_cmpint(intr(qts, NULL), ==, 0);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_spurious(void)
{
    QTestState *qts = start(0x01);

    /* A level request that goes away before INTA: IRQ 7. */
    qtest_outb(qts, ELCR0, 0x08);
    qtest_set_irq_in(qts, "isa", 3, 1);
    g_assert_cmpint(intr(qts, NULL), ==, 1);
    qtest_set_irq_in(qts, "isa", 3, 0);
    g_assert_cmpint(intr(qts, NULL), ==, 0);
    g_assert_cmphex(inta(qts), ==, 0x0f);
    g_assert_cmphex(read_isr(qts, MASTER_CMD), ==, 0x00);

    /* The same on the slave: IRQ 15, and the master's IR2 is in service
     * (the OS must EOI the master only). */
    qtest_outb(qts, ELCR1, 0x04);
    qtest_set_irq_in(qts, "isa", 10, 1);
    qtest_set_irq_in(qts, "isa", 10, 0);
    g_assert_cmphex(inta(qts), ==, 0x77);
    g_assert_cmphex(read_isr(qts, SLAVE_CMD), ==, 0x00);
    g_assert_cmphex(read_isr(qts, MASTER_CMD), ==, 0x04);
    qtest_outb(qts, MASTER_CMD, OCW2_EOI);

    /* Nothing pending at all. */
    g_assert_cmphex(inta(qts), ==, 0x0f);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_auto_eoi(void)
{
    QTestState *qts = start(0x03);

    qtest_set_irq_in(qts, "isa", 5, 1);
    g_assert_cmphex(inta(qts), ==, 0x0d);
    g_assert_cmphex(read_isr(qts, MASTER_CMD), ==, 0x00);
    /* A lower priority request is not blocked: nothing is in service. */
    qtest_set_irq_in(qts, "isa", 6, 1);
    g_assert_cmpint(intr(qts, NULL), ==, 1);
    g_assert_cmphex(inta(qts), ==, 0x0e);
    g_assert_cmpint(intr(qts, NULL), ==, 0);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_poll(void)
{
    QTestState *qts = start(0x01);

    qtest_outb(qts, MASTER_CMD, OCW3_POLL);
    g_assert_cmphex(qtest_inb(qts, MASTER_CMD), ==, 0x00);  /* nothing */
    qtest_set_irq_in(qts, "isa", 6, 1);
    qtest_outb(qts, MASTER_CMD, OCW3_POLL);
    g_assert_cmphex(qtest_inb(qts, MASTER_CMD), ==, 0x86);
    /* The poll acknowledged: in service, and INT dropped. */
    g_assert_cmphex(read_isr(qts, MASTER_CMD), ==, 0x40);
    g_assert_cmpint(intr(qts, NULL), ==, 0);
    /* Without P, reads are IRR/ISR again (ISR was selected last). */
    g_assert_cmphex(qtest_inb(qts, MASTER_CMD), ==, 0x40);
    qtest_outb(qts, MASTER_CMD, OCW2_EOI);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_rotation(void)
{
    QTestState *qts = start(0x01);

    /* Set priority: IR4 lowest, so IR5 is highest. */
    qtest_outb(qts, MASTER_CMD, 0xc0 | 4);
    qtest_set_irq_in(qts, "isa", 3, 1);
    qtest_set_irq_in(qts, "isa", 6, 1);
    g_assert_cmphex(inta(qts), ==, 0x0e);
    /* Rotate on non-specific EOI: IR6 becomes lowest, IR7 highest. */
    qtest_outb(qts, MASTER_CMD, 0xa0);
    g_assert_cmphex(read_isr(qts, MASTER_CMD), ==, 0x00);
    g_assert_cmphex(inta(qts), ==, 0x0b);
    /* With IR3 in service, IR7 (now the highest) nests. */
    qtest_set_irq_in(qts, "isa", 7, 1);
    g_assert_cmpint(intr(qts, NULL), ==, 1);
    g_assert_cmphex(inta(qts), ==, 0x0f);
    /* Rotate on specific EOI of IR7: IR0 highest again. */
    qtest_outb(qts, MASTER_CMD, 0xe0 | 7);
    g_assert_cmphex(read_isr(qts, MASTER_CMD), ==, 0x08);
    qtest_set_irq_in(qts, "isa", 4, 1);       /* lower than IR3 now */
    g_assert_cmpint(intr(qts, NULL), ==, 0);
    qtest_outb(qts, MASTER_CMD, OCW2_EOI);      /* IR3 */
    g_assert_cmphex(inta(qts), ==, 0x0c);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_special_mask(void)
{
    QTestState *qts = start(0x01);

    qtest_set_irq_in(qts, "isa", 3, 1);
    g_assert_cmphex(inta(qts), ==, 0x0b);
    qtest_set_irq_in(qts, "isa", 5, 1);
    g_assert_cmpint(intr(qts, NULL), ==, 0);
    /* Special mask mode with IR3 masked lets lower levels through. */
    qtest_outb(qts, MASTER_DATA, 0x08);
    qtest_outb(qts, MASTER_CMD, 0x68);
    g_assert_cmpint(intr(qts, NULL), ==, 1);
    g_assert_cmphex(inta(qts), ==, 0x0d);
    qtest_outb(qts, MASTER_CMD, 0x48);          /* leave SMM */
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_save_restore(void)
{
    QTestState *qts = start(0x01);
    char *rec;

    qtest_outb(qts, MASTER_DATA, 0xa5);
    qtest_outb(qts, ELCR1, 0x04);
    qtest_set_irq_in(qts, "isa", 3, 1);
    g_assert_cmphex(inta(qts), ==, 0x0b);
    qtest_set_irq_in(qts, "isa", 4, 1);        /* pending behind IR3 */
    rec = qtest_vmstate_save(qts, "pc-pic");
    /* Change everything, then restore. */
    qtest_outb(qts, MASTER_CMD, OCW2_EOI);
    g_assert_cmphex(inta(qts), ==, 0x0c);
    pic_init(qts, 0x03);
    qtest_outb(qts, ELCR1, 0x00);
    qtest_vmstate_load(qts, "pc-pic", rec);
    g_assert_cmphex(qtest_inb(qts, MASTER_DATA), ==, 0xa5);
    g_assert_cmphex(qtest_inb(qts, ELCR1), ==, 0x04);
    g_assert_cmphex(read_isr(qts, MASTER_CMD), ==, 0x08);
    g_assert_cmphex(read_irr(qts, MASTER_CMD), ==, 0x10);
    g_assert_cmpint(intr(qts, NULL), ==, 0);
    qtest_outb(qts, MASTER_CMD, OCW2_EOI);
    g_assert_cmpint(intr(qts, NULL), ==, 1);
    g_assert_cmphex(inta(qts), ==, 0x0c);
    g_free(rec);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_robust(void)
{
    QTestState *qts = qtest_start("-serial null");

    /* Before any ICW the chips answer INTA with vector 7 of base 0. */
    g_assert_cmphex(inta(qts), ==, 0x07);
    /* Odd sequences: an ICW1 in the middle of init, EOIs with nothing in
     * service, single mode.  None of it may hurt; a proper init after
     * works. */
    qtest_outb(qts, MASTER_CMD, 0x11);
    qtest_outb(qts, MASTER_DATA, 0x20);
    qtest_outb(qts, MASTER_CMD, 0x13);
    qtest_outb(qts, MASTER_DATA, 0x30);
    qtest_outb(qts, MASTER_CMD, 0x20);
    qtest_outb(qts, MASTER_CMD, 0x60);
    qtest_outb(qts, SLAVE_CMD, 0x12);
    for (int i = 0; i < 256; i++) {
        qtest_outb(qts, MASTER_CMD, i);
        qtest_outb(qts, SLAVE_DATA, i);
    }
    pic_init(qts, 0x01);
    qtest_set_irq_in(qts, "isa", 14, 1);
    g_assert_cmphex(inta(qts), ==, 0x76);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/i8259/init-mask-inta-eoi", test_init_mask_inta_eoi);
    g_test_add_func("/i8259/priority", test_priority);
    g_test_add_func("/i8259/cascade", test_cascade);
    g_test_add_func("/i8259/level-elcr", test_level_elcr);
    g_test_add_func("/i8259/spurious", test_spurious);
    g_test_add_func("/i8259/auto-eoi", test_auto_eoi);
    g_test_add_func("/i8259/poll", test_poll);
    g_test_add_func("/i8259/rotation", test_rotation);
    g_test_add_func("/i8259/special-mask", test_special_mask);
    g_test_add_func("/i8259/robust", test_robust);
    g_test_add_func("/i8259/save-restore", test_save_restore);
    return g_test_run();
}
