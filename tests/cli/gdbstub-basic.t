#!/bin/bash
# gdbstub-basic.t: real gdb-multiarch, in batch mode, debugs a guest built
# with -g (tests/cli/gdbstub/guest.c) that tandem starts stopped (-S) with
# the stub on a unix socket: break on a symbol, continue, registers and
# memory (virtual and, after Qqemu.PhyMemMode, physical), a memory write,
# stepi, a watchpoint, a monitor command, detach, and the guest then runs
# to its normal end.  Twice: with the default CPU (long mode: the
# i386:x86-64 description, a 64-bit guest with paging on) and with
# -cpu qemu64,-lm (the i386 description, a 32-bit guest).
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/gdbstub-lib.sh"

gdb_need

# run_case LABEL [TANDEM ARGS]: the whole session on one CPU model.
run_case() {
    local label=$1
    shift
    if ! gdb_build_guest "$@"; then
        ok "$label # SKIP host gcc cannot build the guest: $(head -1 "$TMP/cc.err")"
        return
    fi
    if [ ! -s "$GUEST" ]; then
        ok "$label # SKIP host gcc cannot build the guest: $(head -1 "$TMP/cc.err")"
        return
    fi
    ok "$label: the stub describes the target as $GDB_ARCH"


    tandem_start "$@" -kernel "$GUEST"
    gdb_run "break bump" "continue" "print v" \
        'printf "PC-AT-BUMP %d\n", $pc == (unsigned long)&bump' \
        "print counter" "x/4xb &pattern" "x/2i \$pc" "stepi" \
        'printf "PC-AFTER-STEP 0x%lx\n", (unsigned long)$pc' \
        "continue" "print v" \
        "set var pattern[0] = 0x55" "x/1xb &pattern" \
        "maintenance packet Qqemu.PhyMemMode:1" "x/4xb &pattern" \
        "maintenance packet Qqemu.PhyMemMode:0" \
        "delete" "watch watched" "continue" \
        'printf "WATCHED 0x%x\n", watched' \
        "monitor info registers" "monitor help" "info threads" "detach"
    tandem_wait
    out="$TMP/gdb.out"

    if grep -qE "^Breakpoint 1, bump \(v=(v@entry=)?0\)" "$out" && grep -q "^PC-AT-BUMP 1" "$out"; then
        ok "$label: break bump + continue stops at bump with v=0"
    else
        not_ok "$label: break bump + continue"; diag_file "$out"
    fi
    if grep -q '^\$1 = 0' "$out" && grep -q '^\$2 = 0' "$out"; then
        ok "$label: the argument register and counter read as 0"
    else
        not_ok "$label: registers/memory at the first stop"; diag_file "$out"
    fi
    if grep -qE "^0x[0-9a-f]+ <pattern>:\s+0x11\s+0x22\s+0x33\s+0x44" "$out"; then
        ok "$label: x/4xb reads the guest's bytes through its page tables"
    else
        not_ok "$label: memory read"; diag_file "$out"
    fi
    next=$(grep -E "^ +0x[0-9a-f]+ <bump\+[0-9]+>:" "$out" | head -1 |
           awk '{print $1}')
    step=$(sed -n 's/^PC-AFTER-STEP //p' "$out")
    if [ -n "$next" ] && [ "$((next))" = "$((step))" ]; then
        ok "$label: stepi executes exactly one insn: pc $step is the next insn"
    else
        not_ok "$label: stepi pc ($step, next insn $next)"; diag_file "$out"
    fi
    if grep -qE "^Breakpoint 1, bump \(v=(v@entry=)?1\)" "$out"; then
        ok "$label: continue from the breakpoint stops at the next call (v=1)"
    else
        not_ok "$label: second breakpoint hit"; diag_file "$out"
    fi
    if grep -qE "<pattern>:\s+0x55$" "$out" &&
       grep -qE "<pattern>:\s+0x55\s+0x22\s+0x33\s+0x44" "$out"; then
        ok "$label: a memory write is seen virtually and in physical mode"
    else
        not_ok "$label: memory write / physical mode"; diag_file "$out"
    fi
    if grep -q "Hardware watchpoint 2: watched" "$out" &&
       grep -q "New value = 4660" "$out" &&
       grep -qE "^set_watched \(v=(v@entry=)?4660\)" "$out" && grep -q "^WATCHED 0x1234" "$out"; then
        ok "$label: the watchpoint fires in set_watched after the store"
    else
        not_ok "$label: watchpoint"; diag_file "$out"
    fi
    if grep -qE "^(EIP|RIP|EAX)=" "$out" || grep -q "EIP=" "$out"; then
        ok "$label: monitor info registers answers through qRcmd"
    else
        not_ok "$label: monitor info registers"; diag_file "$out"
    fi
    if grep -q "^system_reset -- " "$out"; then
        ok "$label: monitor help lists the commands"
    else
        not_ok "$label: monitor help"; diag_file "$out"
    fi
    if grep -q "Inferior 1 (Remote target) detached" "$out" && [ "$trc" = 1 ] &&
       grep -q "^ok 2 - watched is 0x1234" "$TMP/tandem.out"; then
        ok "$label: after detach the guest runs to its end (exit status 1 = passed)"
    else
        not_ok "$label: detach and run to completion (status $trc)"
        tail -5 "$out" | sed "s/^/#   /"
        diag_file "$TMP/tandem.out"; diag_file "$TMP/tandem.err"
    fi

}

# x86-64 description (CPU with long mode), then i386 (without).
run_case x86-64
run_case i386 -cpu qemu64,-lm

done_testing
