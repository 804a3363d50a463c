# nested.py: runs commands under real KVM on a host without /dev/kvm.
#
# Used by tests/kvm/*.t and bench/kvm-exits.sh.  It boots a small Linux
# guest in the reference emulator (qemu-system-x86_64 -accel tcg -cpu max,
# which emulates AMD SVM), loads the kvm modules there and runs a shell
# script inside; the script's output comes back over the serial console.
# Recipe: ../../../shared/TESTING.md "KVM without /dev/kvm".
#
# What is cached under $BUILD/kvm-nested/ (never committed):
#   debs/      linux-image-amd64 (and the versioned package it depends on)
#              and busybox-static, from `apt-get download`
#   vmlinux    the uncompressed kernel cut out of the bzImage (boots via
#              PVH, which skips the decompression under emulation)
#   base.cpio.gz  busybox, the four kvm modules, /init
# Per run, a second cpio archive (the kernel concatenates them) carries
# the programs to test with the shared libraries ldd names, and the
# script to run as /run.sh.  Dynamically linked programs work because
# their libraries travel with them (the same files as on the host).
#
# Errors that mean "cannot test here" raise Skip with the reason.
import glob, gzip, io, lzma, os, shutil, stat, subprocess, tempfile, \
    threading, time

MODULES = [  # load order
    "kernel/virt/lib/irqbypass.ko",
    "kernel/arch/x86/kvm/kvm.ko",
    "kernel/drivers/crypto/ccp/ccp.ko",
    "kernel/arch/x86/kvm/kvm-amd.ko",
]
QEMU = "qemu-system-x86_64"
BEGIN = "=== nested: begin"
END = "=== nested: end"

INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp && mount -t tmpfs tmpfs /tmp
for m in irqbypass kvm ccp kvm-amd; do insmod /lib/modules/$m.ko; done
i=0
while [ ! -e /dev/kvm ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
echo "%s"
if [ -e /dev/kvm ]; then sh /run.sh 2>&1; else echo "nested: no /dev/kvm"; fi
echo "%s"
poweroff -f
""" % (BEGIN, END)


class Skip(Exception):
    pass


def cache_dir(build):
    d = os.path.join(build, "kvm-nested")
    os.makedirs(os.path.join(d, "debs"), exist_ok=True)
    return d


def _run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=kw.pop("timeout", 600), **kw)


def _download(debs):
    """The kernel and busybox packages, downloaded once."""
    have = glob.glob(os.path.join(debs, "linux-image-6*.deb"))
    if have and glob.glob(os.path.join(debs, "busybox-static_*.deb")):
        return
    p = _run(["apt-get", "download", "linux-image-amd64", "busybox-static"],
             cwd=debs, timeout=300)
    meta = glob.glob(os.path.join(debs, "linux-image-amd64_*.deb"))
    if p.returncode or not meta:
        raise Skip("apt-get download failed (no network or apt?): " +
                   p.stdout.decode(errors="replace").strip()[-200:])
    dep = subprocess.run(["dpkg-deb", "-f", meta[0], "Depends"],
                         stdout=subprocess.PIPE).stdout.decode().strip()
    pkg = dep.split(",")[0].split()[0]
    p = _run(["apt-get", "download", pkg], cwd=debs, timeout=600)
    if p.returncode:
        raise Skip("apt-get download %s failed: %s" %
                   (pkg, p.stdout.decode(errors="replace").strip()[-200:]))


def _cpio(entries):
    """A newc archive from [(name, mode, data-or-None-for-dir)]."""
    out = io.BytesIO()
    ino = 1
    for name, mode, data in entries + [("TRAILER!!!", 0, b"")]:
        data = data or b""
        nb = name.encode() + b"\0"
        hdr = "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X" % (
            ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(nb), 0)
        out.write(hdr.encode() + nb)
        out.write(b"\0" * ((4 - (110 + len(nb)) % 4) % 4))
        out.write(data)
        out.write(b"\0" * ((4 - len(data) % 4) % 4))
        ino += 1
    return out.getvalue()


def _dirs(path, seen, entries):
    parts = path.strip("/").split("/")[:-1]
    for i in range(1, len(parts) + 1):
        d = "/".join(parts[:i])
        if d not in seen:
            seen.add(d)
            entries.append((d, stat.S_IFDIR | 0o755, None))


def prepare(build):
    """Downloads and builds what is cached; returns (vmlinux, base cpio)."""
    if not shutil.which(QEMU):
        raise Skip("%s is not installed (scripts/install-deps.sh installs "
                   "it)" % QEMU)
    d = cache_dir(build)
    vmlinux = os.path.join(d, "vmlinux")
    base = os.path.join(d, "base.cpio.gz")
    if os.path.exists(vmlinux) and os.path.exists(base):
        return vmlinux, base
    debs = os.path.join(d, "debs")
    _download(debs)
    with tempfile.TemporaryDirectory(dir=d) as tmp:
        kdeb = sorted(glob.glob(os.path.join(debs, "linux-image-6*.deb")))[-1]
        bdeb = glob.glob(os.path.join(debs, "busybox-static_*.deb"))[0]
        for deb in (kdeb, bdeb):
            subprocess.run(["dpkg-deb", "-x", deb, tmp], check=True)
        bz = glob.glob(os.path.join(tmp, "boot", "vmlinuz-*"))[0]
        raw = open(bz, "rb").read()
        off = raw.find(b"\xfd7zXZ\x00")
        if off < 0:
            raise Skip("no XZ payload in %s" % bz)
        dec = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
        elf = dec.decompress(raw[off:])
        mods = glob.glob(os.path.join(tmp, "lib", "modules", "*"))[0]
        entries = []
        seen = set()
        for dname in ("bin", "dev", "proc", "sys", "tmp", "lib",
                      "lib/modules"):
            seen.add(dname)
            entries.append((dname, stat.S_IFDIR | 0o755, None))
        entries.append(("bin/busybox", stat.S_IFREG | 0o755,
                        open(os.path.join(tmp, "bin", "busybox"), "rb").read()))
        entries.append(("init", stat.S_IFREG | 0o755, INIT.encode()))
        for m in MODULES:
            entries.append(("lib/modules/" + os.path.basename(m),
                            stat.S_IFREG | 0o644,
                            open(os.path.join(mods, m), "rb").read()))
        with open(vmlinux + ".tmp", "wb") as f:
            f.write(elf)
        with open(base + ".tmp", "wb") as f:
            f.write(gzip.compress(_cpio(entries), 1))
        os.rename(vmlinux + ".tmp", vmlinux)
        os.rename(base + ".tmp", base)
    return vmlinux, base


def _ldd_libs(prog):
    p = subprocess.run(["ldd", prog], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    libs = []
    for line in p.stdout.decode().split("\n"):
        w = line.split()
        for x in w:
            if x.startswith("/") and os.path.exists(x):
                libs.append(x)
    return libs


def overlay(files, script):
    """A cpio.gz with files ({path in guest: host path}), their libraries
    for executables, and /run.sh."""
    entries = []
    seen = set()
    added = set()

    def add(gpath, hpath):
        gpath = gpath.lstrip("/")
        if gpath in added:
            return
        added.add(gpath)
        _dirs(gpath, seen, entries)
        mode = os.stat(hpath).st_mode
        entries.append((gpath, stat.S_IFREG | (mode & 0o777),
                        open(hpath, "rb").read()))

    for gpath, hpath in files.items():
        if os.path.isdir(hpath):
            for root, _, names in os.walk(hpath):
                for n in names:
                    h = os.path.join(root, n)
                    if os.path.isfile(h):
                        add(os.path.join(gpath, os.path.relpath(h, hpath)),
                            os.path.realpath(h))
            continue
        add(gpath, hpath)
        if os.access(hpath, os.X_OK):
            for lib in _ldd_libs(hpath):
                add(lib, os.path.realpath(lib))
    entries.append(("run.sh", stat.S_IFREG | 0o755, script.encode()))
    return gzip.compress(_cpio(entries), 1)


def run(build, files, script, timeout=600, mem="5G", serial2=None,
        during=None):
    """Boots the nested guest, runs script there; returns the lines it
    printed (between the markers).  Raises Skip, or RuntimeError on a
    failure of the harness itself (with the console output).

    serial2: a host path where the outer emulator listens (unix socket)
    for the nested guest's second serial port, /dev/ttyS1.  during: a
    function run in a thread while the guest runs, with one argument, a
    function that returns the console output so far (a list of lines);
    run() waits for it after the guest has stopped."""
    vmlinux, base = prepare(build)
    d = cache_dir(build)
    with tempfile.NamedTemporaryFile(dir=d, suffix=".cpio.gz") as initrd, \
            tempfile.TemporaryFile(dir=d) as log:
        initrd.write(open(base, "rb").read())
        initrd.write(overlay(files, script))
        initrd.flush()
        cmd = [QEMU, "-accel", "tcg", "-cpu", "max", "-smp", "1", "-m", mem,
               "-nographic", "-no-reboot", "-nodefaults", "-serial", "stdio",
               "-kernel", vmlinux, "-initrd", initrd.name,
               "-append", "console=ttyS0 quiet panic=-1 rdinit=/init"]
        if serial2:
            cmd += ["-chardev", "socket,id=serial2,path=%s,server=on,"
                    "wait=off" % serial2, "-serial", "chardev:serial2"]
        t0 = time.time()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                             stderr=subprocess.STDOUT)

        def console():
            with open("/proc/self/fd/%d" % log.fileno(), "rb") as f:
                return (f.read().decode(errors="replace")
                        .replace("\r", "").split("\n"))

        th = None
        if during:
            th = threading.Thread(target=during, args=(console,),
                                  daemon=True)
            th.start()
        try:
            p.wait(timeout=timeout)
            tail = b""
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            tail = b"\n(nested guest timed out)\n"
        if th:
            th.join(timeout=60)
        log.seek(0)
        out = log.read() + tail
    text = out.decode(errors="replace").replace("\r", "")
    lines = text.split("\n")
    b = next((i for i, l in enumerate(lines) if l.endswith(BEGIN)), None)
    if b is None:
        raise RuntimeError("the nested guest did not start the script "
                           "(%.0f s):\n" % (time.time() - t0) +
                           "\n".join(lines[-30:]))
    rest = lines[b + 1:]
    e = next((i for i, l in enumerate(rest) if l.endswith(END)), None)
    if e is None:
        raise RuntimeError("the nested script did not finish:\n" +
                           "\n".join(rest[-30:]))
    rest = rest[:e]
    if rest and rest[0] == "nested: no /dev/kvm":
        raise Skip("the kvm modules did not load in the nested guest")
    return rest
