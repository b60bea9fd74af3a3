// Client for bench/chat.sh: starts `llmlsp serve`, indexes a docs folder (llmlsp.indexFolder), then asks
// questions with llmlsp/ask (top 5) streaming through partialResultToken, and measures at the client:
// time to first token (request sent -> first non-empty $/progress delta) and the streaming rate
// (generated tokens after the first / time from the first delta to the last). Token counts come from the
// server's debug line "Generation finished: slot=Chat ...". Prints one JSON object. Not a test.
//
//   node chat-client.js '{"command":[...],"docs":"/path/to/docs","questions":["..."],"threads":2,"answerTokens":256}'
'use strict';
const { startServer } = require('./server-process');
const rpc = require('vscode-jsonrpc/node');
const { pathToFileURL } = require('url');

const cfg = JSON.parse(process.argv[2]);
const now = () => Number(process.hrtime.bigint()) / 1e6;

async function main() {
  const generations = [];
  const proc = startServer(cfg.command, (line) => {
    const m = line.match(/Generation finished: slot=Chat promptTokens=(\d+) evaluatedTokens=(\d+) generatedTokens=(\d+) promptMs=([\d.]+) generationMs=([\d.]+)/);
    if (m) generations.push({ promptTokens: +m[1], evaluatedTokens: +m[2], generatedTokens: +m[3], promptMs: +m[4], generationMs: +m[5] });
    else if (/ fail | crit /.test(line)) process.stderr.write(`[llmlsp] ${line}\n`);
  });
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  const settings = { model: { threads: cfg.threads, contextSize: 4096 }, chat: { maxTokens: cfg.answerTokens, ignoreEndOfGeneration: true } };
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => settings));
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('client/registerCapability', () => null);
  const progress = new Map();
  conn.onNotification('$/progress', (p) => { const f = progress.get(p.token); if (f) f(p.value); });
  conn.onNotification(() => {});
  conn.listen();
  const root = pathToFileURL(cfg.docs).href;
  await conn.sendRequest('initialize', {
    processId: process.pid, rootUri: root, workspaceFolders: [{ uri: root, name: 'docs' }], initializationOptions: settings,
    capabilities: { workspace: { configuration: true, workspaceFolders: true }, window: { workDoneProgress: false } },
  });
  conn.sendNotification('initialized', {});
  const t0 = now();
  const indexed = await conn.sendRequest('workspace/executeCommand', { command: 'llmlsp.indexFolder', arguments: [root] });
  const indexMs = now() - t0;

  const asks = [];
  for (let i = 0; i < cfg.questions.length; i++) {
    const token = `ask-${i}`;
    let first = null;
    let last = null;
    let deltas = 0;
    progress.set(token, (value) => {
      if (value && typeof value.delta === 'string' && value.delta.length > 0) {
        const t = now();
        if (first === null) first = t;
        last = t;
        deltas += 1;
      }
    });
    const sent = now();
    const result = await conn.sendRequest('llmlsp/ask', { question: cfg.questions[i], top: 5, partialResultToken: token });
    const done = now();
    await new Promise((r) => setTimeout(r, 200)); // the debug line travels on stderr, separately from the answer
    const g = generations[generations.length - 1] ?? {};
    asks.push({
      question: cfg.questions[i], finish: result.finishReason, ttft_ms: first - sent, total_ms: done - sent, deltas,
      prompt_tokens: g.promptTokens, evaluated_tokens: g.evaluatedTokens, generated_tokens: g.generatedTokens,
      server_prompt_ms: g.promptMs, server_generation_ms: g.generationMs,
      streamed_tps: g.generatedTokens > 1 && last > first ? (g.generatedTokens - 1) / ((last - first) / 1000) : null,
    });
  }
  await conn.sendRequest('shutdown');
  conn.sendNotification('exit');
  await new Promise((r) => proc.once('exit', r));
  return { index_ms: indexMs, indexed, asks };
}

main().then((r) => { process.stdout.write(JSON.stringify(r) + '\n'); process.exit(0); },
  (e) => { process.stderr.write(`${e.stack ?? e}\n`); process.exit(1); });
