// The data hub's resolution order and its failure modes, on temp directories with
// injected fetch functions: nothing here touches the network or /work/shared.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DataHubError,
  type FetchLike,
  type HubOptions,
  assetState,
  readAssetText,
  resolveAsset,
} from '../../../lib/data/hub';
import { getAsset, registerAsset } from '../../../lib/data/registry';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

const SMALL = bytes(5000, 1);
const BIG = bytes(3_000_000, 2);
registerAsset({
  name: 'test/small.bin',
  sha256: sha(SMALL),
  size: SMALL.length,
  source: { kind: 'url', url: 'https://example.org/small.bin' },
  licence: 'test',
  description: 'test file',
});
registerAsset({
  name: 'test/big.bin',
  sha256: sha(BIG),
  size: BIG.length,
  source: { kind: 'url', url: 'https://example.org/big.bin' },
  licence: 'test',
  description: 'test file',
});

/** A fetch that serves `body` in 64 kB chunks, optionally cut short. */
function serving(body: Uint8Array, calls: string[] = [], cutAt = body.length): FetchLike {
  return async (url) => {
    calls.push(url);
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= cutAt) {
          controller.close();
          return;
        }
        const end = Math.min(cutAt, offset + 65536);
        controller.enqueue(body.slice(offset, end));
        offset = end;
      },
    });
    return { ok: true, status: 200, statusText: 'OK', body: stream };
  };
}

const offlineFetch: FetchLike = async () => {
  throw new TypeError('fetch failed (network disabled in this test)');
};

