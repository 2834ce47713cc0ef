// `qirvo dap` driven the way VS Code drives it (through @vscode/debugadapter-testsupport's
// DebugClient, which spawns `<QIRVO_BIN> dap`), on the example plugin examples/hello.

import * as assert from 'assert';
import { ChildProcess } from 'child_process';
import * as path from 'path';

import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';

import { REPO_ROOT, requireQirvo } from './support/paths';

const MANIFEST = path.join(REPO_ROOT, 'examples', 'hello', 'manifest.json');
const SOURCE = path.join(REPO_ROOT, 'examples', 'hello', 'src', 'lib.rs');
/** `info!("start");` — the first line of `Hello::start` with code. */
const START_LINE = 18;
/** `println!("{}, world!", ...)`, where `next` from START_LINE lands. */
const NEXT_LINE = 19;
/** How long one adapter step may take (a debug build of qirvo is slow to compile modules). */
const PATIENCE = 30_000;

describe('qirvo dap (DebugClient on examples/hello)', function () {
  this.timeout(4 * PATIENCE);
  let dc: DebugClient | undefined;
  let output: string;
  /** Resolves with the adapter's exit status when its process ends. */
  let adapterExit: Promise<number | null>;
  let adapterExited: boolean;

  let qirvo: string;

  before(function () {
    qirvo = requireQirvo(this);
  });

  beforeEach(async () => {
    // DebugClient spawns `runtime executable`: here `qirvo dap`.
    const client = new DebugClient(qirvo, 'dap', 'qirvo', { cwd: REPO_ROOT });
    client.defaultTimeout = PATIENCE;
    output = '';
    client.on('output', (event: DebugProtocol.OutputEvent) => {
      output += event.body.output;
    });
    await client.start();
    // DebugClient keeps its child process private; the tests need to see it end.
    const adapter = (client as unknown as { _adapterProcess: ChildProcess | null })._adapterProcess;
    assert.ok(adapter, 'DebugClient spawned the adapter');
    adapterExited = false;
    adapterExit = new Promise((resolve) =>
      adapter.once('exit', (code) => {
        adapterExited = true;
        resolve(code);
      }),
    );
    dc = client;
  });

  afterEach(async () => {
    // DebugClient.stop() sends `disconnect` and waits for an answer that an adapter which has
    // already exited never sends; it then kills the process, which is all that is left to do.
    if (dc !== undefined && !adapterExited) {
      await Promise.race([dc.stop(), delay(5_000)]);
    }
    const adapter = (dc as unknown as { _adapterProcess: ChildProcess | null } | undefined)?._adapterProcess;
    adapter?.kill();
    dc = undefined;
  });

  function client(): DebugClient {
    assert.ok(dc);
    return dc;
  }

  /** launch with a breakpoint on START_LINE; resolves with the `stopped` event. */
  async function stopInStart(): Promise<DebugProtocol.StoppedEvent> {
    const dc = client();
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    const configured = dc.waitForEvent('initialized').then(async () => {
      const set = await dc.setBreakpointsRequest({ source: { path: SOURCE }, breakpoints: [{ line: START_LINE }] });
      assert.strictEqual(set.body.breakpoints.length, 1);
      assert.strictEqual(set.body.breakpoints[0].verified, true, JSON.stringify(set.body.breakpoints[0]));
      assert.strictEqual(set.body.breakpoints[0].line, START_LINE);
      await dc.configurationDoneRequest();
    });
    await Promise.all([dc.launch({ manifest: MANIFEST }), configured]);
    const event = await stopped;
    assert.strictEqual(event.body.reason, 'breakpoint');
    assert.ok(typeof event.body.threadId === 'number');
    return event;
  }

  async function topFrame(threadId: number): Promise<DebugProtocol.StackFrame> {
    const trace = await client().stackTraceRequest({ threadId });
    assert.ok(trace.body.stackFrames.length > 1, 'start is called from the SDK');
    return trace.body.stackFrames[0];
  }

  /** The adapter's exit status, or a failure if it is still running after PATIENCE. */
  async function adapterEnds(): Promise<number | null> {
    const result = await Promise.race([adapterExit, delay(PATIENCE).then(() => 'still running' as const)]);
    assert.notStrictEqual(result, 'still running', 'qirvo dap did not exit');
    return result as number | null;
  }

  it('stops at a breakpoint in start, shows the stack and locals, steps, continues and ends', async () => {
    const dc = client();
    const threadId = (await stopInStart()).body.threadId as number;

    const top = await topFrame(threadId);
    assert.strictEqual(top.name, '<hello::Hello as qirvo_pdk::Plugin>::start');
    assert.strictEqual(top.line, START_LINE);
    assert.strictEqual(top.source?.path, SOURCE);
    // The breakpoint stops before the line runs: `info!("start")` has not logged yet.
    assert.ok(output.includes('initialize: greeting is "Hello"'), output);
    assert.ok(!output.includes('info: start'), output);

    const scopes = await dc.scopesRequest({ frameId: top.id });
    assert.deepStrictEqual(
      scopes.body.scopes.map((s) => s.name),
      ['Locals', 'Arguments', 'Globals', 'Wasm', 'Plugin'],
    );
    const variablesOf = async (name: string) => {
      const scope = scopes.body.scopes.find((s) => s.name === name)!;
      return (await dc.variablesRequest({ variablesReference: scope.variablesReference })).body.variables;
    };
    // `start(&mut self)`: the argument is there, by name and type (its value may be optimised
    // out at this line: the example is built at opt-level 1).
    const args = await variablesOf('Arguments');
    assert.deepStrictEqual(
      args.map((v) => `${v.name}: ${v.type}`),
      ['self: &mut hello::Hello'],
    );
    const wasm = await variablesOf('Wasm');
    assert.ok(wasm.length > 0, 'the frame has wasm state');
    for (const variable of wasm.filter((v) => v.name.startsWith('$'))) {
      assert.match(variable.name, /^\$(local|stack|global)\d+$/);
      assert.match(variable.value, /^-?\d/, `${variable.name} = ${variable.value}`);
    }
    const plugin = await variablesOf('Plugin');
    assert.strictEqual(plugin.find((v) => v.name === 'id')?.value, '"dev.qirvo.examples.hello"');

    const stepped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.nextRequest({ threadId });
    assert.strictEqual((await stepped).body.reason, 'step');
    const next = await topFrame(threadId);
    assert.strictEqual(next.name, top.name, 'next stays in start');
    assert.strictEqual(next.line, NEXT_LINE);
    assert.ok(output.includes('info: start'), 'the stepped-over line ran');
    assert.ok(!output.includes('Hello, world!'), 'the next line has not');

    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    const terminated = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId });
    assert.strictEqual((await exited).body.exitCode, 0);
    await terminated;
    assert.ok(output.includes('Hello, world!'), output);
    assert.ok(output.includes('info: stop'), 'the plugin ran its whole lifecycle');

    const response = await dc.disconnectRequest({});
    assert.strictEqual(response.success, true);
    assert.strictEqual(await adapterEnds(), 0, 'a plugin that succeeded: status 0');
  });

  it('terminate at a breakpoint ends the plugin before its stop phase', async () => {
    const dc = client();
    await stopInStart();
    const terminated = dc.waitForEvent('terminated');
    const response = await dc.terminateRequest();
    assert.strictEqual(response.success, true);
    await terminated;
    // The plugin ends where it stopped: line 18 never runs, nor does the `stop` phase.
    assert.ok(!output.includes('info: start'), `the plugin ran on after terminate:\n${output}`);
    assert.ok(!output.includes('info: stop'), `the plugin ran on after terminate:\n${output}`);
    assert.strictEqual((await dc.disconnectRequest({})).success, true);
    assert.strictEqual(await adapterEnds(), 0, 'ending a plugin on request is not a failure');
  });

  it('disconnect at a breakpoint ends the plugin and the adapter', async () => {
    const dc = client();
    await stopInStart();
    const response = await dc.disconnectRequest({ terminateDebuggee: true });
    assert.strictEqual(response.success, true);
    assert.strictEqual(await adapterEnds(), 0, 'ending a plugin on request is not a failure');
    assert.ok(!output.includes('info: start'), `the plugin ran on after disconnect:\n${output}`);
    assert.ok(!output.includes('info: stop'), `the plugin ran on after disconnect:\n${output}`);
  });
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
