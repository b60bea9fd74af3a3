// The chat webview (browser side). It only renders and forwards; the extension talks to the server.
import MarkdownIt from 'markdown-it';
import { Citation, ContextToggles, FromWebview, Mode, ToWebview, Turn } from '../../protocol';

declare function acquireVsCodeApi(): { postMessage(message: FromWebview): void };
const vscode = acquireVsCodeApi();
const post = (message: FromWebview): void => vscode.postMessage(message);

const markdown = new MarkdownIt({ html: false, linkify: false, breaks: false });
const defaultFence = markdown.renderer.rules.fence!;
markdown.renderer.rules.fence = (tokens, idx, options, env, self) =>
  `<div class="code-block"><div class="code-actions">` +
  `<button class="code-action" data-action="copy" title="Copy">Copy</button>` +
  `<button class="code-action" data-action="insert" title="Insert at cursor">Insert</button></div>` +
  defaultFence(tokens, idx, options, env, self) + `</div>`;
// Links in answers are not followed inside the webview.
markdown.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  tokens[idx].attrSet('title', tokens[idx].attrGet('href') ?? '');
  tokens[idx].attrSet('href', '#');
  return self.renderToken(tokens, idx, options);
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---- Layout ----
const app = document.getElementById('app')!;
const toolbar = el('div', 'toolbar');
const modeSelect = el('select', 'mode');
modeSelect.setAttribute('aria-label', 'Mode');
for (const [value, label] of [['chat', 'Chat'], ['ask', 'Ask the docs']] as const) {
  const option = el('option', undefined, label);
  option.value = value;
  modeSelect.append(option);
}
const toggleBoxes: Record<keyof ContextToggles, HTMLInputElement> = {} as Record<keyof ContextToggles, HTMLInputElement>;
const toggleRow = el('div', 'toggles');
for (const [key, label] of [['selection', 'Selection'], ['file', 'Current file'], ['workspace', 'Workspace']] as const) {
  const wrapper = el('label', 'toggle');
  const box = el('input');
  box.type = 'checkbox';
  box.dataset.toggle = key;
  toggleBoxes[key] = box;
  wrapper.append(box, document.createTextNode(` ${label}`));
  toggleRow.append(wrapper);
}
toolbar.append(modeSelect, toggleRow);

const log = el('div', 'log');
log.setAttribute('role', 'log');
log.setAttribute('aria-live', 'polite');
const empty = el('div', 'empty', 'Ask about your code. Answers come from a model on this machine.');

const composer = el('div', 'composer');
const input = el('textarea', 'input');
input.rows = 3;
input.placeholder = 'Ask LlmLsp… (Enter sends, Shift+Enter new line)';
input.setAttribute('aria-label', 'Message');
const sendButton = el('button', 'send', 'Send');
const stopButton = el('button', 'stop', 'Stop');
stopButton.hidden = true;
const buttons = el('div', 'buttons');
buttons.append(sendButton, stopButton);
composer.append(input, buttons);
app.append(toolbar, log, composer);

// ---- State ----
let busy = false;
const streaming = new Map<string, { turn: Turn; node: HTMLElement; scheduled: boolean }>();

function toggles(): ContextToggles {
  return { selection: toggleBoxes.selection.checked, file: toggleBoxes.file.checked, workspace: toggleBoxes.workspace.checked };
}
function mode(): Mode { return modeSelect.value as Mode; }
function syncToggleState(): void {
  toggleRow.classList.toggle('disabled', mode() === 'ask');
  for (const box of Object.values(toggleBoxes)) box.disabled = mode() === 'ask';
}

function citationLabel(c: Citation): string {
  const page = c.page ? ` p.${c.page}` : '';
  return `${c.path}:${c.startLine}${page}`;
}

function renderBody(turn: Turn, body: HTMLElement): void {
  if (turn.role === 'user') {
    body.textContent = turn.text;
    return;
  }
  body.innerHTML = markdown.render(turn.text);
}

function renderTurn(turn: Turn): HTMLElement {
  const node = el('div', `turn ${turn.role}`);
  node.dataset.id = turn.id;
  const header = el('div', 'who', turn.role === 'user' ? (turn.mode === 'ask' ? 'You (ask the docs)' : 'You') : 'LlmLsp');
  const body = el('div', 'body');
  node.append(header, body);
  fillTurn(turn, node);
  return node;
}

