#!/usr/bin/env python3
# Device behaviour, differentially against the reference emulator.
#
# The same qtest command sequences run against tandem and, when it is
# installed, qemu-system-x86_64 (which speaks the same protocol; its
# interrupt fabric is called "ioapic" where ours is "isa").  Every reply and
# every "IRQ raise/lower 4" line must match, except where docs/devices.md
# documents a deliberate difference (loopback MSR deltas, which these
# sequences avoid).  Without the reference emulator the tests are skipped.
import os, shutil, socket, subprocess, sys, tempfile

tandem = os.environ.get("TANDEM", "build/tandem")
qemu = shutil.which("qemu-system-x86_64")

COM1 = 0x3f8


def R(reg):
    return "inb 0x%x" % (COM1 + reg)


def W(reg, val):
    return "outb 0x%x 0x%x" % (COM1 + reg, val)


def run(binary, cmds, reference, extra):
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "q.sock")
    lsock = socket.socket(socket.AF_UNIX)
    lsock.bind(path)
    lsock.listen(1)
    args = [binary, "-M", "pc", "-qtest", "unix:" + path, "-display", "none",
            "-nodefaults"] + extra
    if reference:
        # Its packaged build has no qtest accelerator: -qtest alone runs the
        # machine under TCG, and the firmware would poke the same devices.
        # -S keeps the CPU (and its virtual clock) stopped.
        args += ["-S"]
    else:
        args += ["-accel", "qtest"]
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    out = []
    try:
        lsock.settimeout(20)
        conn, _ = lsock.accept()
        conn.settimeout(20)
        f = conn.makefile("rwb")
        for cmd in cmds:
            if cmd == "irq_intercept":
                cmd = "irq_intercept_in " + ("ioapic" if reference else "isa")
            f.write((cmd + "\n").encode())
            f.flush()
            while True:
                line = f.readline().decode().strip()
                if not line:
                    out.append((cmd, "<connection closed>"))
                    return out
                if line.startswith("IRQ"):
                    if line.split()[-1] == "4":
                        out.append((cmd, line))
                    continue
                out.append((cmd, line))
                break
        conn.close()
    except OSError as e:
        out.append(("?", "<%s>" % e))
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return out


# COM1 on a null backend in both: the reference needs it spelled out.
SERIAL = ["-chardev", "null,id=n", "-device", "isa-serial,chardev=n"]

cases = []

cases.append(("serial reset values and divisor latch", SERIAL,
              ["irq_intercept"] + [R(i) for i in range(8)] +
              [W(3, 0x80), R(0), R(1), W(0, 1), W(1, 2), R(0), R(1),
               W(3, 3), R(1), W(1, 0xff), R(1), W(1, 0), W(7, 0x5a), R(7),
               W(5, 0), R(5)]))

cases.append(("serial THRE interrupt semantics", SERIAL,
              ["irq_intercept", W(1, 2), R(2), R(2), W(0, 0x41), R(2),
               W(0, 0x42), W(0, 0x43), R(2), R(2), W(1, 0), W(1, 2), W(1, 0),
               R(2)]))

cases.append(("serial FIFO control and IIR", SERIAL,
              [W(2, 1), R(2), W(2, 0xc7), R(2), W(3, 0xbf), R(2), W(3, 3),
               W(2, 0), R(2)]))

seq = ["irq_intercept", W(4, 0x18), W(2, 0x87), W(1, 1)]
for i in range(8):
    seq += [W(0, 0x30 + i), R(2), R(5)]
seq += [R(0)] + [W(0, 0x50 + i) for i in range(12)]
seq += [R(5), R(5), R(2), W(1, 5), R(2), R(5), R(2)]
seq += [R(0) for _ in range(17)] + [R(5), R(2)]
seq += [W(2, 0), W(0, 1), W(0, 2), R(5), R(0), R(5), R(0), W(1, 0),
        W(4, 8), R(5), R(4), R(3)]
cases.append(("serial loopback FIFO, trigger, overrun", SERIAL, seq))

cases.append(("isa-debugcon and isa-debug-exit reads",
              ["-chardev", "null,id=d", "-device", "isa-debugcon,chardev=d",
               "-device", "isa-debug-exit"],
              ["inb 0xe9", "inb 0x501", "inw 0x501", "inb 0x1234"]))

seq = ["inb 0x510", "inb 0x511", "outw 0x510 0x0", "inb 0x511", "inb 0x510",
       "inb 0x511", "inb 0x511", "inb 0x511", "outb 0x510 0x1", "inb 0x511",
       "outw 0x510 0x4000", "inb 0x511", "outw 0x510 0x3fff", "inb 0x511"]
for key in (0x03, 0x05):
    seq += ["outw 0x510 0x%x" % key] + ["inb 0x511"] * 8
cases.append(("fw_cfg selector, signature, RAM size, CPUs",
              ["-m", "256", "-smp", "2"], seq))

print("1..%d" % len(cases), flush=True)
for n, (name, extra, cmds) in enumerate(cases, 1):
    if not qemu:
        print("ok %d - %s # SKIP qemu-system-x86_64 not installed" % (n, name))
        continue
    ref = run(qemu, cmds, True, extra)
    got = run(tandem, cmds, False, extra)
    diffs = [(i, a, b) for i, (a, b) in enumerate(zip(ref, got))
             if a[1] != b[1]]
    good = not diffs and len(ref) == len(got)
    print("%s %d - %s" % ("ok" if good else "not ok", n, name), flush=True)
    for i, a, b in diffs[:10]:
        print("#   step %d '%s': reference '%s', tandem '%s'" %
              (i, a[0], a[1], b[1]))
    if len(ref) != len(got):
        print("#   %d replies from the reference, %d from tandem" %
              (len(ref), len(got)))
