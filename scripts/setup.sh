#!/usr/bin/env bash
# Installs everything arm64-fault needs on Debian 12 (run as root), the official Unicorn 2.1.4 engine into .engine/
# (scripts/engine.sh; Debian's libunicorn2 stays the fallback), builds the guest programs and the native icount
# hook, then runs the demo (skip it with --no-demo).
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(libunicorn2 gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross gdb-multiarch
      elfutils libdw1 libcapstone4 binutils qemu-user make gcc)
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
if [ "${1:-}" != "--no-demo" ]; then bash scripts/demo.sh; fi
