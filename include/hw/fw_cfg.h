/*
 * fw_cfg.h: the firmware configuration device (x86 port interface).
 *
 * The guest selects an item by writing its 16-bit key to the selector port
 * (0x510) and reads its bytes one at a time from the data port (0x511).
 * Keys below 0x20 are fixed; named files live in a directory at key 0x19
 * and take keys from 0x20 upwards.  The board adds items before realize is
 * complete; items are read-only to the guest.  BQL.
 *
 *     FwCfgState *fw = fw_cfg_init_io(bus, 0x510, &err);
 *     fw_cfg_add_i16(fw, FW_CFG_NB_CPUS, smp_cpus);
 *     fw_cfg_add_i64(fw, FW_CFG_RAM_SIZE, ram_size);
 *     fw_cfg_add_file(fw, "etc/e820", table, len);
 */
#ifndef HW_FW_CFG_H
#define HW_FW_CFG_H

#include "util/error.h"

typedef struct FwCfgState FwCfgState;
typedef struct IsaBus IsaBus;

/* Fixed keys (the established numbering guests already use). */
#define FW_CFG_SIGNATURE     0x00
#define FW_CFG_ID            0x01
#define FW_CFG_UUID          0x02
#define FW_CFG_RAM_SIZE      0x03
#define FW_CFG_NOGRAPHIC     0x04
#define FW_CFG_NB_CPUS       0x05
#define FW_CFG_MACHINE_ID    0x06
#define FW_CFG_KERNEL_ADDR   0x07
#define FW_CFG_KERNEL_SIZE   0x08
#define FW_CFG_KERNEL_CMDLINE 0x09
#define FW_CFG_INITRD_ADDR   0x0a
#define FW_CFG_INITRD_SIZE   0x0b
#define FW_CFG_BOOT_DEVICE   0x0c
#define FW_CFG_NUMA          0x0d
#define FW_CFG_BOOT_MENU     0x0e
#define FW_CFG_MAX_CPUS      0x0f
#define FW_CFG_KERNEL_ENTRY  0x10
#define FW_CFG_KERNEL_DATA   0x11
#define FW_CFG_INITRD_DATA   0x12
#define FW_CFG_CMDLINE_ADDR  0x13
#define FW_CFG_CMDLINE_SIZE  0x14
#define FW_CFG_CMDLINE_DATA  0x15
#define FW_CFG_SETUP_ADDR    0x16
#define FW_CFG_SETUP_SIZE    0x17
#define FW_CFG_SETUP_DATA    0x18
#define FW_CFG_FILE_DIR      0x19
#define FW_CFG_FILE_FIRST    0x20
#define FW_CFG_MAX_ENTRY     0x4000

/* Creates the device on bus at iobase (selector) / iobase+1 (data). */
FwCfgState *fw_cfg_init_io(IsaBus *bus, uint16_t iobase, Error **errp);
/* The machine's fw_cfg, or NULL. */
FwCfgState *fw_cfg_find(void);

/* Items: data is copied; integers are stored little-endian. */
void fw_cfg_add_bytes(FwCfgState *s, uint16_t key, const void *data,
                      size_t len);
void fw_cfg_add_string(FwCfgState *s, uint16_t key, const char *str);
void fw_cfg_add_i16(FwCfgState *s, uint16_t key, uint16_t value);
void fw_cfg_add_i32(FwCfgState *s, uint16_t key, uint32_t value);
void fw_cfg_add_i64(FwCfgState *s, uint16_t key, uint64_t value);
/* A named file; fails (errp) on a duplicate name or a full directory. */
bool fw_cfg_add_file(FwCfgState *s, const char *name, const void *data,
                     size_t len, Error **errp);

#endif
