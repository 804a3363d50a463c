#!/usr/bin/env python3
# Bad guest input: a guest that jumps into random bytes (fixed seeds) must
# never crash or wedge tandem.  Each run gets 1 s; then SIGTERM must end it
# with status 0.  A guest may also end on its own (triple fault -> reset
# loop, or a stray isa-debug-exit write), but never by a signal or a
# sanitizer/assertion report.
import os, random, signal, subprocess, sys, tempfile, time

tandem = os.environ.get("TANDEM", "build/tandem")
src = os.environ.get("SRC", os.getcwd())
SEEDS = [1, 2, 3, 13, 42, 1234]
tmp = tempfile.mkdtemp()
start = os.path.join(tmp, "rnd.S")
with open(start, "w") as f:
    f.write("""    .text
    .align 4
    .long 0x1badb002, 0, -0x1badb002
    .globl _start
_start:
    mov $0x200000, %esp
    jmp junk
    .align 16
junk:
    .incbin "junk.bin"
""")
bad_words = ("Assertion", "ERROR:", "AddressSanitizer", "ThreadSanitizer",
             "runtime error", "Segmentation")
print("1..%d" % len(SEEDS), flush=True)
fails = 0
for n, seed in enumerate(SEEDS, 1):
    rng = random.Random(seed)
    with open(os.path.join(tmp, "junk.bin"), "wb") as f:
        f.write(bytes(rng.randrange(256) for _ in range(4096)))
    elf = os.path.join(tmp, "g%d.elf" % seed)
    r = subprocess.run(["gcc", "-m32", "-ffreestanding", "-nostdlib", "-static",
                        "-Wl,--build-id=none", "-Wl,-Ttext=0x100000",
                        "-Wl,-e,_start", "-o", elf, start], cwd=tmp,
                       capture_output=True, text=True)
    if r.returncode != 0:
        print("ok %d # SKIP host gcc cannot build 32-bit code: %s"
              % (n, r.stderr.splitlines()[0] if r.stderr else "?"))
        continue
    p = subprocess.Popen([tandem, "-M", "pc", "-display", "none", "-nodefaults",
                          "-serial", "null", "-device",
                          "isa-debug-exit,iobase=0xf4,iosize=4", "-kernel", elf],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(1)
    ended = p.poll() is not None
    if not ended:
        p.send_signal(signal.SIGTERM)
    try:
        _, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
        rc = "hung after SIGTERM"
    else:
        rc = p.returncode
    good = (rc == 0 or (ended and isinstance(rc, int) and rc > 0 and rc % 2 == 1)) \
        and not any(w in err for w in bad_words)
    if not good:
        fails += 1
    print("%s %d - random-byte guest, seed %d: %s (exit %s)"
          % ("ok" if good else "not ok", n, seed,
             "ended by itself" if ended else "survived 1 s, SIGTERM", rc),
          flush=True)
    if not good:
        for line in err.splitlines()[:5]:
            print("# " + line)
sys.exit(1 if fails else 0)
