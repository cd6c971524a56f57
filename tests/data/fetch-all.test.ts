// `data fetch-all` on an offline machine: one progress line per asset, downloads given
// up after a few connection failures of one kind, mirrors still read, a total deadline.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FetchLike, HubOptions } from '../../lib/data/hub';
import { registerAsset } from '../../lib/data/registry';
import { connectionFailureKind, fetchAll } from '../../tools/data-fetch-all';

const root = mkdtempSync(join(tmpdir(), 'fetch-all-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mirror = join(root, 'mirror');
mkdirSync(join(mirror, 'test'), { recursive: true });

const names = Array.from({ length: 8 }, (_, i) => `test/fa-${i}.bin`);
for (const [i, name] of names.entries()) {
  const content = `asset number ${i}\n`;
  registerAsset({
    name,
    sha256: createHash('sha256').update(content).digest('hex'),
    size: content.length,
    source: { kind: 'url', url: `https://example.org/fa-${i}.bin` },
    licence: 'test',
    description: 'test file',
  });
  if (i === 6) writeFileSync(join(mirror, name), content); // one the mirror holds
}

/** What undici's fetch throws when the name does not resolve. */
function noDns(calls: string[]): FetchLike {
  return async (url) => {
    calls.push(url);
    const cause = Object.assign(new Error('getaddrinfo ENOTFOUND example.org'), { code: 'ENOTFOUND' });
    throw new TypeError('fetch failed', { cause });
  };
}

const hub = (fetch: FetchLike, dir: string): HubOptions => ({
  cacheDir: join(root, dir),
  mirrors: [mirror],
  fetch,
  attempts: 3,
  retryDelayMs: 1,
  progressAbove: Infinity,
  useNodeModules: false,
});

describe('fetch-all', () => {
  it('gives up downloading after three failures of one kind, still reads the mirror, says so on each line', async () => {
    const calls: string[] = [];
    const lines: string[] = [];
    const r = await fetchAll(names, { hub: hub(noDns(calls), 'c1'), log: (l) => lines.push(l) });
    expect(calls).toHaveLength(3); // the first asset's three attempts, then no more connections
    expect(r.stoppedBecause).toBe('the network looks absent (3 connections in a row failed with ENOTFOUND)');
    expect([...r.verified]).toEqual([['test/fa-6.bin', 'mirror']]);
    expect(r.failed.size).toBe(7);
    expect(r.failed.get('test/fa-0.bin')).toMatch(
      /attempt 3: fetch failed: getaddrinfo ENOTFOUND example\.org/,
    );
    expect(r.failed.get('test/fa-7.bin')).toBe(
      'not in the cache or any mirror, and not downloaded: the network looks absent (3 connections in a row failed with ENOTFOUND)',
    );
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/^\[1\/8\] test\/fa-0\.bin: FAILED \(\d+\.\d s\)$/);
    expect(lines[1]).toMatch(/^\[2\/8\] test\/fa-1\.bin: FAILED \(\d+\.\d s\), not downloaded$/);
    expect(lines[6]).toMatch(/^\[7\/8\] test\/fa-6\.bin: mirror \(\d+\.\d s\)$/);
  });

  it('a failure of another kind, or an answer, starts the count again', async () => {
    const calls: string[] = [];
    let n = 0;
    const mixed: FetchLike = async (url, init) => {
      n++;
      if (n % 2 === 0) return { ok: false, status: 503, statusText: 'Service Unavailable', body: null };
      return noDns(calls)(url, init);
    };
    const r = await fetchAll(names.slice(0, 3), { hub: hub(mixed, 'c2'), log: () => undefined });
    expect(r.stoppedBecause).toBeUndefined();
    expect(n).toBe(9); // every attempt of every asset was made
  });

  it('starts no download after the deadline, and still reads the mirror', async () => {
    const calls: string[] = [];
    const r = await fetchAll(names, { hub: hub(noDns(calls), 'c3'), deadlineMs: 0, log: () => undefined });
    expect(calls).toEqual([]);
    expect(r.stoppedBecause).toBe('the deadline of 0 s passed');
    expect([...r.verified.keys()]).toEqual(['test/fa-6.bin']);
  });

  it('classifies connection failures by their system code', () => {
    expect(
      connectionFailureKind(
        new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }),
      ),
    ).toBe('ECONNREFUSED');
    expect(connectionFailureKind(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe(
      'timeout',
    );
    expect(connectionFailureKind(new Error('HTTP 404 Not Found'))).toBeUndefined();
  });
});
