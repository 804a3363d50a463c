#!/bin/sh
# kvm-exits.sh: exit costs of tandem -accel kvm against the reference
# (qemu-system-x86_64 -accel kvm), in one run, inside the same nested guest
# that tests/kvm/kvm-guests.t uses (Linux in qemu-system-x86_64 -accel tcg
# -cpu max, nested SVM; see tests/kvm/nested.py).  Run by hand after
# `make` (it needs build/tandem and build/tests/tcg/x86_64/exits-32.elf
# and cmos-32.elf):
#
#     bench/kvm-exits.sh [ROUNDS]      (env TURNS, default 3)
#
# The guest program tests/tcg/x86_64/exits.c measures, in TSC cycles:
#   (a) pio        an IN from pc-testdev's port 0xe0 (a userspace device)
#   (b) mmio       a load from pc-testdev's memory at 0xff000000
#   (c) ioeventfd  an OUT to pci-testdev's datamatch-eventfd port (an
#                  ioeventfd in the kernel under both emulators)
#   (e) compute    a sieve of Eratosthenes up to 2,000,000
# and tests/tcg/x86_64/cmos.c measures
#   (f) coalesced  an OUT to the RTC index port 0x70 (coalesced PIO: the
#                  kernel buffers it without an exit to userspace; one IN
#                  from 0x71 per 64 writes drains the buffer)
# and (d) exec-to-first-instruction is the wall time of a run whose guest
# exits at once ("exit-now"), averaged over ROUNDS (default 10) runs and
# timed with the nested kernel's log timestamps.
# The guests run TURNS times each, alternating between the emulators, and
# each row shows the best turn.
# Cycles become microseconds with the nested kernel's TSC frequency.
# Results swing with the host's load: compare the ratios.
set -e
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$SRC/build}
ROUNDS=${1:-10}
export SRC BUILD ROUNDS
exec python3 - <<'EOF'
import os, re, shutil, sys
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.environ["SRC"], "tests", "kvm"))
import nested

build, rounds = os.environ["BUILD"], int(os.environ["ROUNDS"])
turns = int(os.environ.get("TURNS", "3"))
qemu = shutil.which("qemu-system-x86_64")
elf = os.path.join(build, "tests", "tcg", "x86_64", "exits-32.elf")
cmos = os.path.join(build, "tests", "tcg", "x86_64", "cmos-32.elf")
# In /usr/bin, where the reference looks for its firmware (../share/...).
files = {"/usr/bin/tandem": os.path.join(build, "tandem"),
         "/exits.elf": elf, "/cmos.elf": cmos, "/usr/bin/qemu": qemu}
for f in ("/usr/share/seabios/bios-256k.bin",
          "/usr/share/qemu/multiboot_dma.bin",
          "/usr/share/qemu/linuxboot_dma.bin",
          "/usr/share/qemu/kvmvapic.bin"):
    if os.path.exists(f):
        files[f] = os.path.realpath(f)
common = ("-accel kvm -M pc -nographic -nodefaults -serial stdio "
          "-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4")
args = common + " -device pc-testdev -device pci-testdev -kernel /exits.elf"
cmos_args = common + " -kernel /cmos.elf"
script = """cd /tmp
dmesg | grep -i 'tsc.*MHz' | tail -1
# The timed guests run in turns (tandem, qemu, tandem, ...) and each
# figure is the best of the turns, so that a change of host load between
# two runs weighs less.
t=0
while [ $t -lt %(turns)d ]; do
  for e in tandem qemu; do
    echo "=== run $e"
    /usr/bin/$e %(args)s -append "tap guest" </dev/null
    echo "=== rc $?"
    /usr/bin/$e %(cmos_args)s -append "tap guest" </dev/null
    echo "=== rc $?"
  done
  t=$((t+1))
done
for e in tandem qemu; do
  # The kernel log's microsecond timestamps time the runs.
  echo "bench-start-$e" >/dev/kmsg
  i=0
  while [ $i -lt %(rounds)d ]; do
    /usr/bin/$e %(args)s -append "exit-now" </dev/null >/dev/null
    i=$((i+1))
  done
  echo "bench-end-$e" >/dev/kmsg
done
dmesg | grep bench-
""" % {"args": args, "cmos_args": cmos_args, "rounds": rounds,
     "turns": turns}
try:
    lines = nested.run(build, files, script, timeout=1200)
except nested.Skip as e:
    print("skipped: %s" % e)
    sys.exit(0)
if os.environ.get("KVM_BENCH_DEBUG"):
    print("\n".join(lines))
mhz = None
res = {"tandem": {}, "qemu": {}}
cur = None
for line in lines:
    m = re.search(r"([0-9.]+) MHz", line)
    if m and mhz is None:
        mhz = float(m.group(1))
    m = re.match(r"^=== run (\w+)", line)
    if m:
        cur = m.group(1)
    m = re.match(r"^# bench (\w+) (\d+)/(\d+)", line)
    if m and cur:
        v = int(m.group(2)) / int(m.group(3))
        res[cur][m.group(1)] = min(v, res[cur].get(m.group(1), v))
    m = re.match(r"^not ok .*", line)
    if m and cur:
        print("%s: %s" % (cur, line))
    m = re.match(r"^\[\s*([0-9.]+)\] bench-(start|end)-(\w+)", line)
    if m:
        res[m.group(3)][m.group(2)] = float(m.group(1))
for e in res:
    if "start" in res[e] and "end" in res[e]:
        res[e]["exec"] = (res[e]["end"] - res[e]["start"]) * 1e6 / rounds
if not mhz:
    print("no TSC frequency in the nested kernel's log:\n" + "\n".join(lines))
    sys.exit(1)
print("nested guest TSC: %.1f MHz; %d rounds for exec-to-first-insn"
      % (mhz, rounds))
print("%-28s %12s %12s %8s" % ("", "tandem", "qemu", "ratio"))
rows = [("(a) PIO exit, us", "pio", 1 / mhz),
        ("(b) MMIO exit, us", "mmio", 1 / mhz),
        ("(c) ioeventfd write, us", "ioeventfd", 1 / mhz),
        ("(f) coalesced PIO write, us", "coalesced", 1 / mhz),
        ("(d) exec to first insn, ms", "exec", 1e-3),
        ("(e) sieve to 2M, ms", "compute", 1e-3 / mhz)]
for name, key, scale in rows:
    t, q = res["tandem"].get(key), res["qemu"].get(key)
    fmt = lambda v: "%12.2f" % (v * scale) if v is not None else "%12s" % "-"
    ratio = "%8.2f" % (t / q) if t and q else "%8s" % "-"
    print("%-28s %s %s %s" % (name, fmt(t), fmt(q), ratio))
EOF
