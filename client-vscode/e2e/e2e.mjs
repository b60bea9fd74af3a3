// Browser end-to-end tests of the VS Code extension: code-server + Chromium (playwright-core), the packaged .vsix
// and the real `llmlsp serve` on fixture models. Every wait is on a UI signal, never a fixed sleep.
// Usage: node e2e.mjs --env ENV_JSON --vsix VSIX --models DIR --out DIR   (see run.sh)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []));
const env = JSON.parse(readFileSync(args.env, 'utf8'));
const out = resolve(args.out);
const models = resolve(args.models);
const started = Date.now();
const log = (...parts) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s]`, ...parts);

// ---- Scratch space: workspace, VS Code profile, HOME/XDG dirs ----
const scratch = mkdtempSync(join(tmpdir(), 'llmlsp-e2e-'));
const dirs = Object.fromEntries(['workspace', 'home', 'tmp', 'config', 'data', 'cache', 'user-data', 'extensions'].map((d) => {
  const path = join(scratch, d);
  mkdirSync(path, { recursive: true });
  return [d, path];
}));
const workspace = dirs.workspace;

const calc = [
  'namespace Demo;', '', 'public static class Calc', '{',
  ...Array.from({ length: 12 }, (_, i) => `    public static int Add${i}(int a, int b) => a + b + ${i};`),
  '    public static int Sum(int[] values)', '    {', '        var total = 0;', '        ', '        return total;', '    }', '}', '',
];
const typeLine = calc.indexOf('        ') + 1; // 1-based line of the blank line inside Sum
mkdirSync(join(workspace, 'src'));
mkdirSync(join(workspace, 'docs'));
writeFileSync(join(workspace, 'src', 'Calc.cs'), calc.join('\n'));
writeFileSync(join(workspace, 'docs', 'cache.md'), [
  '# Operations guide', '', 'This guide covers the service.', '', '## Starting the service', '', 'Run the start script.', '',
  '## Clearing the cache', '', 'To clear the cache, run `demo cache clear --all`.', 'The cache lives in the data folder and is rebuilt on the next start.', '',
  '## Logs', '', 'Logs rotate daily.', '',
].join('\n'));
// Enough files that indexing reports progress for a moment.
mkdirSync(join(workspace, 'notes'));
for (let i = 0; i < 300; i++) {
  writeFileSync(join(workspace, 'notes', `note-${i}.md`), `# Note ${i}\n\n${'Notes about module ' + i + ' and its settings. '.repeat(30)}\n`);
}

const baseSettings = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'chat.disableAIFeatures': true,
  'editor.inlineSuggest.enabled': true,
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.suggestOnTriggerCharacters': false,
  'llmlsp.model.completion': join(models, 'suggester.gguf'),
  'llmlsp.model.chat': join(models, 'slow-chat.gguf'),
  'llmlsp.model.threads': 1,
  'llmlsp.completion.maxTokens': 16,
  'llmlsp.chat.maxTokens': 3000,
};
const settingsFile = join(dirs['user-data'], 'User', 'settings.json');
mkdirSync(join(dirs['user-data'], 'User'), { recursive: true });
const writeSettings = (settings) => writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
writeSettings(baseSettings);

