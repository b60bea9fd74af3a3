"""Drives the remote-backend overhead benchmark (bench/remote.sh): the same completion and chat requests through
`llmlsp serve` (backend = llama-server) and straight to that llama-server, interleaved, medians and ratios.

  python3 bench/remote_client.py LLMLSP_EXE LLAMA_SERVER_URL REPS        (env: BENCH_HOME, BENCH_SYSTEM_PROMPT, BENCH_LOG, BENCH_SERVER_LOG)

Every request carries a tag unique to its rep and side (same length on both sides), at the start of the document and
of the question, so no cache answers from memory: not our completion result cache (keyed on the prompt) and not
llama-server's slot or host-memory prompt cache (-np 1, --cache-ram on by default), which would otherwise give the
second of two identical prompts its whole prefix. Per rep the order is ours-completion, ours-chat, direct-completion,
direct-chat, so each request follows one of the other kind and finds nothing of its own in the slot.
"""
import json, os, re, statistics, subprocess, sys, time, urllib.request

exe, url, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
if reps < 1:
    sys.exit("REPS must be at least 1")
COMPLETION_TOKENS, CHAT_TOKENS = 32, 128
# completion.timeBudgetMs (default 1500) becomes /infill's t_max_predict_ms; on two busy cores that can cut 32 tokens
# short, so both sides send 60000 and always stream the full 32.
TIME_BUDGET_MS = 60000
SYSTEM = os.environ["BENCH_SYSTEM_PROMPT"]
QUESTION = "Explain what a binary search does."
URI = "file:///bench/Search.cs"


class Lsp:
    def __init__(self, settings):
        env = dict(os.environ, LLMLSP_HOME=os.environ["BENCH_HOME"])
        self.log = open(os.environ["BENCH_LOG"], "wb")
        self.p = subprocess.Popen([exe, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, env=env)
        self.next_id = 0
        self.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}, "initializationOptions": {"llmlsp": settings}})
        self.notify("initialized", {})

    def send(self, obj):
        body = json.dumps(obj).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def read(self):
        length = None
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise EOFError(f"llmlsp serve closed its output (exit code {self.p.poll()}); see {self.log.name}")
            if line in (b"\r\n", b"\n") and length is not None:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.p.stdout.read(length))

    def notify(self, method, params=None):
        self.send({"jsonrpc": "2.0", "method": method, **({} if params is None else {"params": params})})

    def request(self, method, params=None):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, **({} if params is None else {"params": params})})
        while True:
            message = self.read()
            if message.get("id") == self.next_id and "method" not in message:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]
            if "method" in message and "id" in message:  # a request from the server (workspace/configuration): no settings
                items = len(message.get("params", {}).get("items", [None]))
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": [None] * items})

    def close(self):
        try:
            self.request("shutdown")
            self.notify("exit")
            self.p.wait(10)
        finally:
            if self.p.poll() is None:
                self.p.kill()


def cpu_ms(pid):
    """CPU time of all threads of a process so far (schedstat, nanoseconds), in ms."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            total += int(open(f"/proc/{pid}/task/{task}/schedstat").read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass  # a thread that ended in between
    return total / 1e6


def stream(path, body):
    """POSTs body to llama-server and reads the SSE stream to its end. Returns (tokens generated, prompt tokens processed):
    the server's own counts (timings.predicted_n, usage.completion_tokens), as our side's completionTokens is; counting
    pieces would miss the tokens a random-weight model spends on partial UTF-8 (no piece until the character is whole)."""
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    pieces, tokens, prompt_tokens = 0, None, None
    with urllib.request.urlopen(request) as response:
        for raw in response:
            line = raw.decode().strip()
            if not line.startswith("data:") or line == "data: [DONE]":
                continue
            data = json.loads(line[5:])
            if data.get("content") or (data.get("choices") and (data["choices"][0].get("delta") or {}).get("content")):
                pieces += 1
            if "prompt_n" in (data.get("timings") or {}):  # prompt tokens processed, i.e. not taken from a cache
                prompt_tokens = data["timings"]["prompt_n"]
                tokens = data["timings"].get("predicted_n", tokens)
            if (data.get("usage") or {}).get("completion_tokens"):
                tokens = data["usage"]["completion_tokens"]
    return (pieces if tokens is None else tokens), prompt_tokens


def document(tag):
    """A 60-line C# file; only its first line (the tag) changes between requests."""
    lines = [f"// {tag}: benchmark document, binary search helpers", "using System;", "", "namespace Bench;", "",
             "public static class Search", "{"]
    for i in range(24):
        lines.append(f"    public static int Helper{i:02d}(int[] values, int key) => Array.IndexOf(values, key) + {i};")
    lines += ["", "    /// <summary>Index of key in sorted, or -1.</summary>", "    public static int Find(int[] sorted, int key)", "    {",
              "        var low = 0;", "        var high = sorted.Length - 1;", "        while (low <= high)", "        {",
              "            var mid = ", "            if (sorted[mid] == key) return mid;", "            if (sorted[mid] < key) low = mid + 1;",
              "            else high = mid - 1;", "        }", "        return -1;", "    }", "",
              "    public static bool Contains(int[] sorted, int key) => Find(sorted, key) >= 0;", "",
              "    public static int Count(int[] sorted, int key)", "    {", "        var at = Find(sorted, key);",
              "        return at < 0 ? 0 : 1;", "    }", "}", ""]
    return "\n".join(lines)


