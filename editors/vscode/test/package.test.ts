// package.json must say what the qirvo binary does: these tests read the adapter's and the
// server's Rust sources (the extension lives in the same repository) so that a new launch
// attribute, setting or diagnostic code cannot ship undocumented.

import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { LAUNCH_ATTRIBUTES } from '../src/launch';
import { JsonSchema, PACKAGE_ROOT, packageJson, readRepoFile, requireQirvo } from './support/paths';

const pkg = packageJson();
const debuggerContribution = pkg.contributes.debuggers.find((d) => d.type === 'qirvo');
const settings = pkg.contributes.configuration.properties;

/** The body of `pub struct <name> { ... }` in Rust source. */
function rustStruct(source: string, name: string): string {
  const start = source.indexOf(`pub struct ${name} {`);
  assert.ok(start >= 0, `struct ${name} not found`);
  const end = source.indexOf('\n}', start);
  return source.slice(start, end);
}

function camelCase(snake: string): string {
  return snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

describe('package.json: the qirvo debugger', () => {
  const launch = debuggerContribution?.configurationAttributes.launch.properties ?? {};

  it('documents every launch attribute `qirvo dap` reads, and no other', () => {
    const types = readRepoFile('dap-adapter/src/protocol/types.rs');
    const body = rustStruct(types, 'LaunchArguments');
    const preamble = types.slice(0, types.indexOf('pub struct LaunchArguments {'));
    assert.match(preamble.slice(-200), /rename_all = "camelCase"/, 'LaunchArguments is read in camelCase');
    const fields = [...body.matchAll(/^\s*pub (\w+):/gm)].map((m) => camelCase(m[1]));
    assert.ok(fields.length >= 10, `parsed ${fields.join(', ')}`);
    assert.deepStrictEqual(Object.keys(launch).sort(), [...fields].sort());
    assert.deepStrictEqual(Object.keys(LAUNCH_ATTRIBUTES).sort(), [...fields].sort());
    for (const [name, schema] of Object.entries(launch)) {
      assert.ok((schema.description ?? schema.markdownDescription ?? '').length > 20, `${name} has a description`);
    }
  });

  it('gives each attribute the JSON type the adapter expects', () => {
    const expected: Record<string, (s: JsonSchema) => boolean> = {
      string: (s) => s.type === 'string',
      boolean: (s) => s.type === 'boolean',
      'string[]': (s) => s.type === 'array' && s.items?.type === 'string',
      object: (s) =>
        s.type === 'object' &&
        typeof s.additionalProperties === 'object' &&
        s.additionalProperties.type === 'string',
      array: (s) => s.type === 'array' && s.items?.anyOf !== undefined,
    };
    for (const [name, kind] of Object.entries(LAUNCH_ATTRIBUTES)) {
      assert.ok(expected[kind](launch[name]), `${name}: ${kind} vs ${JSON.stringify(launch[name])}`);
    }
  });

  it('documents both event forms: "topic=payload" strings and { topic, payload } objects', () => {
    const forms = launch.events.items?.anyOf ?? [];
    assert.ok(forms.some((f) => f.type === 'string'));
    const object = forms.find((f) => f.type === 'object');
    assert.deepStrictEqual(object?.required, ['topic']);
    assert.deepStrictEqual(Object.keys(object?.properties ?? {}).sort(), ['payload', 'topic']);
    // The adapter's enum: a string, or an object with `topic` and an optional `payload`.
    const types = readRepoFile('dap-adapter/src/protocol/types.rs');
    const launchEvent = types.slice(types.indexOf('pub enum LaunchEvent {'), types.indexOf('impl LaunchEvent'));
    assert.match(launchEvent, /Text\(String\)/);
    assert.match(launchEvent, /topic: String/);
    assert.match(launchEvent, /#\[serde\(default\)\]\s*(\/\/\/.*\s*)*payload: Value/);
  });

  it('has initial configurations and snippets that use only known attributes', () => {
    assert.ok(debuggerContribution, 'a `qirvo` debugger is contributed');
    const bodies = [
      ...debuggerContribution.initialConfigurations,
      ...debuggerContribution.configurationSnippets.map((s) => s.body),
    ];
    assert.ok(bodies.length >= 3);
    for (const body of bodies) {
      assert.strictEqual(body.type, 'qirvo');
      assert.strictEqual(body.request, 'launch');
      for (const key of Object.keys(body)) {
        assert.ok(['type', 'request', 'name'].includes(key) || key in launch, `unknown attribute ${key}`);
      }
      assert.ok('manifest' in body || 'program' in body);
    }
  });
});

describe('package.json: commands, languages and the schema', () => {
  it('offers the qirvo debugger for F5 from a manifest (JSON) and from plugin sources', () => {
    // Without launch.json, F5 picks a debugger by the active editor's language: manifest.json
    // is `json` (VS Code said "You don't have an extension for debugging JSON" without it).
    const languages = debuggerContribution?.languages ?? [];
    for (const language of ['json', 'jsonc', 'qirvo-manifest', 'rust', 'c', 'cpp']) {
      assert.ok(languages.includes(language), language);
    }
  });

  it('contributes the commands the language server code lenses send', () => {
    const lens = readRepoFile('lsp-server/src/lens.rs');
    const sent = [...lens.matchAll(/pub const \w+: &str = "([\w.]+)";/g)].map((m) => m[1]);
    assert.deepStrictEqual(sent.sort(), ['qirvo.debug', 'qirvo.run']);
    const contributed = pkg.contributes.commands.map((c) => c.command);
    for (const command of sent) {
      assert.ok(contributed.includes(command), command);
    }
  });

  it('associates *.qirvo.json with the manifest language, which the JSON language server also serves', () => {
    const language = pkg.contributes.languages.find((l) => l.id === 'qirvo-manifest');
    assert.ok(language?.filenamePatterns?.includes('**/*.qirvo.json'));
    assert.ok(pkg.contributes.jsonLanguageParticipants.some((p) => p.languageId === 'qirvo-manifest'));
    assert.ok(pkg.activationEvents.includes('onLanguage:qirvo-manifest'));
    assert.ok(pkg.activationEvents.includes('onLanguage:json'), 'manifest.json stays JSON and must activate us');
  });

  it('validates manifest.json and *.qirvo.json with the bundled schema', () => {
    const validation = pkg.contributes.jsonValidation.find((v) => v.url === './schemas/manifest.schema.json');
    assert.ok(validation);
    assert.deepStrictEqual([...validation.fileMatch].sort(), ['*.qirvo.json', 'manifest.json']);
    const schema = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, validation.url), 'utf8')) as Record<string, unknown>;
    assert.match(String(schema.$schema), /2020-12/);
  });

  it('ships a schema byte-identical to `qirvo schema`', function () {
    const qirvo = requireQirvo(this);
    const printed = execFileSync(qirvo, ['schema'], { maxBuffer: 16 << 20 });
    const shipped = fs.readFileSync(path.join(PACKAGE_ROOT, 'schemas', 'manifest.schema.json'));
    assert.ok(
      printed.equals(shipped),
      'schemas/manifest.schema.json is stale: regenerate it with `qirvo schema > editors/vscode/schemas/manifest.schema.json`',
    );
  });
});

