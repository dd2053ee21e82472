#!/usr/bin/env bash
# Installs the official Unicorn 2.1.4 engine (libunicorn.so.2 and its headers) from the `unicorn` wheel of the
# Python package index into .engine/ (ignored by git). A second run finds it there and does nothing.
# When pip or the wheel is not available it says so and returns 0: Debian's libunicorn2 (2.0.1) is the fallback
# that src/cpu/unicorn.ts and native/Makefile use when .engine/ is absent.
set -uo pipefail
cd "$(dirname "$0")/.."
want=2.1.4
dest=.engine
if [ -f "$dest/VERSION" ] && [ "$(cat "$dest/VERSION")" = "$want" ] && [ -f "$dest/lib/libunicorn.so.2" ]; then
  exit 0
fi
pip=$(command -v pip3 || command -v pip || true)
py=$(command -v python3 || true)
if [ -z "$pip" ] || [ -z "$py" ]; then
  echo "engine: pip/python3 not found; using Debian's libunicorn2 (slower: see README, Speed)" >&2
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# manylinux x86_64 (or aarch64) wheel, abi3: pip picks the one for this host
if ! "$pip" download --no-deps --only-binary=:all: --retries 1 --timeout 30 -q -d "$tmp" "unicorn==$want" >"$tmp/log" 2>&1; then
  echo "engine: pip download unicorn==$want failed; using Debian's libunicorn2 (slower: see README, Speed)" >&2
  tail -3 "$tmp/log" >&2
  exit 0
fi
whl=$(ls "$tmp"/unicorn-*.whl 2>/dev/null | head -1)
if [ -z "$whl" ]; then
  echo "engine: no unicorn wheel was downloaded; using Debian's libunicorn2" >&2
  exit 0
fi
rm -rf "$dest.new"
# a wheel is a zip: keep the shared library and the headers only
if ! "$py" - "$whl" "$dest.new" <<'PY'
import sys, zipfile, os
whl, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z:
    for n in z.namelist():
        if n.endswith('/'):
            continue
        if n == 'unicorn/lib/libunicorn.so.2':
            rel = 'lib/libunicorn.so.2'
        elif n.startswith('unicorn/include/'):
            rel = n[len('unicorn/'):]
        else:
            continue
        p = os.path.join(out, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with z.open(n) as src, open(p, 'wb') as dst:
            dst.write(src.read())
PY
then
  echo "engine: could not unpack $(basename "$whl"); using Debian's libunicorn2" >&2
  rm -rf "$dest.new"
  exit 0
fi
echo "$want" >"$dest.new/VERSION"
basename "$whl" >"$dest.new/WHEEL"
rm -rf "$dest" && mv "$dest.new" "$dest"
echo "engine: Unicorn $want installed in $dest/ ($(basename "$whl"))"
