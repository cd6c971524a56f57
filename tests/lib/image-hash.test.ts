// Difference hashes of hand-made block images, Hamming distances, near-duplicate groups
// (single linkage) and group-keeping splits, all checked against hand-computed values.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { differenceHashes, hammingDistance, nearDuplicateGroups, splitByGroups } from '../../lib/image-hash';
import { createRng } from '../../lib/data/random';

/** An image of rows × cols constant blocks of 4×4 pixels, grey value `blocks[i][j]` spread over 3 channels. */
function blockImage(blocks: number[][]): tf.Tensor3D {
  const rows = blocks.length * 4,
    cols = blocks[0]!.length * 4;
  const data: number[][][] = Array.from({ length: rows }, (_, y) =>
    Array.from({ length: cols }, (_, x) => {
      const v = blocks[Math.floor(y / 4)]![Math.floor(x / 4)]!;
      return [v - 0.05, v, v + 0.05]; // channel mean v
    }),
  );
  return tf.tensor3d(data);
}

describe('differenceHashes', () => {
  it('sets a bit where a thumbnail pixel is brighter than its right neighbour', () => {
    // A 2×3 thumbnail (size 2): row 0 is 0.1 0.5 0.3, row 1 is 0.2 0.2 0.7.
    // Bits: 0.1 > 0.5 no, 0.5 > 0.3 yes; 0.2 > 0.2 no, 0.2 > 0.7 no.
    const image = blockImage([
      [0.1, 0.5, 0.3],
      [0.2, 0.2, 0.7],
    ]);
    const mirrored = tf.reverse(image, 1) as tf.Tensor3D; // row 0: 0.3 0.5 0.1, row 1: 0.7 0.2 0.2
    const batch = tf.stack([image, mirrored]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const [a, b] = differenceHashes(batch, 2);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(a!)).toEqual([0, 1, 0, 0]);
    expect(Array.from(b!)).toEqual([0, 1, 1, 0]);
    tf.dispose([image, mirrored, batch]);
  });

  it('ignores brightness and contrast, and sees a changed scene', () => {
    const scene = tf.tidy(() => tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 5)) as tf.Tensor4D;
    const darker = tf.tidy(() => tf.add(tf.mul(scene, 0.4), 0.05)) as tf.Tensor4D;
    const other = tf.tidy(() => tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 6)) as tf.Tensor4D;
    const [h1] = differenceHashes(scene);
    const [h2] = differenceHashes(darker);
    const [h3] = differenceHashes(other);
    expect(h1!.length).toBe(64);
    expect(hammingDistance(h1!, h2!)).toBe(0);
    expect(hammingDistance(h1!, h3!)).toBeGreaterThan(16); // independent noise: about 32 bits differ
    tf.dispose([scene, darker, other]);
  });

  it('says what is wrong with its input', () => {
    const small = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
    expect(() => differenceHashes(small, 8)).toThrow(/4×4 are smaller than the 8×9 thumbnail/);
    expect(() => differenceHashes(tf.zeros([4, 4, 3]) as unknown as tf.Tensor4D)).toThrow(
      /\[n, h, w, c\], got \[4,4,3\]/,
    );
    small.dispose();
  });
});

describe('hammingDistance', () => {
  it('counts the differing bits', () => {
    expect(hammingDistance(Uint8Array.from([0, 1, 1, 0]), Uint8Array.from([1, 1, 0, 0]))).toBe(2);
    expect(hammingDistance(Uint8Array.from([1, 1]), Uint8Array.from([1, 1]))).toBe(0);
    expect(() => hammingDistance(Uint8Array.from([1]), Uint8Array.from([1, 0]))).toThrow(/1 and 2 bits/);
  });
});

describe('nearDuplicateGroups', () => {
  const h = (bits: string) => Uint8Array.from(bits, Number);
  it('links pairs within the distance, and chains of them', () => {
    // 0000 – 0001 – 0011 are 1 apart in a chain (0000 and 0011 are 2 apart); 1111 is far from all.
    const hashes = [h('0000'), h('1111'), h('0011'), h('0001')];
    expect(nearDuplicateGroups(hashes, 1)).toEqual([0, 1, 0, 0]);
    expect(nearDuplicateGroups(hashes, 0)).toEqual([0, 1, 2, 3]);
    expect(nearDuplicateGroups(hashes, 4)).toEqual([0, 0, 0, 0]);
  });
});

describe('splitByGroups', () => {
  it('keeps every group on one side and fills the test side to the fraction', () => {
    const groups = [0, 0, 0, 3, 4, 4, 6, 7, 7, 7];
    for (let seed = 1; seed <= 20; seed++) {
      const { train, test } = splitByGroups(groups, 0.3, createRng(seed).next);
      expect([...train, ...test].sort((a, b) => a - b)).toEqual(groups.map((_, i) => i));
      expect(test.length).toBeGreaterThanOrEqual(3);
      for (const g of new Set(groups)) {
        const members = groups.flatMap((v, i) => (v === g ? [i] : []));
        expect(members.every((i) => test.includes(i)) || members.every((i) => train.includes(i))).toBe(true);
      }
    }
    // Draws always 0.999: Fisher–Yates keeps the order 0, 3, 4, 6, 7; group 0 (3 images) fills 30%.
    expect(splitByGroups(groups, 0.3, () => 0.999).test).toEqual([0, 1, 2]);
    // Draws always 0: the order becomes 3, 4, 6, 7, 0; group 3 (1 image), then 4 (2) reach 3 images.
    expect(splitByGroups(groups, 0.3, () => 0).test).toEqual([3, 4, 5]);
    expect(() => splitByGroups(groups, 1, Math.random)).toThrow(/between 0 and 1, got 1/);
  });
});
