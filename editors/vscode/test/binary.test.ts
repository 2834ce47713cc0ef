import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { QirvoNotFoundError, isExecutableFile, resolveQirvoBinary } from '../src/binary';

/** An `isExecutable` that knows only `files`, recording what was asked. */
function only(files: string[]): { isExecutable: (file: string) => boolean; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    isExecutable: (file) => {
      asked.push(file);
      return files.includes(file);
    },
  };
}

describe('resolveQirvoBinary', () => {
  const posix = { platform: 'linux' as const, homedir: '/home/ann' };

  it('looks a bare name up on PATH, in order', () => {
    const fake = only(['/opt/b/qirvo', '/usr/bin/qirvo']);
    const found = resolveQirvoBinary('qirvo', {
      ...posix,
      env: { PATH: '/opt/a:/opt/b:/usr/bin' },
      isExecutable: fake.isExecutable,
    });
    assert.strictEqual(found, '/opt/b/qirvo');
    assert.deepStrictEqual(fake.asked, ['/opt/a/qirvo', '/opt/b/qirvo']);
  });

  it('treats an empty or blank setting as `qirvo`', () => {
    for (const setting of [undefined, '', '   ']) {
      const found = resolveQirvoBinary(setting, {
        ...posix,
        env: { PATH: '/usr/bin' },
        isExecutable: only(['/usr/bin/qirvo']).isExecutable,
      });
      assert.strictEqual(found, '/usr/bin/qirvo');
    }
  });

  it('falls back to the Cargo bin directory, which desktop-started editors often lack on PATH', () => {
    assert.strictEqual(
      resolveQirvoBinary('qirvo', {
        ...posix,
        env: { PATH: '/usr/bin' },
        isExecutable: only(['/home/ann/.cargo/bin/qirvo']).isExecutable,
      }),
      '/home/ann/.cargo/bin/qirvo',
    );
    assert.strictEqual(
      resolveQirvoBinary('qirvo', {
        ...posix,
        env: { PATH: '/usr/bin', CARGO_HOME: '/srv/cargo' },
        isExecutable: only(['/srv/cargo/bin/qirvo']).isExecutable,
      }),
      '/srv/cargo/bin/qirvo',
    );
  });

  it('resolves a relative path against the workspace folder and expands ~', () => {
    assert.strictEqual(
      resolveQirvoBinary('target/debug/qirvo', {
        ...posix,
        workspaceFolder: '/work/repo',
        isExecutable: only(['/work/repo/target/debug/qirvo']).isExecutable,
      }),
      '/work/repo/target/debug/qirvo',
    );
    assert.strictEqual(
      resolveQirvoBinary('~/bin/qirvo', { ...posix, isExecutable: only(['/home/ann/bin/qirvo']).isExecutable }),
      '/home/ann/bin/qirvo',
    );
  });

  it('uses PATHEXT and a case-insensitive Path on Windows', () => {
    const found = resolveQirvoBinary('qirvo', {
      platform: 'win32',
      homedir: 'C:\\Users\\ann',
      env: { Path: 'C:\\tools;C:\\bin', PATHEXT: '.COM;.EXE' },
      isExecutable: only(['C:\\bin\\qirvo.exe']).isExecutable,
    });
    assert.strictEqual(found, 'C:\\bin\\qirvo.exe');
  });

  it('names the setting, the path and the fix when a configured path does not exist', () => {
    assert.throws(
      () => resolveQirvoBinary('/nowhere/qirvo', { ...posix, isExecutable: only([]).isExecutable }),
      (error: unknown) => {
        assert.ok(error instanceof QirvoNotFoundError);
        assert.match(error.message, /"\/nowhere\/qirvo"/);
        assert.match(error.message, /"qirvo\.path"/);
        assert.match(error.message, /cargo install --path \. --locked/);
        assert.deepStrictEqual(error.tried, ['/nowhere/qirvo']);
        return true;
      },
    );
  });

  it('says where it searched when a bare name is nowhere', () => {
    assert.throws(
      () =>
        resolveQirvoBinary('qirvo', { ...posix, env: { PATH: '/usr/bin' }, isExecutable: only([]).isExecutable }),
      (error: unknown) => {
        assert.ok(error instanceof QirvoNotFoundError);
        assert.match(error.message, /neither on PATH nor in \/home\/ann\/\.cargo\/bin/);
        assert.match(error.message, /"qirvo\.path"/);
        assert.deepStrictEqual(error.tried, ['/usr/bin/qirvo', '/home/ann/.cargo/bin/qirvo']);
        return true;
      },
    );
  });
});

describe('isExecutableFile', () => {
  it('accepts an executable file and rejects a plain file, a directory and a missing path', function () {
    if (process.platform === 'win32') {
      this.skip(); // no execute bit
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qirvo-bin-'));
    try {
      const executable = path.join(dir, 'qirvo');
      const plain = path.join(dir, 'notes.txt');
      fs.writeFileSync(executable, '#!/bin/sh\n', { mode: 0o755 });
      fs.writeFileSync(plain, 'text', { mode: 0o644 });
      assert.strictEqual(isExecutableFile(executable), true);
      assert.strictEqual(isExecutableFile(plain), false);
      assert.strictEqual(isExecutableFile(dir), false);
      assert.strictEqual(isExecutableFile(path.join(dir, 'missing')), false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
