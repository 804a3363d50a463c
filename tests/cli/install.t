#!/bin/bash
# install.t: "make install DESTDIR=..." installs the binary, both
# program-name symlinks and the man page, without rebuilding anything.
. "$(dirname "$0")/tap.sh"

dest=$TMP/root
prefix=$(sed -n 's/^PREFIX := //p' "$BUILD/config.mak" 2>/dev/null)
prefix=${prefix:-/usr/local}
before=$(stat -c %Y "$TANDEM")

# -o: treat the built binary and its links as up to date whatever their
# timestamps say, so install copies what was tested.
if make -s -C "$SRC" install BUILD="$BUILD" DESTDIR="$dest" \
        -o "$BUILD/tandem" -o "$BUILD/tandem-system-x86_64" \
        -o "$BUILD/tandem-system-ppc64" >"$TMP/make.log" 2>&1; then
    ok "make install DESTDIR=... succeeds"
else
    not_ok "make install DESTDIR=... succeeds"; diag_file "$TMP/make.log"
fi

bin=$dest$prefix/bin
if [ -x "$bin/tandem" ] && [ ! -L "$bin/tandem" ] && cmp -s "$bin/tandem" "$TANDEM"; then
    ok "bin/tandem is the built binary"
else
    not_ok "bin/tandem is the built binary" "looked in $bin"
fi
for link in tandem-system-x86_64 tandem-system-ppc64; do
    if [ -L "$bin/$link" ] && [ "$(readlink "$bin/$link")" = tandem ]; then
        ok "bin/$link is a symlink to tandem"
    else
        not_ok "bin/$link is a symlink to tandem"
    fi
done
if "$bin/tandem-system-ppc64" -cpu help 2>&1 | grep -q power9; then
    ok "the installed ppc64 link defaults to pseries"
else
    not_ok "the installed ppc64 link defaults to pseries"
fi

man=$dest$prefix/share/man/man1/tandem.1
if [ -f "$man" ] && cmp -s "$man" "$SRC/docs/tandem.1"; then
    ok "man page installed as share/man/man1/tandem.1"
else
    not_ok "man page installed as share/man/man1/tandem.1"
fi
# The page must render without troff warnings.
if command -v man >/dev/null && command -v groff >/dev/null; then
    if MANWIDTH=80 man --warnings -l "$man" >"$TMP/man.txt" 2>"$TMP/man.err" &&
       [ ! -s "$TMP/man.err" ] && grep -q -- '-nodefaults' "$TMP/man.txt"; then
        ok "man page renders without warnings"
    else
        not_ok "man page renders without warnings"; diag_file "$TMP/man.err"
    fi
else
    ok "man page renders without warnings # SKIP man/groff not installed"
fi

if [ "$(stat -c %Y "$TANDEM")" = "$before" ]; then
    ok "install did not rebuild the binary"
else
    not_ok "install did not rebuild the binary"
fi

done_testing
