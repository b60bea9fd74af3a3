// Model choice and download, driven by the server's llmlsp/models and llmlsp/pullModel.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LlmLspClient } from './client';
import { StatusBar } from './status';
import { Methods, ModelInfo, ModelsResult } from './protocol';

export type Role = 'completion' | 'chat';

export function isLocal(model: ModelInfo): boolean {
  return model.state !== 'absent' && model.state !== 'partial';
}

/** What the server will use for a role, as far as the client can tell (setting, --model, chosen, recommended). */
export function effectiveModel(role: Role, models: ModelInfo[] | undefined): string | undefined {
  const config = vscode.workspace.getConfiguration('llmlsp');
  const setting = config.get<string | null>(`model.${role}`);
  if (setting) return path.basename(setting).replace(/\.gguf$/i, '');
  const args = config.get<string[]>('serverArgs') ?? [];
  const flag = args.findIndex((a) => a === '--model' || a === '-m');
  if (flag >= 0 && args[flag + 1]) return path.basename(args[flag + 1]).replace(/\.gguf$/i, '');
  const local = (models ?? []).filter(isLocal);
  return (local.find((m) => m.selectedFor.includes(role)) ?? local.find((m) => m.defaultFor.includes(role))
    ?? local.find((m) => m.roles.includes(role)))?.name;
}

export async function listModels(client: LlmLspClient): Promise<ModelInfo[]> {
  const result = await client.request<ModelsResult>(Methods.models);
  return result?.models ?? [];
}

function describeSize(bytes: number | null | undefined): string {
  return bytes ? `${(bytes / 1e9).toFixed(1)} GB` : 'size unknown';
}

/** Downloads a catalogue model with a cancellable progress notification. Returns it, or undefined when cancelled. */
export async function pullModel(client: LlmLspClient, status: StatusBar, model: ModelInfo): Promise<ModelInfo | undefined> {
  status.setActivity({ kind: 'downloading' });
  try {
    const pulled = await client.withWorkDone<ModelInfo>(`LlmLsp: downloading ${model.name} (${describeSize(model.sizeBytes)})`,
      Methods.pullModel, { name: model.name }, (percent) => status.setActivity({ kind: 'downloading', percent }));
    void vscode.window.showInformationMessage(`LlmLsp: ${pulled.name} is ready.`);
    return pulled;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showWarningMessage(`LlmLsp: the download of ${model.name} stopped: ${message} Running the command again resumes it.`);
    return undefined;
  } finally {
    status.setActivity(undefined);
  }
}

/** The recommended catalogue models for chat and completion (usually one model serves both). */
export function recommended(models: ModelInfo[]): ModelInfo[] {
  return models.filter((m) => m.defaultFor.includes('chat') || m.defaultFor.includes('completion'));
}

export async function downloadRecommended(client: LlmLspClient, status: StatusBar): Promise<boolean> {
  const models = await listModels(client);
  const wanted = recommended(models).filter((m) => !isLocal(m));
  if (wanted.length === 0) {
    void vscode.window.showInformationMessage('LlmLsp: the recommended model is already downloaded.');
    return true;
  }
  let ok = true;
  for (const model of wanted) ok = (await pullModel(client, status, model)) !== undefined && ok;
  return ok;
}

interface ModelPick extends vscode.QuickPickItem { model?: ModelInfo; browse?: boolean }

export async function selectModel(client: LlmLspClient, status: StatusBar): Promise<void> {
  const models = await listModels(client);
  const items: ModelPick[] = models
    .filter((m) => m.roles.includes('chat') || m.roles.includes('completion'))
    .map((m) => ({
      label: m.name,
      description: `${isLocal(m) ? 'downloaded' : `download ${describeSize(m.sizeBytes)}`}${m.defaultFor.length ? ' · recommended' : ''}`,
      detail: m.description,
      model: m,
    }));
  items.push({ label: '$(file) Choose a GGUF file…', browse: true });
  const picked = await vscode.window.showQuickPick(items, { title: 'LlmLsp: Select Model', placeHolder: 'Model for chat and completion' });
  if (!picked) return;
  let file: string | undefined;
  if (picked.browse) {
    const uris = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'GGUF models': ['gguf'] } });
    file = uris?.[0]?.fsPath;
  } else if (picked.model) {
    const model = isLocal(picked.model) ? picked.model : await pullModel(client, status, picked.model);
    file = model?.path;
  }
  if (!file) return;
  const roles = await vscode.window.showQuickPick(
    [{ label: 'Chat and completion', roles: ['chat', 'completion'] as Role[] },
      { label: 'Chat only', roles: ['chat'] as Role[] },
      { label: 'Completion only', roles: ['completion'] as Role[] }],
    { title: `Use ${path.basename(file)} for` });
  if (!roles) return;
  const config = vscode.workspace.getConfiguration('llmlsp');
  for (const role of roles.roles) await config.update(`model.${role}`, file, vscode.ConfigurationTarget.Global);
}

/** First run: no model for chat or completion → offer the download once (until dismissed for good). */
export async function offerFirstModel(context: vscode.ExtensionContext, client: LlmLspClient, status: StatusBar, models: ModelInfo[]): Promise<void> {
  if (effectiveModel('chat', models) || effectiveModel('completion', models)) return;
  if (context.globalState.get<boolean>('llmlsp.firstRunDismissed')) return;
  const model = recommended(models)[0];
  const download = model ? `Download ${model.name} (${describeSize(model.sizeBytes)})` : undefined;
  const choice = await vscode.window.showInformationMessage(
    'LlmLsp has no model yet. Models run on this machine; nothing leaves it.',
    ...[download, 'Select Model…', "Don't Ask Again"].filter((x): x is string => !!x));
  if (choice === download && model) await pullModel(client, status, model);
  else if (choice === 'Select Model…') await selectModel(client, status);
  else if (choice === "Don't Ask Again") await context.globalState.update('llmlsp.firstRunDismissed', true);
}
