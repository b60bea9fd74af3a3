#!/usr/bin/env bash
# Index speed and size side by side with SQLite FTS5 on the same chunks; 2,000-file re-index; synthetic 200k-chunk hybrid query.
# Usage: bench/index.sh [docs-folder]   (default: npm 11.19.1's docs, fetched into a cache dir)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
docs="${1:-$(bench_npm_docs)}"
dotnet build "$here/LlmLsp.Bench" -c Release -v q -nologo >/dev/null
dotnet "$here/LlmLsp.Bench/bin/Release/net10.0/LlmLsp.Bench.dll" speed "$docs" "$here/data/npm-docs-questions.tsv"
