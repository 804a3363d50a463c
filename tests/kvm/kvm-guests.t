#!/usr/bin/env python3
# kvm-guests.t: the x86 guest test programs (tests/tcg/x86_64, built by
# `make x86-guests`) under `tandem -accel kvm`, for real: inside a Linux
# guest of qemu-system-x86_64 -accel tcg -cpu max (nested SVM), see
# nested.py.  The same programs and the same verdict as run-guests.t
# (TCG): the guest prints a TAP plan and that many "ok" lines and exits
# through isa-debug-exit with status 1.
#
# Besides the programs, it checks that -accel kvm opens the nested guest's
# /dev/kvm without a fallback notice.
#
# TAP SKIP (whole file) when qemu-system-x86_64 is missing, when apt cannot
# download the kernel, or when the kvm modules do not load.
import glob, os, re, sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nested  # noqa: E402

BUILD = os.environ.get("BUILD", "build")
TANDEM = os.environ.get("TANDEM", os.path.join(BUILD, "tandem"))
GUESTS = os.path.join(BUILD, "tests", "tcg", "x86_64")
ARGS = "-M pc -nographic -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4"

SRC = os.environ.get("SRC", ".")


def directive(guest, key):
    """The words after "key:" in the guest's source (as run-guests.t)."""
    src = os.path.join(SRC, "tests", "tcg", "x86_64",
                       re.sub(r"-(32|64)$", "", guest) + ".c")
    try:
        for line in open(src):
            m = re.search(key + r":\s*(.*?)\s*(\*/)?$", line)
            if m:
                return m.group(1).split()
    except OSError:
        pass
    return []


# Every guest program, 32- and 64-bit, with its run-guests: arguments
# (memmap asks for -m 4G: the nested guest has 5G, allocated lazily);
# then SMP and the userspace irqchip.  (name, guest, extra arguments)
CASES = []
for elf in sorted(glob.glob(os.path.join(GUESTS, "*.elf"))):
    g = os.path.basename(elf)[:-4]
    CASES.append((g, g, " ".join(directive(g, "run-guests"))))
CASES += [
    ("hello-64 -smp 2", "hello-64", "-smp 2"),
    ("apic-64 -smp 2", "apic-64", "-cpu max -smp 2"),
    ("excp-64 kernel-irqchip=off", "excp-64", "-machine kernel-irqchip=off"),
    ("smp-64 kernel-irqchip=off", "smp-64",
     "-smp 2 -machine kernel-irqchip=off"),
    ("apic-64 kernel-irqchip=off", "apic-64",
     "-cpu max -machine kernel-irqchip=off"),
]


# Known failures under nested KVM, reported as TAP TODO (they do not fail
# the run; a TODO that starts passing shows as a bonus):
TODO = {
    # Stops at test 41 (the 16th of the PAE suite) with an unexpected #GP;
    # passes under TCG and in paging-64.  Not investigated yet: PDPTE
    # caching differs between TCG, NPT and the outer emulator's SVM.
    "paging-32": "PAE suite: unexpected #GP under nested KVM (open)",
    # #DF delivered through a task gate: the handler task does not run.
    # KVM emulates task switches on SVM in its instruction emulator; not
    # investigated yet.
    "tasks-32": "#DF through a task gate under nested KVM (open)",
    # Now and then the wake-up from STI; HLT (test 13) is lost with the
    # userspace irqchip; see docs/devel/kvm.md.
    "apic-64 kernel-irqchip=off": "STI;HLT wake-up occasionally lost "
                                  "with the userspace irqchip (open)",
}
# Per-case time limits in seconds (the default is generous: the guest code
# runs at the outer emulator's speed).
LIMIT = {"apic-64 kernel-irqchip=off": 60}

# KVM_CASES=REGEX runs only the cases whose name matches (debugging).
if os.environ.get("KVM_CASES"):
    CASES = [c for c in CASES if re.search(os.environ["KVM_CASES"], c[0])]


def main():
    files = {"/tandem": TANDEM}
    for _, g, _ in CASES:
        files["/g/%s.elf" % g] = os.path.join(GUESTS, g + ".elf")
    missing = [h for h in files.values() if not os.path.exists(h)]
    if missing:
        print("1..0 # SKIP not built: %s" % " ".join(missing))
        return 0
    script = ["cd /tmp"]
    for i, (name, g, extra) in enumerate(CASES):
        script.append('echo "=== case %d"' % i)
        script.append('timeout %d /tandem -accel kvm %s %s -kernel /g/%s.elf '
                      '-append "tap guest" -initrd "/g/%s.elf mod-arg" '
                      '</dev/null; echo "=== rc $?"' %
                      (LIMIT.get(name, 240), ARGS, extra, g, g))
    try:
        lines = nested.run(BUILD, files, "\n".join(script) + "\n",
                           timeout=1500)
    except nested.Skip as e:
        print("1..0 # SKIP %s" % e)
        return 0
    except RuntimeError as e:
        print("1..1")
        print("not ok 1 - the nested KVM guest ran the tests")
        for line in str(e).split("\n"):
            print("# " + line)
        return 1

    # Split the console into cases.
    out = {}
    cur = None
    for line in lines:
        m = re.match(r"^=== case (\d+)$", line)
        if m:
            cur = int(m.group(1))
            out[cur] = {"lines": [], "rc": None}
            continue
        m = re.match(r"^=== rc (\d+)$", line)
        if m and cur is not None:
            out[cur]["rc"] = int(m.group(1))
            cur = None
            continue
        if cur is not None:
            out[cur]["lines"].append(line)

    print("1..%d" % len(CASES))
    failed = 0
    for i, (name, g, extra) in enumerate(CASES):
        r = out.get(i, {"lines": ["(no output)"], "rc": None})
        # The guest's instructions run on the outer emulator's CPU: its
        # known bugs (reference-xfail) show here too.
        xfail = directive(g, "reference-xfail")
        plan, oks, bad, nx = None, 0, [], 0
        for line in r["lines"]:
            m = re.match(r"^1\.\.(\d+)", line)
            if m:
                plan = int(m.group(1))
            elif re.match(r"^ok \d+", line):
                oks += 1
            else:
                m = re.match(r"^not ok \d+(?: - ([^#]*?))?\s*(#.*)?$", line)
                if m and (m.group(1) or "").split(":")[0] in xfail:
                    nx += 1
                elif m:
                    bad.append(line)
        notice = [l for l in r["lines"] if "falling back" in l]
        ok = (r["rc"] == (3 if nx else 1) and plan is not None and
              oks + nx == plan and not bad and not notice)
        todo = TODO.get(name)
        print("%sok %d - tandem -accel kvm: %s%s" % (
            "" if ok else "not ", i + 1, name,
            " # TODO " + todo if todo else ""))
        if not ok:
            failed += 0 if todo else 1
            print("# exit status %s (want 1), plan %s, %d ok, %d not ok" %
                  (r["rc"], plan, oks, len(bad)))
            for line in (bad or r["lines"][-15:]):
                print("#   " + line)
    return 1 if failed else 0


sys.exit(main())
