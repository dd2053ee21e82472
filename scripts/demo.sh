#!/usr/bin/env bash
# A short tour: a program that runs, a NULL dereference with its syndrome and core, an alignment fault that
# qemu-aarch64 cannot show, and why no core is written when RLIMIT_CORE is 0.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(mktemp -d)
af() { echo "\$ arm64-fault $*"; ./bin/arm64-fault.js "$@"; echo "(exit status $?)"; echo; }
af run --root "$root" programs/build/hello -- a b
af run --root "$root" --exception-trace programs/build/segv_maperr_null
gdb-multiarch -batch -ex "core-file $root/core" -ex 'p $_siginfo._sifields._sigfault.si_addr' -ex 'p $_siginfo.si_code' \
  programs/build/segv_maperr_null 2>/dev/null | tail -3
echo
af run --root "$root" programs/build/bus_adraln_sp_load
echo "\$ qemu-aarch64 programs/build/bus_adraln_sp_load    # qemu never checks SP alignment"
(cd "$root" && ulimit -c 0 && qemu-aarch64 "$OLDPWD/programs/build/bus_adraln_sp_load"); echo "(exit status $?)"; echo
af run --root "$root" --rlimit-core 0 programs/build/segv_maperr_null
rm -rf "$root"
