// What the commands, the debugger integration and the language client share: the output
// channel, finding the binary for a scope (with an error the user can act on), and the
// active manifest.

import * as vscode from 'vscode';

import { QirvoNotFoundError, resolveQirvoBinary } from './binary';
import { isManifestPath } from './manifest';

let channel: vscode.OutputChannel | undefined;

/** The "Qirvo" output channel (created on first use, disposed with the extension). */
export function output(): vscode.OutputChannel {
  channel ??= vscode.window.createOutputChannel('Qirvo');
  return channel;
}

export function disposeOutput(): void {
  channel?.dispose();
  channel = undefined;
}

/** The `qirvo` binary for `scope` (its folder's `qirvo.path`), or throws {@link QirvoNotFoundError}. */
export function qirvoBinary(scope?: vscode.Uri): string {
  const folder = scope ? vscode.workspace.getWorkspaceFolder(scope) : vscode.workspace.workspaceFolders?.[0];
  const setting = vscode.workspace.getConfiguration('qirvo', scope ?? folder?.uri).get<string>('path');
  return resolveQirvoBinary(setting, { workspaceFolder: folder?.uri.fsPath });
}

/** Tells the user the binary is missing, with a button that opens the `qirvo.path` setting. */
export function explainMissing(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  output().appendLine(message);
  if (error instanceof QirvoNotFoundError) {
    output().appendLine(`Tried: ${error.tried.join(', ')}`);
  }
  void vscode.window.showErrorMessage(message, 'Open Settings').then((choice) => {
    if (choice === 'Open Settings') {
      void vscode.commands.executeCommand('workbench.action.openSettings', 'qirvo.path');
    }
  });
}

/** {@link qirvoBinary}, or `undefined` after telling the user why there is none. */
export function tryQirvoBinary(scope?: vscode.Uri): string | undefined {
  try {
    return qirvoBinary(scope);
  } catch (error) {
    explainMissing(error);
    return undefined;
  }
}

/** The file in the active editor, when it is on disk. */
export function activeFile(): string | undefined {
  const document = vscode.window.activeTextEditor?.document;
  return document?.uri.scheme === 'file' ? document.uri.fsPath : undefined;
}

/** Whether any open document is a manifest (worth bothering the user about a missing binary). */
export function manifestIsOpen(): boolean {
  return vscode.workspace.textDocuments.some((d) => d.uri.scheme === 'file' && isManifestPath(d.uri.fsPath));
}

/** Saves the manifest if it is open with unsaved edits, so a run sees what the user sees. */
export async function saveIfDirty(file: string): Promise<void> {
  const document = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
  if (document?.isDirty) {
    await document.save();
  }
}
