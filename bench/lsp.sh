#!/usr/bin/env bash
# Benchmarks `llmlsp serve` against a minimal Node LSP server (vscode-languageserver), both started the same way
# (runtime + entry file, LSP over stdio). Not a test: prints figures and ratios.
#   start:  process start to initialize result, median of 20 fresh processes
#   rtt:    one trivial request (llmlsp/_slow with delayMs 0 on both), median and p99 of 2000 after 200 warm-up
#   rss:    resident set size after initialize and the round trips, idle for 2 s
# Usage: bench/lsp.sh            (builds Release into artifacts/bench; npm installs into the cache dir)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
repo="$BENCH_ROOT"
cache="$BENCH_CACHE"
out="$repo/artifacts/bench/llmlsp"
mkdir -p "$cache"

echo "building llmlsp: the everyday framework-dependent build (as ./llmlsp makes it) and the distribution build..." >&2
rm -rf "$out"
dotnet publish "$repo/server/LlmLsp.Cli" -c Release -o "$out" >"$cache/publish.log" 2>&1 \
  || { echo "publish failed, see $cache/publish.log" >&2; exit 1; }
dist_exe="$(bench_llmlsp_dist)"

if [ ! -d "$cache/node_modules/vscode-languageserver" ]; then
  echo "installing vscode-languageserver into $cache..." >&2
  (cd "$cache" && { [ -f package.json ] || echo '{"private":true}' > package.json; } && npm install --no-audit --no-fund vscode-languageserver@9 >&2)
fi

cat > "$cache/server.js" <<'JS'
const { createConnection, ProposedFeatures, TextDocumentSyncKind } = require('vscode-languageserver/node');
const connection = createConnection(ProposedFeatures.all);
connection.onInitialize(() => ({ capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental } }));
connection.onRequest('llmlsp/_slow', () => null);
connection.listen();
JS

LLMLSP_TEST_METHODS=1 python3 - "$dist_exe" "$out/llmlsp.dll" "$cache/server.js" <<'PY'
import json, os, statistics, subprocess, sys, time

def frame(obj):
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body

def read_frame(stream):
    headers = b""
    while not headers.endswith(b"\r\n\r\n"):
        c = stream.read(1)
        if not c:
            raise EOFError
        headers += c
    length = int([l for l in headers.split(b"\r\n") if l.lower().startswith(b"content-length")][0].split(b":")[1])
    return json.loads(stream.read(length))

def wait_for(p, msg_id):
    while True:
        m = read_frame(p.stdout)
        if m.get("id") == msg_id and "method" not in m:
            return m

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "capabilities": {}, "rootUri": None}}

def start(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    p.stdin.write(frame(INIT)); p.stdin.flush()
    wait_for(p, 1)
    return p, (time.perf_counter() - t0) * 1000

def stop(p):
    p.stdin.write(frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
    p.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
    p.stdin.flush()
    p.wait(10)

def start_times(cmds, n=20):
    """Median start→initialize per server, starts interleaved so machine noise hits all of them alike."""
    starts = {name: [] for name in cmds}
    for _ in range(n):
        for name, cmd in cmds.items():
            p, ms = start(cmd)
            starts[name].append(ms)
            stop(p)
    return {name: statistics.median(v) for name, v in starts.items()}

def steady(cmd):
    p, _ = start(cmd)
    p.stdin.write(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}})); p.stdin.flush()
    rtts = []
    for i in range(2200):
        t0 = time.perf_counter()
        p.stdin.write(frame({"jsonrpc": "2.0", "id": 100 + i, "method": "llmlsp/_slow", "params": {"delayMs": 0}})); p.stdin.flush()
        wait_for(p, 100 + i)
        if i >= 200:
            rtts.append((time.perf_counter() - t0) * 1000)
    time.sleep(2)
    rss = 0
    with open(f"/proc/{p.pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
    stop(p)
    rtts.sort()
    return {"rtt": statistics.median(rtts), "p99": rtts[int(len(rtts) * 0.99) - 1], "rss": rss}

cmds = {"dist": [sys.argv[1], "serve"], "fdd": ["dotnet", sys.argv[2], "serve"], "node": ["node", sys.argv[3], "--stdio"]}
starts = start_times(cmds)
results = {name: dict(steady(cmd), start=starts[name]) for name, cmd in cmds.items()}
node = results["node"]
print("llmlsp dist = `dotnet publish -p:Distribution=true` (self-contained, composite ReadyToRun; what the .vsix ships), run as its llmlsp executable")
print("llmlsp fdd  = framework-dependent, JIT-compiled (what ./llmlsp builds), run as dotnet llmlsp.dll serve")
print(f"{'':28}{'llmlsp dist':>12}{'llmlsp fdd':>12}{'node':>12}{'dist/node':>10}{'fdd/node':>10}")
for key, label in [("start", "start→initialize ms (med)"), ("rtt", "round trip ms (median)"), ("p99", "round trip ms (p99)"), ("rss", "idle RSS MB")]:
    d, f = results["dist"][key], results["fdd"][key]
    print(f"{label:28}{d:12.2f}{f:12.2f}{node[key]:12.2f}{d / node[key]:10.2f}{f / node[key]:10.2f}")
print(f"targets: start ≤ 1.5x node, round trip ≤ 1.0x node, idle RSS ≤ 80 MB")
PY
