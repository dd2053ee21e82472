#!/usr/bin/env bash
# Builds the package: TypeScript → ESM JavaScript and .d.ts in dist/ (tsc, tsconfig.build.json), the same
# layout as src/, so every path a module finds from its own location (native/, programs/) is the same in both.
# `npm run build`, `npm test`, `npm pack` (prepack) and scripts/setup.sh run it; bin/arm64-fault.js runs dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
npx --no-install tsc -p tsconfig.build.json
# tsc keeps the sources' `.ts` specifiers in declarations; consumers resolve the emitted `.js` ones everywhere.
find dist -name '*.d.ts' -exec sed -i -E "s/(from '\.{1,2}\/[^']*)\.ts'/\1.js'/g; s/(import\('\.{1,2}\/[^']*)\.ts'\)/\1.js')/g" {} +
