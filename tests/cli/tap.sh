# tap.sh: TAP helpers for the shell tests in tests/cli (sourced, not run).
#
# The tests get TANDEM (the binary under test), BUILD and SRC from make.
# Each check prints "ok N - name" or "not ok N - name" with the evidence
# as "# " lines; done_testing prints the plan and sets the exit status.

: "${TANDEM:?TANDEM must point at the tandem binary (run through make check)}"
: "${BUILD:=$(dirname "$TANDEM")}"
: "${SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"

tap_n=0
tap_failed=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tandem-cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

ok() {
    tap_n=$((tap_n + 1))
    echo "ok $tap_n - $1"
}

not_ok() {
    tap_n=$((tap_n + 1))
    tap_failed=$((tap_failed + 1))
    echo "not ok $tap_n - $1"
    shift
    for line in "$@"; do
        echo "# $line"
    done
}

diag_file() {
    sed 's/^/#   /' "$1" | head -20
}

done_testing() {
    echo "1..$tap_n"
    [ "$tap_failed" = 0 ]
    exit $?
}

# run_tandem [prog] args...: runs with a time limit; leaves $TMP/out,
# $TMP/err and $rc.  PROG may be set to run another name for the binary.
run_tandem() {
    timeout -k 5 20 "${PROG:-$TANDEM}" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

# True if the output shows a crash or a sanitizer report.
crashed() {
    grep -E -q 'Assertion|Segmentation|AddressSanitizer|runtime error|LeakSanitizer|ThreadSanitizer|core dumped' "$TMP/out" "$TMP/err"
}
