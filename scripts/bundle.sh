#!/usr/bin/env bash
# Builds the package: TypeScript → ESM JavaScript and .d.ts in dist/ (tsc, tsconfig.build.json), the same
# layout as src/, so every path a module finds from its own location (native/, programs/) is the same in both;
# that is the library (dist/index.js, dist/harness/vitest.js). Then the command's entry points are bundled over
# their compiled copies (esbuild): dist/cli.js and the test workers' dist/harness/worker.js, with what only some
# commands need (the harness, the gdb stub, the strace printer: dynamic imports) split into dist/chunks/, so a
# plain `run` reads a few files instead of a hundred (cold start). npm packages stay external.
# `npm run build`, `npm test`, `npm pack` (prepack) and scripts/setup.sh run it; bin/arm64-fault.js runs dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
npx --no-install tsc -p tsconfig.build.json
# tsc keeps the sources' `.ts` specifiers in declarations; consumers resolve the emitted `.js` ones everywhere.
find dist -name '*.d.ts' -exec sed -i -E "s/(from '\.{1,2}\/[^']*)\.ts'/\1.js'/g; s/(import\('\.{1,2}\/[^']*)\.ts'\)/\1.js')/g" {} +
npx --no-install esbuild src/cli.ts src/harness/worker.ts --bundle --splitting --format=esm --platform=node \
  --target=node20 --packages=external --outbase=src --outdir=dist --chunk-names='chunks/[name]-[hash]' \
  --allow-overwrite --log-level=warning
# The chunks lie one folder below dist/, as src/<subsystem>/*.ts below src/, so a path found from import.meta.url
# is the same there; only dist/cli.js is one level higher, so it may hold no import.meta but src/cli.ts's own.
if awk '/^\/\/ src\//{f=$2} /import\.meta/ && f!="src/cli.ts"{print f; bad=1} END{exit !bad}' dist/cli.js; then
  echo 'bundle.sh: a module inlined into dist/cli.js finds paths from import.meta: import it dynamically' >&2; exit 1
fi
