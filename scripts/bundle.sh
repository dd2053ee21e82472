#!/usr/bin/env bash
# Bundles the CLI into dist/cli.js: see bundle.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/bundle.mjs
