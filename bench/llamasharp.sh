#!/usr/bin/env bash
# Issue 18: our engine (`llmlsp bench engine`, pinned npm natives) against LLamaSharp 0.30.0 with its own CPU natives
# (bench/LlamaSharpBench) and llama-bench (built against the pinned natives, the anchor), on the same random-weight
# models, same threads, interleaved ours / LLamaSharp / llama-bench per pair, then medians and ratios. On the code
# models it also replays a keystroke sequence in-process on both sides (`llmlsp bench replay`: the product's prompts
# and KV reuse; LlamaSharpBench --replay: the same prompt tokens and the same reuse plan through LLamaSharp).
#
#   bench/llamasharp.sh
#   BENCH_REPS=3 BENCH_INNER_REPS=3 BENCH_THREADS=2 bench/llamasharp.sh
#   BENCH_REPLAY_MODELS="" bench/llamasharp.sh      # no replay
set -euo pipefail
shopt -s inherit_errexit
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

THREADS="${BENCH_THREADS:-2}"
REPS="${BENCH_REPS:-3}"
INNER="${BENCH_INNER_REPS:-3}"
MODELS="${BENCH_MODELS:-qwen2.5-coder-0.5b:q8_0 qwen2.5-coder-1.5b:q4_k_m qwen3-0.6b:q8_0 gemma3-1b:q8_0 bge-small:q8_0}"
REPLAY_MODELS="${BENCH_REPLAY_MODELS-qwen2.5-coder-0.5b:q8_0 qwen2.5-coder-1.5b:q4_k_m}"
# Lines 121-123 of linkedMap.js: 76 keystrokes, each answered with 16 tokens.
REPLAY_ARGS=(--file "$BENCH_ROOT/bench/data/linkedMap.js" --start "${BENCH_REPLAY_START:-121}" --count "${BENCH_REPLAY_LINES:-3}")
[ "$THREADS" -le "$(nproc)" ] || { echo "BENCH_THREADS=$THREADS exceeds the $(nproc) cores" >&2; exit 1; }

RESULTS="$BENCH_CACHE/results/llamasharp-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS"
bench_log "results: $RESULTS"
OURS="$(bench_llmlsp_dist)"
TOOLS="$(bench_tools_prebuilt)"
SHARP_DIR="$BENCH_CACHE/llamasharp-bench"
dotnet build "$BENCH_ROOT/bench/LlamaSharpBench" -c Release -o "$SHARP_DIR" --nologo -v quiet -clp:ErrorsOnly >&2
SHARP="$SHARP_DIR/LlamaSharpBench"

