#!/usr/bin/env bash
# Chat and ask through `llmlsp serve`: time to first token of llmlsp/ask with 5 sources, and the streaming rate
# seen by the client ($/progress deltas), against the engine's own figures from `llmlsp bench engine` (pp for
# the prompt, tg for the stream, at depth 0 as llama-bench's tg128 and at the asks' depth, --depth), interleaved. The docs folder (npm 11.19.1's docs/content by default, as in
# bench/index.sh) is indexed first (keyword index; `serve --model` configures no embedding model). Answers run to a
# fixed length with the benchmark-only setting chat.ignoreEndOfGeneration (random-weight model).
#
#   bench/chat.sh [docs-folder]
#   BENCH_REPS=3 BENCH_ANSWER_TOKENS=256 bench/chat.sh
set -euo pipefail
shopt -s inherit_errexit
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

THREADS="${BENCH_THREADS:-2}"
REPS="${BENCH_REPS:-2}"
ANSWER_TOKENS="${BENCH_ANSWER_TOKENS:-128}"
DEPTH="${BENCH_TG_DEPTH:-1500}"      # the asks' prompts are 800-2,100 tokens: raw tg is also measured at this depth
DOCS="${1:-$(bench_npm_docs)}"

RESULTS="$BENCH_CACHE/results/chat-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS"
bench_log "results: $RESULTS"
OURS="$(bench_llmlsp_dist)"
MODEL="$(nice -n 10 "$OURS" bench make-model --shape qwen2.5-coder-0.5b --quant q8_0 --threads "$(nproc)")"
if [ ! -d "$BENCH_CACHE/node_modules/vscode-jsonrpc" ]; then
  (cd "$BENCH_CACHE" && { [ -f package.json ] || echo '{"private":true}' > package.json; } && npm install --no-audit --no-fund vscode-jsonrpc@8 >&2)
fi

# Questions from the index-quality set (our own words), the first three.
QUESTIONS_JSON="$(grep -v '^#' "$BENCH_ROOT/bench/data/npm-docs-questions.tsv" | head -3 | cut -f1 | python3 -c 'import json,sys; print(json.dumps([l.strip() for l in sys.stdin if l.strip()]))')"
config="$(python3 -c 'import json,sys; print(json.dumps({"docs": sys.argv[1], "threads": int(sys.argv[2]), "answerTokens": int(sys.argv[3]), "questions": json.loads(sys.argv[4]), "command": sys.argv[5:]}))' \
  "$DOCS" "$THREADS" "$ANSWER_TOKENS" "$QUESTIONS_JSON" "$OURS" serve --model "$MODEL" --log-level debug)"

RUNS="$RESULTS/runs.jsonl"
: > "$RUNS"
stamp() { python3 -c 'import json,sys; d=json.load(sys.stdin); d.update(side=sys.argv[1], rep=int(sys.argv[2]), load=open("/proc/loadavg").read().split()[0]); print(json.dumps(d))' "$@"; }
for rep in $(seq 1 "$REPS"); do
  bench_log "rep $rep/$REPS: llmlsp bench engine"
  "$OURS" bench engine -m "$MODEL" -t "$THREADS" -r 2 --json | stamp engine "$rep" >> "$RUNS"
  bench_log "rep $rep/$REPS: llmlsp bench engine --depth $DEPTH"
  "$OURS" bench engine -m "$MODEL" -t "$THREADS" -r 2 --depth "$DEPTH" --json | stamp engine-depth "$rep" >> "$RUNS"
  bench_log "rep $rep/$REPS: llmlsp serve, index + 3 asks"
  NODE_PATH="$BENCH_CACHE/node_modules" node "$BENCH_ROOT/bench/chat-client.js" "$config" | stamp ask "$rep" >> "$RUNS"
done

{
  echo "# Chat/ask $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, threads $THREADS, answer $ANSWER_TOKENS tokens, $REPS rep(s), docs $(basename "$(dirname "$(dirname "$DOCS")")")"
  echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 - "$RUNS" "$DEPTH" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
engine = [r for r in runs if r["side"] == "engine"]
deep = [r for r in runs if r["side"] == "engine-depth"]
asks = [a for r in runs if r["side"] == "ask" for a in r["asks"]]
pp = statistics.median(r["pp_tps"] for r in engine)
tg = statistics.median(r["tg_tps"] for r in engine)
tg_deep = statistics.median(r["tg_tps"] for r in deep)
print(f"llmlsp bench engine (median of {len(engine)}): pp512 {pp:.1f} t/s, tg128 {tg:.1f} t/s, tg128 at depth {sys.argv[2]} {tg_deep:.1f} t/s")
print()
print("| ask | prompt tokens | TTFT ms | limit ms (prompt / pp) | TTFT / limit | generated | streamed t/s | server t/s | streamed / tg128 | streamed / tg at depth |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for i, a in enumerate(asks):
    limit = a["prompt_tokens"] / pp * 1000
    server = a["generated_tokens"] / (a["server_generation_ms"] / 1000)
    print(f"| {i + 1} | {a['prompt_tokens']} | {a['ttft_ms']:.0f} | {limit:.0f} | {a['ttft_ms'] / limit:.2f} | {a['generated_tokens']} | {a['streamed_tps']:.1f} | {server:.1f} | {a['streamed_tps'] / tg:.2f} | {a['streamed_tps'] / tg_deep:.2f} |")
ttft = statistics.median(a["ttft_ms"] / (a["prompt_tokens"] / pp * 1000) for a in asks)
streamed = statistics.median(a["streamed_tps"] for a in asks)
print()
print(f"median TTFT / (prompt tokens / pp): {ttft:.2f} (target ≤ 1.15: {'met' if ttft <= 1.15 else '**missed**'})")
print(f"median streamed t/s / engine tg at depth {sys.argv[2]}: {streamed / tg_deep:.2f} (target ≥ 0.95: {'met' if streamed / tg_deep >= 0.95 else '**missed**'}); against tg128 at depth 0: {streamed / tg:.2f}")
print(f"index build (first rep): {[r['index_ms'] for r in runs if r['side'] == 'ask'][0]:.0f} ms; load average per run: {[(r['side'], r['load']) for r in runs]}")
PY
} | tee "$RESULTS/summary.md"
