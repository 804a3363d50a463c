/*
 * softfloat.h: IEEE 754 binary32/binary64 and x87 80-bit extended floating
 * point computed in software, bit-exact with the hardware we emulate.
 *
 * Target helpers (x87, SSE, later POWER/VSX) call these functions from the
 * vCPU thread that owns the FloatStatus they pass; nothing here has global
 * state or locks.  Every operation reads the rounding mode, precision and
 * mode bits from the FloatStatus and ORs exception flags into s->flags; the
 * caller decides whether a flag traps (x87 #MF, SSE #XM, POWER FPSCR) and
 * clears flags itself.  Results are the "masked" (untrapped) result, except
 * for the exponent-wrapped results of trapped overflow/underflow when the
 * caller asks for them (overflow_trap_bias, underflow_trap_bias).
 *
 * The few rules that differ between architectures are fields of FloatStatus
 * rather than #ifdefs: the NaN propagation rule, the sign of the default NaN,
 * tininess before/after rounding, flush-to-zero of outputs and inputs.
 * docs/devel/softfloat.md lists the x86 settings with their SDM sources.
 *
 * Example (SSE ADDSS with MXCSR already decoded into st):
 *     FloatStatus st = { .rounding_mode = FLOAT_ROUND_NEAREST_EVEN,
 *                        .nan_rule = FLOAT_NAN_X86_SSE,
 *                        .default_nan_negative = true,
 *                        .tininess_before_rounding = true };
 *     float32 r = float32_add(a, b, &st);     // st.flags gains IE/DE/.../PE
 */
#ifndef FPU_SOFTFLOAT_H
#define FPU_SOFTFLOAT_H

#include <stdbool.h>
#include <stdint.h>

typedef uint32_t float32;
typedef uint64_t float64;

/* x87 double-extended: explicit integer bit in mant bit 63. */
typedef struct floatx80 {
    uint64_t mant;
    uint16_t sign_exp;      /* sign in bit 15, biased exponent in 14..0 */
} floatx80;

typedef enum FloatRoundMode {
    FLOAT_ROUND_NEAREST_EVEN = 0,   /* same numbering as x86 RC/MXCSR.RC */
    FLOAT_ROUND_DOWN = 1,
    FLOAT_ROUND_UP = 2,
    FLOAT_ROUND_TO_ZERO = 3,
    FLOAT_ROUND_NEAREST_AWAY = 4,
} FloatRoundMode;

/* x87 precision control; only floatx80 arithmetic results obey it. */
typedef enum FloatX80Precision {
    FLOATX80_PREC_32 = 24,          /* significand bits kept */
    FLOATX80_PREC_64 = 53,
    FLOATX80_PREC_80 = 64,
} FloatX80Precision;

/* Exception flags, in the bit order of x86 FSW/MXCSR (IE DE ZE OE UE PE). */
enum {
    FLOAT_FLAG_INVALID = 0x01,
    FLOAT_FLAG_INPUT_DENORMAL = 0x02,
    FLOAT_FLAG_DIVBYZERO = 0x04,
    FLOAT_FLAG_OVERFLOW = 0x08,
    FLOAT_FLAG_UNDERFLOW = 0x10,
    FLOAT_FLAG_INEXACT = 0x20,
};

/* Which NaN an operation returns when operands are NaNs. */
typedef enum FloatNaNRule {
    /* SDM Vol 1 Table 4-7, SSE column: the first source operand's NaN. */
    FLOAT_NAN_X86_SSE,
    /* SDM Vol 1 Table 4-7, x87 column: a QNaN beats an SNaN; between two
     * of the same kind the larger significand wins. */
    FLOAT_NAN_X87,
    /* Generic IEEE choice: any SNaN first, else the first NaN operand. */
    FLOAT_NAN_IEEE,
} FloatNaNRule;

typedef enum FloatRelation {
    FLOAT_LESS = -1,
    FLOAT_EQUAL = 0,
    FLOAT_GREATER = 1,
    FLOAT_UNORDERED = 2,
} FloatRelation;

