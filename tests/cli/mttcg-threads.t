#!/usr/bin/env python3
# mttcg-threads.t: -accel tcg,thread=single runs every vCPU on one host
# thread; thread=multi (the default) gives each vCPU its own
# (docs/devel/mttcg.md section 1).
#
# Runs the smp-atomic guest (every CPU hammers shared counters with locked
# instructions; the sums must be exact) under -smp 4 in both modes.  While
# it runs, the test polls /proc/PID/task/*/comm and collects the names of
# the vCPU threads ("CPU ..."): under thread=single every sample must be
# exactly one, "CPU rr/TCG"; under thread=multi every sample must be part
# of "CPU 0/TCG" .. "CPU 3/TCG" (they are created and joined one by one)
# and some sample all four.  The vCPU threads exist from machine creation
# until exit, so the samples (every 2 ms from the start) catch them; the
# test fails rather than passes if it never saw any.  The guest must pass
# either way.
import os, re, subprocess, sys, time

BUILD = os.environ.get("BUILD", "build")
TANDEM = os.environ.get("TANDEM", os.path.join(BUILD, "tandem"))
GUEST = os.path.join(BUILD, "tests", "tcg", "x86_64", "smp-atomic-64.elf")
TIMEOUT_S = 300
n = 0
failed = 0


def tap(ok, name, diag=()):
    global n, failed
    n += 1
    failed += not ok
    print("%sok %d - %s" % ("" if ok else "not ", n, name))
    for line in diag:
        print("# " + line)
    sys.stdout.flush()


def thread_names(pid):
    """The comm of every thread of pid; [] once it has gone."""
    names = []
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return names
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                names.append(f.read().strip())
        except OSError:
            pass                # the thread ended meanwhile
    return names


def run(accel):
    """Runs the guest; returns (status, output, samples), where samples is
    the list of sorted vCPU thread names seen at each poll that found any."""
    args = [TANDEM, "-M", "pc", "-display", "none", "-nodefaults",
            "-serial", "stdio", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
            "-smp", "4", "-accel", accel, "-kernel", GUEST,
            "-append", "tap"]
    out_path = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                            "mttcg-threads-%d.out" % os.getpid())
    samples = []
    with open(out_path, "w+") as out:
        p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT)
        deadline = time.monotonic() + TIMEOUT_S
        while p.poll() is None and time.monotonic() < deadline:
            cpus = sorted(t for t in thread_names(p.pid)
                          if t.startswith("CPU "))
            if cpus:
                samples.append(cpus)
            time.sleep(0.002)
        if p.poll() is None:
            p.kill()
        status = p.wait()
        out.seek(0)
        text = out.read().replace("\r", "")
    os.unlink(out_path)
    return status, text, samples


def guest_passed(status, text):
    plan = re.search(r"^1\.\.(\d+)", text, re.M)
    oks = re.findall(r"^ok \d+", text, re.M)
    bad = re.findall(r"^not ok", text, re.M)
    return (status == 1 and plan is not None and int(plan.group(1)) > 0 and
            len(oks) == int(plan.group(1)) and not bad)


if not os.path.exists(GUEST):
    print("1..0 # SKIP %s not built (make x86-guests)" % GUEST)
    sys.exit(0)

WANT = {
    "tcg,thread=single": ["CPU rr/TCG"],
    "tcg,thread=multi": ["CPU %d/TCG" % i for i in range(4)],
}

for accel, want in WANT.items():
    status, text, samples = run(accel)
    passed = guest_passed(status, text)
    tap(passed, "-smp 4 -accel %s: smp-atomic passes" % accel,
        [] if passed else
        ["exit status %d" % status] + text.strip().split("\n")[-8:])
    distinct = sorted(set(tuple(s) for s in samples))
    tap(len(samples) > 0 and tuple(want) in distinct and
        all(set(d) <= set(want) for d in distinct) and
        (len(want) > 1 or distinct == [tuple(want)]),
        "-smp 4 -accel %s: %d vCPU thread%s (%s) over %d samples" %
        (accel, len(want), "" if len(want) == 1 else "s", ", ".join(want),
         len(samples)),
        ["seen: %s" % " | ".join(", ".join(d) for d in distinct)])

print("1..%d" % n)
sys.exit(1 if failed else 0)
