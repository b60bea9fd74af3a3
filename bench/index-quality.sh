#!/usr/bin/env bash
# Recall@5 of the workspace index (keyword-only) against a naive SQLite FTS5 baseline on npm's docs.
# Usage: bench/index-quality.sh [docs-folder]   (default: npm 11.19.1's docs, fetched into a cache dir)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
docs="${1:-}"
if [ -z "$docs" ]; then
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/llmlsp-bench/npm-11.19.1"
  if [ ! -d "$cache/package/docs/content" ]; then
    mkdir -p "$cache"
    (cd "$cache" && npm pack npm@11.19.1 --silent >/dev/null && tar xzf npm-11.19.1.tgz)
  fi
  docs="$cache/package/docs/content"
fi
dotnet build "$here/LlmLsp.Bench" -c Release -v q -nologo >/dev/null
dotnet "$here/LlmLsp.Bench/bin/Release/net10.0/LlmLsp.Bench.dll" quality "$docs" "$here/data/npm-docs-questions.tsv"
