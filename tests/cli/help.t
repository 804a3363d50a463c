#!/bin/bash
# help.t: every help and version output exits 0, prints on stdout, says
# what it should, and leaves stderr empty.
. "$(dirname "$0")/tap.sh"

# check_help NAME PATTERN ARGS...: exit 0, stdout matches the extended
# regexp PATTERN, stderr empty.
check_help() {
    local name=$1 pattern=$2
    shift 2
    run_tandem "$@"
    if [ "$rc" = 0 ] && grep -E -q -- "$pattern" "$TMP/out" &&
       [ ! -s "$TMP/err" ] && ! crashed; then
        ok "$name"
    else
        not_ok "$name" "command: ${PROG:-tandem} $*" "exit status $rc" \
            "expected stdout to match: $pattern"
        echo "# stdout:"; diag_file "$TMP/out"
        echo "# stderr:"; diag_file "$TMP/err"
    fi
}

check_help "-h prints usage" '^Usage: tandem' -h
check_help "-help prints usage" '-machine NAME' -help
check_help "--help (double dash) prints usage" '-nographic' --help
check_help "-h documents -smp" '-smp N\[,sockets=S\]' -h
check_help "-version" '^Tandem emulator version 0\.1\.0$' -version
check_help "--version" '^Tandem emulator version' --version

run_tandem -version
if [ "$(wc -l <"$TMP/out")" = 2 ] && ! grep -qi 'copyright' "$TMP/out"; then
    ok "-version is two lines with no copyright claim"
else
    not_ok "-version is two lines with no copyright claim"; diag_file "$TMP/out"
fi

check_help "-M help lists pc" '^pc +Standard PC' -M help
check_help "-M help lists pseries" '^pseries +pSeries' -M help
check_help "-M help lists none" '^none +empty machine' -M help
check_help "-machine help (long form)" '^pseries' -machine help
check_help "-M ? (established alias of help)" '^pc ' -M '?'
check_help "-accel help lists qtest" 'qtest' -accel help
check_help "-cpu help (default machine pc) lists qemu64" '^ +qemu64 .*\(default\)' -cpu help
check_help "-cpu help (pc) lists Skylake-Client" '^ +Skylake-Client ' -M pc -cpu help
check_help "-cpu help (pc) lists max" '^ +max ' -cpu help
check_help "-cpu help (pseries) lists power9 as default" '^ +power9 .*\(default\)' -M pseries -cpu help
check_help "-cpu help before -M still uses that machine" '^ +power10 ' -cpu help -M pseries
check_help "-cpu help (none) says there are no models" 'no CPU models' -M none -cpu help
check_help "-device help lists isa-serial" '^name "isa-serial", bus isa' -device help
check_help "-device help lists isa-debug-exit" '^name "isa-debug-exit"' -device help
check_help "-device help groups by bus" '^isa devices:$' -device help
check_help "-device isa-serial,help lists iobase" '^ +iobase=<uint32> ' -device isa-serial,help
check_help "-device isa-serial,help lists index with its default" '^ +index=<uint32> +\(default: 0 \(0x0\)\)' -device isa-serial,help
check_help "-device isa-debug-exit,help lists iosize" '^ +iosize=<uint32> +\(default: 2 ' -device isa-debug-exit,help
check_help "-device isa-serial,help lists chardev" '^ +chardev=<chardev>' -device isa-serial,help
check_help "-d help lists guest_errors" '^guest_errors ' -d help
check_help "-d help lists bql" '^bql ' -d help
check_help "-chardev help lists stdio" 'stdio' -chardev help
check_help "-object help lists iothread" 'iothread' -object help

# The program name picks the default machine.
PROG=$BUILD/tandem-system-ppc64 check_help "tandem-system-ppc64 -cpu help lists power9" '^ +power9 ' -cpu help
PROG=$BUILD/tandem-system-ppc64 run_tandem -cpu help
if grep -q qemu64 "$TMP/out"; then
    not_ok "tandem-system-ppc64 -cpu help does not list x86 models"; diag_file "$TMP/out"
else
    ok "tandem-system-ppc64 -cpu help does not list x86 models"
fi
PROG=$BUILD/tandem-system-x86_64 check_help "tandem-system-x86_64 -cpu help lists qemu64" '^ +qemu64 ' -cpu help
PROG=$BUILD/tandem-system-ppc64 check_help "tandem-system-ppc64 -M pc overrides the default" '^ +qemu64 ' -M pc -cpu help
PROG=$BUILD/tandem-system-x86_64 check_help "symlinked binary prints the same version" '^Tandem emulator version' -version

# A copy under an unknown name falls back to pc.
cp "$TANDEM" "$TMP/some-other-name"
PROG=$TMP/some-other-name check_help "an unknown program name defaults to pc" '^ +qemu64 ' -cpu help

done_testing
