#!/usr/bin/env bash
# Builds the package: TypeScript → ESM JavaScript and .d.ts in dist/ (tsc, tsconfig.build.json), the same
# layout as src/, so every path a module finds from its own location (native/, programs/) is the same in both;
# that is the library (dist/index.js, dist/harness/vitest.js). Then the command, for a fast cold start:
# dist/cli.cjs, src/cli.ts and all it imports (commander too) as one CommonJS script (scripts/bundle-cli.mjs);
# dist/boot.cjs, its loader (src/boot.ts), which bin/arm64-fault.js runs (and dist/cli.js, for who runs that); and
# dist/cli.cache, V8's compiled code of dist/cli.cjs after a run of hello, which the loader hands to V8 (a cache V8
# rejects, another Node's, costs nothing but the compile it saves).
# The test workers' dist/harness/worker.js is bundled over its compiled copy (esbuild; chunks, if it ever imports
# dynamically, in dist/chunks/).
# npm packages other than commander stay external.
# `npm run build`, `npm test`, `npm pack` (prepack) and scripts/setup.sh run it; bin/arm64-fault.js runs dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
npx --no-install tsc -p tsconfig.build.json
# tsc keeps the sources' `.ts` specifiers in declarations; consumers resolve the emitted `.js` ones everywhere.
find dist -name '*.d.ts' -exec sed -i -E "s/(from '\.{1,2}\/[^']*)\.ts'/\1.js'/g; s/(import\('\.{1,2}\/[^']*)\.ts'\)/\1.js')/g" {} +
# The chunks lie one folder below dist/, as src/<subsystem>/*.ts below src/, so a path found from import.meta.url
# is the same there as in dist/harness/worker.js's own folder.
npx --no-install esbuild src/harness/worker.ts --bundle --splitting --format=esm --platform=node \
  --target=node20 --packages=external --outbase=src --outdir=dist --chunk-names='chunks/[name]-[hash]' \
  --allow-overwrite --log-level=warning
# bundle-cli.mjs fails when a module's import.meta is left unrewritten (it would find paths from the wrong place)
node scripts/bundle-cli.mjs
npx --no-install esbuild src/boot.ts --format=cjs --platform=node --target=node20 --outfile=dist/boot.cjs \
  --log-level=warning
cat > dist/cli.js <<'EOF'
// The compiled command, for whoever runs or imports it (bin/arm64-fault.js runs boot.cjs itself).
import { createRequire } from 'node:module';
createRequire(import.meta.url)('./boot.cjs').boot(import.meta.dirname);
EOF
# The code cache, from a run of hello (a version query where the guest programs are not built): what that run
# compiled is then cached, not only the top level. Its output is not wanted. A run that fails (no engine on the
# building machine) still leaves a cache of what it compiled; a command that cannot even start leaves none, and
# that fails the build.
guest_root=$(mktemp -d)
trap 'rm -rf "$guest_root"' EXIT
cache_run=(--version)
[ -f programs/build/hello ] && cache_run=(run --root "$guest_root" programs/build/hello)
if ! ARM64_FAULT_FROM_SOURCE='' ARM64_FAULT_CODE_CACHE=dist/cli.cache node bin/arm64-fault.js "${cache_run[@]}" >/dev/null 2>&1; then
  echo "bundle.sh: the code cache's run (arm64-fault ${cache_run[*]}) failed: the cache holds less" >&2
fi
if [ ! -s dist/cli.cache ]; then
  echo 'bundle.sh: no code cache was written: the bundled command does not start' >&2; exit 1
fi
