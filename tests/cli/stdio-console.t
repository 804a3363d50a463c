#!/usr/bin/env python3
# The stdio console through the real binary on a real terminal (a pty):
# -nographic puts COM1 on stdio behind the Ctrl-A multiplexer; Ctrl-A h shows
# help, Ctrl-A x quits with status 0, and the terminal settings are restored.
import os, pty, select, signal, subprocess, sys, termios, time

tandem = os.environ.get("TANDEM", "build/tandem")
n = 0
fails = 0

def ok(cond, name):
    global n, fails
    n += 1
    if not cond:
        fails += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (n, name), flush=True)

def read_until(fd, needle, timeout):
    buf = b""
    end = time.time() + timeout
    while time.time() < end and needle not in buf:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            buf += data
    return buf

def start(args):
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    p = subprocess.Popen([tandem] + args, stdin=slave, stdout=slave,
                         stderr=slave, close_fds=True, start_new_session=True)
    return p, master, slave, before

print("1..7", flush=True)

p, master, slave, before = start(["-M", "pc", "-nographic"])
time.sleep(0.5)
raw = termios.tcgetattr(slave)
ok(p.poll() is None and not (raw[3] & termios.ICANON) and not (raw[3] & termios.ECHO),
   "-nographic starts and puts the terminal in raw mode")
os.write(master, b"\x01h")
out = read_until(master, b"C-a x", 5)
ok(b"C-a x" in out and b"C-a h" in out, "Ctrl-A h prints the console help")
os.write(master, b"\x01x")
try:
    rc = p.wait(timeout=10)
except subprocess.TimeoutExpired:
    p.kill(); rc = None
ok(rc == 0, "Ctrl-A x quits with status 0 (got %r)" % rc)
after = termios.tcgetattr(slave)
ok(after == before, "terminal settings restored after Ctrl-A x")
os.close(master); os.close(slave)

# A signal is another exit path: the terminal must be restored there too.
p, master, slave, before = start(["-M", "pc", "-nographic"])
time.sleep(0.5)
p.send_signal(signal.SIGTERM)
try:
    rc = p.wait(timeout=10)
except subprocess.TimeoutExpired:
    p.kill(); rc = None
ok(rc == 0, "SIGTERM ends the emulator with status 0 (got %r)" % rc)
ok(termios.tcgetattr(slave) == before, "terminal settings restored after SIGTERM")
os.close(master); os.close(slave)

# Typed input reaches the guest side only through the mux: Ctrl-A Ctrl-A is
# one literal Ctrl-A, so the emulator must still be running afterwards.
p, master, slave, before = start(["-M", "pc", "-nographic"])
time.sleep(0.5)
os.write(master, b"\x01\x01abc")
time.sleep(0.5)
alive = p.poll() is None
os.write(master, b"\x01x")
try:
    p.wait(timeout=10)
except subprocess.TimeoutExpired:
    p.kill()
ok(alive, "Ctrl-A Ctrl-A passes through without quitting")
os.close(master); os.close(slave)
sys.exit(1 if fails else 0)