/* Owned by the vCPU thread that uses it. */
typedef struct FloatStatus {
    FloatRoundMode rounding_mode;
    FloatX80Precision floatx80_precision;   /* 0 means 64 bits */
    uint8_t flags;                  /* sticky FLOAT_FLAG_* */
    bool flush_to_zero;             /* FTZ: tiny results become +-0 */
    bool flush_inputs_to_zero;      /* DAZ: denormal inputs read as +-0 */
    bool default_nan_mode;          /* every NaN result is the default NaN */
    bool default_nan_negative;      /* x86: 0xFFC00000; POWER: 0x7FC00000 */
    bool tininess_before_rounding;
    /* Trapped overflow/underflow (IEEE 754-1985 7.3, 7.4; x87 with OE/UE
     * unmasked, SDM Vol 1 4.9.1.4-5): instead of the masked result, round
     * to the precision with an unbounded exponent and wrap the exponent
     * by 3 * 2^(exp_bits - 2) (2^24576 for floatx80): divided for an
     * overflow, multiplied for a tiny result, which then always raises
     * UNDERFLOW (exact or not).  FTZ does not apply to it. */
    bool overflow_trap_bias;
    bool underflow_trap_bias;
    FloatNaNRule nan_rule;
    /* Meaningful only right after an operation that raised INEXACT: its
     * rounding increased the magnitude (x87 FSW.C1). */
    bool rounded_up;
} FloatStatus;

/* All functions below: any thread, with exclusive use of *s. */

/* Classification (no flags). */
bool float32_is_nan(float32 a);
bool float32_is_signaling_nan(float32 a);
bool float32_is_inf(float32 a);
bool float32_is_zero(float32 a);
bool float32_is_denormal(float32 a);
bool float64_is_nan(float64 a);
bool float64_is_signaling_nan(float64 a);
bool float64_is_inf(float64 a);
bool float64_is_zero(float64 a);
bool float64_is_denormal(float64 a);
bool floatx80_is_nan(floatx80 a);
bool floatx80_is_signaling_nan(floatx80 a);
bool floatx80_is_inf(floatx80 a);
bool floatx80_is_zero(floatx80 a);
bool floatx80_is_denormal(floatx80 a);     /* includes pseudo-denormals */
/* Unnormal, pseudo-NaN, pseudo-infinity: invalid operands on 387+. */
bool floatx80_is_invalid_encoding(floatx80 a);

float32 float32_default_nan(const FloatStatus *s);
float64 float64_default_nan(const FloatStatus *s);
floatx80 floatx80_default_nan(const FloatStatus *s);

/* Arithmetic, correctly rounded per s. */
float32 float32_add(float32 a, float32 b, FloatStatus *s);
float32 float32_sub(float32 a, float32 b, FloatStatus *s);
float32 float32_mul(float32 a, float32 b, FloatStatus *s);
float32 float32_div(float32 a, float32 b, FloatStatus *s);
float32 float32_sqrt(float32 a, FloatStatus *s);
float32 float32_muladd(float32 a, float32 b, float32 c, FloatStatus *s);
float32 float32_rem(float32 a, float32 b, FloatStatus *s);
float64 float64_add(float64 a, float64 b, FloatStatus *s);
float64 float64_sub(float64 a, float64 b, FloatStatus *s);
float64 float64_mul(float64 a, float64 b, FloatStatus *s);
float64 float64_div(float64 a, float64 b, FloatStatus *s);
float64 float64_sqrt(float64 a, FloatStatus *s);
float64 float64_muladd(float64 a, float64 b, float64 c, FloatStatus *s);
float64 float64_rem(float64 a, float64 b, FloatStatus *s);
floatx80 floatx80_add(floatx80 a, floatx80 b, FloatStatus *s);
floatx80 floatx80_sub(floatx80 a, floatx80 b, FloatStatus *s);
floatx80 floatx80_mul(floatx80 a, floatx80 b, FloatStatus *s);
floatx80 floatx80_div(floatx80 a, floatx80 b, FloatStatus *s);
floatx80 floatx80_sqrt(floatx80 a, FloatStatus *s);
floatx80 floatx80_rem(floatx80 a, floatx80 b, FloatStatus *s);
/*
 * x87 FPREM (nearest == false, truncating quotient) and FPREM1 (nearest).
 * *quotient gets the low 64 bits of the integer quotient; *partial is set
 * when the exponent difference was >= 64 and only a partial reduction was
 * done (FSW.C2), in which case *quotient is 0.
 */
floatx80 floatx80_modrem(floatx80 a, floatx80 b, bool nearest,
                         uint64_t *quotient, bool *partial, FloatStatus *s);
/* a * 2^n (x87 FSCALE with an integral n), rounded per s. */
float32 float32_scalbn(float32 a, int n, FloatStatus *s);
float64 float64_scalbn(float64 a, int n, FloatStatus *s);
floatx80 floatx80_scalbn(floatx80 a, int n, FloatStatus *s);

