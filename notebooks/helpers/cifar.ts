/**
 * CIFAR-10 for the notebooks: the data mirror's balanced subset in the original
 * binary records (1 label byte, then 1024 red, 1024 green, 1024 blue bytes).
 * lib/data's loadCifar10 does the same but imports lib/data/hub, which does not
 * compile under tslab's TypeScript yet; switch to it when it does.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { assetFile, assetLines } from './assets';

/** Images [n, 32, 32, 3] scaled to 0..1 and integer labels 0..9. */
export interface CifarSplit {
  images: tf.Tensor4D;
  labels: number[];
}

const RECORD = 1 + 3 * 1024;

function decode(bytes: Uint8Array, count: number, what: string): CifarSplit {
  const available = Math.floor(bytes.length / RECORD);
  if (!Number.isInteger(count) || count < 1 || count > available) throw new Error(`CIFAR-10 ${what}: asked for ${count} records, the file holds ${available}`);
  const pixels = new Float32Array(count * 3072);
  const labels: number[] = [];
  for (let r = 0; r < count; r++) {
    const base = r * RECORD;
    const label = bytes[base]!;
    if (label > 9) throw new Error(`CIFAR-10 ${what}: record ${r} has label ${label}`);
    labels.push(label);
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) pixels[r * 3072 + p * 3 + c] = bytes[base + 1 + c * 1024 + p]! / 255;
  }
  return { images: tf.tensor4d(pixels, [count, 32, 32, 3]), labels };
}

/**
 * The first `train` training and `test` test records of the subset (classes
 * interleave, so any prefix is balanced) and the class names. The caller disposes the images.
 */
export async function loadCifarSubset(train: number, test: number): Promise<{ train: CifarSplit; test: CifarSplit; classes: string[] }> {
  const classes = await assetLines('cifar10/batches.meta.txt');
  return {
    train: decode(readFileSync(await assetFile('cifar10/data_batch_subset.bin')), train, 'training set'),
    test: decode(readFileSync(await assetFile('cifar10/test_batch_subset.bin')), test, 'test set'),
    classes,
  };
}
