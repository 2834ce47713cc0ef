import * as assert from 'assert';

import { DEBUG_TYPE, debugConfigurationFor, initialConfigurations, resolveLaunchConfiguration } from '../src/launch';
import { adapterInvocation, manifestInvocation, serverInvocation } from '../src/invocation';

const MANIFEST = '/work/plugin/manifest.json';

function resolved(config: Record<string, unknown>, context = {}): Record<string, unknown> {
  const result = resolveLaunchConfiguration(config, context);
  if ('error' in result) {
    assert.fail(`unexpected error: ${result.error}`);
  }
  return result.config;
}

function problem(config: Record<string, unknown>, context = {}): string {
  const result = resolveLaunchConfiguration(config, context);
  if (!('error' in result)) {
    assert.fail(`expected an error, got ${JSON.stringify(result.config)}`);
  }
  return result.error;
}

describe('resolveLaunchConfiguration', () => {
  it('debugs the active manifest when there is no launch.json (VS Code passes {})', () => {
    assert.deepStrictEqual(resolved({}, { activeFile: MANIFEST, workspaceFolder: '/work' }), {
      type: DEBUG_TYPE,
      request: 'launch',
      name: 'Debug manifest.json',
      manifest: MANIFEST,
      cwd: '/work',
    });
    // Outside a workspace the manifest's folder is the working directory.
    assert.strictEqual(resolved({}, { activeFile: '/p/x.qirvo.json' }).cwd, '/p');
  });

  it('debugs the plugin a source file belongs to: the nearest manifest.json above it', () => {
    const files = new Set(['/work/plugin/manifest.json', '/work/manifest.json']);
    const exists = (file: string) => files.has(file);
    const fromSource = resolved({}, { activeFile: '/work/plugin/src/deep/lib.rs', workspaceFolder: '/work', exists });
    assert.strictEqual(fromSource.manifest, MANIFEST);
    assert.strictEqual(fromSource.cwd, '/work');
    // A configuration without a target gets it too.
    const named = resolved({ type: 'qirvo', request: 'launch', name: 'n' }, { activeFile: '/work/plugin/a.c', exists });
    assert.strictEqual(named.manifest, MANIFEST);
    // The search goes up to the workspace folder, not above it.
    assert.strictEqual(
      resolved({}, { activeFile: '/work/other/src/lib.rs', workspaceFolder: '/work', exists }).manifest,
      '/work/manifest.json',
    );
    assert.match(
      problem({}, { activeFile: '/work/other/src/lib.rs', workspaceFolder: '/work/other', exists }),
      /Open a plugin manifest/,
    );
  });

  it('refuses to guess when there is no launch.json and no manifest above the active file', () => {
    const exists = () => false;
    assert.match(problem({}, { activeFile: '/work/src/lib.rs', workspaceFolder: '/work', exists }), /Open a plugin manifest/);
    assert.match(problem({}, { activeFile: '/work/src/lib.rs', exists }), /or a file in a plugin folder/);
    assert.match(problem({}), /"manifest", "manifests" or "program"/);
  });

  it('gives a configuration without a target the active manifest, and keeps everything else', () => {
    const config = resolved(
      { type: 'qirvo', request: 'launch', name: 'mine', stopOnEntry: true, events: ['tick'] },
      { activeFile: MANIFEST, workspaceFolder: '/work' },
    );
    assert.strictEqual(config.manifest, MANIFEST);
    assert.strictEqual(config.name, 'mine');
    assert.strictEqual(config.stopOnEntry, true);
    assert.deepStrictEqual(config.events, ['tick']);
    assert.strictEqual(config.cwd, '/work');
  });

  it('keeps an explicit target and cwd', () => {
    const config = resolved(
      { type: 'qirvo', request: 'launch', name: 'two', manifests: ['a/manifest.json', 'b/manifest.json'], cwd: '/elsewhere' },
      { activeFile: MANIFEST, workspaceFolder: '/work' },
    );
    assert.strictEqual(config.manifest, undefined);
    assert.deepStrictEqual(config.manifests, ['a/manifest.json', 'b/manifest.json']);
    assert.strictEqual(config.cwd, '/elsewhere');
    assert.strictEqual(resolved({ type: 'qirvo', request: 'launch', name: 'p', program: 'cmd.wasm' }).program, 'cmd.wasm');
  });

  it('rejects plugins and a program together, attach, and attributes of the wrong type', () => {
    assert.match(
      problem({ type: 'qirvo', request: 'launch', name: 'x', manifest: MANIFEST, program: 'a.wasm' }),
      /either plugins .* or a WASI command/,
    );
    assert.match(problem({ type: 'qirvo', request: 'attach', name: 'x', manifest: MANIFEST }), /only launch/);
    const wrong: Array<[string, unknown, RegExp]> = [
      ['manifest', 3, /"manifest" must be a string/],
      ['manifests', 'a.json', /"manifests" must be an array of strings/],
      ['args', [1], /"args" must be an array of strings/],
      ['env', { A: 1 }, /"env" must be an object of string values/],
      ['sourceMap', ['/a'], /"sourceMap" must be an object of string values/],
      ['stopOnEntry', 'yes', /"stopOnEntry" must be true or false/],
      ['events', ['=payload'], /"events" must be an array of "topic=payload" strings/],
      ['events', [{ payload: 1 }], /"events" must be/],
    ];
    for (const [name, value, expected] of wrong) {
      assert.match(problem({ type: 'qirvo', request: 'launch', name: 'x', manifest: MANIFEST, [name]: value }), expected);
    }
  });

  it('accepts both event forms the adapter reads', () => {
    const events = ['greeting={"name":"Ann"}', 'tick', { topic: 'greeting', payload: { name: 'Bo' } }, { topic: 't' }];
    assert.deepStrictEqual(resolved({ type: 'qirvo', request: 'launch', name: 'x', manifest: MANIFEST, events }).events, events);
  });
});

