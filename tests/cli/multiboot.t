#!/usr/bin/env python3
# multiboot.t: the pc board's multiboot loader refuses every kind of bad
# -kernel file with exactly one "tandem: " error line on stderr naming the
# file, exit status 1 and nothing on stdout; and accepts good ones (the
# machine comes up: checked with -accel qtest, which ends at EOF on stdin).
import os, struct, subprocess, sys, tempfile

TANDEM = os.environ["TANDEM"]
n = 0
failed = 0


def ok(cond, name, *diag):
    global n, failed
    n += 1
    print("%sok %d - %s" % ("" if cond else "not ", n, name))
    if not cond:
        failed += 1
        for d in diag:
            for line in str(d).splitlines():
                print("# " + line)


def run(args):
    p = subprocess.run([TANDEM, "-M", "pc", "-accel", "qtest", "-qtest",
                        "stdio", "-nodefaults", "-display", "none"] + args,
                       input=b"", capture_output=True, timeout=30)
    return p.returncode, p.stdout.decode(errors="replace"), \
        p.stderr.decode(errors="replace")


MAGIC = 0x1BADB002


def header(flags, aout=None, checksum=None):
    if checksum is None:
        checksum = (-(MAGIC + flags)) & 0xffffffff
    h = struct.pack("<3I", MAGIC, flags, checksum)
    if aout is not None:
        h += struct.pack("<5I", *aout)
    return h


def elf32(paddr, payload, memsz=None, mb=None):
    """An ELF32 i386 executable with one PT_LOAD at paddr."""
    memsz = len(payload) if memsz is None else memsz
    ehdr_size, phdr_size = 52, 32
    off = ehdr_size + phdr_size
    ident = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)
    ehdr = ident + struct.pack("<HHIIIIIHHHHHH", 2, 3, 1, paddr, ehdr_size,
                               0, 0, ehdr_size, phdr_size, 1, 40, 0, 0)
    phdr = struct.pack("<8I", 1, off, paddr, paddr, len(payload), memsz,
                       7, 4096)
    return ehdr + phdr + payload


tmp = tempfile.mkdtemp()


def write(name, data):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def check_bad(name, path, needle, extra=(), names_kernel=True):
    rc, out, err = run(["-kernel", path] + list(extra))
    lines = err.strip().splitlines()
    good = (rc == 1 and len(lines) == 1 and lines[0].startswith("tandem: ")
            and needle in err and (path in err or not names_kernel)
            and out == ""
            and "Assertion" not in err and "Sanitizer" not in err)
    ok(good, "%s: %s" % (name, err.strip()),
       "exit %d (want 1), want one line containing %r" % (rc, needle),
       "stderr: " + err, "stdout: " + out)


def check_good(name, path, extra=()):
    rc, out, err = run(["-kernel", path] + list(extra))
    ok(rc == 0 and err == "", name, "exit %d stderr %s" % (rc, err))


code = b"\xf4\xeb\xfd"
aout = (0x100000, 0x100000, 0, 0, 0x100020)

check_bad("not multiboot (random text)",
          write("text.bin", b"hello, this is not a kernel\n" * 50),
          "no multiboot header in the first 8192 bytes")
check_bad("header after the first 8192 bytes",
          write("late.bin", bytes(8192) + header(0x10000, aout) + code),
          "no multiboot header in the first 8192 bytes")
check_bad("empty file", write("empty.bin", b""),
          "no multiboot header")
check_bad("bad checksum",
          write("sum.bin", header(0x10000, aout, checksum=0x12345678) + code),
          "checksum")
check_bad("unknown required flag",
          write("req.bin", header(0x10008, aout) + code),
          "requires features 0x8")
check_bad("truncated a.out kludge header",
          write("trunch.bin", header(0x10000) + b"\0\0\x10\0"),
          "truncated")
check_bad("truncated a.out image (load_end beyond the file)",
          write("trunc.bin",
                header(0x10000, (0x100000, 0x100000, 0x101000, 0, 0x100020))
                + code), "truncated")
check_bad("a.out segment beyond RAM",
          write("far.bin",
                header(0x10000, (0x10000000, 0x10000000, 0, 0, 0x10000020))
                + code), "outside guest RAM")
check_bad("a.out bss beyond RAM (-m 16M)",
          write("bss.bin",
                header(0x10000, (0x100000, 0x100000, 0, 0x2000000, 0x100020))
                + code), "outside guest RAM", ["-m", "16M"])
check_bad("no kludge and not ELF",
          write("noelf.bin", header(0) + code),
          "not ELF")
check_bad("ELF32 segment beyond RAM",
          write("elffar.elf", elf32(0x20000000, header(0) + code)),
          "outside guest RAM")
good_elf = elf32(0x100000, header(0) + code, memsz=0x2000)
check_bad("ELF32 truncated (segment data cut off)",
          write("elftrunc.elf", good_elf[:-2]), "truncated")
check_bad("ELF32 entry outside every segment",
          write("elfentry.elf",
                good_elf[:24] + struct.pack("<I", 0x300000) + good_elf[28:]),
          "entry point")
check_bad("missing module",
          write("okmod.bin", header(0x10000, aout) + code),
          "-initrd /nonexistent/mod", ["-initrd", "/nonexistent/mod arg"],
          names_kernel=False)

check_good("good a.out-kludge kernel boots the machine",
           write("good.bin", header(0x10000, aout) + code))
check_good("good ELF32 kernel with modules and -append",
           write("good.elf", good_elf),
           ["-initrd", "%s one,%s" % (os.path.join(tmp, "good.bin"),
                                      os.path.join(tmp, "text.bin")),
            "-append", "a b c"])

# The guest test programs (real gcc-built ELF32 images, the 64-bit ones
# converted by objcopy) are accepted, with a module and a command line.
import glob
guest_dir = os.path.join(os.environ.get("BUILD", os.path.dirname(TANDEM)),
                         "tests", "tcg", "x86_64")
for elf in sorted(glob.glob(os.path.join(guest_dir, "*.elf"))):
    check_good("guest program %s loads" % os.path.basename(elf), elf,
               ["-initrd", elf + " mod-arg", "-append", "tap guest"])

print("1..%d" % n)
sys.exit(1 if failed else 0)
