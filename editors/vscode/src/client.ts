// The language client: `qirvo lsp` on stdio for manifest documents.

import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';

import { explainMissing, manifestIsOpen, output, qirvoBinary } from './host';
import { serverInvocation } from './invocation';
import { manifestDocumentSelector } from './manifest';

/** The settings section the server reads through `workspace/configuration`. */
export const SETTINGS_SECTION = 'qirvo';

export class QirvoLanguageClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private serverOutput: vscode.OutputChannel | undefined;

  /** Starts `qirvo lsp` unless `qirvo.lsp.enable` is off or there is no binary. */
  async start(): Promise<void> {
    if (!vscode.workspace.getConfiguration(SETTINGS_SECTION).get<boolean>('lsp.enable', true)) {
      output().appendLine('qirvo.lsp.enable is off: the language server is not started.');
      return;
    }
    let binary: string;
    try {
      binary = qirvoBinary();
    } catch (error) {
      output().appendLine(`Language server not started: ${error instanceof Error ? error.message : String(error)}`);
      // A JSON file opened anywhere activates the extension: only interrupt people editing a manifest.
      if (manifestIsOpen()) {
        explainMissing(error);
      }
      return;
    }
    const executable = serverInvocation(binary);
    const serverOptions: ServerOptions = { run: executable, debug: executable };
    this.serverOutput ??= vscode.window.createOutputChannel('Qirvo Language Server');
    const clientOptions: LanguageClientOptions = {
      documentSelector: manifestDocumentSelector(),
      // The server pulls `qirvo` through workspace/configuration; this makes the client tell
      // it when the section changes, so new maximums or severities apply without a restart.
      // No `fileEvents`: the server registers its own `**/*.wasm` watcher, and a second one
      // would report every rebuild twice.
      synchronize: { configurationSection: SETTINGS_SECTION },
      outputChannel: this.serverOutput,
    };
    // The id `qirvo` makes the client read the `qirvo.trace.server` setting.
    const client = new LanguageClient('qirvo', 'Qirvo Language Server', serverOptions, clientOptions);
    this.client = client;
    output().appendLine(`Starting ${binary} lsp`);
    try {
      await client.start();
    } catch (error) {
      output().appendLine(`qirvo lsp failed to start: ${error}`);
      void vscode.window.showErrorMessage(`Qirvo: the language server (${binary} lsp) failed to start: ${error}`);
    }
  }

  async stop(): Promise<void> {
    const running = this.client;
    this.client = undefined;
    if (running !== undefined) {
      await running.stop().catch(() => undefined);
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  dispose(): void {
    void this.stop();
    this.serverOutput?.dispose();
  }
}
