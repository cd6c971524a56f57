// The data "Run in your browser" publishes with the site (web/build.ts's writeData): within
// its 60 MB budget, each asset listed in the manifest with its size and SHA-256, made from
// node_modules with no network (a child process whose sockets, DNS and fetch throw), and a
// build whose data is over budget fails. No browser needed; a few seconds.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_BUDGET_BYTES, writeData } from '../../web/build';

const root = process.cwd();
const work = mkdtempSync(join(tmpdir(), 'data-budget-'));

// Loaded before the build in the child: any network use fails it, naming what was tried.
const BLOCK_NETWORK = `
import net from 'node:net';
import dns from 'node:dns';
const refuse = (what) => () => { throw new Error('network use while building the data: ' + what); };
net.Socket.prototype.connect = refuse('a socket connect');
dns.lookup = refuse('a DNS lookup');
dns.promises.lookup = refuse('a DNS lookup');
globalThis.fetch = refuse('fetch');
`;

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The bytes of the `mnist` package's digits as the page's asset packs them (hand-derived size). */
function mnistAssetBytes(): number {
  const mnist = createRequire(join(root, 'package.json'))('mnist') as Record<string, { length: number }>;
  const images = Array.from({ length: 10 }, (_, d) => mnist[String(d)]!.length).reduce((a, b) => a + b, 0);
  // A header of 10 uint32 counts (40 bytes), then 784 uint16 thousandths per image.
  return 40 + images * 784 * 2;
}

describe('published data of the page runtime', () => {
  it('is built offline, within the 60 MB budget, every file in the manifest with its size and SHA-256', () => {
    expect(DATA_BUDGET_BYTES).toBe(60e6);
    const block = join(work, 'block-network.mjs');
    writeFileSync(block, BLOCK_NETWORK);
    const out = join(work, 'data');
    const script = join(work, 'build-data.ts');
    writeFileSync(
      script,
      `import { writeData } from ${JSON.stringify(join(root, 'web', 'build.ts'))};\n` +
        `console.log('TOTAL ' + writeData(${JSON.stringify(out)}));\n`,
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--import', block, script], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(child.status, child.stderr).toBe(0);
    const total = Number(/TOTAL (\d+)/.exec(child.stdout)?.[1]);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      assets: Record<string, { file: string; sha256: string; bytes: number }>;
    };
    const files = readdirSync(out).filter((f) => f !== 'manifest.json');
    expect(
      Object.values(manifest.assets)
        .map((a) => a.file)
        .sort(),
    ).toEqual(files.sort());
    for (const asset of Object.values(manifest.assets)) {
      const bytes = readFileSync(join(out, asset.file));
      expect(bytes.byteLength, asset.file).toBe(asset.bytes);
      expect(createHash('sha256').update(bytes).digest('hex'), asset.file).toBe(asset.sha256);
    }
    const onDisk = files.reduce((n, f) => n + statSync(join(out, f)).size, 0);
    expect(total).toBe(onDisk);
    expect(manifest.assets['mnist-digits']?.bytes).toBe(mnistAssetBytes());
    expect(onDisk).toBeLessThanOrEqual(DATA_BUDGET_BYTES);
  });

  it('fails the build when the data is over its budget, saying by how much', () => {
    const total = mnistAssetBytes();
    const out = join(work, 'over');
    expect(() => writeData(out, total - 1)).toThrow(
      `the published data takes ${(total / 1e6).toFixed(1)} MB, over the ${(total - 1) / 1e6} MB budget`,
    );
    expect(writeData(out, total)).toBe(total);
  });
});
