#!/bin/bash
# x86-smoke.t: end to end, the real binary runs x86 code under TCG: a tiny
# multiboot guest (tests/cli/x86-smoke/smoke.S, built here with the host
# gcc -m32) is loaded with -kernel on -M pc, writes "OK" to COM1 and exits
# through isa-debug-exit; a second guest (irq.S) takes five timer
# interrupts through the 8259 and an IDT gate, waiting with HLT and, built
# again with -DBUSY_WAIT, spinning.  Also: -M pc with no guest halts at
# the reset vector and uses no host CPU.
. "$(dirname "$0")/tap.sh"

ELF="$TMP/smoke.elf"
if ! gcc -m32 -ffreestanding -nostdlib -static -Wl,--build-id=none \
        -Wl,-Ttext=0x100000 -Wl,-e,_start -o "$ELF" \
        "$SRC/tests/cli/x86-smoke/smoke.S" 2>"$TMP/cc.err"; then
    echo "1..0 # SKIP host gcc cannot build 32-bit code: $(head -1 "$TMP/cc.err")"
    exit 0
fi
echo "1..11"

timeout 20 "$TANDEM" -M pc -display none -nodefaults -serial stdio \
    -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$ELF" \
    </dev/null >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" = 33 ]; then
    ok "smoke guest exits through isa-debug-exit with status 0x21"
else
    not_ok "smoke guest exit status $rc (want 33)"
    diag_file "$TMP/err"
fi
if [ "$(tr -d '\r' <"$TMP/out")" = "OK" ]; then
    ok "smoke guest wrote OK to COM1"
else
    not_ok "smoke guest output"
    diag_file "$TMP/out"
fi
if [ ! -s "$TMP/err" ]; then
    ok "nothing on stderr"
else
    not_ok "stderr not empty"
    diag_file "$TMP/err"
fi

# External interrupts: PIT -> 8259 -> INTR -> IDT gate -> handler -> IRET,
# five ticks in a row: once waiting with HLT (each tick must wake the
# halted vCPU), once spinning (the edge path alone).
for variant in hlt busy; do
    IRQ="$TMP/irq-$variant.elf"
    defs=""
    [ "$variant" = busy ] && defs="-DBUSY_WAIT"
    gcc -m32 -ffreestanding -nostdlib -static -Wl,--build-id=none \
        -Wl,-Ttext=0x100000 -Wl,-e,_start $defs -o "$IRQ" \
        "$SRC/tests/cli/x86-smoke/irq.S"
    timeout 20 "$TANDEM" -M pc -display none -nodefaults -serial stdio \
        -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$IRQ" \
        </dev/null >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ "$rc" = 33 ]; then
        ok "timer guest ($variant) took 5 ticks, exits with status 0x21"
    else
        not_ok "timer guest ($variant) exit status $rc (want 33)"
        diag_file "$TMP/err"
    fi
    if [ "$(tr -d '\r' <"$TMP/out")" = "IRQ OK" ]; then
        ok "timer guest ($variant): IRQ OK on COM1"
    else
        not_ok "timer guest ($variant) output"
        diag_file "$TMP/out"
    fi
done

# An instruction decoded but not implemented yet is #UD for the guest, with
# a -d unimp line naming it; the emulator keeps running.
UD="$TMP/ud.elf"
gcc -m32 -ffreestanding -nostdlib -static -Wl,--build-id=none \
    -Wl,-Ttext=0x100000 -Wl,-e,_start -o "$UD" "$SRC/tests/cli/x86-smoke/ud.S"
timeout 20 "$TANDEM" -M pc -display none -nodefaults -serial stdio \
    -device isa-debug-exit,iobase=0xf4,iosize=4 -d unimp -D "$TMP/ud.log" \
    -kernel "$UD" </dev/null >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" = 33 ] && [ "$(tr -d '\r' <"$TMP/out")" = "UD OK" ]; then
    ok "an unimplemented insn (rsm) raises #UD at its own EIP; the guest handles it"
else
    not_ok "unimplemented insn guest: exit status $rc (want 33)"
    diag_file "$TMP/out"
    diag_file "$TMP/err"
fi
if grep -qi "rsm is not implemented yet; raising #UD" "$TMP/ud.log"; then
    ok "-d unimp names the unimplemented instruction"
else
    not_ok "-d unimp line missing"
    diag_file "$TMP/ud.log"
fi

# LOCKed RMWs that cannot be one host atomic (page-straddling, unmapped)
# keep their architectural effect and never stop the emulator.
AT="$TMP/atomic.elf"
gcc -m32 -ffreestanding -nostdlib -static -Wl,--build-id=none \
    -Wl,-Ttext=0x100000 -Wl,-e,_start -o "$AT" "$SRC/tests/cli/x86-smoke/atomic.S"
timeout 20 "$TANDEM" -M pc -display none -nodefaults -serial stdio \
    -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$AT" \
    </dev/null >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" = 33 ] && [ "$(tr -d '\r' <"$TMP/out")" = "ATOMIC OK" ]; then
    ok "LOCK INC/XADD/CMPXCHG across a page and on unmapped memory"
else
    not_ok "page-straddling atomics guest: exit status $rc (want 33)"
    diag_file "$TMP/out"
    diag_file "$TMP/err"
fi

# No guest: the reset ROM's HLT; the vCPU thread sleeps.
"$TANDEM" -M pc -display none -nodefaults </dev/null >/dev/null 2>&1 &
pid=$!
sleep 1.5
tid=$(grep -l "CPU 0/TCG" /proc/$pid/task/*/comm 2>/dev/null | head -1)
t1=$(awk '{ print $14 + $15 }' "${tid%/comm}/stat" 2>/dev/null)
sleep 1
t2=$(awk '{ print $14 + $15 }' "${tid%/comm}/stat" 2>/dev/null)
kill -TERM $pid; wait $pid
if [ -n "$tid" ] && [ -n "$t1" ] && [ $((t2 - t1)) -le 5 ]; then
    ok "with no guest the vCPU halts at the reset vector (cpu ticks: $((t2 - t1)))"
else
    not_ok "vCPU thread busy with no guest (tid '$tid', ticks $t1 -> $t2)"
fi
