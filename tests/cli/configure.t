#!/bin/bash
# configure: options land in config.mak/config.h, bad options and missing
# libraries are reported the way the Makefile relies on (exit 1 / exit 2).
. "$(dirname "$0")/tap.sh"

cfg() { (cd "$SRC" && ./configure --builddir="$TMP/b" "$@") > "$TMP/out" 2>&1; }

cfg --prefix=/opt/t --enable-debug --disable-sdl
rc=$?
if [ $rc = 0 ] && grep -q '^PREFIX := /opt/t$' "$TMP/b/config.mak" &&
   grep -q -- '-O0' "$TMP/b/config.mak" && grep -q '^CONFIG_SDL := no$' "$TMP/b/config.mak" &&
   ! grep -q 'lSDL2' "$TMP/b/config.mak" && grep -q 'CONFIG_DEBUG 1' "$TMP/b/config.h"; then
    ok "--prefix, --enable-debug and --disable-sdl reach config.mak/config.h"
else
    not_ok "--prefix, --enable-debug and --disable-sdl reach config.mak/config.h" "rc=$rc" "$(cat "$TMP/out")"
fi

cfg --enable-asan
if [ $? = 0 ] && grep -q 'fsanitize=address,undefined' "$TMP/b/config.mak"; then
    ok "--enable-asan builds with ASan and UBSan"
else
    not_ok "--enable-asan builds with ASan and UBSan" "$(cat "$TMP/out")"
fi

cfg --enable-tsan
if [ $? = 0 ] && grep -q 'fsanitize=thread' "$TMP/b/config.mak"; then
    ok "--enable-tsan builds with ThreadSanitizer"
else
    not_ok "--enable-tsan builds with ThreadSanitizer" "$(cat "$TMP/out")"
fi

cfg --cc=gcc
if [ $? = 0 ] && grep -q '^CC := gcc$' "$TMP/b/config.mak"; then
    ok "--cc selects the compiler"
else
    not_ok "--cc selects the compiler" "$(cat "$TMP/out")"
fi

cfg --cc=/nonexistent/cc
rc=$?
if [ $rc = 1 ] && grep -q "not found" "$TMP/out"; then
    ok "a missing compiler: exit 1 with a message"
else
    not_ok "a missing compiler: exit 1 with a message" "rc=$rc" "$(cat "$TMP/out")"
fi

cfg --enable-asan --enable-tsan
rc=$?
[ $rc = 1 ] && ok "--enable-asan with --enable-tsan is refused" ||
    not_ok "--enable-asan with --enable-tsan is refused" "rc=$rc"

cfg --bogus
rc=$?
if [ $rc = 1 ] && grep -q -- "--bogus" "$TMP/out"; then
    ok "an unknown option: exit 1 naming it"
else
    not_ok "an unknown option: exit 1 naming it" "rc=$rc" "$(cat "$TMP/out")"
fi

# Hide every pkg-config file: each library must be named with its Debian
# package, and the exit status must be 2 (the Makefile installs on 2).
(cd "$SRC" && PKG_CONFIG_LIBDIR=/nonexistent PKG_CONFIG_PATH= ./configure --builddir="$TMP/m") > "$TMP/out" 2>&1
rc=$?
missing_ok=1
for pkg in libglib2.0-dev libcapstone-dev libpixman-1-dev liburcu-dev libslirp-dev liburing-dev libsdl2-dev; do
    grep -q "apt-get install $pkg" "$TMP/out" || missing_ok=0
done
if [ $rc = 2 ] && [ $missing_ok = 1 ]; then
    ok "missing libraries: exit 2, each named with its Debian package"
else
    not_ok "missing libraries: exit 2, each named with its Debian package" "rc=$rc" "$(cat "$TMP/out")"
fi

done_testing
