import * as assert from 'assert';
import * as path from 'path';
import { pathToFileURL } from 'url';

import { MANIFEST_LANGUAGE, isManifestPath, manifestArgument, manifestDocumentSelector, nearestManifest } from '../src/manifest';
import { REPO_ROOT } from './support/paths';

describe('isManifestPath', () => {
  it('knows manifest.json and *.qirvo.json, on any platform, and nothing else', () => {
    for (const yes of ['/p/manifest.json', 'C:\\p\\manifest.json', '/p/dev.qirvo.json', 'x.qirvo.json']) {
      assert.strictEqual(isManifestPath(yes), true, yes);
    }
    for (const no of [undefined, '', '/p/package.json', '/p/.qirvo.json', '/p/manifest.json5', '/p/Manifest.JSON.bak']) {
      assert.strictEqual(isManifestPath(no), false, String(no));
    }
  });
});

describe('manifestArgument', () => {
  it('takes the path the code lenses send, as it is', () => {
    assert.strictEqual(manifestArgument('/p/manifest.json', '/other/manifest.json'), '/p/manifest.json');
    // Some clients pass the lens arguments array through unchanged.
    assert.strictEqual(manifestArgument(['/p/manifest.json']), '/p/manifest.json');
  });

  it('takes file URIs as strings and the Uri objects menus pass', () => {
    const file = process.platform === 'win32' ? 'C:\\p\\manifest.json' : '/p/manifest.json';
    assert.strictEqual(manifestArgument(pathToFileURL(file).href), file);
    assert.strictEqual(manifestArgument({ scheme: 'file', fsPath: file }), file);
  });

  it('falls back to the active editor only when it shows a manifest', () => {
    assert.strictEqual(manifestArgument(undefined, '/p/a.qirvo.json'), '/p/a.qirvo.json');
    assert.strictEqual(manifestArgument(undefined, '/p/src/lib.rs'), undefined);
    assert.strictEqual(manifestArgument({ scheme: 'untitled', fsPath: 'Untitled-1' }, undefined), undefined);
  });
});

describe('manifestDocumentSelector', () => {
  it('sends manifests in JSON, JSONC and the manifest language to the server, and only those', () => {
    const selector = manifestDocumentSelector();
    for (const language of ['json', 'jsonc', MANIFEST_LANGUAGE]) {
      for (const pattern of ['**/manifest.json', '**/*.qirvo.json']) {
        assert.ok(
          selector.some((f) => f.language === language && f.pattern === pattern && f.scheme === 'file'),
          `${language} ${pattern}`,
        );
      }
    }
    // A JSON filter without a pattern would send every JSON file to qirvo lsp.
    assert.ok(selector.every((f) => f.language === MANIFEST_LANGUAGE || f.pattern !== undefined));
  });
});

describe('nearestManifest', () => {
  const files = new Set(['/ws/a/manifest.json', '/manifest.json']);
  const exists = (file: string) => files.has(file);

  it('returns a manifest as it is, else the manifest.json nearest above the file', () => {
    assert.strictEqual(nearestManifest('/ws/a/dev.qirvo.json', '/ws', exists), '/ws/a/dev.qirvo.json');
    assert.strictEqual(nearestManifest('/ws/a/lib.rs', '/ws', exists), '/ws/a/manifest.json');
    assert.strictEqual(nearestManifest('/ws/a/src/x/y.c', '/ws', exists), '/ws/a/manifest.json');
    assert.strictEqual(nearestManifest(undefined, '/ws', exists), undefined);
  });

  it('stops at the workspace folder the file is in, and searches to the root outside one', () => {
    assert.strictEqual(nearestManifest('/ws/b/src/lib.rs', '/ws', exists), undefined);
    assert.strictEqual(nearestManifest('/elsewhere/lib.rs', '/ws', exists), '/manifest.json');
    assert.strictEqual(nearestManifest('/elsewhere/lib.rs', undefined, exists), '/manifest.json');
  });

  it('looks at the real file system by default', () => {
    const examples = path.join(REPO_ROOT, 'examples');
    assert.strictEqual(
      nearestManifest(path.join(examples, 'hello/src/lib.rs'), examples),
      path.join(examples, 'hello/manifest.json'),
    );
  });
});
