#!/bin/bash
# "make run", the README's first command, boots the demo guest to its end.
. "$(dirname "$0")/tap.sh"

out=$(timeout 120 make -s -C "$SRC" BUILD="$BUILD" run < /dev/null 2>&1)
rc=$?
if [ $rc = 0 ] && printf '%s' "$out" | grep -q "Tandem demo guest" &&
   printf '%s' "$out" | grep -q "^ok 3 - CRC-32" &&
   ! printf '%s' "$out" | grep -q "^not ok"; then
    ok "make run boots the demo guest, which prints its banner and passes its checks"
else
    not_ok "make run boots the demo guest, which prints its banner and passes its checks" "rc=$rc" "$out"
fi
done_testing
