#!/bin/bash
# gdbstub-smp.t: on a 2-vCPU machine gdb sees one thread per vCPU, reads
# each one's registers after switching to it (the boot CPU in the guest,
# the application processor still at its reset vector, F000:FFF0, until
# the guest starts it), stops the whole machine at a breakpoint that names
# the boot CPU's thread, and after detach the guest runs to its end.
# Once with a host thread per vCPU, once with -accel tcg,thread=single
# (both vCPUs on one host thread: gdb's threads are still the vCPUs).
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/gdbstub-lib.sh"

gdb_need
if ! gdb_build_guest || [ ! -s "$GUEST" ]; then
    echo "1..0 # SKIP host gcc cannot build the guest: $(head -1 "$TMP/cc.err")"
    exit 0
fi
pc=eip
[ "$GDB_ARCH" = i386:x86-64 ] && pc=rip

for accel in "" "-accel tcg,thread=single"; do
    mode=${accel:+ ($accel)}
    tandem_start -smp 2 $accel -kernel "$GUEST"
    gdb_run "info threads" "thread 2" "info registers $pc cs" \
        "monitor info cpus" "thread 1" "break set_watched" "continue" \
        "info threads" 'printf "CURRENT %d\n", $_thread' "detach"
    tandem_wait
    out="$TMP/gdb.out"

    if grep -qE "^\* 1 +Thread 1 \(CPU#0 \[paused\]\)" "$out" &&
       grep -qE "^  2 +Thread 2 \(CPU#1 \[(paused|halted)\]\)" "$out"; then
        ok "two vCPUs are two threads, with their state as extra info$mode"
    else
        not_ok "thread list$mode"; diag_file "$out"
    fi
    if grep -q "Switching to thread 2" "$out" &&
       grep -qE "^$pc +0xfff0 " "$out" && grep -qE "^cs +0xf000 " "$out"; then
        ok "thread 2's registers are the AP's (F000:FFF0)$mode"
    else
        not_ok "registers of thread 2$mode"; diag_file "$out"
    fi
    if grep -qE "^\* CPU #1: " "$out"; then
        ok "monitor info cpus follows the selected thread$mode"
    else
        not_ok "monitor info cpus$mode"; diag_file "$out"
    fi
    if grep -qE "^Thread 1 \"?.*hit Breakpoint 1, set_watched|^Breakpoint 1, set_watched" "$out" &&
       grep -q "^CURRENT 1" "$out"; then
        ok "the breakpoint stops the machine and names thread 1$mode"
    else
        not_ok "breakpoint on SMP$mode"; diag_file "$out"
    fi
    if [ "$trc" = 1 ]; then
        ok "after detach the guest runs to its end$mode"
    else
        not_ok "exit status $trc (want 1)$mode"; diag_file "$TMP/tandem.err"
    fi
done

done_testing
