#!/usr/bin/env bash
# Remote-backend overhead: inline completion latency and chat tokens/s through `llmlsp serve` with backend.url set to a
# llama-server, against the same requests sent to that llama-server directly, interleaved per rep (bench/remote_client.py
# says how caches are kept out of it). Target: both ratios ≤ 1.05 (ours/direct latency, direct/ours tokens/s).
# llama-server: the pinned llama.cpp release built by native/llama-server.sh, -t 2, one slot, a random-weight model with
# the real Qwen2.5-Coder-0.5B shape and vocabulary. Our server does no compute in this mode (distribution build, no JIT).
#
#   bench/remote.sh
#   BENCH_REPS=3 bench/remote.sh
#
# Needs dotnet, git, cmake, a C++ compiler, python3, curl. Cache: ${XDG_CACHE_HOME:-~/.cache}/llmlsp-bench.
set -euo pipefail
shopt -s inherit_errexit
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REPS="${BENCH_REPS:-10}"
THREADS=2
CTX=4096

RESULTS="$BENCH_CACHE/results/remote-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS"
bench_log "results: $RESULTS"

OURS="$(bench_llmlsp_dist)"
SERVER="$(bench_llama_server)/llama-server"
MODEL="$(nice -n 10 "$OURS" bench make-model --shape qwen2.5-coder-0.5b --quant q8_0 --threads "$(nproc)")"

WORK="$(mktemp -d)"
mkdir -p "$WORK/home"   # LLMLSP_HOME: empty, so no config.json, models or index of this machine take part
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$SERVER" -m "$MODEL" --alias fixture -t "$THREADS" -c "$CTX" -np 1 --host 127.0.0.1 --port "$PORT" >"$RESULTS/llama-server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 600); do
  curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$RESULTS/llama-server.log" >&2; exit 1; }
  sleep 0.2
done
curl -sf "http://127.0.0.1:$PORT/health" >/dev/null || { bench_log "llama-server not healthy after 120 s"; exit 1; }

# The chat system prompt our server prepends (ChatOptions.SystemPrompt's default), so the direct side sends the same.
SYSTEM="$(sed -n 's/^ *"\(You are a careful programming assistant[^"]*\)";*$/\1/p' "$BENCH_ROOT/server/LlmLsp.Core/Options/LlmLspOptions.cs")"
[ -n "$SYSTEM" ] || { bench_log "could not read ChatOptions.SystemPrompt from LlmLspOptions.cs"; exit 1; }

bench_log "llama-server on port $PORT; $REPS reps (+1 warm-up)"
START_S=$SECONDS
{
  echo "# Remote backend overhead $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, llama-server -t $THREADS -c $CTX -np 1, $(basename "$MODEL"), $REPS rep(s)"
  echo "# command: BENCH_REPS=$REPS bench/remote.sh"
  BENCH_HOME="$WORK/home" BENCH_LOG="$RESULTS/llmlsp.log" BENCH_SERVER_LOG="$RESULTS/llama-server.log" BENCH_SYSTEM_PROMPT="$SYSTEM" \
    python3 "$BENCH_ROOT/bench/remote_client.py" "$OURS" "http://127.0.0.1:$PORT" "$REPS"
  echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); ran $((SECONDS - START_S)) s"
} | tee "$RESULTS/summary.md"
