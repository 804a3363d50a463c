#!/usr/bin/env python3
# run-guests.t: runs every x86 guest test program ($BUILD/tests/tcg/x86_64/
# *.elf, built by `make x86-guests`) on
#   (a) the reference emulator qemu-system-x86_64, the differential oracle
#       (TAP SKIP when it is not installed), and
#   (b) tandem, with the same arguments (TAP SKIP while `tandem -accel
#       help` lists no tcg accelerator: the x86 translator is not built
#       yet),
# each with -append "tap guest" and the guest file as a module
# (-initrd "GUEST.elf mod-arg"), which hello checks,
# and, when both ran, checks that they agree test by test.
#
# A guest's source may ask for more runs with extra arguments, one per
# line "// run-args: ARGS" (e.g. "-smp 4"); every run-args line is one more
# run on each emulator, compared with the reference run with the same
# arguments.  A guest that prints "1..0 # SKIP reason" (a capability the
# emulator lacks, e.g. no local APIC to start the other CPUs) is reported
# as a TAP SKIP for that run and not compared.
#
# A guest run passes when the guest printed a TAP plan, ran exactly that
# many tests, every one "ok", and the emulator exited with status 1: the
# guest wrote 0 to isa-debug-exit (port 0xf4) and the device exits with
# (0 << 1) | 1.  Any other status (3: the guest counted failures; 124: it
# hung) is a failure.  Guest TAP lines are relayed as diagnostics on
# failure.  See docs/devel/x86-guest-tests.md.
import glob, os, re, shutil, subprocess, sys

BUILD = os.environ.get("BUILD", "build")
SRC = os.environ.get("SRC", ".")
TANDEM = os.environ.get("TANDEM", os.path.join(BUILD, "tandem"))
GUEST_DIR = os.path.join(BUILD, "tests", "tcg", "x86_64")
TIMEOUT_S = 120
ARGS = ["-M", "pc", "-nographic", "-no-reboot",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
PASS_STATUS = 1

n = 0
failed = 0


def tap(ok, name, directive="", diag=()):
    global n, failed
    n += 1
    if not ok:
        failed += 1
    print("%sok %d - %s%s" % ("" if ok else "not ", n, name, directive))
    for line in diag:
        print("# " + line)
    sys.stdout.flush()


def run_args_of(elf):
    """The extra argument lists from the guest's "// run-args:" lines."""
    name = re.sub(r"-(32|64)\.elf$", "", os.path.basename(elf))
    src = os.path.join(SRC, "tests", "tcg", "x86_64", name + ".c")
    extra = []
    try:
        with open(src) as f:
            for line in f:
                m = re.match(r"^// run-args:(.*)$", line)
                if m:
                    extra.append(m.group(1).split())
    except OSError:
        pass
    return extra


def run_guest(emulator, elf, extra=()):
    """Returns (passed, verdicts, diagnostics, skip reason or None)."""
    try:
        p = subprocess.run([emulator] + ARGS + list(extra) +
                           ["-kernel", elf, "-append", "tap guest",
                            "-initrd", elf + " mod-arg"],
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=TIMEOUT_S)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = 124, e.stdout or b"", e.stderr or b""
    text = out.decode(errors="replace").replace("\r", "")
    plan = None
    verdicts = []
    diag = []
    skip = None
    for line in text.split("\n"):
        m = re.match(r"^1\.\.(\d+)(?:\s*#\s*SKIP\s*(.*))?", line)
        if m:
            plan = int(m.group(1))
            if plan == 0 and m.group(2) is not None:
                skip = m.group(2).strip() or "skipped by the guest"
            continue
        m = re.match(r"^(not )?ok (\d+)", line)
        if m:
            verdicts.append((m.group(1) is None, int(m.group(2))))
            if m.group(1):
                diag.append("guest: " + line)
        elif line.startswith("#") and diag:
            diag.append("guest: " + line)
    passed = (rc == PASS_STATUS and plan is not None and
              len(verdicts) == plan and all(v for v, _ in verdicts))
    if not passed:
        diag.insert(0, "exit status %d (want %d), plan %s, %d tests, %d not ok"
                    % (rc, PASS_STATUS, plan, len(verdicts),
                       sum(1 for v, _ in verdicts if not v)))
        if not verdicts:
            diag += ["output: " + l for l in text.strip().split("\n")[-10:]]
        diag += ["stderr: " + l for l in
                 err.decode(errors="replace").strip().split("\n")[-5:] if l]
    return passed, verdicts, diag, (skip if passed else None)


def tandem_has_tcg():
    try:
        p = subprocess.run([TANDEM, "-accel", "help"], capture_output=True,
                           timeout=30)
    except OSError:
        return False
    return "tcg" in p.stdout.decode(errors="replace").split()


guests = sorted(glob.glob(os.path.join(GUEST_DIR, "*.elf")))
qemu = shutil.which("qemu-system-x86_64")
have_tcg = tandem_has_tcg()

tap(len(guests) > 0, "guest programs are built (%d in %s)"
    % (len(guests), GUEST_DIR),
    diag=[] if guests else ["run `make x86-guests` first"])

for elf in guests:
    for extra in [[]] + run_args_of(elf):
        name = os.path.basename(elf)
        if extra:
            name += " " + " ".join(extra)
        results = {}
        for who, emulator, present, why in (
                ("reference", qemu, bool(qemu),
                 "qemu-system-x86_64 is not installed"),
                ("tandem", TANDEM, have_tcg,
                 "x86 translator not built yet (no tcg in -accel help)")):
            label = "qemu-system-x86_64" if who == "reference" else "tandem"
            if not present:
                tap(True, "%s on %s" % (name, label), " # SKIP " + why)
                continue
            ok, verdicts, diag, skip = run_guest(emulator, elf, extra)
            if skip:
                tap(True, "%s on %s" % (name, label), " # SKIP " + skip)
                continue
            results[who] = verdicts
            tap(ok, "%s on %s (%d tests)" % (name, label, len(verdicts)),
                diag=diag)
        if len(results) == 2:
            tap(results["reference"] == results["tandem"],
                "%s: tandem and the reference agree test by test" % name,
                diag=["reference: %r" % results["reference"],
                      "tandem:    %r" % results["tandem"]])

print("1..%d" % n)
sys.exit(1 if failed else 0)
