#!/usr/bin/env bash
# npm run test:e2e: the VS Code extension in real VS Code (code-server) in a real browser (Chromium), with the
# packaged .vsix and the real `llmlsp serve` on tiny fixture models. Prints "e2e: N passed, N failed".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
cache="${LLMLSP_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/llmlsp-e2e}"
out="$root/artifacts/e2e"
mkdir -p "$out"

bash client-vscode/e2e/setup.sh
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --loglevel=error

echo "e2e: packaging the extension" >&2
npm run --silent package >"$out/package.log" 2>&1 || { cat "$out/package.log" >&2; echo "e2e: 0 passed, 1 failed"; exit 1; }

echo "e2e: fixture models" >&2
dotnet run --project tests/FixtureExport -- "$out/models" >"$out/fixtures.log" 2>&1 || { cat "$out/fixtures.log" >&2; echo "e2e: 0 passed, 1 failed"; exit 1; }

exec node client-vscode/e2e/e2e.mjs --env "$cache/env.json" --vsix artifacts/vscode/llmlsp.vsix --models "$out/models" --out "$out"