LINES = document("x").split("\n")
ROW = next(i for i, l in enumerate(LINES) if l.endswith("var mid = "))
COL = len(LINES[ROW])


def tag(rep, side):
    return f"revision {rep:04d}{side}"


settings = {"backend": {"url": url, "model": "fixture"},
            "completion": {"maxTokens": COMPLETION_TOKENS, "ignoreEndOfGeneration": True, "debounceMs": 0, "timeBudgetMs": TIME_BUDGET_MS},
            "chat": {"maxTokens": CHAT_TOKENS, "ignoreEndOfGeneration": True}}
lsp = Lsp(settings)
results = {k: [] for k in ("ours_completion", "direct_completion", "ours_chat", "direct_chat", "ours_chat_s", "direct_chat_s")}
notes = []
cpus = []  # per counted rep: CPU ms of llmlsp serve during ours completion and chat, of this client during direct ones
walls = []  # per request, in the order llama-server ran them: ours completion, ours chat, direct completion, direct chat
version = 1
try:
    lsp.notify("textDocument/didOpen", {"textDocument": {"uri": URI, "languageId": "csharp", "version": version, "text": document(tag(0, "o"))}})
    first_line = LINES[0].replace("x", tag(0, "o"), 1)
    for rep in range(reps + 1):  # rep 0 warms both sides up (connections, JIT-less paths, llama-server's first batch) and is not counted
        # (A) ours: change the first line to this rep's tag, then ask for an inline completion at the fixed cursor.
        version += 1
        new_first = LINES[0].replace("x", tag(rep, "a"), 1)
        lsp.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": version},
                                              "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": len(first_line)}},
                                                                  "text": new_first}]})
        first_line = new_first
        cpu, start = cpu_ms(lsp.p.pid), time.perf_counter()
        result = lsp.request("textDocument/inlineCompletion", {"textDocument": {"uri": URI}, "position": {"line": ROW, "character": COL},
                                                               "context": {"triggerKind": 2}})
        ours = time.perf_counter() - start
        cpu_row = [cpu_ms(lsp.p.pid) - cpu]
        items = (result or {}).get("items", []) if isinstance(result, dict) else (result or [])
        if not items:
            notes.append(f"rep {rep}: our server returned no inline completion item")

        question = f"({tag(rep, 'a')}) {QUESTION}"
        cpu, start = cpu_ms(lsp.p.pid), time.perf_counter()
        answer = lsp.request("llmlsp/chat", {"messages": [{"role": "user", "content": question}]})
        ours_chat_s = time.perf_counter() - start
        cpu_row.append(cpu_ms(lsp.p.pid) - cpu)
        ours_tokens = answer["completionTokens"]

        # (B) direct: the body our server sends for the same document (InfillClient: whole lines before the cursor line,
        # the cursor line up to the cursor, the rest after it), streamed to the last piece.
        lines = document(tag(rep, "b")).split("\n")
        cpu, start = time.process_time(), time.perf_counter()
        completion_tokens, completion_prompt = stream("/infill", {
            "input_prefix": "\n".join(lines[:ROW]) + "\n", "input_suffix": "\n".join(lines[ROW:])[COL:], "prompt": lines[ROW][:COL],
            "input_extra": [], "n_predict": COMPLETION_TOKENS, "t_max_predict_ms": TIME_BUDGET_MS, "cache_prompt": True, "top_k": 1,
            "temperature": 0, "stream": True, "ignore_eos": True})
        direct = time.perf_counter() - start
        cpu_row.append((time.process_time() - cpu) * 1000)

        # The body our server's OpenAI client sends (captured through a logging proxy): max_completion_tokens, usage in the stream.
        question = f"({tag(rep, 'b')}) {QUESTION}"
        cpu, start = time.process_time(), time.perf_counter()
        direct_tokens, chat_prompt = stream("/v1/chat/completions", {
            "model": "fixture", "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}],
            "max_completion_tokens": CHAT_TOKENS, "temperature": 0.2, "stream": True, "stream_options": {"include_usage": True}, "ignore_eos": True})
        direct_chat_s = time.perf_counter() - start
        cpu_row.append((time.process_time() - cpu) * 1000)

        if ours_tokens != CHAT_TOKENS or direct_tokens != CHAT_TOKENS or completion_tokens != COMPLETION_TOKENS:
            notes.append(f"rep {rep}: chat tokens ours {ours_tokens}, direct {direct_tokens}; direct completion tokens {completion_tokens}")
        print(f"rep {rep}{' (warm-up)' if rep == 0 else ''}: completion {ours*1000:.0f} vs {direct*1000:.0f} ms "
              f"(direct processed {completion_prompt} prompt tokens), chat {ours_tokens / ours_chat_s:.1f} vs {direct_tokens / direct_chat_s:.1f} tokens/s "
              f"({ours_tokens} in {ours_chat_s:.2f} s vs {direct_tokens} in {direct_chat_s:.2f} s, direct processed {chat_prompt} prompt tokens)", file=sys.stderr)
        walls.append([ours * 1000, ours_chat_s * 1000, direct * 1000, direct_chat_s * 1000])
        if rep > 0:
            cpus.append(cpu_row)
            results["ours_completion"].append(ours * 1000)
            results["direct_completion"].append(direct * 1000)
            results["ours_chat"].append(ours_tokens / ours_chat_s)
            results["direct_chat"].append(direct_tokens / direct_chat_s)
            results["ours_chat_s"].append(ours_chat_s)
            results["direct_chat_s"].append(direct_chat_s)
