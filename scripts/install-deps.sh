#!/bin/sh
# Installs every Debian package that building and testing Tandem needs.
# Run as root on Debian 12.  Safe to run again: apt skips what is installed.
set -e

BUILD_PKGS="build-essential pkg-config libglib2.0-dev libcapstone-dev libfdt-dev
libpixman-1-dev libsdl2-dev liburcu-dev libslirp-dev liburing-dev"
TEST_PKGS="perl qemu-system-x86 qemu-system-ppc gcc-powerpc64le-linux-gnu
gdb-multiarch busybox-static cpio xz-utils python3 iproute2"

if [ "$(id -u)" != 0 ]; then
    echo "install-deps.sh: must run as root (apt-get install)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $BUILD_PKGS $TEST_PKGS
