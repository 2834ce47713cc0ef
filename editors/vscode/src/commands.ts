// `qirvo.run` and `qirvo.debug` (the commands the language server's code lenses send, with the
// manifest's path as their one argument), and `qirvo` tasks for tasks.json.

import * as path from 'path';
import * as vscode from 'vscode';

import { activeFile, saveIfDirty, tryQirvoBinary } from './host';
import { debugConfigurationFor } from './launch';
import { MANIFEST_SUBCOMMANDS, ManifestSubcommand, manifestInvocation } from './invocation';
import { manifestArgument } from './manifest';

/** The manifest a command is about, or `undefined` after telling the user how to pick one. */
function pickManifest(argument: unknown): string | undefined {
  const manifest = manifestArgument(argument, activeFile());
  if (manifest === undefined) {
    void vscode.window.showErrorMessage(
      'Qirvo: open a plugin manifest (manifest.json or *.qirvo.json) first, or use the Run/Debug lens above it.',
    );
  }
  return manifest;
}

interface QirvoTaskDefinition extends vscode.TaskDefinition {
  command: ManifestSubcommand;
  manifest: string;
}

/** A task running `qirvo <command> <manifest>` in a terminal of its own. */
function qirvoTask(binary: string, definition: QirvoTaskDefinition, manifest: string, name?: string): vscode.Task {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(manifest));
  const label = folder ? path.relative(folder.uri.fsPath, manifest) : manifest;
  const invocation = manifestInvocation(binary, definition.command, manifest);
  const task = new vscode.Task(
    definition,
    folder ?? vscode.TaskScope.Workspace,
    name ?? `${definition.command} ${label}`,
    'qirvo',
    new vscode.ProcessExecution(invocation.command, invocation.args, { cwd: invocation.cwd }),
    [],
  );
  task.presentationOptions = {
    reveal: vscode.TaskRevealKind.Always,
    panel: vscode.TaskPanelKind.Dedicated,
    clear: true,
  };
  return task;
}

/** `qirvo.run [manifestPath]`: `qirvo run <manifest>` in a terminal. */
export async function runCommand(argument?: unknown): Promise<void> {
  const manifest = pickManifest(argument);
  if (manifest === undefined) {
    return;
  }
  const binary = tryQirvoBinary(vscode.Uri.file(manifest));
  if (binary === undefined) {
    return;
  }
  await saveIfDirty(manifest);
  await vscode.tasks.executeTask(qirvoTask(binary, { type: 'qirvo', command: 'run', manifest }, manifest));
}

/** `qirvo.debug [manifestPath]`: a `qirvo` launch of the manifest. */
export async function debugCommand(argument?: unknown): Promise<void> {
  const manifest = pickManifest(argument);
  if (manifest === undefined) {
    return;
  }
  await saveIfDirty(manifest);
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(manifest));
  await vscode.debug.startDebugging(folder, debugConfigurationFor(manifest));
}

const MANIFEST_GLOB = '**/{manifest.json,*.qirvo.json}';
const EXCLUDED = '**/{node_modules,target,.git}/**';

/** `qirvo run` / `qirvo check` for each manifest in the workspace, and tasks.json's `qirvo` tasks. */
export class TaskProvider implements vscode.TaskProvider {
  async provideTasks(): Promise<vscode.Task[]> {
    const binary = tryQirvoBinary();
    if (binary === undefined) {
      return [];
    }
    const manifests = await vscode.workspace.findFiles(MANIFEST_GLOB, EXCLUDED, 50);
    return manifests.flatMap((uri) =>
      MANIFEST_SUBCOMMANDS.map((command) =>
        qirvoTask(binary, { type: 'qirvo', command, manifest: uri.fsPath }, uri.fsPath),
      ),
    );
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const definition = task.definition;
    const command = MANIFEST_SUBCOMMANDS.find((c) => c === definition.command);
    if (typeof definition.manifest !== 'string' || command === undefined) {
      return undefined;
    }
    const folder = typeof task.scope === 'object' ? task.scope.uri.fsPath : undefined;
    const manifest = path.resolve(folder ?? '', definition.manifest);
    const binary = tryQirvoBinary(vscode.Uri.file(manifest));
    if (binary === undefined) {
      return undefined;
    }
    // VS Code matches the resolved task to tasks.json by its definition: hand the same one back.
    return qirvoTask(binary, definition as QirvoTaskDefinition, manifest, task.name);
  }
}
