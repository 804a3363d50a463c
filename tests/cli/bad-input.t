#!/bin/bash
# bad-input.t: every class of bad command line is refused the same way:
# exit status exactly 1, exactly one line on stderr that starts with
# "tandem: " and names the offending argument, nothing on stdout, and no
# assertion, crash or sanitizer report.
. "$(dirname "$0")/tap.sh"

# check_bad NAME NEEDLE ARGS...: NEEDLE is a fixed string the error line
# must contain (the offending argument, usually).
check_bad() {
    local name=$1 needle=$2
    shift 2
    run_tandem "$@"
    local lines
    lines=$(wc -l <"$TMP/err")
    if [ "$rc" = 1 ] && [ "$lines" = 1 ] && grep -q '^tandem: ' "$TMP/err" &&
       grep -F -q -- "$needle" "$TMP/err" && [ ! -s "$TMP/out" ] &&
       ! crashed; then
        ok "$name: $(cat "$TMP/err")"
    else
        not_ok "$name" "command: tandem $*" "exit status $rc (want 1)" \
            "stderr lines: $lines (want 1), must contain: $needle"
        echo "# stderr:"; diag_file "$TMP/err"
        echo "# stdout:"; diag_file "$TMP/out"
    fi
}

# Unknown options and arguments.
check_bad "unknown option" "-foo: invalid option" -foo
check_bad "unknown option (double dash)" "--frobnicate: invalid option" --frobnicate
check_bad "unknown option after good ones" "-bogus: invalid option" -M pc -m 64 -bogus
check_bad "stray non-option argument" "disk.img" disk.img
check_bad "lone dash" "-: " -

# Missing arguments.
check_bad "missing argument to -m" "-m: missing argument" -m
check_bad "missing argument to -kernel" "-kernel: missing argument" -kernel
check_bad "missing argument to -device" "-device: missing argument" -M pc -device
check_bad "missing argument to --machine" "-machine: missing argument" --machine

# Machines and their properties.
check_bad "unknown machine" "-M foo: unknown machine (try -M help)" -M foo
check_bad "unknown machine (long form)" "-machine bar: unknown machine" -machine bar
check_bad "unknown -machine property" "invalid machine property 'foo'" -M pc,foo=1
check_bad "unknown -machine property names the argument" "-M pc,foo=1" -M pc,foo=1
check_bad "bad kernel-irqchip value" "kernel-irqchip=maybe" -M pc,kernel-irqchip=maybe
check_bad "empty element in -machine" "-M pc,,,:" -M pc,,,
check_bad "unknown accelerator in -machine accel=" "accel=warp" -M pc,accel=warp

# Accelerators.
check_bad "unknown accelerator" "-accel foo: unknown accelerator" -accel foo
check_bad "unknown -accel property" "invalid accelerator property 'bar'" -accel qtest,bar=1
check_bad "-accel qtest without -qtest" "-accel qtest: requires -qtest" -accel qtest
check_bad "-accel together with -machine accel=" "cannot be combined" -M pc,accel=qtest -accel qtest

# CPUs.
check_bad "unknown CPU model" "-cpu pentium9: unknown CPU model" -cpu pentium9
check_bad "x86 CPU model on pseries" "-cpu qemu64" -M pseries -cpu qemu64
check_bad "malformed number: -smp x" "-smp x" -smp x
check_bad "malformed number: -smp 2,cores=two" "cores" -smp 2,cores=two
check_bad "-smp 0" "-smp 0" -smp 0
check_bad "-smp above the machine's maximum" "-smp 1000" -smp 1000
check_bad "-smp 65 above pseries' 64" "at most 64" -M pseries -smp 65
check_bad "-smp inconsistent topology" "-smp 4,sockets=3" -smp 4,sockets=3
check_bad "-smp more CPUs than maxcpus" "-smp 4,maxcpus=2" -smp 4,maxcpus=2
check_bad "unknown -smp key" "invalid -smp property 'dies'" -smp 2,dies=2

# Memory.
check_bad "malformed size: -m 12Q" "-m 12Q" -m 12Q
check_bad "malformed size: -m 1.5" "-m 1.5x" -m 1.5x
check_bad "-m 0" "-m 0" -m 0
check_bad "-m overflowing 64 bits" "-m 99999999999T" -m 99999999999T
check_bad "unknown -m key" "invalid memory property 'frob'" -m 128,frob=2
check_bad "-m slots without maxmem" "slots needs maxmem" -m 128,slots=2

# Files that must exist.
check_bad "missing -kernel file" "-kernel /nonexistent: No such file or directory" -kernel /nonexistent
check_bad "-kernel is a directory" "-kernel /: Is a directory" -kernel /
check_bad "missing -initrd file" "-initrd /nonexistent/initrd: No such file or directory" -initrd /nonexistent/initrd
check_bad "missing second -initrd file" "-initrd /nonexistent2" -kernel /dev/null -initrd /dev/null,/nonexistent2
check_bad "missing -bios file" "-bios /nonexistent.bin: No such file or directory" -bios /nonexistent.bin
check_bad "-D in a missing directory" "-D /nonexistent/dir/x" -D /nonexistent/dir/x
check_bad "-append without -kernel" "-append" -append "console=ttyS0"
check_bad "-initrd without -kernel" "-initrd /dev/null: only allowed with -kernel" -initrd /dev/null

