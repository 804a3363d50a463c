#!/bin/bash
# bench/x86-fp.sh: floating-point and SIMD benchmarks (issue 8) under
# tandem and under qemu-system-x86_64 -accel tcg, in the same run,
# interleaved run by run:
#   nbody      the n-body double-precision loop (SSE2 scalar code)
#   matmul     a 96x96 double matrix multiply with SSE2 intrinsics
#   strsearch  substring search with SSE4.2 PCMPISTRI
# The guests (bench/x86-fp/*.c, 64-bit multiboot, linked with the runtime
# of tests/tcg/x86_64/runtime) are built here with the host gcc.  Every run
# must end with the guest's exit status and print the same result line on
# both emulators (-cpu max: the reference's default model lacks SSE4.2); otherwise the script stops with status 1.  For each
# benchmark it prints the median wall and cpu (user+sys) time of N runs and
# the ratio reference/tandem (target: >= 1.0 on each).
#
#   bench/x86-fp.sh [-n N] [-r] [NAME]...
#     -n N   runs per emulator and benchmark (default 3; env BENCH_RUNS)
#     -r     tandem only
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$src/build}
tandem=${TANDEM:-$build/tandem}
ref=${REF:-qemu-system-x86_64}
runs=${BENCH_RUNS:-3}
with_ref=1
while getopts "n:r" opt; do
    case $opt in
    n) runs=$OPTARG ;;
    r) with_ref=0 ;;
    *) sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//;$d' >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [ "$with_ref" = 1 ] && ! command -v "$ref" >/dev/null; then
    echo "bench: $ref not installed; running tandem only" >&2
    with_ref=0
fi
all="nbody matmul strsearch"
sel=${*:-$all}
out=$build/bench/x86-fp
mkdir -p "$out"
rt=$src/tests/tcg/x86_64/runtime
common=(-std=gnu11 -O2 -ffreestanding -fno-pic -no-pie -nostdlib -static
        -fno-stack-protector -fno-asynchronous-unwind-tables -mno-red-zone
        -fno-builtin -I"$rt" -I"$src/bench/x86-fp")
ldflags=(-Wl,-T,"$rt/link.ld" -Wl,--build-id=none -Wl,-z,max-page-size=0x1000
         -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments)
for b in $sel; do
    case " $all " in *" $b "*) ;; *) echo "bench: unknown benchmark '$b'" >&2; exit 2 ;; esac
    if [ ! -e "$out/$b.elf" ] || [ "$src/bench/x86-fp/$b.c" -nt "$out/$b.elf" ]; then
        # The runtime is general-register only; the benchmark may use SSE4.2.
        gcc -m64 "${common[@]}" -mgeneral-regs-only -c "$rt/crt0-64.S" -o "$out/crt0.o"
        for f in "$rt"/*.c; do
            gcc -m64 "${common[@]}" -mgeneral-regs-only -c "$f" -o "$out/rt-$(basename "$f" .c).o"
        done
        gcc -m64 "${common[@]}" -msse4.2 -c "$src/bench/x86-fp/$b.c" -o "$out/$b.o"
        gcc -m64 "${common[@]}" "${ldflags[@]}" -o "$out/$b.elf64" "$out/crt0.o" \
            "$out"/rt-*.o "$out/$b.o"
        objcopy -O elf32-i386 "$out/$b.elf64" "$out/$b.elf"
    fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=(-M pc -cpu max -display none -nodefaults -no-reboot -serial stdio
      -device isa-debug-exit,iobase=0xf4,iosize=4)

run_once() {    # command... -> "wall_us cpu_us"; result line in $tmp/out
    local rc=0 t
    t=$( { TIMEFORMAT='%3R %3U %3S'; time "$@" </dev/null >"$tmp/raw" 2>"$tmp/err"; } 2>&1 ) || rc=$?
    if [ "$rc" != 1 ]; then
        echo "bench: '$*' exited with $rc, not 1 (the guest did not reach its end)" >&2
        head -c 2000 "$tmp/raw" "$tmp/err" >&2
        exit 1
    fi
    tr -d '\r' <"$tmp/raw" | grep -E '^(nbody|matmul|strsearch) ' >"$tmp/out" || true
    echo "$t" | awk '{ printf "%d %d\n", $1 * 1e6, ($2 + $3) * 1e6 }'
}

median() {
    awk -v c="${1:-1}" '{ print $c }' | sort -n |
        awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] / 1000 }'
}

printf '%-10s | %-29s | %-29s\n' "" "wall time (ms)" "cpu time, user+sys (ms)"
printf '%-10s | %9s %9s %9s | %9s %9s %9s\n' benchmark tandem reference ratio tandem reference ratio
low=""
for b in $sel; do
    : >"$tmp/t.tandem"
    : >"$tmp/t.ref"
    want=""
    for _ in $(seq "$runs"); do
        run_once "$tandem" "${args[@]}" -kernel "$out/$b.elf" >>"$tmp/t.tandem"
        got=$(cat "$tmp/out")
        [ -z "$got" ] && { echo "bench: tandem printed no result for $b" >&2; exit 1; }
        if [ "$with_ref" = 1 ]; then
            run_once "$ref" -accel tcg "${args[@]}" -kernel "$out/$b.elf" >>"$tmp/t.ref"
            want=$(cat "$tmp/out")
            if [ "$got" != "$want" ]; then
                echo "bench: $b: tandem printed '$got', the reference '$want'" >&2
                exit 1
            fi
        fi
    done
    tt=$(median 1 <"$tmp/t.tandem")
    ct=$(median 2 <"$tmp/t.tandem")
    if [ "$with_ref" = 1 ]; then
        tr_=$(median 1 <"$tmp/t.ref")
        cr=$(median 2 <"$tmp/t.ref")
        ratio=$(awk -v a="$tr_" -v b="$tt" 'BEGIN { printf "%.2f", a / b }')
        cratio=$(awk -v a="$cr" -v b="$ct" 'BEGIN { printf "%.2f", a / b }')
        printf '%-10s | %9s %9s %8sx | %9s %9s %8sx\n' "$b" "$tt" "$tr_" "$ratio" "$ct" "$cr" "$cratio"
    else
        printf '%-10s | %9s %9s %9s | %9s %9s %9s\n' "$b" "$tt" - - "$ct" - -
    fi
done
echo "(median of $runs runs each; ratio = reference time / tandem time; target >= 1.0x)"
