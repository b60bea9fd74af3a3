// Typed messages. Part 1: the server's custom LSP methods (docs/lsp-extensions.md). Part 2: webview <-> extension.
// Both sides of the webview import this file, so it must stay free of `vscode` and Node imports.

export interface LspPosition { line: number; character: number }
export interface LspRange { start: LspPosition; end: LspPosition }

export interface Citation {
  n: number;
  path: string;
  startLine: number;
  endLine: number;
  page?: number | null;
  uri?: string | null;
}

export interface ChatMessage { role: 'user' | 'assistant' | 'system'; content: string }

export interface ChatParams {
  messages: ChatMessage[];
  context?: { uri?: string; selection?: LspRange; includeDocument?: boolean; workspace?: boolean };
  partialResultToken?: string;
}

export interface ChatResult {
  text: string;
  finishReason: 'stop' | 'length' | 'cancelled' | string;
  promptTokens: number;
  completionTokens: number;
  elapsedMs: number;
  citations: Citation[];
}

export interface AskParams { question: string; top?: number; partialResultToken?: string }

export interface AskResult {
  answer: string;
  citations: Citation[];
  finishReason: string;
  notice?: string | null;
}

/** Each `$/progress` value on a request's partialResultToken. */
export interface StreamDelta { delta: string }

export interface ModelInfo {
  name: string;
  description: string;
  roles: string[];
  url: string;
  sizeBytes?: number | null;
  sha256?: string | null;
  state: 'absent' | 'partial' | 'downloaded' | 'verified' | string;
  path: string;
  defaultFor: string[];
  selectedFor: string[];
}

export interface ModelsResult { models: ModelInfo[] }
export interface PullModelParams { name: string; workDoneToken?: string }

export interface IndexFolderResult {
  folder: string;
  filesIndexed: number;
  filesUnchanged: number;
  filesRemoved: number;
  filesSkipped: number;
  chunks: number;
  elapsedMs: number;
}

export const Methods = {
  chat: 'llmlsp/chat',
  ask: 'llmlsp/ask',
  search: 'llmlsp/search',
  models: 'llmlsp/models',
  pullModel: 'llmlsp/pullModel',
  indexFolderCommand: 'llmlsp.indexFolder',
} as const;

// ---- Webview <-> extension ----

export type Mode = 'chat' | 'ask';

export interface ContextToggles { selection: boolean; file: boolean; workspace: boolean }

/** One finished or streaming turn, as stored in workspaceState and shown in the view. */
export interface Turn {
  id: string;
  role: 'user' | 'assistant';
  mode: Mode;
  text: string;
  citations?: Citation[];
  /** Set on assistant turns: 'stop', 'length', 'cancelled', 'no_model', 'error', ... */
  finishReason?: string;
  notice?: string;
}

export type ToWebview =
  | { type: 'init'; turns: Turn[]; toggles: ContextToggles; mode: Mode }
  | { type: 'turn'; turn: Turn }
  | { type: 'delta'; id: string; delta: string }
  | { type: 'done'; turn: Turn }
  | { type: 'busy'; busy: boolean }
  | { type: 'cleared' }
  | { type: 'setMode'; mode: Mode };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'send'; text: string; mode: Mode; toggles: ContextToggles }
  | { type: 'stop' }
  | { type: 'openCitation'; citation: Citation }
  | { type: 'copy'; text: string }
  | { type: 'insert'; text: string }
  | { type: 'toggles'; toggles: ContextToggles; mode: Mode };