# Devices.
check_bad "unknown device" "-device foo: unknown device 'foo' (try -device help)" -device foo
check_bad "help for an unknown device" "-device foo,help" -device foo,help
check_bad "unknown device property" "bogus" -M pc -device isa-debugcon,bogus=1
check_bad "device property beyond its type" "-device isa-serial,iobase=0x100000000" -M pc -nodefaults -device isa-serial,iobase=0x100000000
check_bad "device property beyond its type names the property" "property 'iobase' value out of range" -M pc -nodefaults -device isa-serial,iobase=0x100000000
check_bad "device port beyond the I/O space" "-device isa-serial,iobase=0x10000" -M pc -nodefaults -device isa-serial,iobase=0x10000
check_bad "malformed device number" "iobase" -M pc -nodefaults -device isa-serial,iobase=0x3fz
check_bad "device chardev that does not exist" "chardev 'nope' not found" -M pc -nodefaults -device isa-serial,chardev=nope
check_bad "ISA device on a machine without ISA" "machine 'none' has no isa bus" -M none -device isa-serial
check_bad "ISA device on pseries" "-device isa-debugcon: machine 'pseries' has no isa bus" -M pseries -device isa-debugcon
check_bad "device with a malformed id" "invalid id" -M pc -device isa-debugcon,id=1x
check_bad "two devices claiming the same ports" "-device isa-debugcon,iobase=0x3f8" -M pc -nodefaults -serial null -device isa-debugcon,iobase=0x3f8

# Duplicate ids.
check_bad "duplicate -chardev id" "duplicate ID 'c0' for chardev" -chardev null,id=c0 -chardev null,id=c0
check_bad "duplicate -device id" "duplicate ID 'd0' for device" -M pc -nodefaults -device isa-debugcon,id=d0 -device isa-debug-exit,id=d0
check_bad "duplicate -object id" "duplicate ID 'io0' for object" -object iothread,id=io0 -object iothread,id=io0
check_bad "-chardev without id" "parameter 'id' is missing" -chardev null
check_bad "-object of an unknown type" "unknown object type 'memory-backend-ram'" -object memory-backend-ram,id=m,size=1G

# Character devices and serial ports.
check_bad "unknown chardev backend" "-chardev warp,id=c" -chardev warp,id=c
check_bad "bad -serial spec" "-serial warp:" -serial warp:
check_bad "five -serial ports" "too many serial ports" -serial null -serial null -serial null -serial null -serial null
check_bad "-serial on the none machine" "machine 'none' has no serial ports" -M none -serial null

# Debug log.
check_bad "unknown -d item" "-d bogus" -d bogus

# Options that are not supported yet: exactly one line, naming the option.
# The gdbstub: a device it cannot use is one line naming -gdb.
check_bad "-gdb with a bad device" "-gdb warp:" -gdb warp:
check_bad "-gdb with a missing chardev" "-gdb chardev:nope" -M pc -gdb chardev:nope
check_bad "-gdb on a machine without CPUs" "no CPU to debug" -M none -gdb tcp::0
check_bad "-monitor stdio" "not supported yet: -monitor" -monitor stdio
check_bad "-qmp" "not supported yet: -qmp" -qmp unix:/tmp/q.sock,server=on,wait=off
check_bad "-netdev" "not supported yet: -netdev" -netdev user,id=n0
check_bad "-drive" "not supported yet: -drive" -drive file=disk.img,format=raw
check_bad "-global unknown driver" "-global nodev.x=1" -global nodev.x=1
check_bad "-global unknown property" "-global isa-serial.foo=1" -global isa-serial.foo=1
check_bad "-global malformed value" "-global isa-debugcon.iobase=zz" -global isa-debugcon.iobase=zz
check_bad "-global malformed spec" "-global junk" -global junk
check_bad "-display sdl" "not supported yet: -display sdl" -display sdl
check_bad "-display gtk" "not supported yet: -display gtk" -display gtk
check_bad "unknown display" "-display foo: unknown display type" -display foo
# KVM holds until its accelerator lands; the issue that adds it replaces
# these with its own tests.
check_bad "-accel kvm" "not supported yet: -accel kvm" -accel kvm
check_bad "-enable-kvm" "not supported yet: -enable-kvm" -enable-kvm
# TCG exists for x86 only.
check_bad "-accel tcg on a machine with no translator" "-accel tcg: no translator for ppc64 yet" -M pseries -accel tcg
check_bad "-machine accel=tcg with no translator" "accel=tcg: no translator for ppc64 yet" -M pseries,accel=tcg
check_bad "-accel fallback list with nothing available" "no translator for ppc64 yet" -M pseries -accel kvm -accel tcg
check_bad "-accel tcg,thread=bogus" "thread must be single or multi" -accel tcg,thread=bogus
check_bad "thread= on another accelerator" "thread= is only valid for -accel tcg" -accel qtest,thread=multi -qtest stdio

# The exact words for a not-supported option.
run_tandem -netdev user,id=n0
if [ "$(cat "$TMP/err")" = "tandem: not supported yet: -netdev" ]; then
    ok "not-supported message is exactly 'tandem: not supported yet: -netdev'"
else
    not_ok "not-supported message is exactly 'tandem: not supported yet: -netdev'"
    diag_file "$TMP/err"
fi

done_testing
