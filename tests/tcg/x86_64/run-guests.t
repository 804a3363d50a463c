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
# A guest whose source (tests/tcg/x86_64/NAME.c) has a line
# "run-guests: ARGS" gets those extra arguments on both (e.g. -cpu max).
# A line "reference-xfail: NAME..." lists guest tests known to fail on the
# reference because of a bug in it (each documented next to the line):
# their failure there is expected, and they are left out of the
# agreement check; on tandem they must pass like any other.
# A line "reference-skip: REASON" says the reference cannot run the guest
# at all (it crashes on it): its run is a TAP SKIP with that reason and
# nothing is compared; tandem must pass as usual.
# A line "// run-args: ARGS" (any number of them) asks for one more run
# per line with those arguments added (e.g. -smp 4), on both emulators,
# compared with the reference run with the same arguments.  A guest that
# prints "1..0 # SKIP reason" (a capability the machine lacks, e.g. no
# local APIC to start its other CPUs) is a TAP SKIP for that run, and
# that run is not compared.
# Runs go two at a time (CI has two cores).
#
# A guest run passes when the guest printed a TAP plan, ran exactly that
# many tests, every one "ok", and the emulator exited with status 1: the
# guest wrote 0 to isa-debug-exit (port 0xf4) and the device exits with
# (0 << 1) | 1.  Any other status (3: the guest counted failures; 124: it
# hung) is a failure.  Guest TAP lines are relayed as diagnostics on
# failure.  See docs/devel/x86-guest-tests.md.
import concurrent.futures, glob, os, re, shutil, subprocess, sys

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


def guest_src_lines(elf):
    name = re.sub(r"-(32|64)\.elf$", "", os.path.basename(elf))
    src = os.path.join(os.environ.get("SRC", "."), "tests", "tcg", "x86_64",
                       name + ".c")
    try:
        with open(src) as f:
            return f.read().split("\n")
    except OSError:
        return []


def guest_directive(elf, key):
    """The words after "key:" in the guest's source, or []."""
    for line in guest_src_lines(elf):
        m = re.search(key + r":\s*(.*?)\s*(\*/)?$", line)
        if m:
            return m.group(1).split()
    return []


def guest_args(elf):
    return guest_directive(elf, "run-guests")


def run_args_of(elf):
    """The extra argument lists of the guest's "// run-args:" lines."""
    extra = []
    for line in guest_src_lines(elf):
        m = re.match(r"^// run-args:(.*)$", line)
        if m:
            extra.append(tuple(m.group(1).split()))
    return extra


def run_guest(emulator, elf, xfail=(), extra=()):
    """Returns (passed, verdicts, diagnostics, skip reason or None);
    failures of tests named in xfail do not count."""
    try:
        p = subprocess.run([emulator] + ARGS + guest_args(elf) + list(extra) +
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
        m = re.match(r"^(not )?ok (\d+)(?: - ([^#]*?))?\s*(#.*)?$", line)
        if m:
            ok = m.group(1) is None
            if not ok and (m.group(3) or "").split(":")[0] in xfail:
                diag.append("guest (expected failure): " + line)
                continue
            verdicts.append((ok, int(m.group(2))))
            if not ok:
                diag.append("guest: " + line)
        elif line.startswith("#") and diag:
            diag.append("guest: " + line)
    # a guest with failures (expected ones included) exits with status 3
    nxfail = sum(1 for d in diag if d.startswith("guest (expected"))
    passed = (rc == (PASS_STATUS if nxfail == 0 else 3) and
              plan is not None and len(verdicts) + nxfail == plan and
              all(v for v, _ in verdicts))
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

pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
runs = {}
configs = [(elf, extra) for elf in guests for extra in [()] + run_args_of(elf)]
for elf, extra in configs:
    if qemu and not guest_directive(elf, "reference-skip"):
        runs[(qemu, elf, extra)] = pool.submit(
            run_guest, qemu, elf, set(guest_directive(elf, "reference-xfail")),
            extra)
    if have_tcg:
        runs[(TANDEM, elf, extra)] = pool.submit(run_guest, TANDEM, elf, (),
                                                 extra)

for elf, extra in configs:
    name = " ".join((os.path.basename(elf),) + extra)
    results = {}
    ref_skip = " ".join(guest_directive(elf, "reference-skip"))
    if qemu and ref_skip:
        tap(True, "%s on qemu-system-x86_64" % name, " # SKIP " + ref_skip)
    elif qemu:
        ok, verdicts, diag, skip = runs[(qemu, elf, extra)].result()
        if skip:
            tap(True, "%s on qemu-system-x86_64" % name, " # SKIP " + skip)
        else:
            results["reference"] = verdicts
            tap(ok, "%s on qemu-system-x86_64 (%d tests)"
                % (name, len(verdicts)), diag=diag)
    else:
        tap(True, "%s on qemu-system-x86_64" % name,
            " # SKIP qemu-system-x86_64 is not installed")
    if have_tcg:
        ok, verdicts, diag, skip = runs[(TANDEM, elf, extra)].result()
        if skip:
            tap(True, "%s on tandem" % name, " # SKIP " + skip)
        else:
            results["tandem"] = verdicts
            if "reference" in results:
                # the agreement check leaves the reference's known bugs out
                ref_numbers = {n for _, n in results["reference"]}
                results["tandem"] = [v for v in verdicts
                                     if v[1] in ref_numbers]
            tap(ok, "%s on tandem (%d tests)" % (name, len(verdicts)),
                diag=diag)
    else:
        tap(True, "%s on tandem" % name,
            " # SKIP x86 translator not built yet (no tcg in -accel help)")
    if len(results) == 2:
        same = results["reference"] == results["tandem"]
        tap(same, "%s: tandem and the reference agree test by test" % name,
            diag=[] if same else ["reference: %r" % results["reference"],
                                  "tandem:    %r" % results["tandem"]])

print("1..%d" % n)
sys.exit(1 if failed else 0)
