#!/bin/bash
# gdbstub-devices.t: every way of starting the stub reaches a working gdb
# session on a machine started with -S: -gdb tcp::PORT, -gdb
# unix:PATH,server, -gdb chardev:ID (an existing -chardev socket) and -s
# (tcp::1234, checked only when that port is free on this host).  With -S
# the vCPUs do not run before gdb continues: the pc is still the reset
# state's.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/gdbstub-lib.sh"

gdb_need
if ! command -v python3 >/dev/null; then
    echo "1..0 # SKIP python3 not installed"
    exit 0
fi

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# session NAME TARGET ARGS...: tandem -S ARGS, gdb on TARGET, kill.
session() {
    local name=$1 target=$2
    shift 2
    timeout 60 "$TANDEM" -M pc -display none -nodefaults -S "$@" \
        2>"$TMP/tandem.err" &
    TPID=$!
    local out="$TMP/gdb-$name.out"
    for _ in $(seq 50); do
        kill -0 "$TPID" 2>/dev/null || break
        timeout 20 gdb-multiarch -batch -nx -ex "target remote $target" \
            -ex "info threads" -ex 'printf "PC 0x%x\n", $pc' \
            -ex "monitor info status" -ex "kill" >"$out" 2>&1
        grep -q "Thread 1" "$out" && break
        sleep 0.1
    done
    tandem_wait
    if [ "$name" = "-s" ] && grep -q "in use" "$TMP/tandem.err"; then
        ok "-s # SKIP TCP port 1234 was taken meanwhile"
        return
    fi
    if grep -qE "^\* 1 +Thread 1 \(CPU#0 \[paused\]\)" "$out" &&
       grep -q "^PC 0xfff0" "$out" && grep -q "^VM status: paused" "$out" &&
       [ "$trc" = 0 ]; then
        ok "$name: gdb attaches to the stopped machine at the reset vector"
    else
        not_ok "$name (tandem status $trc)"; diag_file "$out"
        diag_file "$TMP/tandem.err"
    fi
}

port=$(free_port)
session "-gdb tcp::$port" "127.0.0.1:$port" -gdb "tcp::$port"
session "-gdb unix:PATH,server" "$TMP/u.sock" -gdb "unix:$TMP/u.sock,server"
session "-gdb chardev:ID" "$TMP/c.sock" \
    -chardev "socket,id=gdbc,path=$TMP/c.sock,server=on,wait=off" \
    -gdb chardev:gdbc
if python3 -c 'import socket; s=socket.socket(); s.bind(("0.0.0.0",1234))' 2>/dev/null; then
    session "-s" "127.0.0.1:1234" -s
else
    ok "-s # SKIP TCP port 1234 is in use on this host"
fi

# -S alone: the VM stays stopped, nothing runs until gdb continues.
timeout 60 "$TANDEM" -M pc -display none -nodefaults -S \
    -gdb "unix:$TMP/s.sock,server" 2>"$TMP/tandem.err" &
TPID=$!
sleep 1
timeout 20 gdb-multiarch -batch -nx -ex "target remote $TMP/s.sock" \
    -ex 'printf "PC 0x%x\n", $pc' -ex "kill" >"$TMP/gdb-S.out" 2>&1
tandem_wait
if grep -q "^PC 0xfff0" "$TMP/gdb-S.out"; then
    ok "-S: after 1 s the vCPU has not executed anything"
else
    not_ok "-S keeps the machine stopped"; diag_file "$TMP/gdb-S.out"
fi

done_testing
