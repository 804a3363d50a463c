#!/usr/bin/env python3
# kvm-guests.t: the x86 guest test programs (tests/tcg/x86_64, built by
# `make x86-guests`) under `tandem -accel kvm`, for real: inside a Linux
# guest of qemu-system-x86_64 -accel tcg -cpu max (nested SVM), see
# nested.py.  The same programs and the same verdict as run-guests.t
# (TCG): the guest prints a TAP plan and that many "ok" lines and exits
# through isa-debug-exit with status 1.
#
# Besides the programs, it checks that -accel kvm opens the nested guest's
# /dev/kvm without a fallback notice, and drives the gdbstub under KVM with
# a raw remote-protocol session (registers, single-step, detach).
#
# TAP SKIP (whole file) when qemu-system-x86_64 is missing, when apt cannot
# download the kernel, or when the kvm modules do not load.
import glob, os, re, subprocess, sys

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
    ("cmos-64 coalesced PIO", "cmos-64", "-d bql"),
]


def coalesced_check(lines):
    """cmos makes over 20,000 writes to the RTC index port; coalesced,
    only those that find the kernel's ring full exit to us, and each of
    those takes the BQL once with the cause "mmio:rtc-index" (-d bql).
    Uncoalesced, every write would."""
    counts = [int(l.split()[1]) for l in lines
              if re.match(r"^mmio:rtc-index\s+\d+\s", l)]
    n = counts[0] if counts else 0
    # The data port's reads always exit: their line shows the statistics
    # were printed at all.
    stats = any(re.match(r"^mmio:rtc\s+\d+\s", l) for l in lines)
    ok = stats and n < 2000
    return ok, [] if ok else ["%d index-port exits (want < 2000: the "
                              "writes were not coalesced)%s" %
                              (n, "" if stats else "; no -d bql output")]


# Extra checks on a case's output: name -> function(lines) -> (ok, diag).
CHECKS = {"cmos-64 coalesced PIO": coalesced_check}


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
    # The A20 gate: KVM has no way to mask address bit 20 (the reference
    # with -accel kvm does not emulate it either); not implemented.
    "a20-32": "A20 masking is not emulated under KVM",
    # XSAVE tests 54-55 (XSTATE_BV of the saved area, XRSTOR of the
    # initial state) fail in the nested guest; not investigated yet.
    "fpu-state-32": "XSAVE/XRSTOR state components under nested KVM (open)",
    "fpu-state-64": "XSAVE/XRSTOR state components under nested KVM (open)",
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


def rsp(body):
    """A GDB remote-protocol packet."""
    return "$%s#%02x" % (body, sum(body.encode()) % 256)


