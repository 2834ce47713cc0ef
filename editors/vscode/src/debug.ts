// The `qirvo` debug type: launch configurations (with the active manifest, or the one above
// the active source file, when there is no launch.json) and the adapter, `qirvo dap` on stdio.

import * as path from 'path';
import * as vscode from 'vscode';

import { activeFile, explainMissing, output, qirvoBinary, tryQirvoBinary } from './host';
import { adapterInvocation } from './invocation';
import { initialConfigurations, resolveLaunchConfiguration } from './launch';

/** One configuration per manifest in the folder (manifest paths relative to it). */
async function configurationsFor(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
  if (folder === undefined) {
    return initialConfigurations([]);
  }
  const found = await vscode.workspace.findFiles(
    new vscode.RelativePattern(folder, '**/{manifest.json,*.qirvo.json}'),
    '**/{node_modules,target,.git}/**',
    20,
  );
  return initialConfigurations(found.map((uri) => path.relative(folder.uri.fsPath, uri.fsPath)));
}

/**
 * The manifests offered under "Qirvo plugin..." in the Run and Debug view. A provider of its
 * own: VS Code calls the resolve methods of every provider registered for a type, and those
 * must run once per launch.
 */
export class DynamicConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    return configurationsFor(folder);
  }
}

export class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  /** launch.json entries for a new workspace: one per manifest found in the folder. */
  provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    return configurationsFor(folder);
  }

  /**
   * Fills in what is missing (F5 without launch.json: the manifest in the active editor, or the
   * manifest.json nearest above the active source file).
   */
  resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.ProviderResult<vscode.DebugConfiguration> {
    const resolution = resolveLaunchConfiguration(config, {
      activeFile: activeFile(),
      workspaceFolder: folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    });
    if ('error' in resolution) {
      void vscode.window.showErrorMessage(`Qirvo: ${resolution.error}`);
      return undefined; // aborts the launch
    }
    return resolution.config as vscode.DebugConfiguration;
  }

  resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.ProviderResult<vscode.DebugConfiguration> {
    // Without a binary, stop here with a message that names `qirvo.path`, instead of letting
    // VS Code report a failed spawn.
    return tryQirvoBinary(folder?.uri) === undefined ? undefined : config;
  }
}

export class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    let binary: string;
    try {
      binary = qirvoBinary(session.workspaceFolder?.uri);
    } catch (error) {
      explainMissing(error);
      throw error; // VS Code shows the message (which names `qirvo.path`) and ends the session
    }
    const invocation = adapterInvocation(binary, session.workspaceFolder?.uri.fsPath);
    output().appendLine(`Debug session "${session.name}": ${invocation.command} ${invocation.args.join(' ')}`);
    return new vscode.DebugAdapterExecutable(
      invocation.command,
      invocation.args,
      invocation.cwd === undefined ? {} : { cwd: invocation.cwd },
    );
  }
}
