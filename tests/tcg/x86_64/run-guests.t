#!/usr/bin/env python3
# run-guests.t: runs every x86 guest test program ($BUILD/tests/tcg/x86_64/
# *.elf, built by `make x86-guests`) on
#   (a) the reference emulator qemu-system-x86_64, the differential oracle
#       (TAP SKIP when it is not installed), and
#   (b) tandem, with the same arguments (TAP SKIP while `tandem -accel
#       help` lists no tcg accelerator: the x86 translator is not built
#       yet),
# each with -append "tap guest" and the guest file as a module
# (-initrd "GUEST.elf mod-arg"), which hello checks, plus whatever the
# guest's source asks for in a "guest-args: ..." line (e.g. -smp 2),
# and, when both ran, checks that they agree test by test.
#
# A guest run passes when the guest printed a TAP plan, ran exactly that
# many tests, every one "ok", and the emulator exited with status 1: the
# guest wrote 0 to isa-debug-exit (port 0xf4) and the device exits with
# (0 << 1) | 1.  Any other status (3: the guest counted failures; 124: it
# hung) is a failure.  Guest TAP lines are relayed as diagnostics on
# failure.  See docs/devel/x86-guest-tests.md.
import glob, os, re, shutil, subprocess, sys

BUILD = os.environ.get("BUILD", "build")
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


def guest_args(elf):
    """Extra arguments a guest asks for with a "guest-args: ..." line in
    its source (e.g. -smp 2), the same for both emulators."""
    name = re.sub(r"-(32|64)\.elf$", "", os.path.basename(elf))
    src = os.path.join(os.environ.get("SRC", "."), "tests", "tcg", "x86_64",
                       name + ".c")
    try:
        with open(src) as f:
            m = re.search(r"guest-args:(.*)", f.read())
    except OSError:
        return []
    return m.group(1).replace("*/", "").split() if m else []


def run_guest(emulator, elf):
    """Returns (passed, summary lines, verdicts, diagnostics)."""
    try:
        p = subprocess.run([emulator] + ARGS + guest_args(elf) +
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
    known = []
    for line in text.split("\n"):
        m = re.match(r"^1\.\.(\d+)", line)
        if m:
            plan = int(m.group(1))
            continue
        m = re.match(r"^(not )?ok (\d+)(?: - (.*?))?(?: # .*)?$", line)
        if m:
            ok = m.group(1) is None
            name = (m.group(3) or "").strip()
            if not ok and is_known(guest_base(elf), name) and \
                    emulator != TANDEM:
                known.append(name.split(":")[0])
                ok = True       # a known reference disagreement
            verdicts.append((ok, int(m.group(2))))
            if m.group(1):
                diag.append("guest: " + line)
        elif line.startswith("#") and diag:
            diag.append("guest: " + line)
    passed = ((rc == PASS_STATUS or (known and rc == PASS_STATUS + 2)) and
              plan is not None and len(verdicts) == plan and
              all(v for v, _ in verdicts))
    if known:
        diag.append("%d known disagreements of the reference with hardware "
                    "(reference-known.txt): %s" % (len(known), ", ".join(known)))
    if not passed:
        diag.insert(0, "exit status %d (want %d), plan %s, %d tests, %d not ok"
                    % (rc, PASS_STATUS, plan, len(verdicts),
                       sum(1 for v, _ in verdicts if not v)))
        if not verdicts:
            diag += ["output: " + l for l in text.strip().split("\n")[-10:]]
        diag += ["stderr: " + l for l in
                 err.decode(errors="replace").strip().split("\n")[-5:] if l]
    return passed, verdicts, diag


def guest_base(elf):
    """fpu-64.elf -> fpu"""
    return re.sub(r"-(32|64)\.elf$", "", os.path.basename(elf))


# Tests where the reference emulator is known to disagree with the native
# hardware that produced the expected values (docs/devel/x86-fpu.md): for
# the reference only, such a "not ok" counts as passing (and is listed),
# so the agreement check compares what both get right.  Lines:
# "GUEST TEST-NAME" (GUEST without -32/-64.elf).
KNOWN = set()
_known = os.path.join(os.environ.get("SRC", "."), "tests", "tcg", "x86_64",
                      "reference-known.txt")
if os.path.exists(_known):
    for _l in open(_known):
        _l = _l.strip()
        if _l and not _l.startswith("#"):
            _g, _t = _l.split(None, 1)
            KNOWN.add((_g, _t.strip()))


def is_known(guest, name):
    """A listed test: the whole name, or the part before its first ':'."""
    return (guest, name) in KNOWN or (guest, name.split(":")[0]) in KNOWN


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
    name = os.path.basename(elf)
    results = {}
    if qemu:
        ok, verdicts, diag = run_guest(qemu, elf)
        results["reference"] = verdicts
        tap(ok, "%s on qemu-system-x86_64 (%d tests)" % (name, len(verdicts)),
            diag=diag if not ok else [d for d in diag if "known" in d])
    else:
        tap(True, "%s on qemu-system-x86_64" % name,
            " # SKIP qemu-system-x86_64 is not installed")
    if have_tcg:
        ok, verdicts, diag = run_guest(TANDEM, elf)
        results["tandem"] = verdicts
        tap(ok, "%s on tandem (%d tests)" % (name, len(verdicts)), diag=diag)
    else:
        tap(True, "%s on tandem" % name,
            " # SKIP x86 translator not built yet (no tcg in -accel help)")
    if len(results) == 2:
        tap(results["reference"] == results["tandem"],
            "%s: tandem and the reference agree test by test" % name,
            diag=["reference: %r" % results["reference"],
                  "tandem:    %r" % results["tandem"]])

print("1..%d" % n)
sys.exit(1 if failed else 0)
