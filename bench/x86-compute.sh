#!/bin/bash
# bench/x86-compute.sh: the x86 compute benchmarks (bench/x86/*.c, built by
# `make bench`) under tandem and under qemu-system-x86_64 -accel tcg, in
# the same run, interleaved run by run.  For each benchmark it prints the
# median wall time of N runs on each emulator and the ratio (reference
# time / tandem time), then the geometric mean of the ratios; then the
# start-up figure: the median wall time of a guest whose first
# instruction exits the machine (bench/x86/first-insn.S), an upper bound
# on "process start to first guest instruction".
#
# Every run must end with the guest's exit status and print the checksum
# that the native build of the same code (NAME-host) prints; otherwise the
# script stops with status 1.
#
#   bench/x86-compute.sh [-n N] [-r] [-s] [NAME=SIZE | NAME]...
#     -n N      runs per emulator and benchmark (default 3; env BENCH_RUNS)
#     -r        tandem only (no reference)
#     -s        skip the start-up measurement
#     NAME      run only the named benchmarks; NAME=SIZE also sets its size
# Targets (issue 4): ratio >= 1.0 on every benchmark, geometric mean >= 1.5,
# start-up <= 20 ms.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$src/build}
tandem=${TANDEM:-$build/tandem}
ref=${REF:-qemu-system-x86_64}
runs=${BENCH_RUNS:-3}
with_ref=1
startup=1
while getopts "n:rs" opt; do
    case $opt in
    n) runs=$OPTARG ;;
    r) with_ref=0 ;;
    s) startup=0 ;;
    *) sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//;$d' >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [ "$with_ref" = 1 ] && ! command -v "$ref" >/dev/null; then
    echo "bench: $ref not installed; running tandem only" >&2
    with_ref=0
fi
bdir=$build/bench/x86
all="coremark sieve qsort sha256 memops interp recurse"
declare -A size=()
sel=""
for a in "$@"; do
    name=${a%%=*}
    case " $all " in *" $name "*) ;; *) echo "bench: unknown benchmark '$name'" >&2; exit 2 ;; esac
    sel="$sel $name"
    [ "$a" != "$name" ] && size[$name]=${a#*=}
done
sel=${sel:-$all}
for b in $sel; do
    if [ ! -e "$bdir/$b.elf" ] || [ ! -e "$bdir/$b-host" ]; then
        echo "bench: $bdir/$b.elf missing: run 'make bench' first" >&2
        exit 1
    fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=(-M pc -display none -nodefaults -no-reboot
      -device isa-debug-exit,iobase=0xf4,iosize=4)

# run_once expected-status command...: runs it, checks the exit status,
# prints "wall_us cpu_us" (cpu = user + system time of the process and its
# threads, which the load of other jobs on the machine distorts less than
# wall time); the guest's serial output goes to $tmp/out.
run_once() {
    local want=$1 rc=0 t
    shift
    t=$( { TIMEFORMAT='%3R %3U %3S'; time "$@" </dev/null >"$tmp/out" 2>"$tmp/err"; } 2>&1 ) || rc=$?
    if [ "$rc" != "$want" ]; then
        echo "bench: '$*' exited with $rc, not $want (the guest did not reach its end)" >&2
        head -c 2000 "$tmp/out" "$tmp/err" >&2
        exit 1
    fi
    echo "$t" | awk '{ printf "%d %d\n", $1 * 1e6, ($2 + $3) * 1e6 }'
}

median() {      # column $1 of microsecond figures on stdin -> median in ms
    awk -v c="${1:-1}" '{ print $c }' | sort -n |
        awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] / 1000 }'
}

