// Where things are, for tests that run from out/test: the extension folder, the repository
// around it, and the qirvo binary the end-to-end tests drive.

import * as fs from 'fs';
import * as path from 'path';

/** editors/vscode (the compiled tests live in editors/vscode/out/test/…). */
export const PACKAGE_ROOT = findUp(__dirname, 'package.json');

/** The qirvo repository the extension lives in. */
export const REPO_ROOT = path.resolve(PACKAGE_ROOT, '..', '..');

function findUp(start: string, file: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, file))) {
      return dir;
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`no ${file} above ${start}`);
    }
  }
}

export function readRepoFile(relative: string): string {
  return fs.readFileSync(path.join(REPO_ROOT, relative), 'utf8');
}

export function packageJson(): PackageJson {
  return JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageJson;
}

/** The parts of package.json the tests look at. */
export interface PackageJson {
  name: string;
  main: string;
  engines: { vscode: string };
  activationEvents: string[];
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
  contributes: {
    languages: Array<{ id: string; filenames?: string[]; filenamePatterns?: string[] }>;
    jsonLanguageParticipants: Array<{ languageId: string }>;
    jsonValidation: Array<{ fileMatch: string[]; url: string }>;
    commands: Array<{ command: string; title: string }>;
    configuration: { properties: Record<string, JsonSchema> };
    debuggers: Array<{
      type: string;
      languages: string[];
      configurationAttributes: { launch: { properties: Record<string, JsonSchema> } };
      initialConfigurations: Array<Record<string, unknown>>;
      configurationSnippets: Array<{ label: string; body: Record<string, unknown> }>;
    }>;
  };
}

export interface JsonSchema {
  type?: string | string[];
  description?: string;
  markdownDescription?: string;
  default?: unknown;
  enum?: string[];
  pattern?: string;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
}

/**
 * The qirvo binary: `$QIRVO_BIN` (relative to the current directory), else the repository's
 * debug build. `undefined` when it does not exist.
 */
export function qirvoBinary(): { path: string; exists: boolean } {
  const configured = process.env.QIRVO_BIN;
  const binary =
    configured !== undefined && configured !== ''
      ? path.resolve(configured)
      : path.join(REPO_ROOT, 'target', 'debug', 'qirvo');
  let exists = false;
  try {
    fs.accessSync(binary, fs.constants.X_OK);
    exists = fs.statSync(binary).isFile();
  } catch {
    exists = false;
  }
  return { path: binary, exists };
}

/**
 * The binary for a test that needs it. Without one the test is skipped locally, but fails in
 * CI (`CI` set), where a skipped end-to-end test would hide a broken build.
 */
export function requireQirvo(context: Mocha.Context): string {
  const binary = qirvoBinary();
  if (binary.exists) {
    return binary.path;
  }
  const message =
    `the qirvo binary ${binary.path} does not exist or is not executable: ` +
    'build it with `cargo build` in the repository, or set QIRVO_BIN to a qirvo executable';
  if (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') {
    throw new Error(message);
  }
  console.warn(`    skipped: ${message}`);
  context.skip();
}
