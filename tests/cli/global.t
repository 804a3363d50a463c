#!/bin/bash
# -global driver.property=value sets a default for every device of a class;
# an explicit -device property still wins.  Observed through qtest.
. "$(dirname "$0")/tap.sh"

probe() {   # extra args... ; prints the qtest reply to "inb 0xe9"
    printf 'inb 0xe9\n' | "$TANDEM" -M pc -accel qtest -qtest stdio \
        -display none -nodefaults -chardev null,id=d "$@" 2>"$TMP/err"
}

r=$(probe -global isa-debugcon.readback=0x42 -device isa-debugcon,chardev=d)
[ "$r" = "OK 0x0042" ] && ok "-global driver.property=value sets the default" ||
    not_ok "-global driver.property=value sets the default" "got '$r'" "$(cat "$TMP/err")"

r=$(probe -global driver=isa-debugcon,property=readback,value=0x43 -device isa-debugcon,chardev=d)
[ "$r" = "OK 0x0043" ] && ok "-global driver=,property=,value= form" ||
    not_ok "-global driver=,property=,value= form" "got '$r'" "$(cat "$TMP/err")"

r=$(probe -global isa-debugcon.readback=0x42 -device isa-debugcon,chardev=d,readback=0x44)
[ "$r" = "OK 0x0044" ] && ok "an explicit -device property overrides -global" ||
    not_ok "an explicit -device property overrides -global" "got '$r'" "$(cat "$TMP/err")"

r=$(probe -global isa-debugcon.readback=0x41 -global isa-debugcon.readback=0x45 -device isa-debugcon,chardev=d)
[ "$r" = "OK 0x0045" ] && ok "the later -global wins" ||
    not_ok "the later -global wins" "got '$r'" "$(cat "$TMP/err")"

done_testing
