// Real VS Code, driven like a user: code-server 4.100.3 (VS Code 1.100.3's workbench) in
// Debian's headless chromium through playwright-core, with the qirvo.vsix this repository
// builds installed and `qirvo.path` pointing at QIRVO_BIN. Only what the user sees counts: every
// check reads the workbench's DOM.
//
//   1. A copy of examples/ opens; forbidden-import/manifest.json gets a squiggle and a Q0504
//      row in the Problems panel (from `qirvo lsp`).
//   2. c-variables/c_variables.c: a breakpoint (F9), a logpoint and a conditional breakpoint
//      (the "Debug: Add Logpoint..." / "Debug: Add Conditional Breakpoint..." commands, typed
//      into VS Code's breakpoint widget); F5 from the C source, without launch.json (the
//      extension finds c-variables/manifest.json above it); the stop at the breakpoint, a local
//      and its value in the Variables view, an expression evaluated in the Debug Console; F5:
//      the conditional breakpoint stops once, with its condition true; F5: the logpoint's
//      message in the Debug Console, once, without a stop; the session ends.
//   3. F5 from hello/manifest.json (a JSON editor) with a breakpoint in hello/src/lib.rs: the
//      stop there, then the end of the session.
//
// Usage: node editors/vscode/e2e/workbench.test.mjs   (editors/test.sh runs it)
//   QIRVO_BIN            the qirvo binary (default <repo>/target/debug/qirvo)
//   QIRVO_VSCODE_E2E_DIR where install.sh installed code-server (default <repo>/target/vscode-e2e)
//   QIRVO_VSIX           an already built qirvo.vsix (default: built here with vsce)
// Exit status: 0 passed, 77 skipped (nothing installed), 1 failed. On failure, screenshots and
// code-server's log are kept in a temporary directory whose path is printed.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const extensionRoot = path.resolve(here, '..');
const repo = path.resolve(here, '../../..');
const installDir = process.env.QIRVO_VSCODE_E2E_DIR || path.join(repo, 'target/vscode-e2e');
const qirvo = process.env.QIRVO_BIN || path.join(repo, 'target/debug/qirvo');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const codeServer = path.join(installDir, 'node_modules/.bin/code-server');