describe('debug configurations', () => {
  it('qirvo.debug launches exactly the manifest it was given', () => {
    assert.deepStrictEqual(debugConfigurationFor('/p/dev.qirvo.json'), {
      type: 'qirvo',
      request: 'launch',
      name: 'Debug dev.qirvo.json',
      manifest: '/p/dev.qirvo.json',
    });
  });

  it('offers one launch.json entry per manifest found, sorted, with portable paths', () => {
    assert.deepStrictEqual(
      initialConfigurations(['plugins\\b\\manifest.json', 'a/manifest.json', 'a/manifest.json']).map((c) => c.manifest),
      ['${workspaceFolder}/a/manifest.json', '${workspaceFolder}/plugins/b/manifest.json'],
    );
    assert.deepStrictEqual(initialConfigurations([]), [
      { type: 'qirvo', request: 'launch', name: 'Debug manifest.json', manifest: '${workspaceFolder}/manifest.json' },
    ]);
  });
});

describe('invocations', () => {
  it('runs `qirvo run|check <manifest>` in the manifest folder, `qirvo dap` and `qirvo lsp` on stdio', () => {
    assert.deepStrictEqual(manifestInvocation('/bin/qirvo', 'run', '/p/manifest.json'), {
      command: '/bin/qirvo',
      args: ['run', '/p/manifest.json'],
      cwd: '/p',
    });
    assert.deepStrictEqual(adapterInvocation('/bin/qirvo', '/work'), { command: '/bin/qirvo', args: ['dap'], cwd: '/work' });
    assert.deepStrictEqual(adapterInvocation('/bin/qirvo'), { command: '/bin/qirvo', args: ['dap'] });
    assert.deepStrictEqual(serverInvocation('/bin/qirvo'), { command: '/bin/qirvo', args: ['lsp'] });
  });
});
