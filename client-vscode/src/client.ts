// The language client: starts `llmlsp serve` over stdio and offers typed, streaming and progress-reporting
// requests to the rest of the extension. No prompts, retrieval or model logic here: the server does all of that.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient, LanguageClientOptions, ProgressType, ServerOptions, State, WorkDoneProgress,
  WorkDoneProgressCancelNotification, WorkDoneProgressBegin, WorkDoneProgressReport, WorkDoneProgressEnd,
} from 'vscode-languageclient/node';
import { StreamDelta } from './protocol';

/** Settings the extension reads itself; they are never sent to the server (it reports unknown keys). */
const clientOnlyKeys = ['serverPath', 'serverArgs', 'trace'];

/** The `llmlsp` settings section as the server understands it. */
export function serverSettings(): Record<string, unknown> {
  const section = vscode.workspace.getConfiguration().get<Record<string, unknown>>('llmlsp') ?? {};
  const copy: Record<string, unknown> = JSON.parse(JSON.stringify(section));
  for (const key of clientOnlyKeys) delete copy[key];
  return copy;
}

export type ClientState = 'starting' | 'running' | 'stopped';

type WorkDoneValue = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

export class LlmLspClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<ClientState>();
  readonly onDidChangeState = this.stateEmitter.event;
  readonly outputChannel: vscode.LogOutputChannel;
  private _state: ClientState = 'stopped';

  constructor(private readonly context: vscode.ExtensionContext) {
    this.outputChannel = vscode.window.createOutputChannel('LlmLsp', { log: true });
  }

  get state(): ClientState { return this._state; }

  private setState(state: ClientState): void {
    if (state === this._state) return;
    this._state = state;
    this.stateEmitter.fire(state);
  }

  /** The server executable: the `llmlsp.serverPath` setting, else the server bundled in the .vsix. */
  serverCommand(): { command: string; args: string[] } {
    const config = vscode.workspace.getConfiguration('llmlsp');
    const extraArgs = config.get<string[]>('serverArgs') ?? [];
    const configured = config.get<string | null>('serverPath');
    if (configured) return { command: configured, args: ['serve', ...extraArgs] };
    const bundled = this.context.asAbsolutePath(path.join('dist', 'server', 'llmlsp'));
    try {
      // Zip extraction may drop the executable bit of the apphost.
      fs.accessSync(bundled, fs.constants.X_OK);
    } catch {
      try { fs.chmodSync(bundled, 0o755); } catch { /* reported when the start fails */ }
    }
    return { command: bundled, args: ['serve', ...extraArgs] };
  }

  async start(): Promise<void> {
    if (this.client) return;
    const { command, args } = this.serverCommand();
    this.outputChannel.appendLine(`Starting ${command} ${args.join(' ')}`);
    const serverOptions: ServerOptions = { command, args, options: { env: { ...process.env } } };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
      outputChannel: this.outputChannel,
      initializationOptions: { llmlsp: serverSettings() },
      middleware: {
        workspace: {
          // The server pulls the `llmlsp` section; leave out the keys only the extension reads.
          configuration: async (params, token, next) => {
            const result = await next(params, token);
            if (!Array.isArray(result)) return result;
            return result.map((value, i) => (params.items[i]?.section === 'llmlsp' ? serverSettings() : value));
          },
        },
      },
    };
    const client = new LanguageClient('llmlsp', 'LlmLsp', serverOptions, clientOptions);
    client.onDidChangeState((e) => {
      this.setState(e.newState === State.Running ? 'running' : e.newState === State.Starting ? 'starting' : 'stopped');
    });
    this.client = client;
    this.setState('starting');
    try {
      await client.start();
      this.setState('running');
    } catch (error) {
      this.setState('stopped');
      this.client = undefined;
      const message = error instanceof Error ? error.message : String(error);
      this.outputChannel.appendLine(`The server did not start: ${message}`);
      void vscode.window.showErrorMessage(
        `LlmLsp: the server did not start (${message}). Set llmlsp.serverPath to use another server build.`,
        'Show Server Log').then((choice) => { if (choice) this.outputChannel.show(); });
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try { await client.stop(5000); } catch { /* already gone */ }
      await client.dispose();
    }
    this.setState('stopped');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Tells the server that settings changed, with the payload it reads (`{ llmlsp: {...} }`). */
  async pushSettings(): Promise<void> {
    await this.client?.sendNotification('workspace/didChangeConfiguration', { settings: { llmlsp: serverSettings() } });
  }

  private require(): LanguageClient {
    if (!this.client || this._state !== 'running') throw new Error('The LlmLsp server is not running.');
    return this.client;
  }

  get languageClient(): LanguageClient | undefined { return this.client; }

  request<R>(method: string, params?: unknown, token?: vscode.CancellationToken): Promise<R> {
    return this.require().sendRequest<R>(method, params, token);
  }

  /** Sends a request whose answer streams as `{ delta }` values on a fresh partialResultToken. */
  async stream<R>(method: string, params: object, onDelta: (delta: string) => void, token: vscode.CancellationToken): Promise<R> {
    const client = this.require();
    const progressToken = `llmlsp-stream-${randomUUID()}`;
    const subscription = client.onProgress(new ProgressType<StreamDelta>(), progressToken, (value) => {
      if (value && typeof value.delta === 'string') onDelta(value.delta);
    });
    try {
      return await client.sendRequest<R>(method, { ...params, partialResultToken: progressToken }, token);
    } finally {
      subscription.dispose();
    }
  }

  /**
   * Sends a request with a fresh workDoneToken and shows its work-done progress as a cancellable notification;
   * cancelling sends window/workDoneProgress/cancel. `onPercent` sees each reported percentage.
   */
  withWorkDone<R>(title: string, method: string, params: object, onPercent?: (percent: number | undefined) => void): Promise<R> {
    const client = this.require();
    return Promise.resolve(vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, cancel) => {
        const progressToken = `llmlsp-work-${randomUUID()}`;
        let shown = 0;
        const subscription = client.onProgress(WorkDoneProgress.type, progressToken, (value: WorkDoneValue) => {
          if (value.kind === 'end') return;
          const percent = value.percentage;
          if (percent !== undefined && percent > shown) {
            progress.report({ message: value.message, increment: percent - shown });
            shown = percent;
          } else if (value.message) {
            progress.report({ message: value.message });
          }
          onPercent?.(percent);
        });
        const onCancel = cancel.onCancellationRequested(() => {
          void client.sendNotification(WorkDoneProgressCancelNotification.type, { token: progressToken });
        });
        try {
          return await client.sendRequest<R>(method, { ...params, workDoneToken: progressToken });
        } finally {
          subscription.dispose();
          onCancel.dispose();
        }
      }));
  }

  dispose(): void {
    void this.stop();
    this.stateEmitter.dispose();
    this.outputChannel.dispose();
  }
}
