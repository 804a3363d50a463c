#!/bin/bash
# x86-cpu.t: -cpu through the real binary: the model list, one-line errors
# for unknown models and features, a warning for features TCG lacks, the
# CPUID identity a guest sees (demo guest), and the CPUID gate: the
# sysinsn guest (tests/tcg/x86_64/sysinsn.c) expects #UD exactly where
# CPUID says a feature is missing, so it must pass with features switched
# off (-cpu max,-bmi1,-popcnt,...) and on other models and vendors.
. "$(dirname "$0")/tap.sh"

GUESTS="$BUILD/tests/tcg/x86_64"
run() {   # run CPU GUEST: status in $rc, serial output in $TMP/out
    timeout 60 "$TANDEM" -M pc -display none -nodefaults -serial stdio \
        -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
        -cpu "$1" -kernel "$2" </dev/null >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

"$TANDEM" -M pc -cpu help >"$TMP/help" 2>&1
if grep -q "qemu64" "$TMP/help" && grep -q "max" "$TMP/help" &&
   grep -q "Haswell" "$TMP/help" && grep -q "Skylake-Client" "$TMP/help"; then
    ok "-cpu help lists qemu64, max, Haswell, Skylake-Client"
else
    not_ok "-cpu help" "$(cat "$TMP/help")"
fi

for bad in "nosuch" "max,+nosuch" "max,bmi1=maybe" "max,vendor=Intel" \
           "Skylake-Client,-foo"; do
    "$TANDEM" -M pc -display none -nodefaults -cpu "$bad" </dev/null \
        >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ "$rc" = 1 ] && [ "$(wc -l <"$TMP/err")" = 1 ] &&
       grep -q -- "-cpu $bad" "$TMP/err"; then
        ok "-cpu $bad: one error line, exit 1 ($(cat "$TMP/err"))"
    else
        not_ok "-cpu $bad: exit $rc" "$(cat "$TMP/err")"
    fi
done

# -cpu host is the KVM host model: under TCG (here, and after a fallback
# from -accel kvm on this host without /dev/kvm) one line and exit 1.
for acc in "" "-accel kvm -accel tcg"; do
    # shellcheck disable=SC2086
    "$TANDEM" $acc -M pc -display none -nodefaults -cpu host </dev/null \
        >"$TMP/out" 2>"$TMP/err"
    rc=$?
    grep -v "falling back" "$TMP/err" >"$TMP/err2"
    if [ "$rc" = 1 ] && [ "$(wc -l <"$TMP/err2")" = 1 ] &&
       grep -q "CPU model 'host' requires KVM" "$TMP/err2"; then
        ok "-cpu host ${acc:+($acc) }under TCG: one error line, exit 1"
    else
        not_ok "-cpu host ${acc:+($acc) }under TCG: exit $rc" "$(cat "$TMP/err")"
    fi
done
if grep -q "^ *host .*KVM only" "$TMP/help"; then
    ok "-cpu help lists host (KVM only)"
else
    not_ok "-cpu help lists host" "$(cat "$TMP/help")"
fi

if [ ! -f "$GUESTS/sysinsn-64.elf" ] || [ ! -f "$GUESTS/demo-64.elf" ]; then
    echo "ok $((tap_n + 1)) # SKIP x86 guests not built (make x86-guests)"
    tap_n=$((tap_n + 1))
    done_testing
fi

run "Skylake-Client,+avx" "$GUESTS/demo-64.elf"
if [ "$rc" = 1 ] && grep -q "not support requested feature 'avx'" "$TMP/err" &&
   grep -q "Family/model/stepping: 6/94/3" "$TMP/out" &&
   grep -q "GenuineIntel" "$TMP/out" &&
   grep -q "Intel Core Processor (Skylake)" "$TMP/out"; then
    ok "Skylake-Client: family 6 model 94 stepping 3, its brand; +avx warned about and dropped"
else
    not_ok "Skylake-Client identity (exit $rc)" "$(cat "$TMP/err")" \
        "$(grep -a -i "cpu\|family" "$TMP/out")"
fi
run "qemu64" "$GUESTS/demo-32.elf"
if [ "$rc" = 1 ] && grep -q "AuthenticAMD" "$TMP/out" &&
   grep -q "Family/model/stepping: 15/107/1" "$TMP/out"; then
    ok "qemu64: AuthenticAMD family 15 model 107 stepping 1"
else
    not_ok "qemu64 identity (exit $rc)" "$(grep -a -i "cpu\|family" "$TMP/out")"
fi

for cpu in "max" "max,-bmi1,-popcnt,-bmi2,-adx,-abm" "max,-sep,-syscall,-rdtscp" \
           "max,vendor=AuthenticAMD" "qemu64" "Haswell" "Skylake-Client"; do
    for bits in 32 64; do
        run "$cpu" "$GUESTS/sysinsn-$bits.elf"
        if [ "$rc" = 1 ] && grep -q "^1\.\." "$TMP/out" &&
           ! grep -q "^not ok" "$TMP/out"; then
            ok "sysinsn-$bits passes with -cpu $cpu"
        else
            not_ok "sysinsn-$bits with -cpu $cpu: exit $rc" \
                "$(grep -a "^not ok" "$TMP/out")" "$(cat "$TMP/err")"
        fi
    done
done

done_testing