describe('package.json: settings the language server reads', () => {
  const source = readRepoFile('lsp-server/src/settings.rs');

  it('documents exactly the `qirvo.maximums` fields the server reads', () => {
    const reader = source.slice(source.indexOf('fn read_maximums'), source.indexOf('fn size('));
    const keys = [...reader.matchAll(/^\s*"(\w+)" =>/gm)].map((m) => m[1]);
    assert.deepStrictEqual(keys.sort(), ['maxConnections', 'memory', 'storage', 'timeoutSeconds']);
    const maximums = settings['qirvo.maximums'];
    assert.strictEqual(maximums.type, 'object');
    assert.deepStrictEqual(Object.keys(maximums.properties ?? {}).sort(), keys);
    assert.strictEqual(maximums.additionalProperties, false);
    assert.deepStrictEqual(maximums.default, {}, 'unset means the server keeps its own maximums');
  });

  it('offers sizes the runtime parses, and rejects what it does not', () => {
    const pattern = new RegExp(settings['qirvo.maximums'].properties?.memory.pattern ?? '$^');
    for (const good of ['4GiB', '512MB', '1 gb', '10k', '1.5 TiB', '64M', '100B']) {
      assert.ok(pattern.test(good), good);
    }
    for (const bad of ['lots', '4', '2T', '-1GB', '4 GB/s', '']) {
      assert.ok(!pattern.test(bad), bad);
    }
  });

  it('lists the severities the server accepts, for every diagnostic code in docs/manifest.md', () => {
    const severity = settings['qirvo.diagnostics.severity'];
    const levels = ['error', 'warning', 'information', 'hint', 'off'];
    for (const level of levels) {
      assert.match(source, new RegExp(`Some\\("${level}"`), `the server reads "${level}"`);
    }
    const documented = [...readRepoFile('docs/manifest.md').matchAll(/^\| (Q\d{4}) \|/gm)].map((m) => m[1]);
    assert.ok(documented.length > 30, `found ${documented.length} codes`);
    assert.deepStrictEqual(Object.keys(severity.properties ?? {}), documented);
    for (const [code, schema] of Object.entries(severity.properties ?? {})) {
      assert.deepStrictEqual(schema.enum, levels, code);
    }
    assert.strictEqual(severity.additionalProperties, false);
  });

  it('has the binary, server and trace settings', () => {
    assert.strictEqual(settings['qirvo.path'].type, 'string');
    assert.strictEqual(settings['qirvo.lsp.enable'].type, 'boolean');
    assert.deepStrictEqual(settings['qirvo.trace.server'].enum, ['off', 'messages', 'verbose']);
  });
});

describe('package.json: packaging', () => {
  /** The lowest version a `^x.y.z` / `~x.y.z` range allows. */
  function lowest(range: string): number[] {
    const match = /^[~^]?(\d+)\.(\d+)\.(\d+)/.exec(range);
    assert.ok(match, range);
    return match.slice(1, 4).map(Number);
  }
  const compare = (a: number[], b: number[]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

  it('uses API types no newer than the oldest VS Code it claims to support', () => {
    const installed = JSON.parse(
      fs.readFileSync(path.join(PACKAGE_ROOT, 'node_modules', '@types', 'vscode', 'package.json'), 'utf8'),
    ) as { version: string };
    const engine = lowest(pkg.engines.vscode);
    const types = lowest(installed.version);
    assert.ok(compare([types[0], types[1], 0], [engine[0], engine[1], 0]) <= 0, `@types/vscode ${installed.version}`);
  });

  it('depends on a vscode-languageclient that runs on that VS Code', () => {
    const client = JSON.parse(
      fs.readFileSync(path.join(PACKAGE_ROOT, 'node_modules', 'vscode-languageclient', 'package.json'), 'utf8'),
    ) as { version: string; engines: { vscode: string } };
    assert.ok(compare(lowest(client.engines.vscode), lowest(pkg.engines.vscode)) <= 0, client.engines.vscode);
  });

  it('points `main` at the compiled extension', () => {
    assert.ok(fs.existsSync(path.join(PACKAGE_ROOT, pkg.main)), `${pkg.main} (run npm run compile)`);
  });
});
