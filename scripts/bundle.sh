#!/usr/bin/env bash
# Bundles the CLI into dist/cli.js (esbuild, from tsx's dependencies) so a cold start does not compile TypeScript.
# Code splitting puts what only some commands need (the harness: yaml, zod, worker_threads) into chunks next to
# it (dist/*-HASH.js, at the same depth as cli.js, so paths relative to the package root stay the same).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist && npx --no-install esbuild src/cli.ts --bundle --splitting --platform=node --format=esm --target=node20 --outdir=dist --entry-names=[name] --chunk-names=[name]-[hash] \
  --external:koffi --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);"
