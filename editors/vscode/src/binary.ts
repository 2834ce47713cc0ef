// Finding the `qirvo` executable. No `vscode` import here: this module is unit-tested in plain Node.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** What to tell someone who has no `qirvo` binary yet. */
export const INSTALL_HINT =
  'Install it from a clone of the qirvo repository with `cargo install --path . --locked` ' +
  '(it lands in ~/.cargo/bin), or set "qirvo.path" to the qirvo executable.';

/** The binary could not be found; `message` says where we looked and how to install it. */
export class QirvoNotFoundError extends Error {
  constructor(
    message: string,
    /** Every path that was tried, in order. */
    readonly tried: string[],
  ) {
    super(message);
    this.name = 'QirvoNotFoundError';
  }
}

export interface ResolveOptions {
  /** Environment to read PATH, PATHEXT and CARGO_HOME from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Platform whose path rules apply (default: process.platform). */
  platform?: NodeJS.Platform;
  /** Relative `qirvo.path` settings resolve against this folder. */
  workspaceFolder?: string;
  /** Home directory for `~` and ~/.cargo/bin (default: os.homedir()). */
  homedir?: string;
  /** Whether a path is an executable file (injectable for tests). */
  isExecutable?: (file: string) => boolean;
}

/** Whether `file` is a regular file we may execute. */
export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (process.platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

function envValue(env: NodeJS.ProcessEnv, name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') {
    return env[name];
  }
  // Windows environment names are case-insensitive (`Path`).
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

/** The names to try for `base`: with each PATHEXT suffix on Windows unless it has one already. */
function withExtensions(base: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  if (platform !== 'win32' || path.win32.extname(base) !== '') {
    return [base];
  }
  const extensions = (envValue(env, 'PATHEXT', platform) ?? '.COM;.EXE;.BAT;.CMD')
    .split(';')
    .filter((e) => e !== '');
  return [base, ...extensions.map((e) => base + e.toLowerCase())];
}

/**
 * Finds the qirvo executable from the `qirvo.path` setting.
 *
 * - empty or unset: `qirvo`;
 * - a bare name (`qirvo`, `qirvo-dev`): looked up on PATH, then in the Cargo bin directory
 *   (`$CARGO_HOME/bin` or `~/.cargo/bin`), since editors started from a desktop often lack it
 *   on PATH;
 * - a path (absolute, `~/…`, or relative to the workspace folder): used as it is.
 *
 * Throws {@link QirvoNotFoundError} with an explanation and {@link INSTALL_HINT} otherwise.
 */
export function resolveQirvoBinary(setting: string | undefined, options: ResolveOptions = {}): string {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const paths = platform === 'win32' ? path.win32 : path.posix;
  const home = options.homedir ?? os.homedir();
  const isExecutable = options.isExecutable ?? isExecutableFile;
  const tried: string[] = [];
  const firstExecutable = (candidates: string[]): string | undefined => {
    for (const candidate of candidates) {
      tried.push(candidate);
      if (isExecutable(candidate)) {
        return candidate;
      }
    }
    return undefined;
  };

  let configured = (setting ?? '').trim();
  if (configured === '') {
    configured = 'qirvo';
  }
  if (configured === '~' || configured.startsWith('~/') || configured.startsWith('~\\')) {
    configured = paths.join(home, configured.slice(1));
  }

  const isBareName = !configured.includes('/') && !(platform === 'win32' && configured.includes('\\'));
  if (!isBareName) {
    const absolute = paths.isAbsolute(configured)
      ? configured
      : paths.resolve(options.workspaceFolder ?? process.cwd(), configured);
    const found = firstExecutable(withExtensions(absolute, env, platform));
    if (found !== undefined) {
      return found;
    }
    throw new QirvoNotFoundError(
      `The qirvo executable "${absolute}" (from the "qirvo.path" setting "${setting}") does not exist or is not executable. ${INSTALL_HINT}`,
      tried,
    );
  }

  const searchPath = (envValue(env, 'PATH', platform) ?? '')
    .split(platform === 'win32' ? ';' : ':')
    .filter((dir) => dir !== '');
  const cargoHome = envValue(env, 'CARGO_HOME', platform) || paths.join(home, '.cargo');
  const directories = [...searchPath, paths.join(cargoHome, 'bin')];
  const found = firstExecutable(
    directories.flatMap((dir) => withExtensions(paths.join(dir, configured), env, platform)),
  );
  if (found !== undefined) {
    return found;
  }
  throw new QirvoNotFoundError(
    `Cannot find the qirvo executable: "${configured}" is neither on PATH nor in ${paths.join(cargoHome, 'bin')}. ${INSTALL_HINT}`,
    tried,
  );
}
