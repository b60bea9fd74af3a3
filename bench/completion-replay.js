// Keystroke replay for bench/completion.sh: types a span of a source file into an editor-like client, one
// completion request per keystroke (each cancels the previous one), against either `llmlsp serve` (LSP
// textDocument/inlineCompletion) or llama.cpp's llama-server (/infill in the llama.vscode request shape).
// Prints one JSON object with the figures. Not a test. Needs vscode-jsonrpc on NODE_PATH (ours only).
//
//   node completion-replay.js '{"side":"ours","command":[...],"file":"...","start":121,"count":30,...}'
'use strict';
const { spawn } = require('child_process');
const { startServer } = require('./server-process');
const fs = require('fs');

const cfg = JSON.parse(process.argv[2]);
const nPredict = cfg.nPredict ?? 16;
const ticks = 100; // USER_HZ for /proc/<pid>/stat on Linux

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => Number(process.hrtime.bigint()) / 1e6;

function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticks; // utime, stime (fields 14 and 15)
}

// Seeded PRNG (mulberry32): the same keystroke timings for both sides.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The document without lines [start, start + count) except the first line's indentation (the cursor sits after
// it); the keystrokes type the rest. A newline keystroke also inserts the next line's indentation (auto-indent).
function script() {
  const lines = fs.readFileSync(cfg.file, 'utf8').split('\n');
  const start = cfg.start - 1;
  const typed = lines.slice(start, start + cfg.count);
  const indent = (l) => l.match(/^[ \t]*/)[0];
  const before = lines.slice(0, start).join('\n') + (start > 0 ? '\n' : '') + indent(typed[0]);
  const after = '\n' + lines.slice(start + cfg.count).join('\n');
  const keys = [];
  typed.forEach((line, i) => {
    for (const ch of line.slice(indent(line).length)) keys.push(ch);
    if (i < typed.length - 1) keys.push('\n' + indent(typed[i + 1]));
  });
  // Pauses: after every line, and after a space, '(' or '.' with probability wordPauseChance (a moment of
  // thought): the requests that get answered. The rest of the time keys come every minMs-maxMs.
  const random = rng(cfg.seed ?? 1);
  const delays = keys.map((k) => {
    const gap = (cfg.minMs ?? 60) + random() * ((cfg.maxMs ?? 120) - (cfg.minMs ?? 60));
    const wordPause = /^[ (.]$/.test(k) && random() < (cfg.wordPauseChance ?? 0.2) ? cfg.wordPauseMs ?? 1000 : 0;
    return gap + (k.startsWith('\n') ? cfg.linePauseMs ?? 1500 : wordPause);
  });
  return { before, after, keys, delays };
}

function percentile(values, p) {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

// ---- ours: llmlsp serve over stdio -------------------------------------------------------------------------
async function ours() {
  const rpc = require('vscode-jsonrpc/node');
  const logs = [];
  const proc = startServer(cfg.command, (line) => {
    const m = line.match(/Completion answered: source=(\w+) promptTokens=(\d+) evaluatedTokens=(\d+)/);
    if (m) logs.push({ at: now(), source: m[1], promptTokens: +m[2], evaluatedTokens: +m[3] });
    else if (/ (fail|crit) /.test(line)) process.stderr.write(`[ours stderr] ${line}\n`);
  });
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  const settings = {
    model: { threads: cfg.threads, contextSize: cfg.contextSize },
    completion: { maxTokens: nPredict, ignoreEndOfGeneration: true },
  };
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => settings));
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('client/registerCapability', () => null);
  conn.onNotification(() => {});
  conn.listen();
  await conn.sendRequest('initialize', {
    processId: process.pid, rootUri: null, initializationOptions: settings,
    capabilities: { workspace: { configuration: true }, textDocument: { inlineCompletion: {} } },
  });
  conn.sendNotification('initialized', {});

  const uri = 'file:///bench/' + cfg.file.split('/').pop();
  const complete = (docUri, position, token) => conn.sendRequest('textDocument/inlineCompletion',
    { textDocument: { uri: docUri }, position, context: { triggerKind: 2 } }, token ?? rpc.CancellationToken.None);
  const endOf = (text) => { const l = text.split('\n'); return { line: l.length - 1, character: l[l.length - 1].length }; };

  // Warm-up on another document: loads the model (lazily, on first use) and fills the KV cache with other text.
  const warm = 'function greet(name) {\n  return "hello " + name;\n}\n';
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri: 'file:///bench/warm.js', languageId: 'javascript', version: 1, text: warm } });
  await complete('file:///bench/warm.js', endOf(warm));

  const s = script();
  let text = s.before + s.after;
  let version = 1;
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'javascript', version, text } });
  let cursor = endOf(s.before);
  let t0 = now();
  await complete(uri, cursor);
  const cold = { ms: now() - t0 };
  await sleep(200); // the debug line travels on stderr, separately from the answer
  Object.assign(cold, logs[logs.length - 1]);

  const result = await replay(s, proc.pid, async (key) => {
    const change = { range: { start: cursor, end: cursor }, text: key };
    if (key.startsWith('\n')) cursor = { line: cursor.line + 1, character: key.length - 1 };
    else cursor = { line: cursor.line, character: cursor.character + key.length };
    version += 1;
    conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
    const source = new rpc.CancellationTokenSource();
    const position = cursor;
    return {
      cancel: () => source.cancel(),
      done: complete(uri, position, source.token).then((r) => ({ answered: true, shown: r !== null }), () => ({ answered: false })),
    };
  }, logs);
  await conn.sendRequest('shutdown');
  conn.sendNotification('exit');
  await new Promise((r) => proc.once('exit', r));
  const sources = {};
  for (const l of result.logs) sources[l.source] = (sources[l.source] ?? 0) + 1;
  const model = result.logs.filter((l) => l.source === 'Model');
  return {
    ...result.figures, cold_ms: cold.ms, cold_prompt_tokens: cold.promptTokens, cold_evaluated_tokens: cold.evaluatedTokens,
    answered_sources: sources,
    cache_share: result.logs.length ? ((sources.TypedAhead ?? 0) + (sources.Cache ?? 0)) / result.logs.length : null,
    evaluated_tokens_mean: mean(model.map((l) => l.evaluatedTokens)),
    prompt_tokens_mean: mean(model.map((l) => l.promptTokens)),
  };
}

