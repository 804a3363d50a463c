#!/bin/bash
# run.t: machines start, run their main loop, and exit cleanly: status 0
# on SIGTERM/SIGINT, nothing alarming on stderr, and the -serial file
# backend is created.  No CPUs exist yet, so these runs exercise the
# start-up sequence, the devices and the main loop only.
. "$(dirname "$0")/tap.sh"

# start_tandem ARGS...: starts tandem in the background ($pid) and waits
# until it blocks the termination signals, i.e. until the main loop owns
# them; gives up after 10 s.
start_tandem() {
    "$TANDEM" "$@" </dev/null >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    for _ in $(seq 100); do
        local blk
        blk=$(awk '/^SigBlk:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
        # SIGTERM is signal 15: bit 14 of the mask.
        if [ -n "$blk" ] && (( (16#$blk >> 14) & 1 )); then
            sleep 0.2         # let it reach the main loop proper
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# stop_tandem SIGNAL: sends it and waits (at most 10 s) for the exit
# status in $rc.
stop_tandem() {
    kill -"$1" "$pid" 2>/dev/null
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid"
        wait "$pid"
        rc=timeout
        return
    fi
    wait "$pid"
    rc=$?
}

# check_run NAME SIGNAL ARGS...
check_run() {
    local name=$1 sig=$2
    shift 2
    if ! start_tandem "$@"; then
        wait "$pid" 2>/dev/null
        not_ok "$name" "tandem $* did not start (exit status $?)"
        echo "# stderr:"; diag_file "$TMP/err"
        return 1
    fi
    stop_tandem "$sig"
    # Only the "terminating on signal" notice may appear on stderr.
    if [ "$rc" = 0 ] && ! crashed &&
       ! grep -v -q 'terminating on signal' "$TMP/err"; then
        ok "$name"
    else
        not_ok "$name" "tandem $*" "exit status $rc after SIG$sig (want 0)"
        echo "# stderr:"; diag_file "$TMP/err"
    fi
}

check_run "-M pc -nographic -serial none -nodefaults: SIGTERM exits 0" TERM \
    -M pc -nographic -serial none -nodefaults
check_run "-M pc with -serial null: SIGINT exits 0" INT \
    -M pc -display none -serial null
check_run "-M pc -S (paused): SIGTERM exits 0" TERM \
    -M pc -S -nodefaults -display none
check_run "-M pseries -nodefaults: SIGTERM exits 0" TERM \
    -M pseries -nodefaults -display none
check_run "-M none: SIGHUP exits 0" HUP -M none
check_run "-M none -m 16M: SIGTERM exits 0" TERM -M none -m 16M
check_run "-M pc with devices, chardevs, an iothread, -d and -D: SIGTERM exits 0" TERM \
    -M pc -m 64M -smp 2 -cpu max -nodefaults -display none \
    -chardev null,id=c0 -device isa-serial,chardev=c0,id=com1 \
    -device isa-debugcon,iobase=0xe9 -object iothread,id=io0 \
    -d guest_errors -D "$TMP/log"
# The smallest multiboot kernel: an a.out-kludge header (load at 1 MiB,
# entry right after the header) followed by "hlt; jmp .-3".
printf '\x02\xb0\xad\x1b\x00\x00\x01\x00\xfe\x4f\x51\xe4\x00\x00\x10\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00\x20\x00\x10\x00\xf4\xeb\xfd' \
    >"$TMP/mb.bin"
check_run "-M pc -kernel/-initrd/-append: SIGTERM exits 0" TERM \
    -M pc -nodefaults -display none -kernel "$TMP/mb.bin" \
    -initrd "$SRC/Makefile,$SRC/configure" -append "console=ttyS0 quiet"

# -serial file: the backend file exists once the machine is up.
rm -f "$TMP/serial.txt"
if start_tandem -M pc -nographic -nodefaults -serial "file:$TMP/serial.txt"; then
    stop_tandem TERM
    if [ "$rc" = 0 ] && [ -e "$TMP/serial.txt" ] && ! crashed; then
        ok "-serial file:PATH creates the file and SIGTERM exits 0"
    else
        not_ok "-serial file:PATH creates the file and SIGTERM exits 0" \
            "exit status $rc"; diag_file "$TMP/err"
    fi
else
    not_ok "-serial file:PATH creates the file and SIGTERM exits 0" "did not start"
    diag_file "$TMP/err"
fi

# -d bql prints the lock statistics on the way out, into the -D file.
if start_tandem -M none -d bql -D "$TMP/bql.log"; then
    stop_tandem TERM
    if [ "$rc" = 0 ] && grep -q 'init' "$TMP/bql.log"; then
        ok "-d bql -D FILE: BQL statistics written at exit"
    else
        not_ok "-d bql -D FILE: BQL statistics written at exit" "exit status $rc"
        diag_file "$TMP/bql.log"
    fi
else
    not_ok "-d bql -D FILE: BQL statistics written at exit" "did not start"
fi

done_testing
