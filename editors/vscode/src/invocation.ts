// The command lines the extension runs. No `vscode` import here: unit-tested in plain Node, so
// the tests check exactly what VS Code will spawn.

import * as path from 'path';

/** A process to start. */
export interface Invocation {
  command: string;
  args: string[];
  /** Working directory, when it matters. */
  cwd?: string;
}

/** The qirvo subcommands offered as tasks on a manifest. */
export type ManifestSubcommand = 'run' | 'check';

export const MANIFEST_SUBCOMMANDS: readonly ManifestSubcommand[] = ['run', 'check'];

/**
 * `qirvo run|check <manifest>`, started in the manifest's folder so that relative paths the
 * plugin prints (and `qirvo check`'s snippets) read the same as on a terminal there.
 */
export function manifestInvocation(binary: string, subcommand: ManifestSubcommand, manifest: string): Invocation {
  return { command: binary, args: [subcommand, manifest], cwd: path.dirname(manifest) };
}

/**
 * `qirvo dap` on stdio. It runs in the workspace folder: a launch configuration without `cwd`
 * resolves its relative paths against the adapter's working directory.
 */
export function adapterInvocation(binary: string, workspaceFolder?: string): Invocation {
  return workspaceFolder === undefined
    ? { command: binary, args: ['dap'] }
    : { command: binary, args: ['dap'], cwd: workspaceFolder };
}

/** `qirvo lsp` on stdio. */
export function serverInvocation(binary: string): Invocation {
  return { command: binary, args: ['lsp'] };
}