// ---- theirs: llama-server /infill ---------------------------------------------------------------------------
async function theirs() {
  const port = cfg.port ?? 18012;
  const proc = spawn(cfg.command[0], [...cfg.command.slice(1), '--port', String(port), '--host', '127.0.0.1'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderrTail = '';
  proc.stderr.on('data', (d) => { stderrTail = (stderrTail + d.toString()).slice(-4000); });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/health`)).ok) break; } catch { /* not up yet */ }
    if (i > 600 || proc.exitCode !== null) throw new Error(`llama-server did not start:\n${stderrTail}`);
    await sleep(100);
  }
  // llama.vscode's request: prefix lines, the current line up to the cursor as `prompt`, the rest of the line
  // and the following lines as the suffix, extra context chunks (none here), cache_prompt.
  const infill = async (text, offset, signal) => {
    const before = text.slice(0, offset);
    const after = text.slice(offset);
    const lineStart = before.lastIndexOf('\n') + 1;
    const prefixLines = before.slice(0, lineStart).split('\n').slice(0, -1);
    const afterLines = after.split('\n');
    const body = {
      input_prefix: prefixLines.slice(-(cfg.prefixLines ?? 256)).join('\n') + (prefixLines.length ? '\n' : ''),
      input_suffix: afterLines.slice(0, 1 + (cfg.suffixLines ?? 64)).join('\n') + '\n',
      input_extra: [],
      prompt: before.slice(lineStart),
      n_predict: nPredict, ignore_eos: true,
      // llama.vscode also sends samplers ['top_k', 'top_p', 'infill'] and n_indent; with random weights the infill
      // sampler ends on end-of-generation despite ignore_eos, and n_indent ends at a dedented line, so both are
      // left out: the benchmark needs exactly n_predict tokens on both sides (ours ignores its stop rules too).
      top_k: 40, top_p: 0.99, stream: false,
      cache_prompt: true,
    };
    const res = await fetch(`${base}/infill`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' }, signal });
    const json = await res.json();
    if (!res.ok) throw new Error(JSON.stringify(json));
    return json;
  };
  const logs = [];
  const record = (json) => {
    logs.push({ at: now(), source: 'Model', promptTokens: json.tokens_evaluated, evaluatedTokens: json.timings?.prompt_n, generated: json.timings?.predicted_n });
    return json;
  };
  await infill('function greet(name) {\n  return "hello " + name;\n}\n', 50);
  const s = script();
  let text = s.before + s.after;
  let offset = s.before.length;
  let t0 = now();
  const coldJson = record(await infill(text, offset));
  const cold = { ms: now() - t0, promptTokens: coldJson.tokens_evaluated, evaluatedTokens: coldJson.timings?.prompt_n };
  logs.length = 0;
  const result = await replay(s, proc.pid, async (key) => {
    text = text.slice(0, offset) + key + text.slice(offset);
    offset += key.length;
    const controller = new AbortController();
    return {
      cancel: () => controller.abort(),
      done: infill(text, offset, controller.signal).then((j) => { record(j); return { answered: true, shown: true }; }, (e) => {
        if (e.name !== 'AbortError') process.stderr.write(`[llama-server] ${e.message}\n`);
        return { answered: false };
      }),
    };
  }, logs);
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  return {
    ...result.figures, cold_ms: cold.ms, cold_prompt_tokens: cold.promptTokens, cold_evaluated_tokens: cold.evaluatedTokens,
    evaluated_tokens_mean: mean(result.logs.map((l) => l.evaluatedTokens)),
    prompt_tokens_mean: mean(result.logs.map((l) => l.promptTokens)),
    generated_tokens_mean: mean(result.logs.map((l) => l.generated)),
  };
}

function mean(values) {
  const v = values.filter((x) => typeof x === 'number');
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

// Sends one request per keystroke after applying it; the previous request is cancelled first (the editor's
// behaviour). Latency = send to answer, answered requests only.
async function replay(s, pid, keystroke, logs) {
  const firstLog = logs.length;
  const cpu0 = cpuSeconds(pid);
  const wall0 = now();
  const latencies = [];
  let previous = null;
  let requests = 0;
  let shown = 0;
  const pending = [];
  for (let i = 0; i < s.keys.length; i++) {
    if (previous) previous.cancel();
    const sent = now();
    const r = await keystroke(s.keys[i]);
    requests += 1;
    pending.push(r.done.then((o) => { if (o.answered) { latencies.push(now() - sent); if (o.shown) shown += 1; } }));
    previous = r;
    await sleep(s.delays[i]);
  }
  // The last keystroke's request runs to its end, as it would when the user stops typing.
  await Promise.race([Promise.all(pending), sleep(30000)]);
  const cpu = cpuSeconds(pid) - cpu0;
  return {
    logs: logs.slice(firstLog),
    figures: {
      keystrokes: s.keys.length, requests, answered: latencies.length, shown,
      p50_ms: percentile(latencies, 50), p95_ms: percentile(latencies, 95), p99_ms: percentile(latencies, 99),
      cpu_s: cpu, cpu_s_per_key: cpu / s.keys.length, wall_s: (now() - wall0) / 1000,
    },
  };
}

(cfg.side === 'ours' ? ours() : theirs()).then((r) => {
  process.stdout.write(JSON.stringify({ side: cfg.side, ...r }) + '\n');
  process.exit(0);
}, (e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
