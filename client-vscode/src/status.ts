// The status bar item: server state and model name. The server sends no state notification, so this is derived
// from the client state, llmlsp/models, the settings and the progress of our own requests.
import * as vscode from 'vscode';

export type StatusState =
  | { kind: 'starting' }
  | { kind: 'ready'; model: string }
  | { kind: 'noModel' }
  | { kind: 'indexing'; percent?: number }
  | { kind: 'downloading'; percent?: number }
  | { kind: 'stopped' };

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('llmlsp.status', vscode.StatusBarAlignment.Right, 100);
  private base: StatusState = { kind: 'starting' };
  private activity: StatusState | undefined;

  constructor() {
    this.item.name = 'LlmLsp';
    this.render();
    this.item.show();
  }

  /** The lasting state (starting, ready, no model, stopped). */
  set(state: StatusState): void { this.base = state; this.render(); }

  /** A passing activity shown over the lasting state (indexing, downloading); undefined clears it. */
  setActivity(state: StatusState | undefined): void { this.activity = state; this.render(); }

  private render(): void {
    const state = this.activity ?? this.base;
    const item = this.item;
    item.backgroundColor = undefined;
    switch (state.kind) {
      case 'starting':
        item.text = '$(loading~spin) LlmLsp: starting';
        item.tooltip = 'The LlmLsp server is starting';
        item.command = 'llmlsp.showServerLog';
        break;
      case 'ready':
        item.text = `$(hubot) LlmLsp: ready · ${state.model}`;
        item.tooltip = `LlmLsp is ready. Model: ${state.model}. Click to select another model.`;
        item.command = 'llmlsp.selectModel';
        break;
      case 'noModel':
        item.text = '$(cloud-download) LlmLsp: no model';
        item.tooltip = 'No model yet: click to download the recommended one';
        item.command = 'llmlsp.downloadRecommendedModel';
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        break;
      case 'indexing':
        item.text = `$(sync~spin) LlmLsp: indexing${state.percent !== undefined ? ` ${state.percent}%` : ''}`;
        item.tooltip = 'Indexing the workspace';
        item.command = undefined;
        break;
      case 'downloading':
        item.text = `$(cloud-download) LlmLsp: downloading${state.percent !== undefined ? ` ${state.percent}%` : ''}`;
        item.tooltip = 'Downloading a model';
        item.command = undefined;
        break;
      case 'stopped':
        item.text = '$(error) LlmLsp: stopped';
        item.tooltip = 'The LlmLsp server is not running: click for its log';
        item.command = 'llmlsp.showServerLog';
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
    }
  }

  dispose(): void { this.item.dispose(); }
}
