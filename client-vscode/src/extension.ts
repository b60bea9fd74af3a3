// Entry point: wires the language client, the status bar, the chat view and the commands together.
import * as vscode from 'vscode';
import { ExecuteCommandRequest } from 'vscode-languageclient/node';
import { ChatViewProvider } from './chatView/chatViewProvider';
import { LlmLspClient } from './client';
import { downloadRecommended, effectiveModel, listModels, offerFirstModel, selectModel } from './models';
import { IndexFolderResult, Methods } from './protocol';
import { StatusBar } from './status';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const client = new LlmLspClient(context);
  const status = new StatusBar();
  const chat = new ChatViewProvider(context, client, () => status.set({ kind: 'noModel' }));
  context.subscriptions.push(client, status, chat,
    vscode.window.registerWebviewViewProvider(ChatViewProvider.viewId, chat, { webviewOptions: { retainContextWhenHidden: true } }));

  /** Re-derives the status bar from the client state, the settings and llmlsp/models. */
  let firstRunOffered = false;
  const refresh = async (): Promise<void> => {
    if (client.state !== 'running') {
      status.set({ kind: client.state === 'starting' ? 'starting' : 'stopped' });
      return;
    }
    let models;
    try { models = await listModels(client); } catch { models = undefined; }
    const model = effectiveModel('chat', models) ?? effectiveModel('completion', models);
    status.set(model ? { kind: 'ready', model } : { kind: 'noModel' });
    if (!model && models && !firstRunOffered) {
      firstRunOffered = true;
      void offerFirstModel(context, client, status, models).then(refresh);
    }
  };
  context.subscriptions.push(client.onDidChangeState(() => void refresh()));

  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration(async (event) => {
    if (!event.affectsConfiguration('llmlsp')) return;
    if (event.affectsConfiguration('llmlsp.serverPath') || event.affectsConfiguration('llmlsp.serverArgs')) {
      await client.restart();
    } else {
      await client.pushSettings();
    }
    await refresh();
  }));

  const register = (id: string, run: (...args: unknown[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await run(...args);
      } catch (error) {
        void vscode.window.showErrorMessage(`LlmLsp: ${error instanceof Error ? error.message : String(error)}`);
      }
    }));
  };

  // The server's own `llmlsp.indexFolder` command is registered by the language client; this is the palette entry.
  register('llmlsp.indexThisFolder', async (arg?: unknown) => {
    const folder = arg instanceof vscode.Uri ? arg
      : vscode.workspace.workspaceFolders?.length === 1 ? vscode.workspace.workspaceFolders[0].uri
        : (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder to index' }))?.uri;
    if (!folder) return;
    status.setActivity({ kind: 'indexing' });
    try {
      const result = await client.withWorkDone<IndexFolderResult>('LlmLsp: indexing', ExecuteCommandRequest.method,
        { command: Methods.indexFolderCommand, arguments: [folder.toString()] },
        (percent) => status.setActivity({ kind: 'indexing', percent }));
      const seconds = (result.elapsedMs / 1000).toFixed(1);
      void vscode.window.showInformationMessage(
        `LlmLsp: indexed ${result.filesIndexed} files (${result.filesUnchanged} unchanged, ${result.chunks} passages) in ${seconds} s.`);
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code === -32800) void vscode.window.showInformationMessage('LlmLsp: indexing stopped; running it again continues.');
      else throw error;
    } finally {
      status.setActivity(undefined);
    }
  });
  register('llmlsp.askTheDocs', async (arg?: unknown) => {
    const question = typeof arg === 'string' ? arg
      : await vscode.window.showInputBox({ title: 'LlmLsp: Ask the Docs', prompt: 'A question about the indexed files', ignoreFocusOut: true });
    if (question?.trim()) await chat.ask(question.trim());
  });
  register('llmlsp.openChat', () => chat.open());
  register('llmlsp.clearChat', () => chat.clear());
  register('llmlsp.selectModel', async () => { await selectModel(client, status); await refresh(); });
  register('llmlsp.downloadRecommendedModel', async () => { await downloadRecommended(client, status); await refresh(); });
  register('llmlsp.restartServer', async () => { await client.restart(); await refresh(); });
  register('llmlsp.showServerLog', () => client.outputChannel.show(true));

  await client.start();
  await refresh();
}

export function deactivate(): void {
  // The client is disposed with the extension's subscriptions (it stops the server).
}
