#!/usr/bin/env python3
# memory.t: -m on the pc machine, seen from the outside through the qtest
# protocol on stdio: the size forms (bare MiB, suffixes, size=, slots= and
# maxmem=), sizes up to 16 GiB (allocated lazily, so they fit a small
# host), the split around the PCI hole (everything from 3 GiB up moves
# above 4 GiB once RAM reaches 3.5 GiB), what firmware reads about it (the
# fw_cfg RAM size, the etc/e820 file, the CMOS bytes), compared with the
# reference emulator when it is installed; malformed or too large sizes get
# one error line and exit status 1; and --long spellings of options.
import os, shutil, subprocess, sys, tempfile

tandem = os.environ.get("TANDEM", "build/tandem")
qemu = shutil.which("qemu-system-x86_64")
n = 0
fails = 0
GiB = 1 << 30
MiB = 1 << 20


def ok(cond, name, diag=None):
    global n, fails
    n += 1
    if not cond:
        fails += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (n, name), flush=True)
    if not cond and diag:
        for line in str(diag).splitlines():
            print("# " + line, flush=True)


def skip(name, why):
    global n
    n += 1
    print("ok %d - %s # SKIP %s" % (n, name, why), flush=True)


def session(emu, args, commands, prefix=("-M", "pc")):
    cmd = [emu] + list(prefix) + args
    if emu == tandem and "--accel" not in args:
        cmd += ["-accel", "qtest"]
    if "--qtest" not in args:
        cmd += ["-qtest", "stdio", "-display", "none", "-nodefaults"]
    # Reads one reply per command, then ends the emulator (the reference
    # does not exit at the end of its input).
    # stderr goes to a file: the reference logs every command there, which
    # would fill a pipe nobody reads yet.
    errf = tempfile.TemporaryFile(mode="w+")
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=errf, text=True)
    replies = []
    try:
        p.stdin.write("".join(c + "\n" for c in commands))
        p.stdin.flush()
        while len(replies) < len(commands):
            line = p.stdout.readline()
            if not line:
                break
            line = line.rstrip("\n")
            if not line.startswith("IRQ") and not line.startswith("["):
                replies.append(line)
    finally:
        p.kill()
        p.communicate(timeout=30)
        errf.seek(0)
        err = errf.read()[-2000:]
        errf.close()
    return replies, p.returncode, err


def value(reply):
    assert reply.startswith("OK "), reply
    return int(reply.split()[1], 16)


def fw_cfg_cmds(key, length):
    return ["outw 0x510 0x%x" % key] + ["inb 0x511"] * length


def firmware_view(emu, m):
    """(fw_cfg RAM size, e820 bytes, CMOS bytes) as the guest reads them."""
    cmos_regs = [0x15, 0x16, 0x17, 0x18, 0x30, 0x31, 0x34, 0x35,
                 0x5b, 0x5c, 0x5d]
    cmds = fw_cfg_cmds(0x03, 8) + fw_cfg_cmds(0x19, 4 + 64 * 32)
    for r in cmos_regs:
        cmds += ["outb 0x70 0x%x" % r, "inb 0x71"]
    replies, rc, err = session(emu, ["-m", m], cmds)
    if len(replies) != len(cmds):
        raise RuntimeError("rc %d: %s" % (rc, err.strip()))
    vals = [value(r) if r.startswith("OK 0x") else None for r in replies]
    ram = sum(vals[1 + i] << (8 * i) for i in range(8))
    d = vals[10:10 + 4 + 64 * 32]
    count = int.from_bytes(bytes(d[0:4]), "big")
    e820 = None
    for i in range(min(count, 32)):
        ent = bytes(d[4 + 64 * i:4 + 64 * (i + 1)])
        size = int.from_bytes(ent[0:4], "big")
        key = int.from_bytes(ent[4:6], "big")
        name = ent[8:].split(b"\0")[0].decode()
        if name == "etc/e820":
            for attempt in range(3):
                r2, _, _ = session(emu, ["-m", m], fw_cfg_cmds(key, size))
                if len(r2) == size + 1:
                    break
            e820 = bytes(value(x) for x in r2[1:])
    cmos = [v for i, v in enumerate(vals[10 + 4 + 64 * 32:]) if i % 2 == 1]
    return ram, e820, cmos


def e820_entries(raw):
    out = []
    for i in range(0, len(raw or b""), 20):
        e = raw[i:i + 20]
        out.append((int.from_bytes(e[0:8], "little"),
                    int.from_bytes(e[8:16], "little"),
                    int.from_bytes(e[16:20], "little")))
    return out


# Sizes: (argument, bytes, expected RAM below 4 GiB).
sizes = [("64", 64 * MiB, 64 * MiB), ("1G", GiB, GiB),
         ("size=512M", 512 * MiB, 512 * MiB),
         ("3583M", 3583 * MiB, 3583 * MiB),
         ("3584M", 3584 * MiB, 3 * GiB), ("4G", 4 * GiB, 3 * GiB),
         ("16G", 16 * GiB, 3 * GiB),
         ("2G,slots=4,maxmem=8G", 2 * GiB, 2 * GiB)]

