#!/bin/bash
# x86-triple-fault.t: a guest that triple-faults (tests/cli/x86-smoke/
# triple.S).  Under -no-reboot the emulator exits with status 0 and the
# guest ran once (the reference emulator, qemu-system-x86_64, when
# installed, must do the same); without it the machine resets and the
# multiboot guest runs again (the guest counts its boots in RAM, which a
# reset keeps, and exits through isa-debug-exit on the third); a guest
# that triple-faults forever keeps tandem resetting, never crashing or
# wedging it; with -no-reboot -no-shutdown the guest stops and the
# process stays until a signal ends it with status 0.
. "$(dirname "$0")/tap.sh"

build() {   # build NAME [defines]
    local name=$1
    shift
    gcc -m32 -ffreestanding -nostdlib -static -Wl,--build-id=none \
        -Wl,-Ttext=0x100000 -Wl,-e,_start "$@" -o "$TMP/$name.elf" \
        "$SRC/tests/cli/x86-smoke/triple.S" 2>"$TMP/cc.err"
}
if ! build triple; then
    echo "1..0 # SKIP host gcc cannot build 32-bit code: $(head -1 "$TMP/cc.err")"
    exit 0
fi
build triple-np -DNOT_PRESENT
build forever -DFOREVER
echo "1..9"

ARGS=(-M pc -display none -nodefaults -serial stdio
      -device isa-debug-exit,iobase=0xf4,iosize=4)
QEMU=$(command -v qemu-system-x86_64)

boots() { tr -d '\r' <"$TMP/out" | grep -c '^B$'; }
# Waits (30 s at most: the machine may be loaded) for the guest's first boot line, then 0.5 s more
# for the triple fault to happen.
wait_boot() {
    for _ in $(seq 300); do
        [ "$(boots)" -ge 1 ] && break
        sleep 0.1
    done
    sleep 0.5
}

for g in triple triple-np; do
    timeout 20 "$TANDEM" "${ARGS[@]}" -no-reboot -kernel "$TMP/$g.elf" \
        </dev/null >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ "$rc" = 0 ] && [ "$(boots)" = 1 ] && ! crashed; then
        ok "$g: -no-reboot: exit status 0 after one boot"
    else
        not_ok "$g: -no-reboot: exit status $rc (want 0), $(boots) boots (want 1)"
        diag_file "$TMP/err"
    fi
    if [ -z "$QEMU" ]; then
        ok "$g: reference # SKIP qemu-system-x86_64 is not installed"
    else
        timeout 20 "$QEMU" "${ARGS[@]}" -no-reboot -kernel "$TMP/$g.elf" \
            </dev/null >"$TMP/out" 2>"$TMP/err"
        qrc=$?
        if [ "$qrc" = "$rc" ] && [ "$(boots)" = 1 ]; then
            ok "$g: the reference also exits with status $qrc after one boot"
        else
            not_ok "$g: reference exit status $qrc, $(boots) boots; tandem $rc"
        fi
    fi
    timeout 20 "$TANDEM" "${ARGS[@]}" -kernel "$TMP/$g.elf" \
        </dev/null >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ "$rc" = 11 ] && [ "$(boots)" = 3 ] && ! crashed; then
        ok "$g: without -no-reboot the machine resets and the guest boots again (3 boots, then exit 5)"
    else
        not_ok "$g: reset: exit status $rc (want 11), $(boots) boots (want 3)"
        diag_file "$TMP/err"
    fi
done

# A guest that triple-faults on every boot: tandem keeps resetting it.
"$TANDEM" "${ARGS[@]}" -kernel "$TMP/forever.elf" </dev/null \
    >"$TMP/out" 2>"$TMP/err" &
pid=$!
for _ in $(seq 300); do
    [ "$(boots)" -ge 3 ] && break
    sleep 0.1
done
if kill -0 $pid 2>/dev/null; then
    kill -TERM $pid
    wait $pid
    rc=$?
else
    wait $pid
    rc="ended on its own with $?"
fi
if [ "$rc" = 0 ] && [ "$(boots)" -ge 3 ] && ! crashed; then
    ok "a guest that triple-faults forever keeps resetting ($(boots) boots); SIGTERM ends tandem with status 0"
else
    not_ok "triple fault loop: status $rc (want 0 after SIGTERM), $(boots) boots"
    diag_file "$TMP/err"
fi

# -no-reboot -no-shutdown: the guest stops, the process stays, idle.
"$TANDEM" "${ARGS[@]}" -no-reboot -no-shutdown -kernel "$TMP/triple.elf" \
    </dev/null >"$TMP/out" 2>"$TMP/err" &
pid=$!
wait_boot
alive=no
kill -0 $pid 2>/dev/null && alive=yes
tid=$(grep -l "CPU 0/TCG" /proc/$pid/task/*/comm 2>/dev/null | head -1)
t1=$(awk '{ print $14 + $15 }' "${tid%/comm}/stat" 2>/dev/null)
sleep 0.5
t2=$(awk '{ print $14 + $15 }' "${tid%/comm}/stat" 2>/dev/null)
kill -TERM $pid 2>/dev/null
wait $pid
rc=$?
if [ "$alive" = yes ] && [ "$rc" = 0 ] && [ "$(boots)" = 1 ] &&
   [ -n "$t1" ] && [ $((t2 - t1)) -le 5 ] && ! crashed; then
    ok "-no-shutdown: after the triple fault the guest is stopped (cpu ticks $((t2 - t1))), the process stays; SIGTERM exits 0"
else
    not_ok "-no-shutdown: alive $alive, status $rc, $(boots) boots, cpu ticks $t1 -> $t2"
    diag_file "$TMP/err"
fi
if [ -z "$QEMU" ]; then
    ok "reference -no-shutdown # SKIP qemu-system-x86_64 is not installed"
else
    "$QEMU" "${ARGS[@]}" -no-reboot -no-shutdown -kernel "$TMP/triple.elf" \
        </dev/null >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    wait_boot
    alive=no
    kill -0 $pid 2>/dev/null && alive=yes
    kill -TERM $pid 2>/dev/null
    wait $pid
    if [ "$alive" = yes ] && [ "$(boots)" = 1 ]; then
        ok "the reference also stays after the triple fault under -no-shutdown"
    else
        not_ok "reference -no-shutdown: alive $alive, $(boots) boots"
    fi
fi