const t0 = Date.now();
const log = (...args) => console.log(`[vscode-e2e ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...args);

if (!fs.existsSync(codeServer) || !fs.existsSync(path.join(installDir, 'node_modules/playwright-core')) || !fs.existsSync(chromiumPath)) {
    console.log(`vscode-e2e: skipped: code-server/playwright-core not installed in ${installDir} or no ${chromiumPath} (run editors/vscode/e2e/install.sh)`);
    process.exit(77);
}
if (!fs.existsSync(qirvo)) {
    console.error(`vscode-e2e: no qirvo binary at ${qirvo} (set QIRVO_BIN)`);
    process.exit(1);
}
const { chromium } = createRequire(path.join(installDir, 'package.json'))('playwright-core');

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'qirvo-vscode-e2e-'));
const shots = path.join(scratch, 'screenshots');
fs.mkdirSync(shots);
const workspace = path.join(scratch, 'examples');
const userData = path.join(scratch, 'user-data');
const extensions = path.join(scratch, 'extensions');
const serverLog = path.join(scratch, 'code-server.log');
// code-server (and VS Code's server) keep state under the XDG directories: all in the scratch dir.
const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(scratch, 'home/config'),
    XDG_DATA_HOME: path.join(scratch, 'home/data'),
    XDG_CACHE_HOME: path.join(scratch, 'home/cache'),
    XDG_RUNTIME_DIR: path.join(scratch, 'home/runtime'),
};
fs.mkdirSync(env.XDG_RUNTIME_DIR, { recursive: true, mode: 0o700 });

function run(command, args, options = {}) {
    const result = spawnSync(command, args, { encoding: 'utf8', env, ...options });
    if (result.status !== 0) {
        throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
    }
    return result.stdout;
}

function freePort() {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

// 1) The workspace: a copy of examples/ (without build output), so nothing the test does
//    (VS Code's .vscode state, a log file) touches the repository.
fs.cpSync(path.join(repo, 'examples'), workspace, {
    recursive: true,
    filter: (source) => path.basename(source) !== 'target',
});

// 2) The extension as users get it: the .vsix, installed with code-server's own installer.
let vsix = process.env.QIRVO_VSIX;
if (!vsix) {
    vsix = path.join(scratch, 'qirvo.vsix');
    run(path.join(extensionRoot, 'node_modules/.bin/vsce'), ['package', '--skip-license', '-o', vsix], { cwd: extensionRoot });
}
run(codeServer, ['--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', vsix]);
log(`installed ${path.basename(vsix)} into code-server ${run(codeServer, ['--version']).split('\n')[0]}`);

// 3) Settings. `qirvo.path` is machine-overridable: in a remote window (which code-server's is)
//    it is read from the Machine settings. No launch configuration anywhere: F5 must work alone.
const quiet = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'git.enabled': false,
    'git.openRepositoryInParentFolders': 'never',
    'editor.minimap.enabled': false,
    'debug.openDebug': 'openOnDebugBreak',
    'debug.internalConsoleOptions': 'neverOpen',
    'files.watcherExclude': { '**/target/**': true },
};
fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
fs.mkdirSync(path.join(userData, 'Machine'), { recursive: true });
fs.writeFileSync(path.join(userData, 'User/settings.json'), JSON.stringify(quiet, null, 2));
fs.writeFileSync(path.join(userData, 'Machine/settings.json'), JSON.stringify({ 'qirvo.path': qirvo }, null, 2));

// 4) code-server, in a process group of its own (its extension host runs `qirvo lsp` / `qirvo dap`).
const port = await freePort();
const server = spawn(
    codeServer,
    [
        '--auth', 'none',
        '--bind-addr', `127.0.0.1:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--user-data-dir', userData,
        '--extensions-dir', extensions,
    ],
    { env, detached: true, stdio: ['ignore', fs.openSync(serverLog, 'a'), fs.openSync(serverLog, 'a')] },
);
function stopServer() {
    try {
        process.kill(-server.pid, 'SIGTERM');
    } catch {
        // already gone
    }
}
process.on('exit', stopServer);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
        console.error(`vscode-e2e: ${signal}: stopping code-server; screenshots so far: ${shots}`);
        stopServer();
        process.exit(1);
    });
}