for arg, size, below in sizes:
    above = size - below
    try:
        ram, e820, cmos = firmware_view(tandem, arg)
    except Exception as e:
        ok(False, "-m %s starts" % arg, e)
        continue
    ok(ram == size, "-m %s: fw_cfg RAM size is %d MiB" % (arg, size >> 20),
       "got 0x%x" % ram)
    # qemu64 (the default) is an AMD model: the HyperTransport window
    # below 1 TiB is reserved first, as the reference does.
    want = [(0xfd00000000, 0x300000000, 2), (0, below, 1)] + \
        ([(4 * GiB, above, 1)] if above else [])
    ok(e820_entries(e820) == want, "-m %s: etc/e820 lists RAM below "
       "(and above) 4 GiB" % arg, "got %r want %r" % (e820_entries(e820),
                                                       want))
    ext = (cmos[6] | cmos[7] << 8) * 64 * 1024 + 16 * MiB
    high = (cmos[8] | cmos[9] << 8 | cmos[10] << 16) * 64 * 1024
    ok(ext == below and high == above,
       "-m %s: CMOS says %d MiB below 4 GiB, %d MiB above" %
       (arg, below >> 20, above >> 20), "cmos %r" % cmos)
    if qemu:
        try:
            # The reference answers the protocol while it is still
            # finishing its fw_cfg directory, so an early read can miss
            # etc/e820: read again then.
            for attempt in range(4):
                ref = firmware_view(qemu, arg)
                if ref[1]:
                    break
            ok(ref == (ram, e820, cmos),
               "-m %s: fw_cfg and CMOS agree with the reference" % arg,
               "tandem %r\nreference %r" % ((ram, e820_entries(e820), cmos),
                                            (ref[0], e820_entries(ref[1]),
                                             ref[2])))
        except Exception as e:
            ok(False, "-m %s on the reference" % arg, e)
    else:
        skip("-m %s: agrees with the reference" % arg,
             "qemu-system-x86_64 is not installed")

# Where the guest finds RAM: below the hole, above 4 GiB, not in the hole.
cmds = ["writel 0x%x 0x11223344" % (3 * GiB - 4), "readl 0x%x" % (3 * GiB - 4),
        "writel 0x%x 0x55667788" % (4 * GiB), "readl 0x%x" % (4 * GiB),
        "writel 0x%x 0x99aabbcc" % (16 * GiB - 8),
        "readl 0x%x" % (16 * GiB - 8),
        "writel 0xd0000000 0x12345678", "readl 0xd0000000",
        "readl 0x%x" % (16 * GiB + 4 * GiB)]
r, rc, err = session(tandem, ["-m", "16G"], cmds)
ok(len(r) == len(cmds) and value(r[1]) == 0x11223344 and
   value(r[3]) == 0x55667788 and value(r[5]) == 0x99aabbcc and
   value(r[7]) == 0 and value(r[8]) == 0,
   "-m 16G: RAM below 3 GiB and up to 17 GiB, nothing in the PCI hole "
   "or past the end", "%r %s" % (r, err))

# Errors: one line, status 1.
for arg, msg in [("12Q", "invalid size"), ("0", "must not be zero"),
                 ("1G,maxmem=512M,slots=1", "at least"),
                 ("1G,slots=2", "needs maxmem"),
                 ("1G,maxmem=2G", "no slots"),
                 ("1G,slots=2,maxmem=1G", "equals"),
                 ("1G,frob=1", "invalid memory property"),
                 ("100000G", "more than the host's memory"), ("", "")]:
    p = subprocess.run([tandem, "-M", "pc", "-display", "none",
                        "-nodefaults", "-S", "-m", arg],
                       capture_output=True, text=True, timeout=30)
    lines = p.stderr.strip().splitlines()
    ok(p.returncode == 1 and len(lines) == 1 and msg in lines[0],
       "-m '%s' is refused with one line" % arg,
       "rc %d, stderr %r" % (p.returncode, p.stderr))

# --long spellings of every kind of option.
r, rc, err = session(tandem, ["--m", "64", "--nographic", "--device",
                              "pci-testdev", "--accel", "qtest", "--qtest",
                              "stdio", "--display", "none", "--nodefaults",
                              "--no-reboot"],
                     fw_cfg_cmds(0x03, 8) +
                     ["outl 0xcf8 0x80001000", "inl 0xcfc"],
                     prefix=("--machine", "pc"))
ok(len(r) == 11 and sum(value(r[1 + i]) << (8 * i) for i in range(8)) ==
   64 * MiB and value(r[10]) == 0x00051b36,
   "--machine, --m, --device, --accel, --qtest, --display work as with -",
   "%r rc %d %s" % (r, rc, err))
p = subprocess.run([tandem, "--version"], capture_output=True, text=True)
ok(p.returncode == 0 and "version" in p.stdout, "--version")
p = subprocess.run([tandem, "--frobnicate"], capture_output=True, text=True)
ok(p.returncode == 1 and len(p.stderr.strip().splitlines()) == 1,
   "--frobnicate: one error line", p.stderr)

print("1..%d" % n)
sys.exit(1 if fails else 0)
