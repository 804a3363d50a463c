#!/bin/bash
# bench-x86-smoke.t: the x86 compute benchmarks (bench/x86/, run for
# timing by bench/x86-compute.sh) still compute the right thing under
# tandem: two of them (coremark: lists, matrix, state machine, CRC; and
# interp: the branchy bytecode interpreter) are built here as 64-bit
# multiboot guests with a small size, and natively; the guest's checksum
# line must equal the native program's and the guest must reach its exit.
. "$(dirname "$0")/tap.sh"

RT="$SRC/tests/tcg/x86_64/runtime"
GFLAGS=(-std=gnu11 -O2 -ffreestanding -fno-pic -no-pie -nostdlib -static
        -fno-stack-protector -fno-asynchronous-unwind-tables
        -mgeneral-regs-only -mno-red-zone -fno-builtin
        -I"$RT" -I"$SRC/bench/x86" -Wl,-T,"$RT/link.ld" -Wl,--build-id=none
        -Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments)

for spec in coremark=40 interp=20; do
    name=${spec%=*}
    n=${spec#*=}
    if ! gcc -m64 "${GFLAGS[@]}" -o "$TMP/$name.elf64" "$RT/crt0-64.S" \
            "$SRC/bench/x86/$name.c" "$SRC/bench/x86/guest-main.c" "$RT"/*.c \
            2>"$TMP/cc.err" ||
       ! objcopy -O elf32-i386 "$TMP/$name.elf64" "$TMP/$name.elf" 2>>"$TMP/cc.err" ||
       ! gcc -std=gnu11 -O2 -I"$SRC/bench/x86" -o "$TMP/$name-host" \
            "$SRC/bench/x86/$name.c" "$SRC/bench/x86/host-main.c" 2>>"$TMP/cc.err"; then
        not_ok "$name: build" "$(head -3 "$TMP/cc.err")"
        continue
    fi
    want=$("$TMP/$name-host" "$n")
    timeout 20 "$TANDEM" -M pc -display none -nodefaults -serial stdio -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$TMP/$name.elf" \
        -append "n=$n" </dev/null >"$TMP/out" 2>"$TMP/err"
    rc=$?
    got=$(tr -d '\r' <"$TMP/out" | grep -v '^$')
    if [ "$rc" = 1 ] && [ "$got" = "$want" ]; then
        ok "$name n=$n: '$got' as natively, guest reached its exit"
    else
        not_ok "$name n=$n: status $rc (want 1), output '$got', native '$want'"
        diag_file "$TMP/err"
    fi
done
done_testing
