#!/usr/bin/env bash
# Engine benchmark: ours (llmlsp bench engine) against llama.cpp's own tools (llama-bench, llama-embedding)
# on the same random-weight model files, same threads, interleaved A B A B, then medians and ratios.
# Also measures both sides on a GGML_NATIVE=ON build of the same source (prebuilt vs native).
#
#   bench/engine.sh                 # everything (first run builds tools + models into the cache: ~15 min on 2 cores)
#   BENCH_REPS=5 BENCH_THREADS=2 BENCH_NATIVE=0 bench/engine.sh
#
# Needs dotnet, npm, git, cmake, ninja, a C++ compiler, python3. Cache: ${XDG_CACHE_HOME:-~/.cache}/llmlsp-bench.
set -euo pipefail
shopt -s inherit_errexit
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

THREADS="${BENCH_THREADS:-2}"
REPS="${BENCH_REPS:-3}"               # interleaved outer repetitions (A B A B ...)
INNER="${BENCH_INNER_REPS:-3}"        # repetitions inside each run (both tools average them after a warm-up)
NATIVE="${BENCH_NATIVE:-1}"
MODELS="${BENCH_MODELS:-qwen2.5-coder-0.5b:q8_0 qwen2.5-coder-1.5b:q4_k_m bge-small:q8_0 bge-small:f16 minilm:q8_0}"
CORES="$(nproc)"
[ "$THREADS" -le "$CORES" ] || { echo "BENCH_THREADS=$THREADS exceeds the $CORES cores" >&2; exit 1; }

RESULTS="$BENCH_CACHE/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS"
bench_log "results: $RESULTS"

# 1. Our CLI (the distribution build), llama.cpp tools, models.
OURS="$(bench_llmlsp_dist)"
PRE_TOOLS="$(bench_tools_prebuilt)"
NAT_TOOLS=""
[ "$NATIVE" = 1 ] && NAT_TOOLS="$(bench_native_build)"

CORPUS="$RESULTS/corpus.txt"
# 32 code-like chunks of ~250 tokens each (BERT WordPiece), one per line, for both embedding tools.
awk 'BEGIN { srand(7); n = split("public static int value return if else for var index count string name list add result null true false await async task engine token", w, " ");
  for (l = 0; l < 32; l++) { s = ""; for (i = 0; i < 170; i++) { s = s w[int(rand() * n) + 1]; if (rand() < 0.12) s = s "(" int(rand() * 100) ");"; s = s " " } print s } }' > "$CORPUS"

declare -A MODEL_PATH
for spec in $MODELS; do
  shape="${spec%%:*}"; quant="${spec##*:}"
  if [ "$shape" = minilm ]; then
    # The built-in embedder (real weights): `embed` without --model converts it into this home's models folder.
    MODEL_PATH[$spec]="$(LLMLSP_HOME="$BENCH_CACHE/home" "$OURS" embed x | sed -n 's/^model: //p')"
  else
    MODEL_PATH[$spec]="$(nice -n 10 "$OURS" bench make-model --shape "$shape" --quant "$quant" --threads "$CORES")"
  fi
done

# 2. Interleaved runs. Each line of runs.jsonl: {model, side, build, rep, figures...}.
RUNS="$RESULTS/runs.jsonl"
: > "$RUNS"
# The load targets are for a warm page cache: read the file first on both sides, or whichever side runs first
# after a model switch pays the disk (measured: 5.2 s vs 1.0 s for the 1.5B model).
warm_page_cache() { cat "$1" > /dev/null; }
record() { python3 -c 'import json,sys; d=json.loads(sys.argv[5]); d.update(model=sys.argv[1], side=sys.argv[2], build=sys.argv[3], rep=int(sys.argv[4])); print(json.dumps(d))' "$@" >> "$RUNS"; }

ours() { # build model rep
  local env=() embd=()
  [ "$1" = native ] && env=(env "LLMLSP_NATIVE_DIR=$NAT_TOOLS")
  case "$2" in bge-*|minilm*) embd=(--embd-file "$CORPUS");; esac
  local out
  warm_page_cache "${MODEL_PATH[$2]}"
  out="$("${env[@]}" "$OURS" bench engine -m "${MODEL_PATH[$2]}" -t "$THREADS" -r "$INNER" --json "${embd[@]}")"
  record "$2" ours "$1" "$3" "$out"
}