function fillTurn(turn: Turn, node: HTMLElement): void {
  const body = node.querySelector<HTMLElement>('.body')!;
  renderBody(turn, body);
  node.querySelectorAll('.citations, .notice, .finish').forEach((n) => n.remove());
  if (turn.role !== 'assistant') return;
  node.classList.toggle('streaming', turn.finishReason === undefined);
  if (turn.finishReason === 'cancelled') node.append(el('div', 'finish', 'Stopped.'));
  if (turn.finishReason === 'length') node.append(el('div', 'finish', 'Cut off at the length limit.'));
  if (turn.notice) node.append(el('div', turn.finishReason === 'error' ? 'notice error' : 'notice', turn.notice));
  if (turn.citations && turn.citations.length > 0) {
    const list = el('div', 'citations');
    list.append(el('span', 'citations-title', 'Sources: '));
    for (const citation of turn.citations) {
      const link = el('a', 'citation', `[${citation.n}] ${citationLabel(citation)}`);
      link.href = '#';
      link.title = `Open ${citation.path} lines ${citation.startLine}–${citation.endLine}`;
      link.addEventListener('click', (event) => {
        event.preventDefault();
        post({ type: 'openCitation', citation });
      });
      list.append(link);
    }
    node.append(list);
  }
}

function append(turn: Turn): void {
  empty.remove();
  const node = renderTurn(turn);
  log.append(node);
  if (turn.role === 'assistant' && turn.finishReason === undefined) streaming.set(turn.id, { turn, node, scheduled: false });
  log.scrollTop = log.scrollHeight;
}

function setBusy(value: boolean): void {
  busy = value;
  sendButton.hidden = value;
  stopButton.hidden = !value;
  app.classList.toggle('busy', value);
}

function send(): void {
  const text = input.value.trim();
  if (!text || busy) return;
  input.value = '';
  post({ type: 'send', text, mode: mode(), toggles: toggles() });
}

// ---- Events ----
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send();
  }
});
sendButton.addEventListener('click', send);
stopButton.addEventListener('click', () => post({ type: 'stop' }));
modeSelect.addEventListener('change', () => { syncToggleState(); post({ type: 'toggles', toggles: toggles(), mode: mode() }); });
for (const box of Object.values(toggleBoxes)) box.addEventListener('change', () => post({ type: 'toggles', toggles: toggles(), mode: mode() }));
log.addEventListener('click', (event) => {
  const target = event.target as HTMLElement;
  const action = target.closest<HTMLElement>('.code-action');
  if (action) {
    const code = action.closest('.code-block')?.querySelector('code')?.textContent ?? '';
    post({ type: action.dataset.action === 'insert' ? 'insert' : 'copy', text: code });
    return;
  }
  if (target.closest('a')) event.preventDefault();
});

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      log.replaceChildren();
      streaming.clear();
      if (message.turns.length === 0) log.append(empty);
      for (const turn of message.turns) append(turn);
      for (const [key, box] of Object.entries(toggleBoxes)) box.checked = message.toggles[key as keyof ContextToggles];
      modeSelect.value = message.mode;
      syncToggleState();
      break;
    case 'turn':
      append(message.turn);
      break;
    case 'delta': {
      const entry = streaming.get(message.id);
      if (!entry) break;
      entry.turn.text += message.delta;
      if (!entry.scheduled) {
        entry.scheduled = true;
        requestAnimationFrame(() => {
          entry.scheduled = false;
          renderBody(entry.turn, entry.node.querySelector<HTMLElement>('.body')!);
          log.scrollTop = log.scrollHeight;
        });
      }
      break;
    }
    case 'done': {
      const node = log.querySelector<HTMLElement>(`.turn[data-id="${message.turn.id}"]`);
      streaming.delete(message.turn.id);
      if (node) fillTurn(message.turn, node);
      log.scrollTop = log.scrollHeight;
      break;
    }
    case 'busy':
      setBusy(message.busy);
      break;
    case 'cleared':
      log.replaceChildren(empty);
      streaming.clear();
      break;
    case 'setMode':
      modeSelect.value = message.mode;
      syncToggleState();
      break;
  }
});

setBusy(false);
post({ type: 'ready' });
