#!/usr/bin/env python3
# kvm-nested-sh.py: runs a shell script under real KVM for the edit-test
# loop, in the nested guest of tests/kvm/nested.py (Linux in
# qemu-system-x86_64 -accel tcg -cpu max, nested SVM).
#
#     scripts/kvm-nested-sh.py [-f GUEST_PATH=HOST_PATH]... 'SCRIPT'
#
# build/tandem is /usr/bin/tandem in the guest and the x86 guest programs
# are under /g/ (build/tests/tcg/x86_64); -f adds files (executables come
# with their shared libraries).  The script's output is printed.
import os, sys

sys.dont_write_bytecode = True
SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(SRC, "tests", "kvm"))
import nested  # noqa: E402

build = os.environ.get("BUILD", os.path.join(SRC, "build"))
files = {"/usr/bin/tandem": os.path.join(build, "tandem"),
         "/g": os.path.join(build, "tests", "tcg", "x86_64")}
args = sys.argv[1:]
while len(args) > 1 and args[0] == "-f":
    g, h = args[1].split("=", 1)
    files[g] = h
    args = args[2:]
if len(args) != 1:
    sys.exit(__doc__ or "usage: kvm-nested-sh.py [-f G=H]... SCRIPT")
try:
    print("\n".join(nested.run(build, files, "export PATH=/bin:/usr/bin\ncd /tmp\n" + args[0] + "\n")))
except nested.Skip as e:
    print("skipped: %s" % e)
