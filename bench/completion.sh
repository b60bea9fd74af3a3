#!/usr/bin/env bash
# Inline completion while typing: ours (`llmlsp serve`, textDocument/inlineCompletion) against llama.cpp's
# llama-server (/infill, the llama.vscode request shape, `--cache-reuse 256 -np 1`), same model, same threads.
# A real source file (bench/data/linkedMap.js) is typed character by character into a span of lines, at seeded
# 60-120 ms intervals, a 1.5 s pause after each line and a 1 s pause after 20% of spaces, '(' and '.'; every keystroke sends a request that cancels the previous
# one (ours: $/cancelRequest, theirs: the HTTP request is aborted). Both sides generate exactly N tokens
# (ours: the benchmark-only setting completion.ignoreEndOfGeneration; theirs: ignore_eos).
# Runs are interleaved (ours, theirs, ours, ...) with `llmlsp bench engine` beside them for the physical limit.
#
#   bench/completion.sh
#   BENCH_REPS=2 BENCH_START_LINE=121 BENCH_LINES=30 BENCH_N_PREDICT=16 bench/completion.sh
#
# Needs dotnet, npm, node >= 18, git, cmake, a C++ compiler, python3. Cache: ${XDG_CACHE_HOME:-~/.cache}/llmlsp-bench.
set -euo pipefail
shopt -s inherit_errexit
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

THREADS="${BENCH_THREADS:-2}"
REPS="${BENCH_REPS:-1}"
START="${BENCH_START_LINE:-121}"     # first line typed (1-based) of the 398-line file
LINES="${BENCH_LINES:-20}"           # lines typed: keeps one run at ~1.5 minutes per side
N_PREDICT="${BENCH_N_PREDICT:-16}"
LINE_PAUSE="${BENCH_LINE_PAUSE_MS:-1500}"
SEED="${BENCH_SEED:-1}"
CTX=4096
FILE="$BENCH_ROOT/bench/data/linkedMap.js"

RESULTS="$BENCH_CACHE/results/completion-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS"
bench_log "results: $RESULTS"

OURS="$(bench_llmlsp_dist)"
SERVER="$(bench_llama_server)/llama-server"
MODEL="$(nice -n 10 "$OURS" bench make-model --shape qwen2.5-coder-0.5b --quant q8_0 --threads "$(nproc)")"
if [ ! -d "$BENCH_CACHE/node_modules/vscode-jsonrpc" ]; then
  (cd "$BENCH_CACHE" && { [ -f package.json ] || echo '{"private":true}' > package.json; } && npm install --no-audit --no-fund vscode-jsonrpc@8 >&2)
fi

config() { # side command...
  python3 -c 'import json,sys; print(json.dumps({"side": sys.argv[1], "command": sys.argv[9:], "file": sys.argv[2], "start": int(sys.argv[3]),
    "count": int(sys.argv[4]), "seed": int(sys.argv[5]), "nPredict": int(sys.argv[6]), "linePauseMs": int(sys.argv[7]), "threads": int(sys.argv[8]), "contextSize": 4096}))' \
    "$1" "$FILE" "$START" "$LINES" "$SEED" "$N_PREDICT" "$LINE_PAUSE" "$THREADS" "${@:2}"
}

RUNS="$RESULTS/runs.jsonl"
: > "$RUNS"
for rep in $(seq 1 "$REPS"); do
  bench_log "rep $rep/$REPS: llmlsp bench engine"
  "$OURS" bench engine -m "$MODEL" -t "$THREADS" -r 2 --json | python3 -c 'import json,sys; d=json.load(sys.stdin); d.update(side="engine", rep=int(sys.argv[1]), load=open("/proc/loadavg").read().split()[0]); print(json.dumps(d))' "$rep" >> "$RUNS"
  bench_log "rep $rep/$REPS: ours"
  NODE_PATH="$BENCH_CACHE/node_modules" node "$BENCH_ROOT/bench/completion-replay.js" \
    "$(config ours "$OURS" serve --model "$MODEL" --log-level debug)" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); d.update(rep=int(sys.argv[1]), load=open("/proc/loadavg").read().split()[0]); print(json.dumps(d))' "$rep" >> "$RUNS"
  bench_log "rep $rep/$REPS: llama-server"
  node "$BENCH_ROOT/bench/completion-replay.js" \
    "$(config llama-server "$SERVER" -m "$MODEL" -t "$THREADS" -c "$CTX" --cache-reuse 256 -np 1)" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); d.update(rep=int(sys.argv[1]), load=open("/proc/loadavg").read().split()[0]); print(json.dumps(d))' "$rep" >> "$RUNS"
done

{
  echo "# Completion replay $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, threads $THREADS, lines $START-$((START + LINES - 1)) of $(basename "$FILE"), n_predict $N_PREDICT, line pause $LINE_PAUSE ms, seed $SEED, $REPS rep(s)"
  echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 "$BENCH_ROOT/bench/completion-summary.py" "$RUNS" "$N_PREDICT"
} | tee "$RESULTS/summary.md"
