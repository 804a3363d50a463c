#!/bin/bash
# x86-bad-kernel.t: a -kernel that is not a multiboot kernel, or is cut
# short, on -M pc with the default accelerator (tcg): exactly one
# "tandem: " line on stderr naming the file, nothing on stdout, exit status
# 1, no crash.  The cut-short kernels are the real gcc-built guest
# programs (tests/tcg/x86_64) truncated at several points: inside the ELF
# header, before the multiboot header, inside the loadable segment.
# (tests/cli/multiboot.t covers hand-made bad headers under -accel qtest.)
. "$(dirname "$0")/tap.sh"

GUESTS="$BUILD/tests/tcg/x86_64"
cases=()
head -c 5000 /dev/urandom >"$TMP/random.bin"
cases+=("$TMP/random.bin")
: >"$TMP/empty.bin"
cases+=("$TMP/empty.bin")
mkdir -p "$TMP/adir"
cases+=("$TMP/adir")
for g in hello-32 hello-64; do
    [ -f "$GUESTS/$g.elf" ] || continue
    for n in 40 3000 4200 6000; do
        head -c $n "$GUESTS/$g.elf" >"$TMP/$g-cut$n.elf"
        cases+=("$TMP/$g-cut$n.elf")
    done
done
echo "1..${#cases[@]}"
for k in "${cases[@]}"; do
    run_tandem -M pc -display none -nodefaults -kernel "$k"
    lines=$(wc -l <"$TMP/err")
    if [ "$rc" = 1 ] && [ "$lines" = 1 ] && grep -q '^tandem: ' "$TMP/err" &&
       grep -F -q -- "$k" "$TMP/err" && [ ! -s "$TMP/out" ] && ! crashed; then
        ok "$(basename "$k"): $(sed "s|$TMP/||" "$TMP/err")"
    else
        not_ok "$(basename "$k"): exit status $rc (want 1), $lines stderr lines"
        diag_file "$TMP/err"
    fi
done
