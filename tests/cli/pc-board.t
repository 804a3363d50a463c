#!/usr/bin/env python3
# pc-board.t: what the pc machine builds, seen from the outside through the
# qtest protocol on stdio (-accel qtest -qtest stdio): RAM at 0, all-ones
# unassigned ports, COM1..COM4 only for the -serial ports given, and the
# fw_cfg items (signature, id, RAM size, CPU counts, nographic, kernel,
# initrd and command line) with the values the command line asked for.
import os, struct, subprocess, sys, tempfile

tandem = os.environ.get("TANDEM", "build/tandem")
n = 0
fails = 0


def ok(cond, name, diag=None):
    global n, fails
    n += 1
    if not cond:
        fails += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (n, name), flush=True)
    if not cond and diag:
        for line in str(diag).splitlines():
            print("# " + line, flush=True)


def session(args, commands):
    """Runs tandem with the commands on stdin; returns (replies, rc, err).
    Asynchronous IRQ lines are dropped; there is one reply per command."""
    p = subprocess.run([tandem, "-M", "pc", "-accel", "qtest", "-qtest",
                        "stdio", "-display", "none"] + args,
                       input="".join(c + "\n" for c in commands),
                       capture_output=True, text=True, timeout=30)
    replies = [l for l in p.stdout.splitlines() if not l.startswith("IRQ")]
    return replies, p.returncode, p.stderr


def value(reply):
    assert reply.startswith("OK "), reply
    return int(reply.split()[1], 16)


def fw_cfg_read(key, size):
    """Commands selecting key and reading size bytes from the data port."""
    return ["outw 0x510 %#x" % key] + ["inb 0x511"] * size


def fw_cfg_bytes(replies):
    return bytes(value(r) for r in replies[1:])


tmp = tempfile.mkdtemp()
kernel = os.path.join(tmp, "kernel")
# A multiboot a.out-kludge header (load at 1 MiB, the machine refuses a
# kernel it cannot boot), then some payload bytes.
MB_FLAGS = 0x10000
kernel_data = struct.pack("<8I", 0x1BADB002, MB_FLAGS,
                          (-(0x1BADB002 + MB_FLAGS)) & 0xffffffff,
                          0x100000, 0x100000, 0, 0, 0x100020) + \
    b"KERNEL-IMAGE\x00\xff"
with open(kernel, "wb") as f:
    f.write(kernel_data)
initrds = [os.path.join(tmp, "initrd%d" % i) for i in range(2)]
with open(initrds[0], "wb") as f:
    f.write(b"abc")                 # padded to 4
with open(initrds[1], "wb") as f:
    f.write(b"defgh")               # padded to 8
cmdline = "console=ttyS0 root=/dev/ram0"

# --- RAM, unassigned ports, serial ports ---
cmds = ["writel 0x1000 0xdeadbeef", "readl 0x1000",
        "writeb 0xfffffff 0x5a", "readb 0xfffffff",   # last byte of 256 MiB
        "readl 0x10000000",                           # just past RAM
        "inb 0x80", "inw 0x1234", "inl 0x1238",
        "inb 0x3fd", "inb 0x2fd", "inb 0x3ed", "inb 0x2ed"]
r, rc, err = session(["-m", "256", "-nodefaults", "-serial", "null",
                      "-serial", "null"], cmds)
ok(rc == 0 and len(r) == len(cmds), "qtest session on stdio runs and exits 0",
   "rc=%r replies=%r stderr=%s" % (rc, r, err))
if len(r) == len(cmds):
    ok(value(r[1]) == 0xdeadbeef, "RAM at guest physical 0 (readl 0x1000)", r[1])
    ok(value(r[3]) == 0x5a, "-m 256: RAM reaches 256 MiB - 1", r[3])
    ok(value(r[4]) == 0, "nothing mapped past the end of RAM", r[4])
    ok(value(r[5]) == 0xff and value(r[6]) == 0xffff and
       value(r[7]) == 0xffffffff,
       "unassigned ports read all ones for 1, 2 and 4 bytes", r[5:8])
    # 16550A LSR after reset: THR empty and transmitter empty (0x60).
    ok(value(r[8]) == 0x60, "COM1 (0x3f8) exists for -serial #1", r[8])
    ok(value(r[9]) == 0x60, "COM2 (0x2f8) exists for -serial #2", r[9])
    ok(value(r[10]) == 0xff and value(r[11]) == 0xff,
       "COM3/COM4 absent without a third/fourth -serial", r[10:12])

# -serial none leaves its slot empty but still counts as a port.
r, rc, err = session(["-nodefaults", "-serial", "none", "-serial", "null"],
                     ["inb 0x3fd", "inb 0x2fd"])
ok(rc == 0 and len(r) == 2 and value(r[0]) == 0xff and value(r[1]) == 0x60,
   "-serial none -serial null: no COM1, COM2 present", "%r %s" % (r, err))

# Under qtest the default serial port goes nowhere but exists.
r, rc, err = session([], ["inb 0x3fd"])
ok(rc == 0 and len(r) == 1 and value(r[0]) == 0x60,
   "default serial port is COM1 (with qtest, on a null backend)",
   "%r %s" % (r, err))

# --- fw_cfg ---
items = [
    ("signature", 0x00, 4),
    ("id", 0x01, 4),
    ("ram size", 0x03, 8),
    ("nographic", 0x04, 2),
    ("nb cpus", 0x05, 2),
    ("max cpus", 0x0f, 2),
    ("kernel size", 0x08, 4),
    ("kernel data", 0x11, len(kernel_data)),
    ("initrd size", 0x0b, 4),
    ("initrd data", 0x12, 12),
    ("cmdline size", 0x14, 4),
    ("cmdline data", 0x15, len(cmdline) + 1),
]
cmds = []
for _, key, size in items:
    cmds += fw_cfg_read(key, size)
