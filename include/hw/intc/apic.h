/*
 * apic.h: the x86 local APIC ("apic"), one per x86 CPU of the pc machine.
 *
 * The board creates one LAPIC per CPU slot (apic_create), also when no CPU
 * runs (-accel qtest), and links it to its vCPU once that exists
 * (apic_connect_cpu).  The LAPIC is the vCPU's interrupt controller:
 *
 *   IOAPIC / IPIs --ApicMessage--> apic_bus_to_lapics() --> IRR of each
 *                                        destination LAPIC
 *   PIC INT --apic_set_lint0()--> LINT0 (ExtINT: the CPU's INTR as before)
 *   LAPIC --CPU_INTERRUPT_HARD/NMI/INIT/SIPI--> vCPU (cpu_interrupt)
 *   vCPU INTA --apic_int_ack()--> vector (or -1), IRR -> ISR
 *   EOI (MMIO/MSR) --> ioapic_eoi_broadcast() for level-triggered vectors
 *
 * The xAPIC registers are one 4 KiB MMIO page at 0xfee00000 shared by all
 * CPUs: an access acts on the LAPIC of the vCPU that makes it
 * (current_cpu()); accesses with no vCPU (the device-test protocol) go to
 * the LAPIC chosen with the qtest command "apic_select".  In x2APIC mode
 * the same registers are MSRs 0x800-0x8ff (apic_msr_read/write).
 *
 * Locking: all LAPIC state is under the BQL.  MMIO arrives under the BQL
 * (the region keeps needs_bql); the vCPU's MSR, CR8 and interrupt-ack
 * paths take the BQL before calling in; the timer runs in the main loop.
 * Every function here is "Called with the BQL held."
 */
#ifndef HW_INTC_APIC_H
#define HW_INTC_APIC_H

#include "util/error.h"
#include "hw/i386/apic-bus.h"

typedef struct APICState APICState;
typedef struct CPUState CPUState;
typedef struct PICState PICState;

#define APIC_DEFAULT_BASE 0xfee00000ULL

/* IA32_APIC_BASE bits (SDM Vol 3A 10.4.4). */
#define APIC_BASE_BSP    (1ULL << 8)
#define APIC_BASE_EXTD   (1ULL << 10)     /* x2APIC mode */
#define APIC_BASE_ENABLE (1ULL << 11)     /* global enable */

/* Creates and realizes the LAPIC of CPU slot index (APIC ID = index). */
APICState *apic_create(int index, Error **errp);
/* The LAPIC of CPU slot index, or NULL. */
APICState *apic_find(int index);
/* Links the LAPIC to its vCPU (an X86CPU); interrupts go there from now. */
void apic_connect_cpu(APICState *s, CPUState *cpu);

/* The APIC bus sink: delivers one message to every destination LAPIC. */
void apic_bus_to_lapics(void *opaque, const ApicMessage *msg);

/* The 8259 whose vector an ExtINT acknowledge returns. */
void apic_set_pic(PICState *pic);
/* The PIC's INT output reaches LINT0 of every LAPIC. */
void apic_set_lint0(int level);
/* Sets a level on LINT1 of every LAPIC (the board's NMI line). */
void apic_set_lint1_all(int level);
/*
 * Whether the PIC's INT reaches this CPU's INTR: the LAPIC is globally
 * disabled (LINT0 is then the plain INTR pin), or LINT0 is unmasked in
 * ExtINT mode.
 */
bool apic_accepts_pic(APICState *s);
/*
 * The interrupt acknowledge cycle: the highest pending vector moves from
 * IRR to ISR and is returned; else, for ExtINT (LINT0 in ExtINT mode with
 * the PIC's INT high, or an ExtINT message), the 8259's INTA vector; the
 * spurious vector if the request was masked by the TPR meanwhile; -1 if
 * nothing is pending.
 */
int apic_int_ack(APICState *s);
/* Re-evaluates the output to the CPU (after the PIC was acknowledged). */
void apic_update_irq(APICState *s);

/* IA32_APIC_BASE: false for an invalid value or transition (#GP). */
uint64_t apic_get_base(APICState *s);
bool apic_set_base(APICState *s, uint64_t val);
/* x2APIC MSRs 0x800-0x8ff: false means #GP. */
bool apic_msr_read(APICState *s, uint32_t msr, uint64_t *val);
bool apic_msr_write(APICState *s, uint32_t msr, uint64_t val);
/* IA32_TSC_DEADLINE; tsc_now is the calling vCPU's TSC. */
uint64_t apic_get_tsc_deadline(APICState *s);
void apic_set_tsc_deadline(APICState *s, uint64_t val, uint64_t tsc_now);
/* CR8 is TPR[7:4]. */
uint8_t apic_get_cr8(APICState *s);
void apic_set_cr8(APICState *s, uint8_t cr8);

/*
 * The register page of a LAPIC that runs elsewhere (KVM's in-kernel one,
 * struct kvm_lapic_state: the xAPIC MMIO layout, register i at byte
 * 16 * i, IDs in xAPIC format).  apic_store_regs writes this model's
 * registers into page (those the register decoder reads; other bytes are
 * left alone).  apic_load_regs makes the model a copy of page and
 * apicbase, without side effects: no interrupt is signalled and the
 * model's timer is not armed (the current count is kept by its start
 * time).  So "info lapic", the gdbstub and vmstate show the kernel's
 * registers.  BQL.
 */
void apic_store_regs(APICState *s, uint8_t *page, size_t len);
void apic_load_regs(APICState *s, const uint8_t *page, size_t len,
                    uint64_t apicbase);

/* An NMI through LINT1 (per its LVT) or, LAPIC disabled, straight to the
 * CPU: what the board's NMI button does for each CPU. */
void apic_deliver_nmi(APICState *s);

#endif