finally:
    lsp.close()

# llama-server's own time per request (its log's "total time", prompt + generation), in the order it ran them: the wall
# time beyond it is what each path adds (HTTP, our server, the LSP pipe), and is not moved by how fast the busy cores
# happen to generate during that request.
server_ms = [float(x) for x in re.findall(r"total time =\s*([0-9.]+) ms", open(os.environ["BENCH_SERVER_LOG"], errors="replace").read())]
extra = {k: [] for k in ("ours_completion", "ours_chat", "direct_completion", "direct_chat")}
if len(server_ms) == 4 * len(walls):
    for rep, row in enumerate(walls[1:], 1):
        for j, k in enumerate(("ours_completion", "ours_chat", "direct_completion", "direct_chat")):
            extra[k].append(row[j] - server_ms[4 * rep + j])
else:
    notes.append(f"llama-server logged {len(server_ms)} timings for {4 * len(walls)} requests: no overhead rows")

m = {k: statistics.median(v) for k, v in results.items()}
completion_ratio = m["ours_completion"] / m["direct_completion"]
chat_ratio = m["direct_chat"] / m["ours_chat"]
ok = lambda r: "ok" if r <= 1.05 else "**over**"
print()
print(f"| figure (median of {reps} reps) | through llmlsp serve | llama-server directly | ratio | target ≤ 1.05 |")
print("|---|---:|---:|---:|---|")
print(f"| inline completion, request to response / last piece, {COMPLETION_TOKENS} tokens (ms) | {m['ours_completion']:.1f} | "
      f"{m['direct_completion']:.1f} | {completion_ratio:.3f} (ours/direct latency) | {ok(completion_ratio)} |")
print(f"| chat, {CHAT_TOKENS} tokens, request to final response (tokens/s) | {m['ours_chat']:.1f} | {m['direct_chat']:.1f} | "
      f"{chat_ratio:.3f} (direct/ours tokens/s) | {ok(chat_ratio)} |")
print(f"| chat, same, wall time (s) | {m['ours_chat_s']:.2f} | {m['direct_chat_s']:.2f} | {m['ours_chat_s'] / m['direct_chat_s']:.3f} (ours/direct) | |")
if extra["ours_completion"]:
    e = {k: statistics.median(v) for k, v in extra.items()}
    print(f"| inline completion, wall time beyond llama-server's own (ms) | {e['ours_completion']:.1f} | {e['direct_completion']:.1f} | "
          f"{e['ours_completion'] - e['direct_completion']:+.1f} ms (ours − direct) | |")
    print(f"| chat, wall time beyond llama-server's own (ms) | {e['ours_chat']:.1f} | {e['direct_chat']:.1f} | "
          f"{e['ours_chat'] - e['direct_chat']:+.1f} ms (ours − direct) | |")
c = [statistics.median(col) for col in zip(*cpus)]
print(f"| CPU time beside llama-server during a completion / a chat (ms): llmlsp serve vs this client | "
      f"{c[0]:.0f} / {c[1]:.0f} | {c[2]:.0f} / {c[3]:.0f} | | |")
print()
print("Ratios above 1 mean our server is slower. Per-rep figures are on stderr.")
for note in notes:
    print(f"- {note}")
