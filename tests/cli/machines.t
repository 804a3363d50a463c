#!/usr/bin/env python3
# machines.t: the pseries and none machines seen through qtest on stdio:
# RAM where and how large it should be, byte order, no ISA ports.
import os, subprocess, sys

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
        print("# " + str(diag).replace("\n", "\n# "), flush=True)


def session(machine, args, commands):
    p = subprocess.run([tandem, "-M", machine, "-accel", "qtest", "-qtest",
                        "stdio", "-display", "none"] + args,
                       input="".join(c + "\n" for c in commands),
                       capture_output=True, text=True, timeout=30)
    return p.stdout.splitlines(), p.returncode, p.stderr


def val(reply):
    return int(reply.split()[1], 16) if reply.startswith("OK ") else None


# pseries: big-endian sized accesses, RAM at 0 of the default 512 MiB.
r, rc, err = session("pseries", ["-nodefaults"],
                     ["endianness", "writel 0x1000 0x11223344",
                      "read 0x1000 4", "writeb 0x1fffffff 0xa5",
                      "readb 0x1fffffff", "readl 0x20000000",
                      "inb 0x3fd"])
ok(rc == 0 and len(r) == 7, "pseries qtest session exits 0",
   "rc=%r %r %s" % (rc, r, err))
if len(r) == 7:
    ok(r[0] == "OK big", "pseries is big-endian for qtest", r[0])
    ok(r[2] == "OK 0x11223344", "writel lands big-endian in pseries RAM at 0",
       r[2])
    ok(val(r[4]) == 0xa5, "pseries default RAM reaches 512 MiB - 1", r[4])
    ok(val(r[5]) == 0, "nothing mapped past pseries RAM", r[5])
    # No ISA bus and no background region: an unassigned port reads 0.
    ok(val(r[6]) == 0, "pseries has no ISA ports (COM1 absent)", r[6])

# pseries -m 1G.
r, rc, err = session("pseries", ["-nodefaults", "-m", "1G"],
                     ["writeb 0x3fffffff 0x5a", "readb 0x3fffffff"])
ok(rc == 0 and len(r) == 2 and val(r[1]) == 0x5a, "pseries -m 1G",
   "%r %s" % (r, err))

# none: no RAM unless -m, then RAM at 0.
r, rc, err = session("none", [], ["writel 0x0 0x12345678", "readl 0x0",
                                  "endianness"])
ok(rc == 0 and len(r) == 3 and val(r[1]) == 0,
   "none without -m has no RAM (writes vanish)", "%r %s" % (r, err))
ok(len(r) == 3 and r[2] == "OK little", "none is little-endian for qtest",
   r)
r, rc, err = session("none", ["-m", "16M"],
                     ["writel 0xfffffc 0x12345678", "readl 0xfffffc",
                      "readl 0x1000000"])
ok(rc == 0 and len(r) == 3 and val(r[1]) == 0x12345678 and val(r[2]) == 0,
   "none -m 16M: 16 MiB of RAM at 0 and nothing above", "%r %s" % (r, err))

# The program name picks pseries for tandem-system-ppc64.
build = os.environ.get("BUILD", os.path.dirname(tandem))
p = subprocess.run([os.path.join(build, "tandem-system-ppc64"), "-accel",
                    "qtest", "-qtest", "stdio", "-display", "none",
                    "-nodefaults"], input="endianness\n",
                   capture_output=True, text=True, timeout=30)
ok(p.returncode == 0 and p.stdout.strip() == "OK big",
   "tandem-system-ppc64 runs pseries by default",
   "rc=%r %r %s" % (p.returncode, p.stdout, p.stderr))

print("1..%d" % n)
sys.exit(1 if fails else 0)
