#!/usr/bin/env python3
# -serial stdio through the real binary: bytes the guest side writes to
# COM1's THR appear on tandem's stdout, and bytes on its stdin reach COM1's
# receive buffer.  The UART is driven through the qtest protocol, no CPU.
import os, socket, subprocess, sys, tempfile, time

tandem = os.environ.get("TANDEM", "build/tandem")
n = 0
fails = 0

def ok(cond, name):
    global n, fails
    n += 1
    if not cond:
        fails += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (n, name), flush=True)

print("1..3", flush=True)
tmp = tempfile.mkdtemp()
path = os.path.join(tmp, "qtest.sock")
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
srv.settimeout(10)
p = subprocess.Popen([tandem, "-M", "pc", "-accel", "qtest", "-qtest",
                      "unix:" + path, "-display", "none", "-serial", "stdio"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE)
conn, _ = srv.accept()
conn.settimeout(10)
rx = b""

def cmd(line):
    global rx
    conn.sendall(line.encode() + b"\n")
    while b"\n" not in rx:
        rx += conn.recv(4096)
    reply, rx = rx.split(b"\n", 1)
    return reply.decode()

for ch in b"HELLO":
    cmd("outb 0x3f8 0x%x" % ch)
os.set_blocking(p.stdout.fileno(), False)
out = b""
end = time.time() + 5
while time.time() < end and b"HELLO" not in out:
    try:
        data = p.stdout.read()
    except BlockingIOError:
        data = None
    if data:
        out += data
    time.sleep(0.05)
ok(b"HELLO" in out, "bytes written to COM1's THR appear on stdout")

p.stdin.write(b"Z")
p.stdin.flush()
lsr = "OK 0x00"
end = time.time() + 5
while time.time() < end:
    lsr = cmd("inb 0x3fd")
    if int(lsr.split()[1], 16) & 1:
        break
    time.sleep(0.05)
ok(int(lsr.split()[1], 16) & 1 == 1, "a byte on stdin sets LSR.DR (%s)" % lsr)
rbr = cmd("inb 0x3f8")
ok(rbr.split()[1].lower() in ("0x5a", "0x005a"), "RBR returns the byte from stdin (%s)" % rbr)
conn.close()
try:
    p.wait(timeout=10)
except subprocess.TimeoutExpired:
    p.kill()
sys.exit(1 if fails else 0)
