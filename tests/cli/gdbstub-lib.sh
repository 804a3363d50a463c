# gdbstub-lib.sh: shared by the gdbstub-*.t tests (sourced after tap.sh).
#
# gdb_need: prints a TAP skip and exits if gdb-multiarch or a gcc that
#   builds the guest is missing.
# gdb_build_guest [TANDEM ARGS]: builds tests/cli/gdbstub/guest.c with -g
#   as $GUEST, in the mode of the description the stub serves ($GDB_ARCH:
#   i386 or i386:x86-64, probed from a throw-away tandem run with ARGS,
#   e.g. -cpu qemu64,-lm).
# tandem_start ARGS...: starts tandem -S with the stub on $SOCK (unix
#   socket) in the background ($TPID), output in $TMP/tandem.{out,err}.
# tandem_wait: waits for it (bounded) and sets $trc to its exit status.
# gdb_run CMDS...: runs gdb-multiarch in batch mode against $SOCK with one
#   -ex per argument; output in $TMP/gdb.out.

RT="$SRC/tests/tcg/x86_64/runtime"
SOCK="$TMP/gdb.sock"
GUEST_CFLAGS="-std=gnu11 -g -O1 -ffreestanding -fno-pic -no-pie -nostdlib
-static -fno-stack-protector -fno-asynchronous-unwind-tables
-mgeneral-regs-only -mno-red-zone -fno-builtin -I$RT -Wl,-T,$RT/link.ld
-Wl,--build-id=none -Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack
-Wl,--no-warn-rwx-segments"

gdb_need() {
    if ! command -v gdb-multiarch >/dev/null; then
        echo "1..0 # SKIP gdb-multiarch not installed (scripts/install-deps.sh installs it)"
        exit 0
    fi
}

tandem_start() {
    rm -f "$SOCK"
    timeout 120 "$TANDEM" -M pc -display none -nodefaults \
        -serial "file:$TMP/tandem.out" \
        -device isa-debug-exit,iobase=0xf4,iosize=4 -S \
        -gdb "unix:$SOCK,server" "$@" 2>"$TMP/tandem.err" &
    TPID=$!
    for _ in $(seq 100); do
        [ -S "$SOCK" ] && return 0
        sleep 0.05
    done
    return 1
}

tandem_wait() {
    local i
    for i in $(seq 300); do
        kill -0 "$TPID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$TPID" 2>/dev/null; then
        kill "$TPID"
    fi
    wait "$TPID"
    trc=$?
}

gdb_run() {
    local args=()
    for c in "$@"; do
        args+=(-ex "$c")
    done
    timeout 60 gdb-multiarch -batch -nx -iex "set pagination off" \
        ${GUEST:+"$GUEST"} -ex "target remote $SOCK" "${args[@]}" \
        >"$TMP/gdb.out" 2>&1
}

gdb_build_guest() {
    GUEST=
    tandem_start "$@" || return 1
    gdb_run "maintenance packet qXfer:features:read:target.xml:0,400" \
        "kill"
    tandem_wait
    if grep -q 'i386:x86-64' "$TMP/gdb.out"; then
        GDB_ARCH=i386:x86-64
        GUEST="$TMP/guest-64.elf"
        gcc -m64 $GUEST_CFLAGS -o "$GUEST" "$RT/crt0-64.S" \
            "$SRC/tests/cli/gdbstub/guest.c" "$RT"/*.c 2>"$TMP/cc.err"
    else
        GDB_ARCH=i386
        GUEST="$TMP/guest-32.elf"
        gcc -m32 $GUEST_CFLAGS -o "$GUEST" "$RT/crt0-32.S" \
            "$SRC/tests/cli/gdbstub/guest.c" "$RT"/*.c 2>"$TMP/cc.err"
    fi
}
