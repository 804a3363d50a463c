#!/bin/bash
# bench/x86-exit-at-once.sh: wall time of a guest that exits at once
# (tests/cli/x86-smoke/smoke.S: prints OK on COM1, then isa-debug-exit),
# under tandem and under qemu-system-x86_64 -accel tcg, in the same run.
# Prints the median of N runs of each and the ratio (reference / tandem).
# Issue 4 target: tandem takes at most a third of the reference's time.
#
#   bench/x86-exit-at-once.sh [N]      (default N=20; run after make)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
tandem=${TANDEM:-$src/build/tandem}
ref=${REF:-qemu-system-x86_64}
n=${1:-20}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gcc -m32 -ffreestanding -nostdlib -static -Wl,--build-id=none \
    -Wl,-Ttext=0x100000 -Wl,-e,_start -o "$tmp/guest.elf" \
    "$src/tests/cli/x86-smoke/smoke.S"

median_ms() {   # command... ; prints the median wall time in ms
    local i t0 t1 rc
    for i in $(seq "$n"); do
        t0=$(date +%s%N)
        rc=0
        "$@" </dev/null >/dev/null 2>&1 || rc=$?
        t1=$(date +%s%N)
        if [ "$rc" != 33 ]; then    # (0x10 << 1) | 1: the guest ran to its end
            echo "bench: '$1' exited with $rc, not 33" >&2
            exit 1
        fi
        echo $(( (t1 - t0) / 1000 ))
    done | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] / 1000 }'
}

args="-M pc -display none -nodefaults -serial null -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel $tmp/guest.elf"
# shellcheck disable=SC2086
t_tandem=$(median_ms "$tandem" $args)
if ! command -v "$ref" >/dev/null; then
    echo "tandem: $t_tandem ms (median of $n); $ref not installed, no ratio"
    exit 0
fi
# shellcheck disable=SC2086
t_ref=$(median_ms "$ref" -accel tcg $args)
echo "guest that exits at once, median of $n runs:"
echo "  tandem               $t_tandem ms"
echo "  qemu-system-x86_64   $t_ref ms"
awk -v a="$t_ref" -v b="$t_tandem" 'BEGIN { printf "  ratio (reference / tandem): %.1fx (target >= 3.0x)\n", a / b }'
