// The VS Code side of qirvo: `qirvo lsp` for manifests (client.ts), `qirvo dap` for the `qirvo`
// debug type (debug.ts), and the `qirvo.run` / `qirvo.debug` commands the language server's
// code lenses invoke (commands.ts). Pure logic lives in binary.ts, invocation.ts, launch.ts and
// manifest.ts, which the tests run without VS Code.

import * as vscode from 'vscode';

import { QirvoLanguageClient } from './client';
import { TaskProvider, debugCommand, runCommand } from './commands';
import { AdapterFactory, ConfigurationProvider, DynamicConfigurationProvider } from './debug';
import { disposeOutput } from './host';
import { DEBUG_TYPE } from './launch';

let languageClient: QirvoLanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const client = new QirvoLanguageClient();
  languageClient = client;
  context.subscriptions.push(
    { dispose: disposeOutput },
    client,
    vscode.commands.registerCommand('qirvo.run', runCommand),
    vscode.commands.registerCommand('qirvo.debug', debugCommand),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ConfigurationProvider()),
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      new DynamicConfigurationProvider(),
      vscode.DebugConfigurationProviderTriggerKind.Dynamic,
    ),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new AdapterFactory()),
    vscode.tasks.registerTaskProvider('qirvo', new TaskProvider()),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      // Other `qirvo.*` settings reach the running server through workspace/configuration.
      if (event.affectsConfiguration('qirvo.path') || event.affectsConfiguration('qirvo.lsp.enable')) {
        await client.restart();
      }
    }),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  await languageClient?.stop();
  languageClient = undefined;
}