def gdb_main_addr():
    """Where hello-64's main is (guest virtual = physical there)."""
    p = subprocess.run(["nm", os.path.join(GUESTS, "hello-64.elf.elf64")],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    for line in p.stdout.decode().split("\n"):
        w = line.split()
        if len(w) == 3 and w[2] == "main":
            return int(w[0], 16)
    return None


def gdb_script(addr):
    """The gdbstub under KVM: a raw session through busybox nc against
    tandem -S -gdb: registers, two single-steps with registers after
    each, detach; the guest then runs to the end.  Breakpoints are not
    tried here: the outer emulator intercepts neither INT3 nor debug
    register hits of its SVM guests, so they cannot fire in this
    environment (see docs/devel/kvm.md)."""
    steps = [("?", 1), ("g", 1), ("s", 3), ("g", 1), ("s", 3), ("g", 1),
             ("D", 2)]
    feed = "; ".join("printf '+%s'; sleep %d" % (rsp(b), t) for b, t in steps)
    return ("echo '=== gdb'\n"
            "ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up\n"
            "timeout 120 /tandem -accel kvm %s -kernel /g/hello-64.elf "
            "-append 'tap guest' -initrd '/g/hello-64.elf mod-arg' -S "
            "-gdb tcp::1234 </dev/null >/tmp/gdb-guest.out 2>&1 &\n"
            "sleep 2\n"
            "(sleep 1; %s) | nc 127.0.0.1 1234 | tr '$' '\\n'; echo\n"
            "wait $!; echo \"=== gdb rc $?\"\n"
            "cat /tmp/gdb-guest.out\n"
            "echo '=== gdb end'\n" % (ARGS, feed))


def gdb_verdict(lines, addr):
    """(ok, diagnostics) of the gdb session's console lines: the first
    'g' shows the reset vector (0xfff0), each step moves rip and stops
    with T05, and the guest passes after the detach."""
    try:
        a = lines.index("=== gdb")
        b = lines.index("=== gdb end")
    except ValueError:
        return False, ["the gdb session did not run"]
    sess = lines[a + 1:b]
    stops = [l for l in sess if l.startswith("T05")]
    regs = [l.split("#")[0] for l in sess
            if re.match(r"^[0-9a-fx]{300,}", l)]
    rc = [l for l in sess if l.startswith("=== gdb rc")]

    def rip(g):                     # x86-64 'g': 16 GPRs, then rip (LE)
        h = g[256:272]
        return int("".join(reversed([h[i:i + 2] for i in range(0, 16, 2)])),
                   16) if len(h) == 16 else None

    rips = [rip(g) for g in regs]
    ok = (len(stops) >= 3 and len(rips) == 3 and None not in rips and
          len(set(rips)) == 3 and rc == ["=== gdb rc 1"] and
          any(l.startswith("1..8") for l in sess) and
          not any(l.startswith("not ok") for l in sess))
    diag = ["stops %d, rips %s, %s" % (len(stops), [hex(r or 0) for r in rips],
                                       rc)]
    return ok, (diag + ["  " + l[:160] for l in sess[-25:]]) if not ok else []


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
        run = ('timeout %d /tandem -accel kvm %s %s -kernel /g/%s.elf '
               '-append "tap guest" -initrd "/g/%s.elf mod-arg" </dev/null' %
               (LIMIT.get(name, 240), ARGS, extra, g, g))
        script.append('echo "=== case %d"' % i)
        script.append(run + '; rc=$?; echo "=== rc $rc"')
        # One retry for a guest that should pass outright (no known
        # failure, no reference-xfail): its timer and IPI tests measure
        # time inside an emulated host, which host load stretches.  Both
        # runs are reported; see docs/devel/kvm.md.
        if name not in TODO and not directive(g, "reference-xfail"):
            script.append('if [ $rc != 1 ]; then echo "=== case %d"; %s; '
                          'echo "=== rc $?"; fi' % (i, run))
    gdb_addr = (gdb_main_addr()
                if re.search(os.environ.get("KVM_CASES") or "gdb", "gdb")
                else None)
    if gdb_addr is not None:
        script.append(gdb_script(gdb_addr))
        files["/g/hello-64.elf"] = os.path.join(GUESTS, "hello-64.elf")
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
            if cur in out:          # the retry: keep the first run's lines
                out[cur]["first"] = (out[cur]["rc"], out[cur]["lines"])
            out[cur] = dict(out.get(cur, {}), lines=[], rc=None)
            continue
        m = re.match(r"^=== rc (\d+)$", line)
        if m and cur is not None:
            out[cur]["rc"] = int(m.group(1))
            cur = None
            continue
        if cur is not None:
            out[cur]["lines"].append(line)

    print("1..%d" % (len(CASES) + (gdb_addr is not None)))
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
        if name in CHECKS:
            ok2, diag2 = CHECKS[name](r["lines"])
            ok = ok and ok2
            bad += diag2
        todo = TODO.get(name)
        print("%sok %d - tandem -accel kvm: %s%s" % (
            "" if ok else "not ", i + 1, name,
            " # TODO " + todo if todo else ""))
        if "first" in r:
            rc0, lines0 = r["first"]
            print("#   first run failed (exit status %s), %s on the retry:" %
                  (rc0, "passed" if ok else "failed again"))
            for line in [l for l in lines0 if l.startswith("not ok")][:5]:
                print("#     " + line)
        if not ok:
            failed += 0 if todo else 1
            print("# exit status %s (want 1), plan %s, %d ok, %d not ok" %
                  (r["rc"], plan, oks, len(bad)))
            for line in (bad or r["lines"][-15:]):
                print("#   " + line)
    if gdb_addr is not None:
        ok, diag = gdb_verdict(lines, gdb_addr)
        print("%sok %d - gdbstub under KVM: registers, single-step, detach"
              % ("" if ok else "not ", len(CASES) + 1))
        for d in diag:
            print("# " + d)
        failed += 0 if ok else 1
    return 1 if failed else 0


sys.exit(main())
