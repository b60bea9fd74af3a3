// The sidebar chat, extension side: relays questions to llmlsp/chat and llmlsp/ask, streams the answers into the
// webview, keeps the history per workspace and performs what the webview cannot (open files, clipboard, insert).
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { LlmLspClient } from '../client';
import {
  AskResult, ChatMessage, ChatParams, ChatResult, Citation, ContextToggles, FromWebview, Methods, Mode, ToWebview, Turn,
} from '../protocol';

const historyKey = 'llmlsp.chat.turns';
const togglesKey = 'llmlsp.chat.toggles';
const modeKey = 'llmlsp.chat.mode';
const maxTurns = 200;

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'llmlsp.chat';

  private view: vscode.WebviewView | undefined;
  private ready = false;
  private readonly pending: (() => void)[] = [];
  private running: vscode.CancellationTokenSource | undefined;
  private lastEditor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: LlmLspClient,
    private readonly onNoModel: () => void,
  ) {
    this.disposables.push(vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (editor && editor.document.uri.scheme !== 'output') this.lastEditor = editor;
    }));
  }

  private get turns(): Turn[] { return this.context.workspaceState.get<Turn[]>(historyKey) ?? []; }
  private async saveTurns(turns: Turn[]): Promise<void> {
    await this.context.workspaceState.update(historyKey, turns.slice(-maxTurns));
  }
  private get toggles(): ContextToggles {
    return this.context.workspaceState.get<ContextToggles>(togglesKey) ?? { selection: true, file: false, workspace: false };
  }
  private get mode(): Mode { return this.context.workspaceState.get<Mode>(modeKey) ?? 'chat'; }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const webviewRoot = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
    view.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot] };
    view.webview.html = this.html(view.webview, webviewRoot);
    view.webview.onDidReceiveMessage((message: FromWebview) => this.onMessage(message), undefined, this.disposables);
    view.onDidDispose(() => { this.view = undefined; this.ready = false; }, undefined, this.disposables);
  }

  private post(message: ToWebview): void {
    void this.view?.webview.postMessage(message);
  }

  /** Shows the view and runs `action` once its script is listening. */
  private async whenReady(action: () => void): Promise<void> {
    if (this.view && this.ready) {
      this.view.show(true);
      action();
      return;
    }
    this.pending.push(action);
    await vscode.commands.executeCommand(`${ChatViewProvider.viewId}.focus`);
  }

  async open(): Promise<void> {
    await this.whenReady(() => undefined);
  }

  async ask(question: string): Promise<void> {
    await this.whenReady(() => void this.run(question, 'ask', this.toggles));
  }

  async clear(): Promise<void> {
    this.running?.cancel();
    await this.saveTurns([]);
    this.post({ type: 'cleared' });
  }

  private async onMessage(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.post({ type: 'init', turns: this.turns, toggles: this.toggles, mode: this.mode });
        this.post({ type: 'busy', busy: this.running !== undefined });
        for (const action of this.pending.splice(0)) action();
        break;
      case 'send':
        await this.context.workspaceState.update(togglesKey, message.toggles);
        await this.context.workspaceState.update(modeKey, message.mode);
        await this.run(message.text, message.mode, message.toggles);
        break;
      case 'stop':
        this.running?.cancel();
        break;
      case 'toggles':
        await this.context.workspaceState.update(togglesKey, message.toggles);
        await this.context.workspaceState.update(modeKey, message.mode);
        break;
      case 'openCitation':
        await openCitation(message.citation);
        break;
      case 'copy':
        await vscode.env.clipboard.writeText(message.text);
        void vscode.window.setStatusBarMessage('LlmLsp: copied', 2000);
        break;
      case 'insert':
        await this.insert(message.text);
        break;
    }
  }

  private async insert(text: string): Promise<void> {
    const editor = vscode.window.activeTextEditor ?? this.lastEditor;
    if (!editor) {
      void vscode.window.showWarningMessage('LlmLsp: open a file to insert the code into.');
      return;
    }
    await vscode.window.showTextDocument(editor.document, editor.viewColumn);
    await editor.edit((edit) => {
      for (const selection of editor.selections) edit.replace(selection, text);
    });
  }

  private chatContext(toggles: ContextToggles): ChatParams['context'] {
    const editor = this.lastEditor;
    const languageClient = this.client.languageClient;
    const context: NonNullable<ChatParams['context']> = { workspace: toggles.workspace };
    if (editor && languageClient && !editor.document.isClosed) {
      context.uri = languageClient.code2ProtocolConverter.asUri(editor.document.uri);
      context.includeDocument = toggles.file;
      if (toggles.selection && !editor.selection.isEmpty) context.selection = languageClient.code2ProtocolConverter.asRange(editor.selection);
    }
    return context;
  }

  private async run(text: string, mode: Mode, toggles: ContextToggles): Promise<void> {
    if (this.running) return;
    const question = text.trim();
    if (!question) return;
    const history = this.turns;
    const userTurn: Turn = { id: randomUUID(), role: 'user', mode, text: question };
    const answer: Turn = { id: randomUUID(), role: 'assistant', mode, text: '' };
    history.push(userTurn);
    await this.saveTurns(history);
    this.post({ type: 'turn', turn: userTurn });
    this.post({ type: 'turn', turn: answer });

    const cts = new vscode.CancellationTokenSource();
    this.running = cts;
    this.post({ type: 'busy', busy: true });
    const onDelta = (delta: string): void => {
      answer.text += delta;
      this.post({ type: 'delta', id: answer.id, delta });
    };
    try {
      if (mode === 'chat') {
        const messages: ChatMessage[] = history
          .filter((t) => t.mode === 'chat' && t.text && t.finishReason !== 'error')
          .map((t) => ({ role: t.role, content: t.text }));
        const params: ChatParams = { messages, context: this.chatContext(toggles) };
        const result = await this.client.stream<ChatResult | null>(Methods.chat, params, onDelta, cts.token);
        answer.text = result?.text ?? answer.text;
        answer.citations = result?.citations ?? [];
        answer.finishReason = result?.finishReason ?? 'cancelled';
      } else {
        const result = await this.client.stream<AskResult | null>(Methods.ask, { question }, onDelta, cts.token);
        answer.text = result?.answer ?? answer.text;
        answer.citations = result?.citations ?? [];
        answer.finishReason = result?.finishReason ?? 'cancelled';
        if (result?.notice) answer.notice = result.notice;
      }
    } catch (error) {
      answer.finishReason = 'error';
      const data = (error as { data?: { kind?: string } }).data;
      answer.notice = error instanceof Error ? error.message : String(error);
      if (data?.kind === 'NoModelConfigured') this.onNoModel();
      if (data?.kind === 'IndexNotFound') answer.notice += ' Run "LlmLsp: Index This Folder" first.';
    } finally {
      this.running = undefined;
      cts.dispose();
    }
    const saved = this.turns;
    saved.push(answer);
    await this.saveTurns(saved);
    this.post({ type: 'done', turn: answer });
    this.post({ type: 'busy', busy: false });
  }

  private html(webview: vscode.Webview, root: vscode.Uri): string {
    const nonce = randomUUID().replace(/-/g, '');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(root, 'chat.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(root, 'chat.css'));
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}; img-src ${webview.cspSource} data:; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${style}" rel="stylesheet">
<title>LlmLsp Chat</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    this.running?.cancel();
    for (const d of this.disposables) d.dispose();
  }
}

/** Opens the cited file with the cited lines (1-based, inclusive) selected. */
export async function openCitation(citation: Citation): Promise<void> {
  let uri: vscode.Uri | undefined;
  if (citation.uri) uri = vscode.Uri.parse(citation.uri);
  else {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (folder) uri = vscode.Uri.joinPath(folder.uri, citation.path);
  }
  if (!uri) return;
  const start = Math.max(0, citation.startLine - 1);
  const end = Math.max(start, citation.endLine - 1);
  const document = await vscode.workspace.openTextDocument(uri);
  const endLine = Math.min(end, document.lineCount - 1);
  const range = new vscode.Range(start, 0, endLine, document.lineAt(endLine).text.length);
  const editor = await vscode.window.showTextDocument(document, { selection: new vscode.Range(range.start, range.start), preview: false });
  // Anchored at the end, so the cursor (and the "Ln" in the status bar) sits on the first cited line.
  editor.selection = new vscode.Selection(range.end, range.start);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
