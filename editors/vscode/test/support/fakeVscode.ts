// Just enough of the `vscode` API (and of vscode-languageclient) to activate the extension in
// plain Node and record what it asks VS Code to do. Tests then drive the registered commands
// and providers the way VS Code would. The fake returns what VS Code documents for each call;
// it is not a place for logic.

import * as assert from 'assert';
import * as path from 'path';

type Handler = (...args: any[]) => any;

export interface FakeUri {
  scheme: string;
  fsPath: string;
  path: string;
  toString(): string;
}

function fileUri(fsPath: string): FakeUri {
  return { scheme: 'file', fsPath, path: fsPath, toString: () => `file://${fsPath}` };
}

export interface FakeFolder {
  uri: FakeUri;
  name: string;
  index: number;
}

export class FakeVscode {
  /** Settings by full key (`qirvo.path`). */
  settings: Record<string, unknown> = {};
  folders: FakeFolder[] = [];
  activeFile: string | undefined;
  foundFiles: string[] = [];

  readonly commands = new Map<string, Handler>();
  /** Providers by debug type: the Initial ones (which also resolve), and the Dynamic ones. */
  readonly configurationProviders = new Map<string, any>();
  readonly dynamicConfigurationProviders = new Map<string, any>();
  readonly adapterFactories = new Map<string, any>();
  readonly taskProviders = new Map<string, any>();
  readonly errors: string[] = [];
  readonly debugSessions: Array<{ folder: FakeFolder | undefined; config: Record<string, unknown> }> = [];
  readonly executedTasks: any[] = [];
  readonly outputLines: string[] = [];
  readonly languageClients: FakeLanguageClient[] = [];

  folder(fsPath: string): FakeFolder {
    const folder = { uri: fileUri(fsPath), name: path.basename(fsPath), index: this.folders.length };
    this.folders.push(folder);
    return folder;
  }

  /** The `vscode` module. */
  api(): Record<string, unknown> {
    const fake = this;
    const disposable = { dispose: () => undefined };
    const folderOf = (uri: FakeUri | undefined) =>
      uri === undefined ? undefined : fake.folders.find((f) => uri.fsPath.startsWith(f.uri.fsPath + path.sep));
    class Task {
      name: string;
      presentationOptions: unknown;
      constructor(
        readonly definition: Record<string, unknown>,
        readonly scope: unknown,
        name: string,
        readonly source: string,
        readonly execution: unknown,
      ) {
        this.name = name;
      }
    }
    class ProcessExecution {
      constructor(
        readonly process: string,
        readonly args: string[],
        readonly options: unknown,
      ) {}
    }
    class DebugAdapterExecutable {
      constructor(
        readonly command: string,
        readonly args: string[],
        readonly options: unknown,
      ) {}
    }
    class RelativePattern {
      constructor(
        readonly base: unknown,
        readonly pattern: string,
      ) {}
    }
    return {
      Uri: { file: fileUri },
      Task,
      ProcessExecution,
      DebugAdapterExecutable,
      RelativePattern,
      TaskScope: { Global: 1, Workspace: 2 },
      DebugConfigurationProviderTriggerKind: { Initial: 1, Dynamic: 2 },
      TaskRevealKind: { Always: 1, Silent: 2, Never: 3 },
      TaskPanelKind: { Shared: 1, Dedicated: 2, New: 3 },
      window: {
        get activeTextEditor() {
          return fake.activeFile === undefined ? undefined : { document: { uri: fileUri(fake.activeFile) } };
        },
        createOutputChannel: () => ({
          appendLine: (line: string) => fake.outputLines.push(line),
          dispose: () => undefined,
        }),
        showErrorMessage: (message: string) => {
          fake.errors.push(message);
          return Promise.resolve(undefined);
        },
      },
      workspace: {
        get workspaceFolders() {
          return fake.folders.length === 0 ? undefined : fake.folders;
        },
        textDocuments: [],
        getWorkspaceFolder: folderOf,
        getConfiguration: (section: string) => ({
          get: (key: string, fallback?: unknown) => fake.settings[`${section}.${key}`] ?? fallback,
        }),
        onDidChangeConfiguration: () => disposable,
        findFiles: () => Promise.resolve(fake.foundFiles.map(fileUri)),
      },
      commands: {
        registerCommand: (id: string, handler: Handler) => {
          fake.commands.set(id, handler);
          return disposable;
        },
        executeCommand: () => Promise.resolve(undefined),
      },
      debug: {
        registerDebugConfigurationProvider: (type: string, provider: unknown, trigger = 1) => {
          const providers = trigger === 2 ? fake.dynamicConfigurationProviders : fake.configurationProviders;
          assert.ok(!providers.has(type), `a second provider for ${type}`);
          providers.set(type, provider);
          return disposable;
        },
        registerDebugAdapterDescriptorFactory: (type: string, factory: unknown) => {
          fake.adapterFactories.set(type, factory);
          return disposable;
        },
        startDebugging: (folder: FakeFolder | undefined, config: Record<string, unknown>) => {
          fake.debugSessions.push({ folder, config });
          return Promise.resolve(true);
        },
      },
      tasks: {
        registerTaskProvider: (type: string, provider: unknown) => {
          fake.taskProviders.set(type, provider);
          return disposable;
        },
        executeTask: (task: unknown) => {
          fake.executedTasks.push(task);
          return Promise.resolve({ task });
        },
      },
    };
  }

  /** The `vscode-languageclient/node` module. */
  languageClientApi(): Record<string, unknown> {
    const fake = this;
    return {
      LanguageClient: class extends FakeLanguageClient {
        constructor(id: string, name: string, serverOptions: any, clientOptions: any) {
          super(id, name, serverOptions, clientOptions);
          fake.languageClients.push(this);
        }
      },
    };
  }
}

export class FakeLanguageClient {
  running = false;
  constructor(
    readonly id: string,
    readonly name: string,
    readonly serverOptions: any,
    readonly clientOptions: any,
  ) {}
  start(): Promise<void> {
    this.running = true;
    return Promise.resolve();
  }
  stop(): Promise<void> {
    this.running = false;
    return Promise.resolve();
  }
}

/**
 * Loads out/src/extension.js afresh with `fake` standing in for `vscode` and the language
 * client, and returns its exports. Restores module loading afterwards.
 */
export function loadExtension(fake: FakeVscode): { activate: Handler; deactivate: Handler } {
  const Module = require('module') as { _load: Handler };
  const sources = path.resolve(__dirname, '..', '..', 'src');
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(sources + path.sep)) {
      delete require.cache[key];
    }
  }
  const original = Module._load;
  const vscode = fake.api();
  const client = fake.languageClientApi();
  Module._load = function (request: string, ...rest: unknown[]) {
    if (request === 'vscode') {
      return vscode;
    }
    if (request === 'vscode-languageclient/node') {
      return client;
    }
    return original.call(this, request, ...rest);
  };
  try {
    return require(path.join(sources, 'extension.js'));
  } finally {
    Module._load = original;
  }
}
