#!/usr/bin/env python3
# mttcg-bql.t: while SMP guest code computes, the BQL is almost never held
# (ARCHITECTURE.md section 1; docs/devel/mttcg.md).
#
# Runs the smp-compute guest (the same xorshift loop on every CPU, about a
# second of guest code) under -smp 2 with -d bql -D LOG and parses the
# table tandem prints at exit.  The lock's hold time over the run,
# excluding the "init" cause (machine creation and teardown on the main
# thread, before any guest code runs and after it stopped), must be under
# 1% of the run time; the run time is the table's own uptime minus that
# init time.  This is a functional property (guest code runs without the
# BQL), not a speed measurement: the bound holds on a loaded machine too,
# since slowness stretches both sides.
#
# While tandem has no local APIC the APs cannot start and the guest skips
# under -smp 2; the check then runs the guest under -smp 1 (and says so).
import os, re, subprocess, sys, tempfile

BUILD = os.environ.get("BUILD", "build")
TANDEM = os.environ.get("TANDEM", os.path.join(BUILD, "tandem"))
GUEST = os.path.join(BUILD, "tests", "tcg", "x86_64", "smp-compute-64.elf")
n = 0
failed = 0


def sanitized():
    """True for an ASan or TSan build: its C code (the loop, the devices)
    runs several times slower while the generated code does not, so the
    fixed costs (start-up, halt, serial) weigh more; the guest then runs
    four times the work to keep the ratio about the steady state."""
    try:
        with open(os.path.join(BUILD, "config.mak")) as f:
            text = f.read()
    except OSError:
        return False
    return re.search(r"^CONFIG_[AT]SAN := yes", text, re.M) is not None


WORK = 1600 if sanitized() else 400


def tap(ok, name, diag=()):
    global n, failed
    n += 1
    failed += not ok
    print("%sok %d - %s" % ("" if ok else "not ", n, name))
    for line in diag:
        print("# " + line)


def run(smp, log):
    p = subprocess.run([TANDEM, "-M", "pc", "-display", "none", "-nodefaults",
                        "-serial", "stdio", "-no-reboot",
                        "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
                        "-smp", str(smp), "-kernel", GUEST,
                        "-append", "work=%d" % WORK, "-d", "bql", "-D", log],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=300)
    return p.returncode, p.stdout.decode(errors="replace").replace("\r", "")


if not os.path.exists(GUEST):
    print("1..0 # SKIP %s not built (make x86-guests)" % GUEST)
    sys.exit(0)

with tempfile.TemporaryDirectory() as tmp:
    log = os.path.join(tmp, "bql.log")
    smp = 2
    rc, out = run(smp, log)
    if "1..0 # SKIP" in out:
        smp = 1
        rc, out = run(smp, log)
    tap(rc == 1 and re.search(r"^ok 2 ", out, re.M) is not None,
        "smp-compute guest passes under -smp %d%s" %
        (smp, "" if smp == 2 else " (no LAPIC yet: APs cannot start)"),
        ["exit status %d" % rc] + out.strip().split("\n")[-3:])
    text = open(log).read() if os.path.exists(log) else ""
    m = re.search(r"BQL statistics over ([0-9.]+) s", text)
    holds = {}
    for line in text.split("\n"):
        f = line.split()
        if len(f) == 6 and re.match(r"^\d+$", f[1]) and f[3].endswith("%"):
            holds[f[0]] = int(f[2])
    tap(m is not None and "vcpu-loop" in holds,
        "-d bql prints a table with per-cause hold times",
        text.strip().split("\n")[:12])
    if m and holds:
        uptime_ns = float(m.group(1)) * 1e9
        init_ns = holds.get("init", 0)
        held_ns = sum(v for k, v in holds.items() if k != "init")
        run_ns = uptime_ns - init_ns
        frac = held_ns / run_ns if run_ns > 0 else 1.0
        tap(run_ns > 2e8 and frac < 0.01,
            "BQL held %.3f%% of %.2f s of guest run time (want < 1%%)"
            % (100 * frac, run_ns / 1e9),
            ["%s: %d ns" % (k, v) for k, v in sorted(holds.items())])
    else:
        tap(False, "BQL hold fraction could not be computed")

print("1..%d" % n)
sys.exit(1 if failed else 0)
