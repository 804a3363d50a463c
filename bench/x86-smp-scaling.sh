#!/bin/bash
# bench/x86-smp-scaling.sh: MTTCG scaling.  The same compute loop runs on
# every vCPU at once with the same work per vCPU (the smp-compute guest,
# tests/tcg/x86_64/smp-compute.c: W million xorshift/multiply iterations
# per vCPU), under -smp 1 and -smp 2 (and more: SMPS="1 2 4 8"), on tandem
# and on qemu-system-x86_64 -accel tcg,thread=multi in the same run.
#
# For each emulator and vCPU count: the median wall time of N runs, less
# the median of a run with 1 M iterations per vCPU (start-up and bring-up,
# so that the reference's BIOS does not count); then
#   throughput   = vCPUs * W / time
#   scaling      = throughput / throughput at -smp 1
#   per-vCPU     = W / time, relative to -smp 1 (1.00 = no slowdown)
# Issue 5 targets: scaling >= 1.85 with 2 vCPUs on 2 host cores, at least
# the reference's, and per-vCPU speed under -smp 2 within 10% of -smp 1.
#
#   bench/x86-smp-scaling.sh [W [N]]   (default W=1500, N=3; run after make)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$src/build}
tandem=${TANDEM:-$build/tandem}
ref=${REF:-qemu-system-x86_64}
work=${1:-1500}
n=${2:-3}
smps=${SMPS:-"1 2"}
guest=$build/tests/tcg/x86_64/smp-compute-64.elf
[ -f "$guest" ] || { echo "bench: $guest missing (make x86-guests)" >&2; exit 1; }

# run EMULATOR SMP WORK: prints wall ms, or "skip" if the guest skipped.
run_once() {
    local emu=$1 smp=$2 w=$3 t0 t1 rc=0 out
    shift 3
    t0=$(date +%s%N)
    out=$("$emu" -M pc -display none -nodefaults -serial stdio -no-reboot \
          -device isa-debug-exit,iobase=0xf4,iosize=4 -smp "$smp" \
          -kernel "$guest" -append "work=$w" "$@" </dev/null 2>&1) || rc=$?
    t1=$(date +%s%N)
    if printf '%s' "$out" | grep -q '^1\.\.0 # SKIP'; then
        echo skip
        return
    fi
    if [ "$rc" != 1 ] || ! printf '%s' "$out" | grep -q '^ok 2 '; then
        echo "bench: $emu -smp $smp work=$w failed (status $rc)" >&2
        printf '%s\n' "$out" | tail -3 >&2
        exit 1
    fi
    echo $(( (t1 - t0) / 1000000 ))
}

median() {      # emu smp work args... : median ms of n runs, or skip
    local i r
    for i in $(seq "$n"); do
        r=$(run_once "$@")
        [ "$r" = skip ] && { echo skip; return; }
        echo "$r"
    done | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

echo "smp-compute: $work M iterations per vCPU, median of $n runs," \
     "start-up subtracted; host: $(nproc) CPUs"
printf '%-34s %5s %9s %12s %8s %9s\n' emulator vCPUs time_ms "Mit/s total" scaling per-vCPU
for emu in tandem ref; do
    if [ $emu = tandem ]; then
        bin=$tandem; extra=(); label="tandem (thread=multi)"
    else
        command -v "$ref" >/dev/null || { echo "$ref not installed: no reference"; continue; }
        bin=$ref; extra=(-accel tcg,thread=multi); label="$ref (thread=multi)"
    fi
    base_tp=""
    for s in $smps; do
        t=$(median "$bin" "$s" "$work" "${extra[@]}")
        if [ "$t" = skip ]; then
            printf '%-34s %5s   guest skipped (no local APIC: APs cannot start)\n' "$label" "$s"
            continue
        fi
        t0=$(median "$bin" "$s" 1 "${extra[@]}")
        ms=$(( t - t0 ))
        [ "$ms" -gt 0 ] || ms=1
        tp=$(awk -v s="$s" -v w="$work" -v ms="$ms" 'BEGIN { printf "%.1f", s * w / (ms / 1000) }')
        [ -n "$base_tp" ] || base_tp=$tp
        awk -v l="$label" -v s="$s" -v ms="$ms" -v tp="$tp" -v b="$base_tp" \
            'BEGIN { printf "%-34s %5d %9d %12.1f %7.2fx %8.2f\n", l, s, ms, tp, tp / b, tp / b / s }'
    done
done
