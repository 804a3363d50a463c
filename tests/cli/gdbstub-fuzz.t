#!/bin/bash
# gdbstub-fuzz.t: hostile input to the stub.  A client on the raw socket
# sends, for a bounded time (3 s, fixed seed), random bytes, truncated and
# oversized packets, bad checksums, Ctrl-C, and well-formed packets with
# random payloads built from the protocol's letters (everything but kill),
# reconnecting now and then.  Then: tandem is still alive, and specific
# bad requests get the documented answers (NAK for a bad checksum or an
# oversized packet, E.. for bad arguments and unmapped addresses), and a
# real gdb session still works.  No guest: the vCPU idles at the reset
# vector, so nothing the fuzzer resumes can end the run.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/gdbstub-lib.sh"

gdb_need
if ! command -v python3 >/dev/null; then
    echo "1..0 # SKIP python3 not installed"
    exit 0
fi

tandem_start
python3 - "$SOCK" >"$TMP/fuzz.out" 2>&1 <<'PY'
import random, socket, sys, time

path = sys.argv[1]
rng = random.Random(20261122)
letters = "?gGpPmMXZzcsCSvHTDqQ"
queries = ["qSupported", "qC", "qAttached", "qfThreadInfo", "qsThreadInfo",
           "qThreadExtraInfo,", "qXfer:features:read:target.xml:",
           "qRcmd,", "Qqemu.sstep=", "Qqemu.PhyMemMode:", "vCont;",
           "vCont?", "Hg", "Hc"]

def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.setblocking(False)
    return s

def packet(payload):
    return b"$" + payload + b"#%02x" % (sum(payload) & 0xff)

def rand_payload():
    if rng.random() < 0.4:
        p = rng.choice(queries)
    else:
        p = rng.choice(letters)
    alphabet = "0123456789abcdefABCDEF,:;=-xX}#$*"
    p += "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
    b = p.encode()
    if rng.random() < 0.1:
        b += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 20)))
    return b

s = connect()
sent = 0
end = time.time() + 3.0
while time.time() < end:
    r = rng.random()
    if r < 0.35:
        data = packet(rand_payload())
    elif r < 0.5:
        data = packet(rand_payload())[:-rng.randrange(1, 4)]   # truncated
    elif r < 0.6:
        data = b"$" + rand_payload() + b"#zz"                 # bad checksum
    elif r < 0.65:
        data = packet(b"m" + b"0" * 5000)                      # oversized
    elif r < 0.7:
        data = b"\x03"
    elif r < 0.95:
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
    else:
        s.close()
        s = connect()
        continue
    if data.startswith(b"$k") or data.startswith(b"$vKill"):
        continue
    try:
        s.sendall(data)
        sent += 1
        try:
            s.recv(65536)
        except BlockingIOError:
            pass
    except (BrokenPipeError, ConnectionResetError):
        s = connect()
s.close()
print("fuzz: %d writes" % sent)
PY
if kill -0 "$TPID" 2>/dev/null; then
    ok "tandem survives 3 s of random input ($(cat "$TMP/fuzz.out"))"
else
    not_ok "tandem died under random input"; diag_file "$TMP/fuzz.out"
    diag_file "$TMP/tandem.err"
fi

# Specific bad requests, one connection, exact answers.
python3 - "$SOCK" >"$TMP/exact.out" 2>&1 <<'PY'
import socket, sys, time

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.settimeout(5)

def packet(payload):
    return b"$" + payload + b"#%02x" % (sum(payload) & 0xff)

def reply(raw):
    s.sendall(raw)
    if raw == packet(b"c"):
        return s.recv(1).decode()          # only the ack: the VM runs
    buf = b""
    while True:
        buf += s.recv(65536)
        if buf in (b"-", b"+-") or (b"#" in buf and len(buf) >= buf.index(b"#") + 3):
            return buf.decode("latin-1")

tests = [
    ("bad checksum", b"$qC#00", "-"),
    ("oversized packet", packet(b"m" + b"0" * 5000), "-"),
    ("qC", packet(b"qC"), "+$QC01#"),
    ("m with no length", packet(b"m1000"), "+$E22#"),
    ("m beyond physical memory", packet(b"Qqemu.PhyMemMode:1"), "+$OK#"),
    ("  read", packet(b"mfffffffff000,4"), "+$E14#"),
    ("m overflowing address", packet(b"m1ffffffffffffffff,4"), "+$E22#"),
    ("register out of range", packet(b"p1000"), "+$E22#"),
    ("thread that does not exist", packet(b"Hg63"), "+$E22#"),
    ("unknown packet", packet(b"!"), "+$#00"),
    ("Z with zero length", packet(b"Z2,1000,0"), "+$E22#"),
    ("X length mismatch", packet(b"X1000,4:ab"), "+$E22#"),
    ("continue", packet(b"c"), "+"),
    ("a register read while running", packet(b"g"), "+$E10#"),
    ("Ctrl-C stops the VM", b"\x03", "$T02thread:01;#"),
    ("qThreadExtraInfo after Ctrl-C", packet(b"qThreadExtraInfo,1"),
     "+$" + "CPU#0 [".encode().hex()),
]
for name, raw, want in tests:
    got = reply(raw)
    print(("ok" if got.startswith(want) else "FAIL") + " %s: %r" % (name, got))
PY
if ! grep -q FAIL "$TMP/exact.out" && [ "$(grep -c '^ok' "$TMP/exact.out")" = 16 ]; then
    ok "bad requests get NAK or the documented Exx reply; Ctrl-C stops a running VM"
else
    not_ok "exact replies"; diag_file "$TMP/exact.out"
fi

gdb_run "info threads" "monitor info status" "kill"
if grep -qE "^\* 1 +Thread 1" "$TMP/gdb.out" &&
   grep -q "^VM status: paused" "$TMP/gdb.out"; then
    ok "a gdb session still works afterwards"
else
    not_ok "gdb session after the fuzzing"; diag_file "$TMP/gdb.out"
fi
tandem_wait
if [ "$trc" = 0 ] && ! grep -qiE "assert|sanitizer|segmentation" "$TMP/tandem.err"; then
    ok "gdb's kill ends tandem with status 0"
else
    not_ok "tandem exit status $trc after kill"; diag_file "$TMP/tandem.err"
fi

done_testing
