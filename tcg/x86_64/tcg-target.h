/*
 * tcg-target.h: x86-64 host register file and conventions for the TCG
 * backend (tcg-target.c) and the register allocator.
 *
 *   TCG_AREG0 (r14)   holds env for the whole life of generated code.
 *   TCG_TMP   (r11)   the backend's private scratch; never allocated.
 *   rsp               the frame set up by the prologue: TCG_FRAME_SLOTS
 *                     8-byte spill slots at [rsp + 0 ...), 16-byte aligned.
 * Helper calls follow the System V AMD64 ABI: arguments in rdi, rsi, rdx,
 * rcx, r8, r9, result in rax, caller-saved rax rcx rdx rsi rdi r8-r11.
 */
#ifndef TCG_X86_64_TCG_TARGET_H
#define TCG_X86_64_TCG_TARGET_H

enum {
    TCG_REG_RAX, TCG_REG_RCX, TCG_REG_RDX, TCG_REG_RBX,
    TCG_REG_RSP, TCG_REG_RBP, TCG_REG_RSI, TCG_REG_RDI,
    TCG_REG_R8, TCG_REG_R9, TCG_REG_R10, TCG_REG_R11,
    TCG_REG_R12, TCG_REG_R13, TCG_REG_R14, TCG_REG_R15,
    TCG_TARGET_NB_REGS,
};

#define TCG_AREG0 TCG_REG_R14
#define TCG_TMP   TCG_REG_R11
#define TCG_REG_CALL_STACK TCG_REG_RSP

#define TCG_TARGET_ALL_REGS 0xffffu
#define TCG_TARGET_RESERVED \
    ((1u << TCG_REG_RSP) | (1u << TCG_AREG0) | (1u << TCG_TMP))
#define TCG_TARGET_CALLER_SAVED \
    ((1u << TCG_REG_RAX) | (1u << TCG_REG_RCX) | (1u << TCG_REG_RDX) | \
     (1u << TCG_REG_RSI) | (1u << TCG_REG_RDI) | (1u << TCG_REG_R8) | \
     (1u << TCG_REG_R9) | (1u << TCG_REG_R10) | (1u << TCG_REG_R11))

/* Allocation order: callee-saved first (they survive helper calls). */
static const int tcg_target_reg_alloc_order[] = {
    TCG_REG_RBX, TCG_REG_RBP, TCG_REG_R12, TCG_REG_R13, TCG_REG_R15,
    TCG_REG_R10, TCG_REG_R9, TCG_REG_R8, TCG_REG_RSI, TCG_REG_RDI,
    TCG_REG_RCX, TCG_REG_RDX, TCG_REG_RAX,
};

static const int tcg_target_call_iarg_regs[6] = {
    TCG_REG_RDI, TCG_REG_RSI, TCG_REG_RDX, TCG_REG_RCX, TCG_REG_R8, TCG_REG_R9,
};
#define TCG_TARGET_CALL_OARG_REG TCG_REG_RAX

static const char *const tcg_target_reg_names[TCG_TARGET_NB_REGS] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

#endif
