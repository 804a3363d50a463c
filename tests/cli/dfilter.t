#!/bin/bash
# dfilter.t: -dfilter RANGE[,RANGE...] takes START..LAST, START+LEN and
# END-LEN ranges; anything else is refused with exactly one line on stderr
# that names -dfilter and exit status 1.
. "$(dirname "$0")/tap.sh"

check_good() {
    run_tandem -dfilter "$1" -version
    if [ "$rc" = 0 ] && [ ! -s "$TMP/err" ] && ! crashed; then
        ok "accepted: -dfilter $1"
    else
        not_ok "accepted: -dfilter $1" "exit status $rc (want 0)"
        diag_file "$TMP/err"
    fi
}

check_bad() {
    run_tandem -dfilter "$1" -version
    local lines
    lines=$(wc -l <"$TMP/err")
    if [ "$rc" = 1 ] && [ "$lines" = 1 ] && grep -q '^tandem: .*-dfilter' "$TMP/err" &&
       [ ! -s "$TMP/out" ] && ! crashed; then
        ok "refused: -dfilter '$1': $(cat "$TMP/err")"
    else
        not_ok "refused: -dfilter '$1'" "exit status $rc (want 1), stderr lines $lines"
        diag_file "$TMP/err"
        diag_file "$TMP/out"
    fi
}

check_good 0x1000..0x2000
check_good 0x1000..0x2000,0x3000+0x100
check_good 0x2000-0x100
check_good 4096+1
check_bad ""
check_bad 0x1000
check_bad 0x2000..0x1000
check_bad 0x1000+0
check_bad 0x10-0x20
check_bad zz..0x10
check_bad 0x1000..0x2000,
check_bad 0xffffffffffffffff+2

done_testing