r, rc, err = session(["-m", "64M", "-smp", "2,maxcpus=4", "-nodefaults",
                      "-kernel", kernel, "-initrd", ",".join(initrds),
                      "-append", cmdline], cmds)
ok(rc == 0 and len(r) == len(cmds), "fw_cfg session runs and exits 0",
   "rc=%r replies=%d/%d stderr=%s" % (rc, len(r), len(cmds), err))
got = {}
if len(r) == len(cmds):
    pos = 0
    for name, key, size in items:
        got[name] = fw_cfg_bytes(r[pos:pos + size + 1])
        pos += size + 1


def le(name):
    return int.from_bytes(got.get(name, b""), "little")


ok(got.get("signature") == b"QEMU", "FW_CFG_SIGNATURE is 'QEMU'",
   got.get("signature"))
ok(le("id") == 1, "FW_CFG_ID is 1 (port interface, no DMA)", got.get("id"))
ok(le("ram size") == 64 << 20, "FW_CFG_RAM_SIZE is -m (64 MiB)",
   got.get("ram size"))
ok(le("nographic") == 0, "FW_CFG_NOGRAPHIC is 0 without -nographic")
ok(le("nb cpus") == 2, "FW_CFG_NB_CPUS is -smp 2", got.get("nb cpus"))
ok(le("max cpus") == 4, "FW_CFG_MAX_CPUS is maxcpus=4", got.get("max cpus"))
ok(le("kernel size") == len(kernel_data) and
   got.get("kernel data") == kernel_data,
   "FW_CFG_KERNEL_SIZE/DATA are the -kernel file",
   (got.get("kernel size"), got.get("kernel data")))
ok(le("initrd size") == 12 and
   got.get("initrd data") == b"abc\x00defgh\x00\x00\x00",
   "FW_CFG_INITRD_SIZE/DATA: the -initrd files concatenated, 4-byte padded",
   (got.get("initrd size"), got.get("initrd data")))
ok(le("cmdline size") == len(cmdline) + 1 and
   got.get("cmdline data") == cmdline.encode() + b"\x00",
   "FW_CFG_CMDLINE_SIZE/DATA: -append with its NUL",
   (got.get("cmdline size"), got.get("cmdline data")))

# Without -kernel the boot items are absent (size 0).
cmds = fw_cfg_read(0x08, 4) + fw_cfg_read(0x05, 2) + fw_cfg_read(0x03, 8)
r, rc, err = session(["-nodefaults"], cmds)
ok(rc == 0 and len(r) == len(cmds) and fw_cfg_bytes(r[0:5]) == b"\0" * 4,
   "no -kernel: FW_CFG_KERNEL_SIZE reads as zero", "%r %s" % (r, err))
if len(r) == len(cmds):
    ok(int.from_bytes(fw_cfg_bytes(r[5:8]), "little") == 1,
       "default: one CPU in fw_cfg", r[5:8])
    ok(int.from_bytes(fw_cfg_bytes(r[8:17]), "little") == 128 << 20,
       "default RAM size of pc is 128 MiB", r[8:17])
else:
    ok(False, "default: one CPU in fw_cfg")
    ok(False, "default RAM size of pc is 128 MiB")

# -nographic is reported to the firmware.
r, rc, err = session(["-nodefaults", "-nographic"], fw_cfg_read(0x04, 2))
ok(rc == 0 and len(r) == 3 and fw_cfg_bytes(r) == b"\x01\x00",
   "-nographic: FW_CFG_NOGRAPHIC is 1", "%r %s" % (r, err))

# A file that passes the command-line check (a readable regular file) but
# cannot be read at machine init is still one clean error line:
# /proc/self/mem fails with EIO at offset 0.
r, rc, err = session(["-nodefaults", "-kernel", "/proc/self/mem"], [])
ok(rc == 1 and len(err.strip().splitlines()) == 1 and "-kernel" in err,
   "unreadable -kernel contents: one error line, status 1", err)

# -m size=... is the long form of -m.
r, rc, err = session(["-nodefaults", "-m", "size=32M"], fw_cfg_read(0x03, 8))
ok(rc == 0 and len(r) == 9 and
   int.from_bytes(fw_cfg_bytes(r), "little") == 32 << 20,
   "-m size=32M: FW_CFG_RAM_SIZE is 32 MiB", "%r %s" % (r, err))

# The guest's exit status becomes the process's: isa-debug-exit turns a
# write of v into status (v << 1) | 1, through the shutdown request that
# main() returns from the main loop.
r, rc, err = session(["-nodefaults", "-device", "isa-debug-exit"],
                     ["outb 0x501 0x3"])
ok(rc == 7, "isa-debug-exit write of 3: exit status 7", "rc=%r %s" % (rc, err))

# A fallback list skips what is not available, with a notice, and runs.
p = subprocess.run([tandem, "-M", "pc", "-accel", "kvm", "-accel", "qtest",
                    "-qtest", "stdio", "-display", "none", "-nodefaults"],
                   input="inb 0x80\n", capture_output=True, text=True,
                   timeout=30)
ok(p.returncode == 0 and p.stdout.startswith("OK ") and
   value(p.stdout.strip()) == 0xff and
   "falling back to -accel qtest" in p.stderr and "-accel kvm" in p.stderr,
   "-accel kvm -accel qtest: notice, then runs with qtest",
   "rc=%r out=%r err=%r" % (p.returncode, p.stdout, p.stderr))

print("1..%d" % n)
sys.exit(1 if fails else 0)
