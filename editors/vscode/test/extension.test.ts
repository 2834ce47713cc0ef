// The extension activated against a recording fake of the VS Code API: what it registers, what
// it spawns, and what the code lens commands start.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { FakeVscode, loadExtension } from './support/fakeVscode';
import { packageJson } from './support/paths';

describe('extension (against a fake VS Code)', () => {
  let dir: string;
  let binary: string;
  let fake: FakeVscode;
  let workspace: string;
  let manifest: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qirvo-ext-'));
    binary = path.join(dir, 'bin', 'qirvo');
    fs.mkdirSync(path.dirname(binary));
    fs.writeFileSync(binary, '#!/bin/sh\n', { mode: 0o755 });
    workspace = path.join(dir, 'ws');
    manifest = path.join(workspace, 'plugin', 'manifest.json');
    fake = new FakeVscode();
    fake.folder(workspace);
    fake.settings['qirvo.path'] = binary;
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function activate(): Promise<void> {
    await loadExtension(fake).activate({ subscriptions: [] });
  }

  it('registers every contributed command, the debugger and the task provider', async () => {
    await activate();
    const contributed = packageJson().contributes.commands.map((c) => c.command);
    assert.deepStrictEqual([...fake.commands.keys()].sort(), [...contributed].sort());
    assert.ok(fake.configurationProviders.has('qirvo'));
    const dynamic = fake.dynamicConfigurationProviders.get('qirvo');
    assert.ok(dynamic, 'manifests are offered in the Run and Debug view');
    assert.strictEqual(dynamic.resolveDebugConfiguration, undefined, 'only one provider resolves');
    assert.ok(fake.adapterFactories.has('qirvo'));
    assert.ok(fake.taskProviders.has('qirvo'));
  });

  it('starts `qirvo lsp` from qirvo.path for manifests, syncing the `qirvo` section', async () => {
    await activate();
    assert.strictEqual(fake.languageClients.length, 1);
    const client = fake.languageClients[0];
    assert.strictEqual(client.id, 'qirvo', 'the id makes the client honour qirvo.trace.server');
    assert.ok(client.running);
    assert.deepStrictEqual(client.serverOptions.run, { command: binary, args: ['lsp'] });
    assert.strictEqual(client.clientOptions.synchronize.configurationSection, 'qirvo');
    assert.strictEqual(client.clientOptions.synchronize.fileEvents, undefined);
    const patterns = client.clientOptions.documentSelector.map((f: { pattern?: string }) => f.pattern);
    assert.ok(patterns.includes('**/manifest.json') && patterns.includes('**/*.qirvo.json'));
  });

  it('does not start the server when qirvo.lsp.enable is off', async () => {
    fake.settings['qirvo.lsp.enable'] = false;
    await activate();
    assert.strictEqual(fake.languageClients.length, 0);
    assert.ok(fake.outputLines.some((l) => l.includes('qirvo.lsp.enable is off')));
  });

  it('qirvo.debug with the lens argument launches that manifest', async () => {
    await activate();
    await fake.commands.get('qirvo.debug')?.(manifest);
    assert.strictEqual(fake.debugSessions.length, 1);
    assert.deepStrictEqual(fake.debugSessions[0].config, {
      type: 'qirvo',
      request: 'launch',
      name: 'Debug manifest.json',
      manifest,
    });
    assert.strictEqual(fake.debugSessions[0].folder?.uri.fsPath, workspace);
  });

  it('qirvo.run with the lens argument runs `qirvo run <manifest>` in its folder', async () => {
    await activate();
    await fake.commands.get('qirvo.run')?.(manifest);
    assert.strictEqual(fake.executedTasks.length, 1);
    const task = fake.executedTasks[0];
    assert.deepStrictEqual(task.execution.process, binary);
    assert.deepStrictEqual(task.execution.args, ['run', manifest]);
    assert.deepStrictEqual(task.execution.options, { cwd: path.dirname(manifest) });
    assert.strictEqual(task.name, `run ${path.join('plugin', 'manifest.json')}`);
  });

  it('without an argument the commands use the active manifest, or say what to do', async () => {
    await activate();
    fake.activeFile = path.join(workspace, 'dev.qirvo.json');
    await fake.commands.get('qirvo.debug')?.();
    assert.strictEqual(fake.debugSessions[0].config.manifest, fake.activeFile);

    fake.activeFile = path.join(workspace, 'src', 'lib.rs');
    await fake.commands.get('qirvo.run')?.();
    await fake.commands.get('qirvo.debug')?.();
    assert.strictEqual(fake.executedTasks.length, 0);
    assert.strictEqual(fake.debugSessions.length, 1);
    assert.strictEqual(fake.errors.length, 2);
    assert.match(fake.errors[0], /open a plugin manifest/);
  });

  it('the adapter factory runs `qirvo dap` in the workspace folder', async () => {
    await activate();
    const factory = fake.adapterFactories.get('qirvo');
    const descriptor = factory.createDebugAdapterDescriptor({ name: 'Debug', workspaceFolder: fake.folders[0] });
    assert.strictEqual(descriptor.command, binary);
    assert.deepStrictEqual(descriptor.args, ['dap']);
    assert.deepStrictEqual(descriptor.options, { cwd: workspace });
  });

  it('a missing binary fails the launch with a message that names qirvo.path', async () => {
    fake.settings['qirvo.path'] = path.join(dir, 'nowhere', 'qirvo');
    await activate();
    assert.strictEqual(fake.languageClients.length, 0, 'no server without a binary');
    const factory = fake.adapterFactories.get('qirvo');
    assert.throws(
      () => factory.createDebugAdapterDescriptor({ name: 'Debug', workspaceFolder: fake.folders[0] }),
      /nowhere\/qirvo.*"qirvo\.path"/s,
    );
    const provider = fake.configurationProviders.get('qirvo');
    const config = { type: 'qirvo', request: 'launch', name: 'x', manifest };
    assert.strictEqual(provider.resolveDebugConfigurationWithSubstitutedVariables(fake.folders[0], config), undefined);
    assert.ok(fake.errors.length >= 2);
    assert.ok(fake.errors.every((e) => e.includes('"qirvo.path"')), fake.errors.join('\n'));
  });

  it('F5 without launch.json debugs the manifest in the active editor', async () => {
    await activate();
    const provider = fake.configurationProviders.get('qirvo');
    fake.activeFile = manifest;
    const config = provider.resolveDebugConfiguration(fake.folders[0], {});
    assert.deepStrictEqual(config, {
      type: 'qirvo',
      request: 'launch',
      name: 'Debug manifest.json',
      manifest,
      cwd: workspace,
    });
    fake.activeFile = undefined;
    assert.strictEqual(provider.resolveDebugConfiguration(fake.folders[0], {}), undefined);
    assert.match(fake.errors[0], /Open a plugin manifest/);
  });

  it('F5 without launch.json from a plugin source file debugs the manifest.json above it', async () => {
    await activate();
    const provider = fake.configurationProviders.get('qirvo');
    fs.mkdirSync(path.join(workspace, 'plugin', 'src'), { recursive: true });
    fs.writeFileSync(manifest, '{}');
    fake.activeFile = path.join(workspace, 'plugin', 'src', 'lib.rs');
    assert.deepStrictEqual(provider.resolveDebugConfiguration(fake.folders[0], {}), {
      type: 'qirvo',
      request: 'launch',
      name: 'Debug manifest.json',
      manifest,
      cwd: workspace,
    });
    // Not above the workspace folder: a source outside any plugin there is an error.
    fake.activeFile = path.join(workspace, 'loose.rs');
    assert.strictEqual(provider.resolveDebugConfiguration(fake.folders[0], {}), undefined);
    assert.match(fake.errors[0], /or a file in a plugin folder/);
  });

  it('offers a launch configuration per manifest in the folder', async () => {
    await activate();
    fake.foundFiles = [manifest, path.join(workspace, 'other', 'x.qirvo.json')];
    for (const provider of [fake.configurationProviders.get('qirvo'), fake.dynamicConfigurationProviders.get('qirvo')]) {
      const configs = await provider.provideDebugConfigurations(fake.folders[0]);
      assert.deepStrictEqual(
        configs.map((c: { manifest: string }) => c.manifest),
        ['${workspaceFolder}/other/x.qirvo.json', '${workspaceFolder}/plugin/manifest.json'],
      );
    }
  });
});