async function waitForServer(timeout) {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
        if (server.exitCode !== null) {
            throw new Error(`code-server exited with ${server.exitCode}`);
        }
        try {
            const response = await fetch(`http://127.0.0.1:${port}/healthz`);
            if (response.ok) {
                return;
            }
        } catch {
            // not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`code-server did not answer on port ${port} within ${timeout} ms`);
}

// ---------------------------------------------------------------------------------------------
// The user's side.

const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
page.setDefaultTimeout(30000);
let step = 'start';
let shot = 0;
async function screenshot(name) {
    const file = path.join(shots, `${String(++shot).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file }).catch(() => {});
    return file;
}

const text = (locator) => locator.evaluateAll((els) => els.map((e) => e.innerText.replace(/\s+/g, ' ').trim()));

/** Waits until `predicate(texts of locator's elements)` holds; returns those texts. */
async function waitForTexts(locator, predicate, what, timeout = 60000) {
    const deadline = Date.now() + timeout;
    let last = [];
    while (Date.now() < deadline) {
        last = await text(locator).catch(() => []);
        if (predicate(last)) {
            return last;
        }
        await page.waitForTimeout(250);
    }
    throw new Error(`${what}: not seen within ${timeout} ms; last seen: ${JSON.stringify(last.slice(0, 20))}`);
}

async function command(name) {
    await page.keyboard.press('Control+Shift+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${name}`);
    // The palette shows "Category: Title", or only the title for some commands; the first row
    // may be a similar command, so click exactly this one.
    const escaped = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const title = name.replace(/^[^:]+: /, '');
    const label = new RegExp(`^(${escaped(name)}|${escaped(title)})$`);
    const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: label }) }).first();
    await row.waitFor();
    await row.click();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

async function openFile(relative) {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(relative);
    const name = path.basename(relative);
    const dir = path.dirname(relative);
    // The row for exactly this file (quick open lists the file name and its folder).
    await page.locator('.quick-input-list .monaco-list-row', { hasText: dir }).filter({ hasText: name }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator(`.tab.active[data-resource-name="${name}"]`).waitFor();
    await page.locator('.editor-group-container.active .monaco-editor.focused').waitFor();
}

async function goToLine(line) {
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
    await page.keyboard.type(String(line));
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await waitForTexts(page.locator('.statusbar-item[id="status.editor.selection"]'), (t) => t.some((s) => s.startsWith(`Ln ${line},`)), `cursor on line ${line}`, 10000);
}

/** Types into VS Code's inline breakpoint widget (opened by the Add Logpoint/Conditional commands). */
async function breakpointWidget(commandName, typed) {
    await command(commandName);
    const widget = page.locator('.breakpoint-widget');
    await widget.waitFor({ state: 'visible' });
    await widget.locator('.inputContainer .monaco-editor.focused').waitFor();
    await page.keyboard.type(typed);
    await page.keyboard.press('Enter');
    await widget.waitFor({ state: 'hidden' });
}

/** The glyph-margin decorations of the active editor, as "line:class" (line from the line numbers). */
async function glyphs() {
    return page.evaluate(() => {
        const editor = document.querySelector('.editor-group-container.active .monaco-editor');
        if (!editor) return [];
        const lineAt = (top) => {
            for (const n of editor.querySelectorAll('.margin-view-overlays .line-numbers')) {
                if (n.parentElement.style.top === top) return n.textContent.trim();
            }
            return '?';
        };
        return [...editor.querySelectorAll('.glyph-margin-widgets .cgmr')].map(
            (g) => `${lineAt(g.style.top)}:${[...g.classList].filter((c) => c.startsWith('codicon-')).join(' ')}`,
        );
    });
}

async function waitForGlyph(line, codicon, what, timeout = 30000) {
    const deadline = Date.now() + timeout;
    let last = [];
    while (Date.now() < deadline) {
        last = await glyphs();
        if (last.some((g) => g.startsWith(`${line}:`) && g.split(/[: ]/).includes(codicon))) {
            return last;
        }
        await page.waitForTimeout(250);
    }
    throw new Error(`${what}: no ${codicon} on line ${line} within ${timeout} ms; glyphs: ${JSON.stringify(last)}`);
}

/** The line of `needle` in a workspace file (1-based). */
function lineOf(relative, needle) {
    const lines = fs.readFileSync(path.join(workspace, relative), 'utf8').split('\n');
    const index = lines.findIndex((l) => l.includes(needle));
    if (index < 0) throw new Error(`${relative} has no ${JSON.stringify(needle)}`);
    return index + 1;
}

/** Whether the Variables view's rows show `name` with `value` ("name = value" or "name: value"). */
const hasVariable = (rows, name, value) => rows.some((s) => s === `${name} = ${value}` || s === `${name}: ${value}`);

const callStack = page.locator('.debug-call-stack .monaco-list-row');
const variables = page.locator('.debug-variables .monaco-list-row');
const repl = page.locator('.repl .monaco-list-row');
const toolbar = page.locator('.debug-toolbar');

/** The stop: the top frame in the Call Stack view and the current-line glyph. */
async function waitForStop(frameName, file, line, what) {
    const rows = await waitForTexts(
        callStack,
        (t) => t.some((s) => s.includes(frameName) && s.includes(file) && s.includes(`${line}:`)),
        `${what}: the call stack shows ${frameName} ${file}:${line}`,
        90000,
    );
    await waitForGlyph(line, 'codicon-debug-stackframe', what);
    return rows;
}

/** F5 with no session: the debug toolbar appears, or the notification saying why not fails the test. */
async function startDebugging() {
    await page.keyboard.press('F5');
    const toast = page.locator('.notifications-toasts .notification-list-item-message');
    await Promise.race([toolbar.waitFor({ state: 'visible', timeout: 60000 }), toast.first().waitFor({ timeout: 60000 })]);
    // Some other notification first (none is expected offline): give the session a moment more.
    if (!(await toolbar.isVisible()) && !(await toolbar.waitFor({ state: 'visible', timeout: 10000 }).then(() => true, () => false))) {
        throw new Error(`F5 started no session; VS Code says: ${JSON.stringify(await text(toast))}`);
    }
}

async function continueRun() {
    await page.keyboard.press('F5');
}

/** Evaluates in the Debug Console's input; returns the console's rows once `expected` shows. */
async function evaluate(expression, expected) {
    await page.locator('.repl-input-wrapper .monaco-editor').click();
    await page.locator('.repl-input-wrapper .monaco-editor.focused').waitFor();
    await page.keyboard.type(expression);
    await page.keyboard.press('Enter');
    return waitForTexts(repl, (t) => t.some((s) => s === expected || s.endsWith(` ${expected}`) || s === `${expected}`), `${expression} evaluates to ${expected}`, 30000);
}

let failed = false;
// One deadline for the whole run (editors/test.sh budgets about five minutes for this test).
const budget = Number(process.env.QIRVO_VSCODE_E2E_TIMEOUT || 240) * 1000;
let timer;
const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the test took longer than ${budget / 1000} s`)), budget - (Date.now() - t0));
});
try {
    await Promise.race([deadline, scenario()]);
} catch (error) {
    failed = true;
    const file = await screenshot('failure');
    const toasts = await text(page.locator('.notifications-toasts .notification-list-item-message')).catch(() => []);
    console.error(`vscode-e2e: FAILED at "${step}": ${error.message}`);
    if (toasts.length) console.error(`  notifications: ${JSON.stringify(toasts)}`);
    console.error(`  screenshots: ${shots} (last: ${path.basename(file)}); code-server log: ${serverLog}`);
} finally {
    clearTimeout(timer);
    await browser.close().catch(() => {});
    stopServer();
}
if (!failed) {
    fs.rmSync(scratch, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

async function scenario() {
    step = 'code-server starts';
    await waitForServer(60000);
    step = 'the workbench opens the examples folder';
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 90000 });
    await waitForTexts(page.locator('.explorer-folders-view .monaco-list-row'), (t) => t.includes('hello') && t.includes('c-variables'), 'explorer lists examples/', 90000);
    log('workbench up, explorer lists the examples');

    // -- 1. Diagnostics from `qirvo lsp`.
    step = 'manifest diagnostics';
    await openFile('forbidden-import/manifest.json');
    await page.locator('.editor-group-container.active .monaco-editor .squiggly-error').first().waitFor({ timeout: 90000 });
    await page.keyboard.press('Control+Shift+M');
    const problems = await waitForTexts(
        page.locator('.markers-panel .monaco-list-row'),
        (t) => t.some((s) => /Q0504/.test(s) && s.includes('storage-read')),
        'a Q0504 problem (storage-read) in the Problems panel',
    );
    log('problems:', JSON.stringify(problems));
    await screenshot('diagnostics');
    await page.keyboard.press('Control+Shift+M'); // closes the panel again
    await command('View: Close All Editors');

    // -- 2. c-variables: breakpoint, logpoint, conditional breakpoint, F5 from the source.
    const source = 'c-variables/c_variables.c';
    const breakLine = lineOf(source, '/* BREAK */');
    const loopLine = lineOf(source, '/* LOOP */');
    const logLine = lineOf(source, 'counted += sum;');
    step = 'breakpoints in c_variables.c';
    await openFile(source);
    await goToLine(breakLine);
    await page.keyboard.press('F9');
    await waitForGlyph(breakLine, 'codicon-debug-breakpoint', 'F9');
    await goToLine(loopLine);
    await breakpointWidget('Debug: Add Conditional Breakpoint...', 'i == 5');
    await waitForGlyph(loopLine, 'codicon-debug-breakpoint-conditional', 'conditional breakpoint');
    await goToLine(logLine);
    await breakpointWidget('Debug: Add Logpoint...', 'sum={sum}');
    await waitForGlyph(logLine, 'codicon-debug-breakpoint-log', 'logpoint');
    log(`breakpoints: ${JSON.stringify(await glyphs())}`);
    await screenshot('breakpoints');

    step = 'F5 from c_variables.c stops at the breakpoint';
    await startDebugging();
    const frames = await waitForStop('inspect', 'c_variables.c', breakLine, 'first stop');
    log('stopped:', JSON.stringify(frames.slice(0, 3)));

    step = 'the Variables view shows the locals';
    // A row reads "small = -7" (innerText of the name, the separator and the value).
    const locals = await waitForTexts(variables, (t) => t.includes('Locals') && hasVariable(t, 'small', '-7') && hasVariable(t, 'pi', '3.25'), 'small = -7 and pi = 3.25 under Locals in Variables');
    log('variables:', JSON.stringify(locals.slice(0, 8)));
    await screenshot('stopped-variables');

    step = 'the Debug Console evaluates';
    await command('View: Toggle Debug Console');
    await page.locator('.repl-input-wrapper').waitFor({ state: 'visible' });
    await evaluate('small + count', '35');
    log('debug console: small + count = 35');
    await screenshot('debug-console');

    step = 'the conditional breakpoint stops when i == 5';
    await continueRun();
    await waitForStop('loop', 'c_variables.c', loopLine, 'conditional stop');
    await waitForTexts(variables, (t) => hasVariable(t, 'i', '5') && hasVariable(t, 'sum', '10'), 'i = 5 and sum = 10 in Variables');
    await evaluate('i * 100', '500');
    log('conditional breakpoint stopped with i = 5, sum = 10');
    await screenshot('conditional-stop');

    step = 'the logpoint logs without stopping, and the session ends';
    await continueRun();
    await toolbar.waitFor({ state: 'hidden', timeout: 60000 });
    const consoleRows = await waitForTexts(repl, (t) => t.some((s) => s.includes('sum=55')), 'the logpoint message sum=55 in the Debug Console');
    const logged = consoleRows.filter((s) => /(^|\s)sum=\d+/.test(s));
    if (logged.length !== 1) {
        throw new Error(`the logpoint logged ${logged.length} times: ${JSON.stringify(logged)}`);
    }
    const stacks = await text(callStack).catch(() => []);
    if (stacks.some((s) => s.includes(`${logLine}:`))) {
        throw new Error(`stopped at the logpoint: ${JSON.stringify(stacks)}`);
    }
    log('logpoint: sum=55 logged once, no stop; session ended');
    await screenshot('ended');
    await command('Debug: Remove All Breakpoints');
    await command('View: Close All Editors');

    // -- 3. F5 from a manifest (a JSON editor) with a breakpoint in the plugin's Rust source.
    step = 'F5 from hello/manifest.json';
    const helloSource = 'hello/src/lib.rs';
    const startLine = lineOf(helloSource, 'info!("start")');
    await openFile(helloSource);
    await goToLine(startLine);
    await page.keyboard.press('F9');
    await waitForGlyph(startLine, 'codicon-debug-breakpoint', 'F9 in lib.rs');
    await openFile('hello/manifest.json');
    await startDebugging();
    const helloFrames = await waitForStop('start', 'lib.rs', startLine, 'stop in hello');
    log('stopped:', JSON.stringify(helloFrames.slice(0, 2)));
    await screenshot('hello-stopped');
    await continueRun();
    await toolbar.waitFor({ state: 'hidden', timeout: 60000 });
    log('hello session ended');

    step = 'no error notifications';
    const toasts = await text(page.locator('.notifications-toasts .notification-list-item-message'));
    const errors = toasts.filter((t) => /qirvo|debug/i.test(t));
    if (errors.length) {
        throw new Error(`notifications: ${JSON.stringify(errors)}`);
    }
    console.log(`vscode-e2e: passed in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}
