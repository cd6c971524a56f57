// CIFAR-10 record layout, the tarball reader (archives built by the system's tar),
// corrupt archives, and the mirror's subset.
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CIFAR10_CLASSES, decodeCifarRecords, loadCifar10, readCifarTarball } from '../../../lib/data/cifar';
import { mirrorDirectories } from '../../../lib/data/hub';
import { readTarGz } from '../../../lib/data/tar';

/** One record built by hand: red plane constant, green = column, blue = row. */
function record(label: number, red: number): Uint8Array {
  const r = new Uint8Array(3073);
  r[0] = label;
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      r[1 + y * 32 + x] = red;
      r[1 + 1024 + y * 32 + x] = x;
      r[1 + 2048 + y * 32 + x] = y;
    }
  }
  return r;
}

const concat = (parts: Uint8Array[]) => Buffer.concat(parts.map((p) => Buffer.from(p)));
const work = mkdtempSync(join(tmpdir(), 'cifar-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('CIFAR binary records', () => {
  it('label byte, then the R, G and B planes, row-major', async () => {
    const before = tf.memory().numTensors;
    const set = decodeCifarRecords(concat([record(3, 200), record(9, 17)]));
    expect(set.images.shape).toEqual([2, 32, 32, 3]);
    expect(Array.from(await set.labels.data())).toEqual([3, 9]);
    const px = tf.tidy(() => set.images.slice([0, 5, 7, 0], [1, 1, 1, 3]).dataSync());
    expect(Array.from(px).map((v) => Math.round(v * 255))).toEqual([200, 7, 5]);
    const px2 = tf.tidy(() => set.images.slice([1, 31, 2, 0], [1, 1, 1, 3]).dataSync());
    expect(Array.from(px2).map((v) => Math.round(v * 255))).toEqual([17, 2, 31]);
    tf.dispose([set.images, set.labels]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects partial records and impossible labels', () => {
    expect(() => decodeCifarRecords(new Uint8Array(3074))).toThrow(/not a whole number of 3073-byte records/);
    expect(() => decodeCifarRecords(record(12, 0))).toThrow(/label byte 12/);
  });
});

describe('tar.gz reading', () => {
  const dir = join(work, 'src', 'cifar-10-batches-bin');
  mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= 5; i++)
    writeFileSync(join(dir, `data_batch_${i}.bin`), concat([record(i, i), record(i + 1, i)]));
  writeFileSync(join(dir, 'test_batch.bin'), concat([record(0, 99)]));
  writeFileSync(join(dir, 'batches.meta.txt'), CIFAR10_CLASSES.join('\n') + '\n');
  const archive = join(work, 'cifar-10-binary.tar.gz');
  execFileSync('tar', ['czf', archive, '-C', join(work, 'src'), 'cifar-10-batches-bin']);

  it('reads the five training batches in order and the test batch', async () => {
    const { train, test } = await readCifarTarball(archive);
    expect(train.length).toBe(10 * 3073);
    const labels = Array.from({ length: 10 }, (_, r) => train[r * 3073]);
    expect(labels).toEqual([1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
    expect(test[0]).toBe(0);
    expect(test[1]).toBe(99);
  });

  it('picks members by name and returns their exact bytes', async () => {
    const members = await readTarGz(archive, (n) => n.endsWith('.txt'));
    expect([...members.keys()]).toEqual(['cifar-10-batches-bin/batches.meta.txt']);
    expect(members.get('cifar-10-batches-bin/batches.meta.txt')!.toString()).toBe(
      CIFAR10_CLASSES.join('\n') + '\n',
    );
  });

  it('long member names (GNU ././@LongLink) are read', async () => {
    const long = `${'deep/'.repeat(25)}file.bin`;
    mkdirSync(join(work, 'long', ...long.split('/').slice(0, -1)), { recursive: true });
    writeFileSync(join(work, 'long', long), 'payload');
    const path = join(work, 'long.tar.gz');
    execFileSync('tar', ['czf', path, '--format=gnu', '-C', join(work, 'long'), long]);
    const members = await readTarGz(path, (n) => n.endsWith('file.bin'));
    expect(members.get(long)?.toString()).toBe('payload');
  });

  it('a damaged archive is reported as corrupt', async () => {
    const bytes = readFileSync(archive);
    const damaged = Buffer.from(bytes);
    for (let i = 40; i < 80; i++) damaged[i] ^= 0x5a;
    const path = join(work, 'damaged.tar.gz');
    writeFileSync(path, damaged);
    await expect(readCifarTarball(path)).rejects.toThrow(/Corrupt archive .*damaged\.tar\.gz/);
  });

  it('a truncated archive is reported as corrupt', async () => {
    const bytes = readFileSync(archive);
    const path = join(work, 'cut.tar.gz');
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(readCifarTarball(path)).rejects.toThrow(/Corrupt archive .*cut\.tar\.gz/);
  });

  it('a tarball without the batch files is refused by name', async () => {
    const path = join(work, 'other.tar.gz');
    execFileSync('tar', ['czf', path, '-C', join(work, 'long'), 'deep']);
    await expect(readCifarTarball(path)).rejects.toThrow(/lacks cifar-10-batches-bin\/data_batch_1\.bin/);
  });
});

const mirror = mirrorDirectories().find((m) => existsSync(join(m, 'cifar10', 'test_batch_subset.bin')));

describe.skipIf(!mirror)(
  mirror
    ? 'the mirror subset'
    : 'the mirror subset (skipped: no data mirror with cifar10/, set COURSE_DATA_MIRROR)',
  () => {
    it('loads balanced prefixes with labels in round-robin order', async () => {
      const before = tf.memory().numTensors;
      const cifar = await loadCifar10({
        source: 'subset',
        train: 20,
        test: 10,
        cacheDir: join(work, 'cache'),
      });
      expect(cifar.source).toBe('subset');
      expect(cifar.train.images.shape).toEqual([20, 32, 32, 3]);
      expect(Array.from(await cifar.train.labels.data())).toEqual(
        Array.from({ length: 20 }, (_, i) => i % 10),
      );
      expect(Array.from(await cifar.test.labels.data())).toEqual(Array.from({ length: 10 }, (_, i) => i));
      const stats = tf.tidy(() => [
        tf.min(cifar.train.images).dataSync()[0]!,
        tf.max(cifar.train.images).dataSync()[0]!,
      ]);
      expect(stats[0]).toBeGreaterThanOrEqual(0);
      expect(stats[1]).toBeLessThanOrEqual(1);
      expect(stats[1]).toBeGreaterThan(0.5);
      tf.dispose([cifar.train.images, cifar.train.labels, cifar.test.images, cifar.test.labels]);
      expect(tf.memory().numTensors).toBe(before);
    });
  },
);
