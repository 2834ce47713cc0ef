// Debug configurations for the `qirvo` debug type. No `vscode` import here: unit-tested in
// plain Node.

import * as path from 'path';

import { nearestManifest } from './manifest';

/** The debug type contributed by the extension (and the `adapterID` qirvo dap sees). */
export const DEBUG_TYPE = 'qirvo';

/**
 * Every launch attribute `qirvo dap` reads, with the JSON type it expects. package.json's
 * `configurationAttributes.launch` documents exactly these (a test keeps the two equal).
 */
export const LAUNCH_ATTRIBUTES = {
  manifest: 'string',
  manifests: 'string[]',
  program: 'string',
  args: 'string[]',
  env: 'object',
  cwd: 'string',
  stopOnEntry: 'boolean',
  events: 'array',
  sourceMap: 'object',
  noDebug: 'boolean',
} as const;

export type LaunchAttribute = keyof typeof LAUNCH_ATTRIBUTES;

/** A `qirvo` launch configuration (VS Code adds fields of its own, which the adapter ignores). */
export interface QirvoLaunchConfiguration {
  type: string;
  request: string;
  name: string;
  manifest?: string;
  manifests?: string[];
  program?: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  stopOnEntry?: boolean;
  events?: Array<string | { topic: string; payload?: unknown }>;
  sourceMap?: Record<string, string>;
  noDebug?: boolean;
  [key: string]: unknown;
}

/** The configuration `qirvo.debug` (and the manifest code lens) starts for one manifest. */
export function debugConfigurationFor(manifest: string): QirvoLaunchConfiguration {
  return {
    type: DEBUG_TYPE,
    request: 'launch',
    name: `Debug ${path.basename(manifest)}`,
    manifest,
  };
}

/**
 * launch.json entries for a new workspace: one per manifest found (paths relative to the
 * workspace folder), or a template pointing at `${workspaceFolder}/manifest.json`.
 */
export function initialConfigurations(manifests: string[]): QirvoLaunchConfiguration[] {
  const relative = [...new Set(manifests.map((m) => m.replace(/\\/g, '/')))].sort();
  if (relative.length === 0) {
    return [debugConfigurationForWorkspace('manifest.json')];
  }
  return relative.map(debugConfigurationForWorkspace);
}

function debugConfigurationForWorkspace(relative: string): QirvoLaunchConfiguration {
  return {
    type: DEBUG_TYPE,
    request: 'launch',
    name: `Debug ${relative}`,
    manifest: `\${workspaceFolder}/${relative}`,
  };
}

export interface LaunchContext {
  /** The file in the active editor, if any. */
  activeFile?: string;
  /** The folder the configuration belongs to, if any. */
  workspaceFolder?: string;
  /** Whether a file exists (finding a source file's manifest); fs.existsSync by default. */
  exists?: (file: string) => boolean;
}

export type LaunchResolution = { config: QirvoLaunchConfiguration } | { error: string };

const NO_TARGET =
  'Open a plugin manifest (manifest.json or *.qirvo.json), or a file in a plugin folder, and start debugging again, or add a "qirvo" launch configuration with "manifest", "manifests" or "program" to launch.json.';

function typeError(name: string, value: unknown): string | undefined {
  const expected = LAUNCH_ATTRIBUTES[name as LaunchAttribute];
  const isStringArray = (v: unknown) => Array.isArray(v) && v.every((item) => typeof item === 'string');
  const isStringMap = (v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
  let ok: boolean;
  switch (expected) {
    case 'string':
      ok = typeof value === 'string';
      break;
    case 'boolean':
      ok = typeof value === 'boolean';
      break;
    case 'string[]':
      ok = isStringArray(value);
      break;
    case 'object':
      ok = isStringMap(value);
      break;
    case 'array':
      ok =
        Array.isArray(value) &&
        value.every(
          (item) =>
            // The adapter reads "topic" alone as a topic with an empty payload.
            (typeof item === 'string' && item !== '' && !item.startsWith('=')) ||
            (typeof item === 'object' && item !== null && typeof (item as { topic?: unknown }).topic === 'string'),
        );
      break;
    default:
      return undefined;
  }
  if (ok) {
    return undefined;
  }
  const wanted = {
    string: 'a string',
    boolean: 'true or false',
    'string[]': 'an array of strings',
    object: 'an object of string values',
    array: 'an array of "topic=payload" strings or { "topic": ..., "payload": ... } objects',
  }[expected];
  return `The launch attribute "${name}" must be ${wanted}.`;
}

/**
 * Completes a configuration before VS Code substitutes variables in it.
 *
 * - No launch.json (VS Code passes `{}`): debug the manifest in the active editor, or, for
 *   any other file (a plugin's source), the `manifest.json` nearest above it in its folder.
 * - A `qirvo` configuration without a target: that same manifest, if there is one.
 * - `cwd` defaults to the workspace folder, so relative paths mean the same as in launch.json.
 *
 * Returns an error message instead when there is nothing sensible to launch.
 */
export function resolveLaunchConfiguration(
  config: Record<string, unknown>,
  context: LaunchContext = {},
): LaunchResolution {
  const manifest = nearestManifest(context.activeFile, context.workspaceFolder, context.exists);
  if (config.type === undefined && config.request === undefined && config.name === undefined) {
    if (manifest === undefined) {
      return { error: NO_TARGET };
    }
    const resolved = debugConfigurationFor(manifest);
    resolved.cwd = context.workspaceFolder ?? path.dirname(manifest);
    return { config: resolved };
  }
  const resolved: QirvoLaunchConfiguration = {
    ...config,
    type: typeof config.type === 'string' ? config.type : DEBUG_TYPE,
    request: typeof config.request === 'string' ? config.request : 'launch',
    name: typeof config.name === 'string' ? config.name : 'Debug plugin',
  };
  if (resolved.request !== 'launch') {
    return { error: `The qirvo debugger can only launch plugins; "request": "${resolved.request}" is not supported.` };
  }
  for (const name of Object.keys(LAUNCH_ATTRIBUTES)) {
    if (resolved[name] !== undefined) {
      const problem = typeError(name, resolved[name]);
      if (problem !== undefined) {
        return { error: problem };
      }
    }
  }
  const hasManifests = resolved.manifest !== undefined || (resolved.manifests ?? []).length > 0;
  if (resolved.program !== undefined && hasManifests) {
    return {
      error: 'A launch configuration runs either plugins ("manifest", "manifests") or a WASI command ("program"), not both.',
    };
  }
  if (!hasManifests && resolved.program === undefined) {
    if (manifest === undefined) {
      return { error: NO_TARGET };
    }
    resolved.manifest = manifest;
  }
  if (resolved.cwd === undefined && context.workspaceFolder !== undefined) {
    resolved.cwd = context.workspaceFolder;
  }
  return { config: resolved };
}
