#!/bin/sh
# scripts/deps.sh [bench|aarch64] - make sure the Debian packages the build
# needs are installed. As root it installs what is missing; otherwise it
# prints the exact apt-get line to run. With "bench" it also checks the
# benchmark peers; with "aarch64" the cross toolchain and qemu-aarch64 that
# `make test-aarch64` uses.
set -eu

need="cmake make gcc pkg-config valgrind node-llhttp zlib1g-dev libjansson-dev curl"
[ "${1:-}" = bench ] && need="$need libuv1-dev libev-dev libevent-dev wrk nginx-light"
[ "${1:-}" = aarch64 ] &&
    need="$need gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user"

missing=""
for pkg in $need; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $pkg"
done
# Conformance cases compare against Node; any node on PATH will do (v20 is
# the reference), otherwise Debian's nodejs.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    echo "deps.sh: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends $missing ||
        { apt-get update && apt-get install -y --no-install-recommends $missing; }
else
    echo "deps.sh: missing packages; run:" >&2
    echo "  sudo apt-get install -y$missing" >&2
    exit 1
fi
