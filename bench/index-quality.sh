#!/usr/bin/env bash
# Recall@5 of the workspace index (keyword-only) against a naive SQLite FTS5 baseline on npm's docs.
# Usage: bench/index-quality.sh [docs-folder]   (default: npm 11.19.1's docs, fetched into a cache dir)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
docs="${1:-$(bench_npm_docs)}"
dotnet build "$here/LlmLsp.Bench" -c Release -v q -nologo >/dev/null
dotnet "$here/LlmLsp.Bench/bin/Release/net10.0/LlmLsp.Bench.dll" quality "$docs" "$here/data/npm-docs-questions.tsv"
