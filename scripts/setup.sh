#!/usr/bin/env bash
# Installs everything arm64-fault needs on Debian 12 (run as root), the official Unicorn 2.1.4 engine into .engine/
# (scripts/engine.sh; Debian's libunicorn2 stays the fallback), builds the guest programs and the native icount
# hook, then runs the demo (skip it with --no-demo).
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(libunicorn2 gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross gdb-multiarch
      elfutils libdw1 libcapstone4 binutils qemu-user make gcc
      chromium) # headless, for test/html.test.ts: the --html pages are loaded and checked in it (playwright-core drives it)
# Node 20+ usually comes with the machine; Debian's nodejs/npm only when there is none.
command -v node >/dev/null 2>&1 || pkgs+=(nodejs npm)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
npm ci --no-audit --no-fund --loglevel=error
bash scripts/engine.sh
make -s -C native
make -s -C programs
bash scripts/bundle.sh

# ---- dynamically linked programs (issue 12) -- begin -----------------------------------------------------------
# The tests run programs/build/dyn_* with the cross toolchain's sysroot, /usr/aarch64-linux-gnu (Debian's
# libc6-arm64-cross, which libc6-dev-arm64-cross above pulls in): ld-linux-aarch64.so.1 and libc.so.6, used as
# `--sysroot /usr/aarch64-linux-gnu` (like qemu-aarch64 -L). Nothing else is needed for `npm test`.
# For experiments with real Debian arm64 binaries, .cache/arm64-root (git-ignored) is assembled as a guest root
# from Debian arm64 packages (libc6, hello, busybox-static, bash, coreutils, python3.11-minimal and their libraries), downloaded with a
# private apt state so the host's dpkg architectures stay untouched; offline, this step is skipped with a note (the
# real-program tests then fail, saying what is missing). Use it as
#   npx arm64-fault run --root .cache/arm64-root .cache/arm64-root/usr/bin/hello
if [ ! -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libc6-arm64-cross >/dev/null
fi
arm64_root=.cache/arm64-root
if [ ! -e "$arm64_root/usr/bin/hello" ] || [ ! -e "$arm64_root/bin/busybox" ] || [ ! -e "$arm64_root/bin/bash" ] ||
   [ ! -e "$arm64_root/usr/bin/python3.11" ]; then
  apt_dir="$PWD/.cache/apt-arm64"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$arm64_root"
  apt_opts=(-o APT::Architecture=arm64 -o "APT::Architectures::=arm64" -o "Dir::State::Lists=$apt_dir/lists"
            -o "Dir::Cache=$apt_dir" -o Dir::State::status=/dev/null -o Debug::NoLocking=1)
  if apt-get "${apt_opts[@]}" update -qq >/dev/null 2>&1 &&
     (cd "$apt_dir/archives" && apt-get "${apt_opts[@]}" download libc6:arm64 hello:arm64 busybox-static:arm64 \
       bash:arm64 libtinfo6:arm64 coreutils:arm64 libacl1:arm64 libattr1:arm64 libgmp10:arm64 libselinux1:arm64 \
       libpcre2-8-0:arm64 python3.11-minimal:arm64 libpython3.11-minimal:arm64 libexpat1:arm64 zlib1g:arm64 \
       >/dev/null 2>&1); then
    for deb in "$apt_dir"/archives/*_arm64.deb; do dpkg-deb -x "$deb" "$arm64_root"; done
  else
    echo "note: no network for the Debian arm64 packages; $arm64_root not assembled (test/shell.test.ts and test/real_programs.test.ts need it)"
  fi
fi
# busybox-static is the real static shell of the process tests (issue 10): test/shell.test.ts runs it under
# arm64-fault and qemu-aarch64 and compares them line by line. Debian's dynamically linked bash and coreutils are
# the real programs of test/real_programs.test.ts, with Debian's python3.11 (an interpreter with threads).
# ---- dynamically linked programs (issue 12) -- end -------------------------------------------------------------
if [ "${1:-}" != "--no-demo" ]; then bash scripts/demo.sh; fi
