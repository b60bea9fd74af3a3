#!/usr/bin/env bash
# Recall@5 of the workspace index (keyword-only) against a naive SQLite FTS5 baseline on npm's docs.
# Usage: bench/index-quality.sh [docs-folder [questions.tsv]]
#   default: npm 11.19.1's docs (fetched into a cache dir) with bench/data/npm-docs-questions.tsv;
#   held-out set: bench/index-quality.sh /usr/share/doc/nodejs bench/data/nodejs-docs-questions.tsv (Debian's nodejs package)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
docs="${1:-$(bench_npm_docs)}"
dotnet build "$here/LlmLsp.Bench" -c Release -v q -nologo >/dev/null
questions="${2:-$here/data/npm-docs-questions.tsv}"
dotnet "$here/LlmLsp.Bench/bin/Release/net10.0/LlmLsp.Bench.dll" quality "$docs" "$questions"