const freePort = () => new Promise((ok, fail) => {
  const server = createServer();
  server.once('error', fail);
  server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => ok(port)); });
});
const port = await freePort();
writeFileSync(join(scratch, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);

const childEnv = {
  ...process.env,
  PATH: `${join(env.node, '..')}:${process.env.PATH}`,
  HOME: dirs.home, TMPDIR: dirs.tmp,
  XDG_CONFIG_HOME: dirs.config, XDG_DATA_HOME: dirs.data, XDG_CACHE_HOME: dirs.cache,
  EXTENSIONS_GALLERY: '{"serviceUrl":""}',
};
const codeServerArgs = ['--config', join(scratch, 'config.yaml'), '--user-data-dir', dirs['user-data'], '--extensions-dir', dirs.extensions,
  '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust'];

// ---- Results ----
const results = [];
async function scenario(name, body) {
  const t0 = Date.now();
  try {
    await body();
    results.push({ name, ok: true });
    log(`ok - ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (error) {
    results.push({ name, ok: false });
    log(`not ok - ${name}: ${error?.stack ?? error}`);
    await shot(`failed-${name.replace(/\W+/g, '-')}`).catch(() => undefined);
  }
}

let page;
let codeServer;
let browser;
const shot = async (name) => page && page.screenshot({ path: join(out, `${name}.png`) });
const expect = (condition, message) => { if (!condition) throw new Error(message); };

const deadline = setTimeout(() => { log('e2e: overall time limit (8 min) reached'); void finish(1); }, 8 * 60_000);

async function finish(forcedStatus) {
  clearTimeout(deadline);
  await browser?.close().catch(() => undefined);
  if (codeServer?.pid) {
    try { process.kill(-codeServer.pid, 'SIGTERM'); } catch { /* gone */ }
    await new Promise((ok) => { const t = setTimeout(ok, 3000); codeServer.once('exit', () => { clearTimeout(t); ok(); }); });
    try { process.kill(-codeServer.pid, 'SIGKILL'); } catch { /* gone */ }
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed + (forcedStatus ? 1 : 0);
  if (!process.env.LLMLSP_E2E_KEEP) rmSync(scratch, { recursive: true, force: true });
  else log(`scratch kept: ${scratch}`);
  log(`e2e took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

try {
  // ---- Install the .vsix and start code-server ----
  log('installing the .vsix');
  const install = spawnSync(env.codeServer, [...codeServerArgs, '--install-extension', resolve(args.vsix)], { env: childEnv, encoding: 'utf8' });
  expect(install.status === 0, `install failed: ${install.stdout}${install.stderr}`);

  log(`starting code-server on 127.0.0.1:${port}`);
  codeServer = spawn(env.codeServer, [...codeServerArgs, workspace], { env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const serverLog = [];
  codeServer.stdout.on('data', (d) => serverLog.push(String(d)));
  codeServer.stderr.on('data', (d) => serverLog.push(String(d)));
  codeServer.on('exit', () => writeFileSync(join(out, 'code-server.log'), serverLog.join('')));
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    expect(codeServer.exitCode === null, `code-server exited: ${serverLog.join('')}`);
    await new Promise((r) => setTimeout(r, 200)); // polling the health endpoint
  }

  browser = await chromium.launch({
    executablePath: env.chromium, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://127.0.0.1:${port}` });
  page = await context.newPage();
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });

  const status = page.locator('.statusbar-item', { hasText: 'LlmLsp:' }).first();
  const toast = (text) => page.locator('.notifications-toasts .notification-list-item-message', { hasText: text }).first();
  const runCommand = async (title) => {
    await page.keyboard.press('F1');
    const box = page.locator('.quick-input-widget input');
    await box.waitFor();
    await box.fill(`>${title}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
    await page.keyboard.press('Enter');
  };
  const openFile = async (name) => {
    await page.keyboard.press('Control+P');
    const box = page.locator('.quick-input-widget input');
    await box.waitFor();
    await box.fill(name);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().click();
    await page.locator('.tab.active', { hasText: name }).waitFor();
  };
  const webview = () => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

  await scenario('status bar shows the server ready with the model', async () => {
    await page.locator('.statusbar-item', { hasText: 'LlmLsp: ready' }).waitFor({ timeout: 90_000 });
    const text = await status.innerText();
    expect(text.includes('slow-chat'), `status bar: ${text}`);
    await shot('01-status-ready');
  });

  await scenario('typing shows ghost text from the server and Tab accepts it', async () => {
    await openFile('Calc.cs');
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+G');
    await page.keyboard.type(String(typeLine));
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.keyboard.type('total', { delay: 30 });
    const ghost = page.locator('.monaco-editor .ghost-text-decoration').first();
    await ghost.waitFor({ timeout: 30_000 });
    // The suggestion's first line is the ghost text inside the cursor's own line; Monaco splits it into one span per
    // syntax token, and a multi-line suggestion adds lines of its own below.
    const cursorLine = page.locator('.monaco-editor .view-line', { has: page.locator('.ghost-text-decoration') }).first();
    const suggestion = (await cursorLine.locator('.ghost-text-decoration').allInnerTexts()).join('').replace(/\u00a0/g, ' ');
    // The suggester fixture's every token is " value", so the ghost text is known whatever the cursor.
    expect(suggestion.startsWith(' value value'), `ghost text: ${JSON.stringify(suggestion)}`);
    await shot('02-ghost-text');
    await page.keyboard.press('Tab');
    // `first()` is re-resolved while waiting, so this waits until no ghost span is left anywhere.
    await page.locator('.monaco-editor .ghost-text-decoration').first().waitFor({ state: 'detached', timeout: 10_000 });
    const line = (await page.locator('.monaco-editor .view-line', { hasText: 'total' }).nth(1).innerText()).replace(/\u00a0/g, ' ');
    expect(line.includes(`total${suggestion}`.trim()) || line.includes(suggestion.trim()), `line after Tab: "${line}", suggestion "${suggestion}"`);
    await shot('03-ghost-text-accepted');
    log(`  suggestion: ${JSON.stringify(suggestion)}`);
  });

  await scenario('Index This Folder shows progress and finishes', async () => {
    // Record every status bar and notification text the command produces.
    await page.evaluate(() => {
      window.__llmlspSeen = new Set();
      const record = () => {
        for (const n of document.querySelectorAll('.statusbar-item, .notifications-toasts .notification-list-item-message, .notification-list-item-details-row')) {
          const text = n.textContent?.trim();
          if (text) window.__llmlspSeen.add(text);
        }
      };
      window.__llmlspObserver = new MutationObserver(record);
      window.__llmlspObserver.observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await runCommand('LlmLsp: Index This Folder');
    await toast(/indexed \d+ files/).waitFor({ timeout: 120_000 });
    await shot('04-index-finished');
    const seen = await page.evaluate(() => { window.__llmlspObserver.disconnect(); return [...window.__llmlspSeen]; });
    const progress = seen.filter((t) => /indexing|\d+\/\d+/.test(t));
    expect(progress.length > 0, `no progress seen: ${JSON.stringify(seen.slice(0, 40))}`);
    log(`  progress seen: ${JSON.stringify(progress.slice(0, 6))}`);
    const message = await toast(/indexed \d+ files/).innerText();
    expect(/indexed 30[2-9] files/.test(message), `summary: ${message}`);
  });

  await scenario('chat streams an answer and Stop cancels it', async () => {
    await runCommand('LlmLsp: Open Chat');
    const input = webview().locator('textarea.input');
    await input.waitFor({ timeout: 30_000 });
    await input.fill('Explain what Sum does.');
    await input.press('Enter');
    await webview().locator('.stop').waitFor({ state: 'visible', timeout: 10_000 });
    const answer = webview().locator('.turn.assistant .body').last();
    const lengths = new Set();
    const t0 = Date.now();
    while (lengths.size < 4) {
      expect(Date.now() - t0 < 60_000, `answer did not grow: ${[...lengths]}`);
      const length = (await answer.innerText()).trim().length;
      if (length > 0) lengths.add(length);
      expect(await webview().locator('.stop').isVisible(), `the answer finished before Stop (${[...lengths]})`);
    }
    await shot('05-chat-streaming');
    await webview().locator('.stop').click();
    await webview().locator('.turn.assistant .finish', { hasText: 'Stopped.' }).waitFor({ timeout: 10_000 });
    await webview().locator('.send').waitFor({ state: 'visible' });
    const final = (await answer.innerText()).trim().length;
    expect(final < 3000 * 2, `answer was not cut short (${final} chars)`);
    log(`  streamed lengths ${[...lengths].join(' < ')}, stopped at ${final} chars`);
    await shot('06-chat-stopped');
  });

  await scenario('an ask answer cites a file and the citation opens it at the cited line', async () => {
    // A random-weight model never writes "[n]" markers, so this runs without a chat model: the server then
    // answers with the passages it found as citations (finishReason "no_model").
    // The setting is removed the way a user would: in the settings JSON editor.
    const { ['llmlsp.model.chat']: _chat, ...withoutChat } = baseSettings;
    await runCommand('Preferences: Open User Settings (JSON)');
    const settingsLine = page.locator('.monaco-editor .view-line', { hasText: '"llmlsp.model.chat"' }).first();
    await settingsLine.waitFor();
    await page.evaluate((text) => navigator.clipboard.writeText(text), JSON.stringify(withoutChat, null, 2));
    await settingsLine.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+V');
    await page.keyboard.press('Control+S');
    await settingsLine.waitFor({ state: 'detached' });
    await page.keyboard.press('Control+W');
    await page.locator('.statusbar-item', { hasText: 'suggester' }).waitFor({ timeout: 30_000 });
    await webview().locator('select.mode').selectOption('ask');
    const input = webview().locator('textarea.input');
    await input.fill('How do I clear the cache?');
    await input.press('Enter');
    const citation = webview().locator('.turn.assistant a.citation', { hasText: 'cache.md' }).first();
    await citation.waitFor({ timeout: 60_000 });
    const label = await citation.innerText();
    const line = Number(/:(\d+)/.exec(label)?.[1]);
    expect(line > 0, `citation label ${label}`);
    await shot('07-ask-citations');
    await citation.click();
    await page.locator('.tab.active', { hasText: 'cache.md' }).waitFor({ timeout: 15_000 });
    await page.locator('.statusbar-item', { hasText: new RegExp(`Ln ${line},`) }).waitFor({ timeout: 10_000 });
    await shot('08-citation-opened');
    log(`  citation ${label} opened at line ${line}`);
  });
} catch (error) {
  log(`setup failed: ${error?.stack ?? error}`);
  results.push({ name: 'setup', ok: false });
  await shot('failed-setup').catch(() => undefined);
}
await finish(0);
