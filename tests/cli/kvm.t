#!/bin/bash
# kvm.t: -accel kvm / -enable-kvm on this host, through the real binary.
# Where /dev/kvm is missing (the usual CI case): one error line naming it
# and exit status 1, for each way of asking; and a fallback list
# "-accel kvm -accel tcg" runs the guest with TCG after a notice.  Real
# KVM runs are tested inside a nested guest: tests/kvm/kvm-guests.t.
. "$(dirname "$0")/tap.sh"

GUEST="$BUILD/tests/tcg/x86_64/hello-64.elf"

"$TANDEM" -accel help >"$TMP/out" 2>&1
if grep -qx kvm "$TMP/out"; then
    ok "-accel help lists kvm"
else
    not_ok "-accel help lists kvm" "$(cat "$TMP/out")"
fi

if [ -e /dev/kvm ]; then
    echo "ok $((tap_n + 1)) # SKIP this host has /dev/kvm"
    tap_n=$((tap_n + 1))
    done_testing
fi

for how in "-accel kvm" "-enable-kvm" "-machine accel=kvm" "-M pc,accel=kvm"; do
    # shellcheck disable=SC2086
    timeout 30 "$TANDEM" $how -display none -nodefaults </dev/null \
        >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ "$rc" = 1 ] && [ "$(wc -l <"$TMP/err")" = 1 ] &&
       grep -q '^tandem: .*cannot open /dev/kvm: No such file or directory' \
           "$TMP/err" && [ ! -s "$TMP/out" ]; then
        ok "$how without /dev/kvm: one error line, exit 1 ($(cat "$TMP/err"))"
    else
        not_ok "$how without /dev/kvm: exit $rc (want 1)" "$(cat "$TMP/err")"
    fi
done

if [ ! -f "$GUEST" ]; then
    echo "ok $((tap_n + 1)) # SKIP x86 guests not built (make x86-guests)"
    tap_n=$((tap_n + 1))
    done_testing
fi
timeout 60 "$TANDEM" -accel kvm -accel tcg -M pc -display none -nodefaults \
    -serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
    -kernel "$GUEST" -append "tap guest" -initrd "$GUEST mod-arg" \
    </dev/null >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" = 1 ] && [ "$(wc -l <"$TMP/err")" = 1 ] &&
   grep -q 'cannot open /dev/kvm.*; falling back to -accel tcg' "$TMP/err" &&
   grep -q '^1\.\.8' "$TMP/out" && ! grep -q '^not ok' "$TMP/out"; then
    ok "-accel kvm -accel tcg: a notice, then the guest passes under TCG"
else
    not_ok "-accel kvm -accel tcg: exit $rc (want 1)" "$(cat "$TMP/err")" \
        "$(tail -5 "$TMP/out")"
fi

# A fallback list where nothing works: both reasons on one line.
timeout 30 "$TANDEM" -M pseries -accel kvm -accel tcg -display none \
    -nodefaults </dev/null >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" = 1 ] && [ "$(wc -l <"$TMP/err")" = 1 ] &&
   grep -q '/dev/kvm' "$TMP/err" && grep -q 'no translator for ppc64' "$TMP/err"; then
    ok "-M pseries -accel kvm -accel tcg: one line with both reasons"
else
    not_ok "-M pseries -accel kvm -accel tcg: exit $rc" "$(cat "$TMP/err")"
fi
done_testing