printf '%-10s %8s | %-29s | %-29s\n' "" "" "wall time (ms)" "cpu time, user+sys (ms)"
printf '%-10s %8s | %9s %9s %9s | %9s %9s %9s\n' benchmark size tandem reference ratio tandem reference ratio
ratios=""
cratios=""
for b in $sel; do
    n=${size[$b]:-0}
    expect=$("$bdir/$b-host" "$n")
    append=()
    [ "$n" != 0 ] && append=(-append "n=$n")
    : >"$tmp/t.tandem"
    : >"$tmp/t.ref"
    for _ in $(seq "$runs"); do
        run_once 1 "$tandem" "${args[@]}" -serial stdio -kernel "$bdir/$b.elf" "${append[@]}" >>"$tmp/t.tandem"
        if ! tr -d '\r' <"$tmp/out" | grep -qxF "$expect"; then
            echo "bench: tandem printed a wrong checksum for $b: want '$expect', got:" >&2
            head -c 2000 "$tmp/out" >&2
            exit 1
        fi
        if [ "$with_ref" = 1 ]; then
            run_once 1 "$ref" -accel tcg "${args[@]}" -serial stdio -kernel "$bdir/$b.elf" "${append[@]}" >>"$tmp/t.ref"
            if ! tr -d '\r' <"$tmp/out" | grep -qxF "$expect"; then
                echo "bench: $ref printed a wrong checksum for $b: want '$expect'" >&2
                exit 1
            fi
        fi
    done
    shown_n=${expect#*n=}
    shown_n=${shown_n%% *}
    tt=$(median 1 <"$tmp/t.tandem")
    ct=$(median 2 <"$tmp/t.tandem")
    if [ "$with_ref" = 1 ]; then
        tr_=$(median 1 <"$tmp/t.ref")
        cr=$(median 2 <"$tmp/t.ref")
        ratio=$(awk -v a="$tr_" -v b="$tt" 'BEGIN { printf "%.2f", a / b }')
        cratio=$(awk -v a="$cr" -v b="$ct" 'BEGIN { printf "%.2f", a / b }')
        ratios="$ratios $ratio"
        cratios="$cratios $cratio"
        printf '%-10s %8s | %9s %9s %8sx | %9s %9s %8sx\n' "$b" "$shown_n" "$tt" "$tr_" "$ratio" "$ct" "$cr" "$cratio"
    else
        printf '%-10s %8s | %9s %9s %9s | %9s %9s %9s\n' "$b" "$shown_n" "$tt" - - "$ct" - -
    fi
done
geo() {
    echo "$2" | awk -v what="$1" '{ s = 0; m = 1e9; for (i = 1; i <= NF; i++) { s += log($i); if ($i < m) m = $i }
        printf "%s: geometric mean %.2fx (target >= 1.5x), lowest %.2fx (target >= 1.0x)\n", what, exp(s / NF), m }'
}
if [ -n "$ratios" ]; then
    geo "wall-time ratios" "$ratios"
    geo "cpu-time ratios " "$cratios"
fi
echo "(median of $runs runs each; ratio = reference time / tandem time)"

if [ "$startup" = 1 ]; then
    gcc -m32 -ffreestanding -nostdlib -static -Wl,--build-id=none \
        -Wl,-Ttext=0x100000 -Wl,-e,_start -o "$tmp/first.elf" "$src/bench/x86/first-insn.S"
    : >"$tmp/s.tandem"
    : >"$tmp/s.ref"
    for _ in $(seq $((runs * 5))); do
        run_once 5 "$tandem" "${args[@]}" -serial null -kernel "$tmp/first.elf" >>"$tmp/s.tandem"
        [ "$with_ref" = 1 ] && run_once 5 "$ref" -accel tcg "${args[@]}" -serial null -kernel "$tmp/first.elf" >>"$tmp/s.ref"
    done
    st=$(median 1 <"$tmp/s.tandem")
    sc=$(median 2 <"$tmp/s.tandem")
    echo "start-up: process start to exit from the guest's first instruction, median of $((runs * 5)):"
    awk -v t="$st" -v c="$sc" 'BEGIN { printf "  tandem               %6.1f ms wall (target <= 20 ms: %s), %6.1f ms cpu\n", t, t <= 20 ? "met" : "NOT met", c }'
    if [ "$with_ref" = 1 ]; then
        printf '  qemu-system-x86_64   %6.1f ms wall,                          %6.1f ms cpu\n' \
            "$(median 1 <"$tmp/s.ref")" "$(median 2 <"$tmp/s.ref")"
    fi
fi
exit 0