theirs() { # build model rep
  local tools="$PRE_TOOLS" file="${MODEL_PATH[$2]}" figures='{}'
  [ "$1" = native ] && tools="$NAT_TOOLS"
  # Load time: llama.cpp's own perf counter ("load time" = model load start to the end of the first
  # evaluation), one short prompt; `bench engine` measures the same span.
  # Same n_ctx as ours (bench engine's default 4096; BERT is clamped to its 512 on both sides).
  local load ctx=4096
  case "$2" in bge-*|minilm*) ctx=512;; esac
  warm_page_cache "$file"
  load="$("$tools/llama-embedding" -m "$file" -t "$THREADS" -c "$ctx" -b 512 -ub 512 -p "hello" --no-warmup --perf -lv 4 2>&1 >/dev/null \
    | sed -n 's/.*load time = *\([0-9.]*\) ms.*/\1/p' | head -1)"
  case "$2" in
    bge-*|minilm*)
      # Wall time, as ours is measured: from its first batch to its perf report (all batches decoded, pooled and
      # printed), read from the log's timestamps. Its "prompt eval time" counter is recorded too, but it covers
      # only part of each llama_decode call: ~1.9 s of ~2.4 s wall for this corpus, so it overstates the rate.
      local log
      log="$("$tools/llama-embedding" -m "$file" -t "$THREADS" -c 512 -b 512 -ub 512 -f "$CORPUS" --perf -lv 4 2>&1 >/dev/null)"
      figures="$(python3 -c '
import json, re, sys
log = sys.argv[1].splitlines()
def ms(line):
    m, s, milli, micro = (int(x) for x in line.split()[0].split("."))
    return m * 60000 + s * 1000 + milli + micro / 1000
first = next(l for l in log if "batch_decode:" in l)
report = next(l for l in log if "prompt eval time" in l)
tokens, counter_tps = re.search(r"/ *(\d+) tokens .*, *([0-9.]+) tokens per second", report).groups()
print(json.dumps({"embd_tps": int(tokens) / ((ms(report) - ms(first)) / 1000), "embd_counter_tps": float(counter_tps), "load_ms": float(sys.argv[2])}))' "$log" "$load")";;
    *)
      local json
      json="$("$tools/llama-bench" -m "$file" -t "$THREADS" -p 512 -n 128 -b 512 -ub 512 -r "$INNER" -o json 2>/dev/null)"
      figures="$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); pp=[t["avg_ts"] for t in r if t["n_prompt"]>0]; tg=[t["avg_ts"] for t in r if t["n_gen"]>0]; print(json.dumps({"pp_tps": pp[0], "tg_tps": tg[0], "load_ms": float(sys.argv[2])}))' "$json" "$load")";;
  esac
  record "$2" llama.cpp "$1" "$3" "$figures"
}

BUILDS="prebuilt"
[ "$NATIVE" = 1 ] && BUILDS="prebuilt native"
for spec in $MODELS; do
  for rep in $(seq 1 "$REPS"); do
    for build in $BUILDS; do
      bench_log "$spec rep $rep/$REPS ($build): ours"
      ours "$build" "$spec" "$rep"
      bench_log "$spec rep $rep/$REPS ($build): llama.cpp"
      theirs "$build" "$spec" "$rep"
    done
  done
done

# 3. Medians and ratios.
{
  echo "# Engine benchmark $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), threads $THREADS, $REPS interleaved reps x $INNER inner"
  echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 - "$RUNS" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
models = list(dict.fromkeys(r["model"] for r in runs))
builds = list(dict.fromkeys(r["build"] for r in runs))
print(f"| model | build | figure | ours (median) | llama.cpp (median) | ours/llama.cpp |")
print(f"|---|---|---|---|---|---|")
for m in models:
    for b in builds:
        for f in ["pp_tps", "tg_tps", "embd_tps", "embd_counter_tps", "load_ms", "load_wall_ms", "peak_rss_mb"]:
            o = [r[f] for r in runs if r["model"] == m and r["build"] == b and r["side"] == "ours" and r.get(f) is not None]
            t = [r[f] for r in runs if r["model"] == m and r["build"] == b and r["side"] == "llama.cpp" and r.get(f) is not None]
            if not o and not t:
                continue
            om = statistics.median(o) if o else None
            tm = statistics.median(t) if t else None
            ratio = f"{om / tm:.3f}" if om and tm else "-"
            fmt = lambda v: "-" if v is None else f"{v:.1f}"
            print(f"| {m} | {b} | {f} | {fmt(om)} | {fmt(tm)} | {ratio} |")
# native vs prebuilt, per side
if "native" in builds:
    print()
    print("| model | side | figure | native/prebuilt |")
    print("|---|---|---|---|")
    for m in models:
        for side in ["ours", "llama.cpp"]:
            for f in ["pp_tps", "tg_tps", "embd_tps"]:
                p = [r[f] for r in runs if r["model"] == m and r["build"] == "prebuilt" and r["side"] == side and r.get(f) is not None]
                n = [r[f] for r in runs if r["model"] == m and r["build"] == "native" and r["side"] == side and r.get(f) is not None]
                if p and n:
                    print(f"| {m} | {side} | {f} | {statistics.median(n) / statistics.median(p):.3f} |")
PY
} | tee "$RESULTS/summary.md"