/* Round to an integral value; INEXACT when it changed. */
float32 float32_round_to_int(float32 a, FloatStatus *s);
float64 float64_round_to_int(float64 a, FloatStatus *s);
floatx80 floatx80_round_to_int(floatx80 a, FloatStatus *s);
float32 float32_round_to_int_mode(float32 a, FloatRoundMode m, FloatStatus *s);
float64 float64_round_to_int_mode(float64 a, FloatRoundMode m, FloatStatus *s);
floatx80 floatx80_round_to_int_mode(floatx80 a, FloatRoundMode m,
                                    FloatStatus *s);

/* Compare: quiet raises INVALID only for SNaNs, signaling for any NaN. */
FloatRelation float32_compare(float32 a, float32 b, FloatStatus *s);
FloatRelation float32_compare_quiet(float32 a, float32 b, FloatStatus *s);
FloatRelation float64_compare(float64 a, float64 b, FloatStatus *s);
FloatRelation float64_compare_quiet(float64 a, float64 b, FloatStatus *s);
FloatRelation floatx80_compare(floatx80 a, floatx80 b, FloatStatus *s);
FloatRelation floatx80_compare_quiet(floatx80 a, floatx80 b, FloatStatus *s);

/*
 * x86 MINSS/MAXSS/MINSD/MAXSD: a < b ? a : b (resp. a > b), so b is returned
 * unchanged when either is a NaN (INVALID raised, even for QNaNs) or both
 * are zeros.  SDM Vol 2B MINSD, MAXSD.
 */
float32 float32_min_x86(float32 a, float32 b, FloatStatus *s);
float32 float32_max_x86(float32 a, float32 b, FloatStatus *s);
float64 float64_min_x86(float64 a, float64 b, FloatStatus *s);
float64 float64_max_x86(float64 a, float64 b, FloatStatus *s);

/* Conversions between formats (NaN payloads kept, SNaNs quieted). */
float64 float32_to_float64(float32 a, FloatStatus *s);
floatx80 float32_to_floatx80(float32 a, FloatStatus *s);
float32 float64_to_float32(float64 a, FloatStatus *s);
floatx80 float64_to_floatx80(float64 a, FloatStatus *s);
float32 floatx80_to_float32(floatx80 a, FloatStatus *s);
float64 floatx80_to_float64(floatx80 a, FloatStatus *s);

/*
 * To integers.  NaN, infinity or out of range: INVALID and the x86
 * "integer indefinite" (INT32_MIN / INT64_MIN).  _round_to_zero variants
 * are CVTT* / FISTTP.
 */
int32_t float32_to_int32(float32 a, FloatStatus *s);
int32_t float32_to_int32_round_to_zero(float32 a, FloatStatus *s);
int64_t float32_to_int64(float32 a, FloatStatus *s);
int64_t float32_to_int64_round_to_zero(float32 a, FloatStatus *s);
int32_t float64_to_int32(float64 a, FloatStatus *s);
int32_t float64_to_int32_round_to_zero(float64 a, FloatStatus *s);
int64_t float64_to_int64(float64 a, FloatStatus *s);
int64_t float64_to_int64_round_to_zero(float64 a, FloatStatus *s);
int32_t floatx80_to_int32(floatx80 a, FloatStatus *s);
int32_t floatx80_to_int32_round_to_zero(floatx80 a, FloatStatus *s);
int64_t floatx80_to_int64(floatx80 a, FloatStatus *s);
int64_t floatx80_to_int64_round_to_zero(floatx80 a, FloatStatus *s);
/* Range-checked to int16 for x87 FIST m16 (indefinite 0x8000). */
int16_t floatx80_to_int16(floatx80 a, FloatStatus *s);

float32 int32_to_float32(int32_t v, FloatStatus *s);
float64 int32_to_float64(int32_t v, FloatStatus *s);
floatx80 int32_to_floatx80(int32_t v, FloatStatus *s);
float32 int64_to_float32(int64_t v, FloatStatus *s);
float64 int64_to_float64(int64_t v, FloatStatus *s);
floatx80 int64_to_floatx80(int64_t v, FloatStatus *s);

/* x87 FLDPI etc.: the constant rounded per s->rounding_mode. */
typedef enum FloatX80Const {
    FLOATX80_CONST_PI, FLOATX80_CONST_L2E, FLOATX80_CONST_L2T,
    FLOATX80_CONST_LG2, FLOATX80_CONST_LN2,
} FloatX80Const;
floatx80 floatx80_const(FloatX80Const c, FloatStatus *s);

#endif
