#!/usr/bin/env python3
# Core runtime through the real binary: thread names, -d bql, -D, -d help.
import os, signal, subprocess, sys, tempfile, time

tandem = os.environ.get("TANDEM", "build/tandem")
n = 0
fails = 0

def ok(cond, name):
    global n, fails
    n += 1
    if not cond:
        fails += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (n, name), flush=True)

def threads(pid):
    names = []
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                names.append(f.read().strip())
        except OSError:
            pass
    return names

print("1..6", flush=True)
tmp = tempfile.mkdtemp()
log = os.path.join(tmp, "log.txt")

p = subprocess.Popen([tandem, "-M", "pc", "-nodefaults", "-display", "none",
                      "-object", "iothread,id=io0", "-d", "bql", "-D", log],
                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE)
time.sleep(0.7)
names = threads(p.pid) if p.poll() is None else []
ok("main" in names, "main thread is named 'main' (%s)" % names)
ok("iothread" in names, "-object iothread runs a thread named 'iothread'")
p.send_signal(signal.SIGTERM)
try:
    out, err = p.communicate(timeout=10)
except subprocess.TimeoutExpired:
    p.kill(); out, err = p.communicate()
ok(p.returncode == 0, "exits with 0 on SIGTERM (got %r)" % p.returncode)
text = open(log).read() if os.path.exists(log) else ""
ok("BQL statistics" in text and "main-loop" in text and "hold" in text,
   "-d bql prints per-cause hold/wait statistics at exit into the -D file")

r = subprocess.run([tandem, "-d", "help"], capture_output=True, text=True)
ok(r.returncode == 0 and "guest_errors" in r.stdout and "bql" in r.stdout,
   "-d help lists the log items")
r = subprocess.run([tandem, "-d", "nosuchitem"], capture_output=True, text=True)
ok(r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
   and "nosuchitem" in r.stderr, "-d with an unknown item: one line, status 1")
sys.exit(1 if fails else 0)