declare -A MODEL_PATH
for spec in $MODELS; do
  MODEL_PATH[$spec]="$(nice -n 10 "$OURS" bench make-model --shape "${spec%%:*}" --quant "${spec##*:}" --threads "$(nproc)")"
done

RUNS="$RESULTS/runs.jsonl"
: > "$RUNS"
record() { # model side rep json
  python3 -c 'import json,sys; d=json.loads(sys.argv[4]); d.update(model=sys.argv[1], side=sys.argv[2], rep=int(sys.argv[3]), load1=float(open("/proc/loadavg").read().split()[0])); print(json.dumps(d))' "$@" >> "$RUNS"
}
run_ours() {
  local embd=()
  case "$1" in bge-*) embd=(--embeddings on);; esac
  record "$1" ours "$2" "$("$OURS" bench engine -m "${MODEL_PATH[$1]}" -t "$THREADS" -r "$INNER" --json "${embd[@]}")"
}
run_sharp() {
  local out
  if out="$("$SHARP" "${MODEL_PATH[$1]}" "$THREADS" "$INNER" 4096 2>"$RESULTS/sharp-$2.err" | tail -1)" && [ -n "$out" ]; then
    record "$1" llamasharp "$2" "$out"
  else
    record "$1" llamasharp "$2" "$(python3 -c 'import json,sys; print(json.dumps({"error": open(sys.argv[1]).read()[-400:]}))' "$RESULTS/sharp-$2.err")"
  fi
}
run_anchor() {
  case "$1" in bge-*) return 0;; esac
  local json
  json="$("$TOOLS/llama-bench" -m "${MODEL_PATH[$1]}" -t "$THREADS" -p 512 -n 128 -b 512 -ub 512 -r "$INNER" -o json 2>/dev/null)"
  record "$1" llama-bench "$2" "$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(json.dumps({"pp_tps": [t["avg_ts"] for t in r if t["n_prompt"]>0][0], "tg_tps": [t["avg_ts"] for t in r if t["n_gen"]>0][0]}))' "$json")"
}
replays() { case " $REPLAY_MODELS " in *" $1 "*) return 0;; *) return 1;; esac; }
run_replays() { # model rep: ours writes the prompts (the same every time: greedy), LLamaSharp replays them
  local prompts="$RESULTS/prompts-${1//[:\/]/_}.jsonl" out
  record "$1" ours-replay "$2" "$("$OURS" bench replay -m "${MODEL_PATH[$1]}" -t "$THREADS" "${REPLAY_ARGS[@]}" --prompts-out "$prompts")"
  if out="$("$SHARP" --replay "$prompts" "${MODEL_PATH[$1]}" "$THREADS" 16 2>"$RESULTS/sharp-replay-$2.err" | tail -1)" && [ -n "$out" ]; then
    record "$1" llamasharp-replay "$2" "$out"
  else
    record "$1" llamasharp-replay "$2" "$(python3 -c 'import json,sys; print(json.dumps({"error": open(sys.argv[1]).read()[-400:]}))' "$RESULTS/sharp-replay-$2.err")"
  fi
}
for spec in $MODELS; do
  cat "${MODEL_PATH[$spec]}" > /dev/null
  for rep in $(seq 1 "$REPS"); do
    bench_log "$spec pair $rep/$REPS (load $(cut -d' ' -f1 /proc/loadavg))"
    run_ours "$spec" "$rep"; run_sharp "$spec" "$rep"; run_anchor "$spec" "$rep"
    if replays "$spec"; then run_replays "$spec" "$rep"; fi
  done
done

{
  echo "# LLamaSharp side by side $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, threads $THREADS, $REPS interleaved pairs x $INNER inner"
  python3 - "$RUNS" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
print("| model | figure | ours | LLamaSharp | llama-bench | LLamaSharp/ours | ours/llama-bench | LLamaSharp/llama-bench |")
print("|---|---|---|---|---|---|---|---|")
med = lambda m, s, f: (lambda v: statistics.median(v) if v else None)([r[f] for r in runs if r["model"] == m and r["side"] == s and r.get(f) is not None])
fmt = lambda v: "-" if v is None else f"{v:.1f}"
rat = lambda a, b: f"{a / b:.3f}" if a and b else "-"
for m in dict.fromkeys(r["model"] for r in runs):
    for f in ["pp_tps", "tg_tps", "embd_tps", "load_ms", "load_wall_ms", "peak_rss_mb"]:
        o, s, a = med(m, "ours", f), med(m, "llamasharp", f), med(m, "llama-bench", f)
        if o is None and s is None and a is None: continue
        print(f"| {m} | {f} | {fmt(o)} | {fmt(s)} | {fmt(a)} | {rat(s, o)} | {rat(o, a)} | {rat(s, a)} |")
    for f in ["replay_p50_ms", "replay_p90_ms", "replay_mean_ms", "replay_evaluated_tokens"]:
        o, s = med(m, "ours-replay", f), med(m, "llamasharp-replay", f)
        if o is None and s is None: continue
        print(f"| {m} | {f} | {fmt(o)} | {fmt(s)} | - | {rat(s, o)} | - | - |")
    for r in runs:
        if r["model"] == m and "error" in r: print(f"\n{m} LLamaSharp error: {r['error']!r}"); break
loads = [r["load1"] for r in runs]
print(f"\n1-min load average at each run: min {min(loads):.2f}, max {max(loads):.2f}")
PY
} | tee "$RESULTS/summary.md"
