// Which files are plugin manifests. No `vscode` import here: unit-tested in plain Node.

import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';

/** The language id contributed for `*.qirvo.json` files. */
export const MANIFEST_LANGUAGE = 'qirvo-manifest';

/** Glob patterns of manifest files (the same names `qirvo lsp` and `qirvo check` look at). */
export const MANIFEST_PATTERNS = ['**/manifest.json', '**/*.qirvo.json'];

/** Whether a file-system path names a plugin manifest: `manifest.json` or `*.qirvo.json`. */
export function isManifestPath(file: string | undefined): boolean {
  if (file === undefined || file === '') {
    return false;
  }
  const name = path.basename(file.replace(/\\/g, '/'));
  return name === 'manifest.json' || (name.endsWith('.qirvo.json') && name.length > '.qirvo.json'.length);
}

/** One entry of an LSP document selector (the shape vscode-languageclient takes). */
export interface DocumentFilter {
  language: string;
  scheme: string;
  pattern?: string;
}

/**
 * The documents `qirvo lsp` is told about: manifest files in the JSON languages (VS Code
 * opens `manifest.json` as `json`; users may switch it to `jsonc`), and anything in the
 * `qirvo-manifest` language. The server decides again by name and language id.
 */
export function manifestDocumentSelector(): DocumentFilter[] {
  const filters: DocumentFilter[] = [];
  for (const language of ['json', 'jsonc', MANIFEST_LANGUAGE]) {
    for (const pattern of MANIFEST_PATTERNS) {
      filters.push({ scheme: 'file', language, pattern });
    }
  }
  filters.push({ scheme: 'file', language: MANIFEST_LANGUAGE });
  filters.push({ scheme: 'untitled', language: MANIFEST_LANGUAGE });
  return filters;
}

/**
 * The manifest a `qirvo.run` / `qirvo.debug` invocation is about.
 *
 * `argument` is what the command received: a path string (the language server's code lenses
 * send `[ "<absolute path>" ]`), a `file:` URI string, or a `vscode.Uri`-like object (menus pass
 * the resource). Without one, the active editor's file is used when it is a manifest.
 */
export function manifestArgument(argument: unknown, activeFile?: string): string | undefined {
  if (Array.isArray(argument)) {
    argument = argument[0];
  }
  if (typeof argument === 'string' && argument !== '') {
    if (argument.startsWith('file:')) {
      try {
        return fileURLToPath(argument);
      } catch {
        return undefined;
      }
    }
    return argument;
  }
  if (typeof argument === 'object' && argument !== null) {
    const uri = argument as { scheme?: unknown; fsPath?: unknown };
    if (uri.scheme === 'file' && typeof uri.fsPath === 'string') {
      return uri.fsPath;
    }
  }
  return isManifestPath(activeFile) ? activeFile : undefined;
}

/**
 * The plugin a file belongs to: the `manifest.json` nearest above it (in its own folder, then
 * each parent), not above `root` when the file is inside `root` (its workspace folder).
 * A manifest is returned as it is. `exists` is for tests.
 */
export function nearestManifest(
  file: string | undefined,
  root?: string,
  exists: (candidate: string) => boolean = fs.existsSync,
): string | undefined {
  if (file === undefined || file === '') {
    return undefined;
  }
  if (isManifestPath(file)) {
    return file;
  }
  const inside = (dir: string, top: string) => {
    const relative = path.relative(top, dir);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  };
  const top = root !== undefined && inside(path.dirname(file), root) ? path.resolve(root) : undefined;
  let dir = path.dirname(path.resolve(file));
  for (;;) {
    const candidate = path.join(dir, 'manifest.json');
    if (exists(candidate)) {
      return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir || (top !== undefined && dir === top)) {
      return undefined;
    }
    dir = parent;
  }
}
