// The one weights-manifest reader: shards read through the hub in the manifest's order,
// decoded by tfjs into the values written; malformed manifests and missing shards named.
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { registerAsset } from '../../../lib/data/registry';
import { readManifestWeights } from '../../../lib/data/weights';

const cacheDir = mkdtempSync(join(tmpdir(), 'weights-test-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));
const options = { cacheDir, mirrors: [], fetch: null };
const folder = `test-weights-${randomUUID()}`;

/** Writes `bytes` as the registered asset `folder/file` in the test's cache. */
function shard(file: string, bytes: Uint8Array): void {
  const name = `${folder}/${file}`;
  mkdirSync(join(cacheDir, folder), { recursive: true });
  writeFileSync(join(cacheDir, name), bytes);
  registerAsset({
    name,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.length,
    source: { kind: 'mirror-only', origin: 'this test', note: 'written by the test' },
    licence: 'none',
    description: 'a test shard',
  });
}

const bytesOf = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

describe('readManifestWeights', () => {
  // a: 2x2 in shard 1 and the start of shard 2 (a tensor may span shards), b: 3 values after it
  shard('group1-shard1of2.bin', bytesOf([1, 2, 3]));
  shard('group1-shard2of2.bin', bytesOf([4, -1.5, 0.25, 8]));
  shard('group2-shard1of1.bin', bytesOf([42]));
  const manifest = [
    {
      paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'],
      weights: [
        { name: 'a', shape: [2, 2], dtype: 'float32' },
        { name: 'b', shape: [3], dtype: 'float32' },
      ],
    },
    { paths: ['group2-shard1of1.bin'], weights: [{ name: 'c', shape: [], dtype: 'float32' }] },
  ];

  it('joins the shards in the manifest order; tfjs decodes the values written', async () => {
    const { weightSpecs, weightData } = await readManifestWeights(manifest, folder, options);
    expect(weightSpecs.map((s) => s.name)).toEqual(['a', 'b', 'c']);
    expect(weightData.byteLength).toBe(8 * 4);
    const decoded = tf.io.decodeWeights(weightData, weightSpecs);
    expect(Array.from(decoded.a!.dataSync())).toEqual([1, 2, 3, 4]);
    expect(decoded.a!.shape).toEqual([2, 2]);
    expect(Array.from(decoded.b!.dataSync())).toEqual([-1.5, 0.25, 8]);
    expect(Array.from(decoded.c!.dataSync())).toEqual([42]);
    tf.dispose(Object.values(decoded));
  });

  it('names the manifest when it is malformed, and the shard when it is not registered', async () => {
    await expect(readManifestWeights({ paths: [] }, folder, options, 'm.json')).rejects.toThrow(
      /m\.json: not a TF.js weights manifest \(expected an array of groups, got object\)/,
    );
    await expect(readManifestWeights([{ paths: ['x.bin'] }], folder, options, 'm.json')).rejects.toThrow(
      /m\.json: .*group 0 has no list of weights/,
    );
    await expect(readManifestWeights([{ weights: [] }], folder, options, 'm.json')).rejects.toThrow(
      /group 0 has no list of shard paths/,
    );
    await expect(
      readManifestWeights([{ paths: ['missing.bin'], weights: [] }], folder, options),
    ).rejects.toThrow(new RegExp(`Unknown data asset "${folder}/missing\\.bin"`));
  });
});