let root: string;
let cacheDir: string;
let mirror: string;
let base: HubOptions;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hub-test-'));
  cacheDir = join(root, 'cache');
  mirror = join(root, 'mirror');
  mkdirSync(mirror);
  base = {
    cacheDir,
    mirrors: [mirror],
    fetch: offlineFetch,
    attempts: 2,
    retryDelayMs: 1,
    progressAbove: Infinity,
  };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function put(dir: string, name: string, content: Uint8Array | string): string {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

describe('registry', () => {
  it('holds the real checksum of a file whose content is known independently', async () => {
    // CIFAR-10's class names, one a line, as in the dataset's batches.meta.txt
    const names = 'airplane automobile bird cat deer dog frog horse ship truck'.split(' ').join('\n') + '\n';
    const asset = getAsset('cifar10/batches.meta.txt');
    expect(asset.sha256).toBe(sha(names));
    put(mirror, 'cifar10/batches.meta.txt', names);
    expect(await readAssetText('cifar10/batches.meta.txt', base)).toBe(names);
  });

  it('names close assets when a name is unknown', () => {
    expect(() => getAsset('photos/chelsea.jpg')).toThrow(/photos\/chelsea\.png/);
  });
});

describe('resolution order', () => {
  it('cache hit: a verified cached file is used without network', async () => {
    put(cacheDir, 'test/small.bin', SMALL);
    put(mirror, 'test/small.bin', SMALL);
    const r = await resolveAsset('test/small.bin', base);
    expect(r.origin).toBe('cache');
    expect(r.path).toBe(join(cacheDir, 'test/small.bin'));
    expect(assetState('test/small.bin', base)).toBe('cached');
  });

  it('mirror hit: verified in place, nothing written to the cache', async () => {
    const path = put(mirror, 'test/small.bin', SMALL);
    expect(assetState('test/small.bin', base)).toBe('mirrored');
    const r = await resolveAsset('test/small.bin', base);
    expect(r).toMatchObject({ origin: 'mirror', path });
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('a same-size corruption with the modification time put back is caught by its hash', async () => {
    const path = put(mirror, 'test/small.bin', SMALL);
    const when = new Date(1_700_000_000_000); // whole milliseconds: utimes can put it back exactly
    utimesSync(path, when, when);
    expect((await resolveAsset('test/small.bin', base)).origin).toBe('mirror');
    const tampered = SMALL.slice();
    tampered[4000] ^= 0x01;
    writeFileSync(path, tampered);
    utimesSync(path, when, when);
    expect(statSync(path).mtimeMs).toBe(when.getTime());
    await expect(resolveAsset('test/small.bin', base)).rejects.toThrow(/mirror copy .* has SHA-256 /);
  });

  it('a mirror file changed after verification is hashed again and refused', async () => {
    const path = put(mirror, 'test/small.bin', SMALL);
    await resolveAsset('test/small.bin', base);
    const tampered = SMALL.slice();
    tampered[10] ^= 0xff;
    writeFileSync(path, tampered);
    const mtime = new Date(statSync(path).mtimeMs + 5000);
    (await import('node:fs')).utimesSync(path, mtime, mtime);
    await expect(resolveAsset('test/small.bin', base)).rejects.toThrow(
      /mirror copy .* has SHA-256 .* ignored/,
    );
    // someone else's mirror is never moved
    expect(readdirSync(join(mirror, 'test'))).toEqual(['small.bin']);
  });

  it('checksum mismatch in the cache: the bad file is set aside and the mirror copy used', async () => {
    const bad = SMALL.slice();
    bad[0] ^= 1;
    put(cacheDir, 'test/small.bin', bad);
    put(mirror, 'test/small.bin', SMALL);
    const r = await resolveAsset('test/small.bin', base);
    expect(r.origin).toBe('mirror');
    const left = readdirSync(join(cacheDir, 'test'));
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^small\.bin\.corrupt-/);
  });

  it('offline with nothing anywhere: a clear error naming the asset, its URL and where to put a copy', async () => {
    const calls: string[] = [];
    const failing: FetchLike = async (url) => {
      calls.push(url);
      throw new TypeError('getaddrinfo ENOTFOUND example.org');
    };
    const error = await resolveAsset('test/small.bin', { ...base, fetch: failing }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataHubError);
    expect((error as DataHubError).code).toBe('missing');
    const message = (error as Error).message;
    expect(message).toContain('test/small.bin');
    expect(message).toContain('https://example.org/small.bin');
    expect(message).toContain(join(cacheDir, 'test/small.bin'));
    expect(message).toContain('COURSE_DATA_MIRROR');
    expect(calls).toHaveLength(2); // retried
    // nothing half-written
    expect(readdirSync(join(cacheDir, 'test'))).toEqual([]);
  });

  it('network off (fetch null) says so and does not try', async () => {
    await expect(resolveAsset('test/small.bin', { ...base, fetch: null })).rejects.toThrow(
      /network is off.*example\.org\/small\.bin/,
    );
  });

  it('mirror-only assets say where their real source is', async () => {
    await expect(
      resolveAsset('cifar10/data_batch_subset.bin', { ...base, fetch: null, useNodeModules: false }),
    ).rejects.toThrow(/exists only in the course's data mirror.*cifar-10-binary\.tar\.gz/);
  });
});

describe('download', () => {
  it('streams, verifies, renames into the cache; the next call is a cache hit', async () => {
    const calls: string[] = [];
    const r = await resolveAsset('test/big.bin', { ...base, fetch: serving(BIG, calls) });
    expect(r.origin).toBe('network');
    expect(calls).toEqual(['https://example.org/big.bin']);
    expect(sha(readFileSync(r.path))).toBe(sha(BIG));
    expect(readdirSync(join(cacheDir, 'test'))).toEqual(['big.bin']);
    expect((await resolveAsset('test/big.bin', { ...base, fetch: offlineFetch })).origin).toBe('cache');
  });

  it('retries a cut transfer with back-off and succeeds', async () => {
    const calls: string[] = [];
    let n = 0;
    const flaky: FetchLike = (url, init) =>
      (n++ === 0 ? serving(BIG, calls, 100_000) : serving(BIG, calls))(url, init);
    const r = await resolveAsset('test/big.bin', { ...base, fetch: flaky, attempts: 3 });
    expect(r.origin).toBe('network');
    expect(calls).toHaveLength(2);
    // the cut copy is gone, the good one kept
    expect(readdirSync(join(cacheDir, 'test'))).toEqual(['big.bin']);
  });

  it('checksum mismatch of a full-size download: set aside, never used, not retried', async () => {
    const wrong = BIG.slice();
    wrong[12345] ^= 0x40;
    const calls: string[] = [];
    const error = await resolveAsset('test/big.bin', {
      ...base,
      fetch: serving(wrong, calls),
      attempts: 3,
    }).catch((e: unknown) => e);
    expect((error as DataHubError).code).toBe('checksum');
    expect((error as Error).message).toContain(sha(wrong));
    expect(calls).toHaveLength(1);
    const left = readdirSync(join(cacheDir, 'test'));
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/\.corrupt-/);
    expect(existsSync(join(cacheDir, 'test/big.bin'))).toBe(false);
  });

  it('HTTP errors are reported with their status', async () => {
    const notFound: FetchLike = async () => ({ ok: false, status: 404, statusText: 'Not Found', body: null });
    await expect(resolveAsset('test/small.bin', { ...base, fetch: notFound })).rejects.toThrow(
      /HTTP 404 Not Found/,
    );
  });

  it('out of disk: refuses before downloading when the asset cannot fit', async () => {
    registerAsset({
      name: 'test/huge.bin',
      sha256: '0'.repeat(64),
      size: 2 ** 52,
      source: { kind: 'url', url: 'https://example.org/huge.bin' },
      licence: 'test',
      description: 'bigger than any disk',
    });
    const calls: string[] = [];
    const error = await resolveAsset('test/huge.bin', { ...base, fetch: serving(SMALL, calls) }).catch(
      (e: unknown) => e,
    );
    expect((error as DataHubError).code).toBe('no-space');
    expect((error as Error).message).toMatch(/Out of disk space for test\/huge\.bin .* free/);
    expect(calls).toHaveLength(0);
  });

  it('keeps the first lines of a list when the registry says so', async () => {
    const full = Array.from({ length: 50 }, (_, i) => `name ${i}`).join('\n') + '\n';
    const firstTen = full.split('\n').slice(0, 10).join('\n') + '\n';
    registerAsset({
      name: 'test/names.txt',
      sha256: sha(firstTen),
      size: firstTen.length,
      source: { kind: 'url', url: 'https://example.org/names.txt', firstLines: 10 },
      licence: 'test',
      description: 'list',
    });
    expect(
      await readAssetText('test/names.txt', { ...base, fetch: serving(new TextEncoder().encode(full)) }),
    ).toBe(firstTen);
  });
});

describe('faults', () => {
  it('an unwritable cache folder (a path under a regular file) is named, with what to do', async () => {
    writeFileSync(join(root, 'file'), 'not a folder');
    const error = await resolveAsset('test/small.bin', {
      ...base,
      cacheDir: join(root, 'file', 'cache'),
      fetch: serving(SMALL),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataHubError);
    expect((error as DataHubError).code).toBe('unwritable');
    expect((error as Error).message).toMatch(
      /The cache folder .*file\/cache\/test cannot be written \(ENOTDIR.*\).*COURSE_CACHE_DIR.*COURSE_DATA_MIRROR/,
    );
    // a good mirror copy needs no cache at all
    put(mirror, 'test/small.bin', SMALL);
    expect(
      (await resolveAsset('test/small.bin', { ...base, cacheDir: join(root, 'file', 'cache') })).origin,
    ).toBe('mirror');
  });

  it('a mirror folder that does not exist is named, from COURSE_DATA_MIRROR or the options', async () => {
    const missing = join(root, 'no-such-mirror');
    const saved = process.env.COURSE_DATA_MIRROR;
    process.env.COURSE_DATA_MIRROR = missing;
    try {
      await expect(
        resolveAsset('test/small.bin', { ...base, mirrors: undefined, fetch: null }),
      ).rejects.toThrow(
        `COURSE_DATA_MIRROR names ${missing}, which does not exist: create it with the data in it, or correct COURSE_DATA_MIRROR`,
      );
    } finally {
      if (saved === undefined) delete process.env.COURSE_DATA_MIRROR;
      else process.env.COURSE_DATA_MIRROR = saved;
    }
    await expect(
      resolveAsset('test/small.bin', { ...base, mirrors: [join(root, 'file-mirror')], fetch: null }),
    ).rejects.toThrow(/the mirrors option names .*file-mirror, which does not exist/);
  });

  describe('servers that do not answer', () => {
    let server: Server;
    let port = 0;
    let mode: 'silent' | 'stall' = 'silent';
    beforeEach(async () => {
      server = createServer((_request, response) => {
        if (mode === 'silent') return; // accepts, reads the request, never answers
        response.writeHead(200, { 'content-length': String(SMALL.length) });
        response.write(SMALL.subarray(0, 1000)); // then nothing more
      });
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      port = (server.address() as AddressInfo).port;
    });
    afterEach(async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    });

    it('times out waiting for an answer, and for the next piece of data', async () => {
      const name = `test/silent-${port}.bin`;
      registerAsset({
        name,
        sha256: sha(SMALL),
        size: SMALL.length,
        source: { kind: 'url', url: `http://127.0.0.1:${port}/small.bin` },
        licence: 'test',
        description: 'test file',
      });
      const options: HubOptions = {
        ...base,
        fetch: undefined,
        attempts: 1,
        connectTimeoutMs: 300,
        idleTimeoutMs: 300,
      };
      const t0 = Date.now();
      await expect(resolveAsset(name, options)).rejects.toThrow(
        new RegExp(`no answer from 127\\.0\\.0\\.1:${port} within 0\\.3 s`),
      );
      mode = 'stall';
      await expect(resolveAsset(name, options)).rejects.toThrow(/stalled: no data for 0\.3 s after 1\.0 kB/);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(readdirSync(join(cacheDir, 'test'))).toEqual([]); // no .part file left
    });
  });
});
