// Setting aside a corrupt cached file when the file system refuses: a read-only cache
// (EACCES, EROFS) or another process that moved it first (ENOENT). Running as root, a
// chmod does not stop the rename, so the refusal is injected into node:fs's renameSync.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

let refuse: string | undefined;
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const renameSync: typeof fs.renameSync = (from, to) => {
    if (refuse && String(to).includes('.corrupt-')) {
      if (refuse === 'ENOENT') fs.unlinkSync(from); // another process took it first
      throw Object.assign(new Error(`${refuse}: refused, rename '${String(from)}' -> '${String(to)}'`), {
        code: refuse,
      });
    }
    return fs.renameSync(from, to);
  };
  return { ...fs, renameSync, default: { ...fs, renameSync } };
});

const { resolveAsset } = await import('../../../lib/data/hub');
const { registerAsset } = await import('../../../lib/data/registry');

const GOOD = Buffer.from('the real content of the asset\n'.repeat(100));
const BAD = Buffer.from(GOOD).fill(0x41, 0, 10);
registerAsset({
  name: 'test/aside.bin',
  sha256: createHash('sha256').update(GOOD).digest('hex'),
  size: GOOD.length,
  source: { kind: 'url', url: 'https://example.org/aside.bin' },
  licence: 'test',
  description: 'test file',
});

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hub-faults-'));
});
afterEach(() => {
  refuse = undefined;
  rmSync(root, { recursive: true, force: true });
});

function put(path: string, content: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

describe('a corrupt cached file that cannot be set aside', () => {
  for (const code of ['EACCES', 'EROFS', 'ENOENT']) {
    it(`${code}: the good mirror copy is still used`, async () => {
      put(join(root, 'cache', 'test', 'aside.bin'), BAD);
      put(join(root, 'mirror', 'test', 'aside.bin'), GOOD);
      refuse = code;
      const r = await resolveAsset('test/aside.bin', {
        cacheDir: join(root, 'cache'),
        mirrors: [join(root, 'mirror')],
        fetch: null,
        useNodeModules: false,
      });
      expect(r.origin).toBe('mirror');
    });
  }

  it('without a mirror the error says the bad copy stays in place, unused, and why', async () => {
    put(join(root, 'cache', 'test', 'aside.bin'), BAD);
    refuse = 'EACCES';
    await expect(
      resolveAsset('test/aside.bin', {
        cacheDir: join(root, 'cache'),
        mirrors: [],
        fetch: null,
        useNodeModules: false,
      }),
    ).rejects.toThrow(
      /the cached copy had SHA-256 [0-9a-f]{64} and could not be set aside \(EACCES: refused, rename .*\), so it stays in place, unused/,
    );
    expect(readdirSync(join(root, 'cache', 'test'))).toEqual(['aside.bin']);
  });
});
