/*
 * mptable.h: the pc machine's MultiProcessor Specification 1.4 tables
 * (hw/i386/mptable.c has the layout and the reasons).
 */
#ifndef HW_I386_MPTABLE_H
#define HW_I386_MPTABLE_H

/* Where the pc board puts the tables: the start of the F segment. */
#define MPTABLE_ADDR 0xf0000u

typedef struct MpTableCpu {
    uint8_t apic_id;
    uint32_t signature;         /* CPUID leaf 1 EAX */
    uint32_t features;          /* CPUID leaf 1 EDX */
} MpTableCpu;

/*
 * The floating pointer structure followed by the configuration table, as
 * they are to be copied to guest physical address addr (16-byte aligned).
 * cpus[0] is the boot processor.  The caller frees the array.  Any thread.
 */
GByteArray *mptable_build(const MpTableCpu *cpus, int nr_cpus,
                          uint8_t ioapic_id, uint32_t addr);

#endif
