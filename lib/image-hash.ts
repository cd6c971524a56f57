/**
 * Perceptual hashes, to find near-duplicate images: frames of one webcam a few minutes apart,
 * the same photo resized or recompressed. Unlike a file hash, a perceptual hash changes little
 * when the picture changes little, so near-duplicates have hashes a few bits apart (their
 * Hamming distance). Used to keep near-duplicates on one side of a train/test split.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Difference hashes (dHash) of a batch of images: each image is turned grey (mean of its
 * channels), shrunk to `size` rows × `size + 1` columns by averaging blocks of pixels, and
 * bit (i, j) is 1 when pixel (i, j) of the small image is brighter than its right neighbour.
 * The hash ignores overall brightness and contrast (only the sign of horizontal gradients
 * counts), so two frames of one scene match even when the light differs a little.
 * @param images [n, h, w, c] with h ≥ size and w ≥ size + 1.
 * @param size rows of the small image (default 8: 64-bit hashes).
 * @returns one `Uint8Array` of size² bits (0 or 1), row by row, per image.
 */
export function differenceHashes(images: tf.Tensor4D, size = 8): Uint8Array[] {
  if (images.rank !== 4) throw new Error(`differenceHashes expects [n, h, w, c], got [${images.shape}]`);
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`differenceHashes: size must be a positive integer, got ${size}`);
  const [n, h, w] = images.shape;
  if (h < size || w < size + 1)
    throw new Error(
      `differenceHashes: images of ${h}×${w} are smaller than the ${size}×${size + 1} thumbnail`,
    );
  const block = 4; // bilinear resize to 4× the thumbnail, then 4×4 means: an area average
  const bits = tf.tidy(() => {
    const grey = tf.mean(images, 3, true) as tf.Tensor4D;
    const large = tf.image.resizeBilinear(grey, [size * block, (size + 1) * block]);
    const thumb = tf.avgPool(large, block, block, 'valid');
    const left = thumb.slice([0, 0, 0, 0], [n, size, size, 1]);
    const right = thumb.slice([0, 0, 1, 0], [n, size, size, 1]);
    return tf
      .greater(left, right)
      .reshape([n, size * size])
      .dataSync();
  });
  return Array.from({ length: n }, (_, i) =>
    Uint8Array.from(bits.subarray(i * size * size, (i + 1) * size * size)),
  );
}

/** The number of positions where two hashes differ. */
export function hammingDistance(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`hammingDistance: hashes of ${a.length} and ${b.length} bits`);
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

/**
 * Groups of near-duplicates: images i and j are in one group when their hashes are at most
 * `maxDistance` bits apart, or are linked through a chain of such pairs (single linkage).
 * @returns for each image, its group's id: the smallest index in the group.
 */
export function nearDuplicateGroups(hashes: Uint8Array[], maxDistance: number): number[] {
  const parent = hashes.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (let i = 0; i < hashes.length; i++) {
    for (let j = i + 1; j < hashes.length; j++) {
      if (hammingDistance(hashes[i]!, hashes[j]!) <= maxDistance) {
        const [a, b] = [root(i), root(j)];
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  }
  return hashes.map((_, i) => root(i));
}

/**
 * A train/test split that keeps every group whole: the groups, in an order drawn with
 * `random`, go to the test set until it holds at least `testFraction` of the images; the rest
 * is the training set. Near-duplicates then never sit on both sides.
 * @param groups a group id per image (e.g. from {@link nearDuplicateGroups}).
 * @param testFraction between 0 and 1.
 * @param random uniform numbers in [0, 1) (a seeded generator's `next`).
 * @returns the image indices of each side, in increasing order.
 */
export function splitByGroups(
  groups: number[],
  testFraction: number,
  random: () => number,
): { train: number[]; test: number[] } {
  if (!(testFraction > 0 && testFraction < 1))
    throw new Error(`splitByGroups: testFraction must be between 0 and 1, got ${testFraction}`);
  const ids = [...new Set(groups)];
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  const inTest = new Set<number>();
  let count = 0;
  for (const id of ids) {
    if (count >= testFraction * groups.length) break;
    inTest.add(id);
    count += groups.filter((g) => g === id).length;
  }
  const train: number[] = [];
  const test: number[] = [];
  groups.forEach((g, i) => (inTest.has(g) ? test : train).push(i));
  return { train, test };
}
