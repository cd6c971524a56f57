/**
 * CIFAR-10 in its original binary record format: each record is 1 label byte
 * followed by 3072 pixel bytes, the 1024 red values of the 32×32 image (row-major),
 * then the 1024 green, then the 1024 blue. Read from the course mirror's subset
 * (10,000 + 2,000 records, classes round-robin) or the full tarball from the
 * dataset's home page.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { type HubOptions, resolveAsset } from './hub';
import { readTarGz } from './tar';

/** The ten classes, in label order. */
export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

/** Bytes in one record. */
export const CIFAR_RECORD_BYTES = 1 + 3 * 1024;

/** Images [n, 32, 32, 3] scaled to 0..1 and integer labels [n]. */
export interface CifarSet {
  images: tf.Tensor4D;
  labels: tf.Tensor1D;
}

/**
 * Decodes binary CIFAR records into channels-last tensors.
 *
 * @param bytes - whole records (a multiple of 3073 bytes).
 * @param limit - at most this many records (default all).
 * @throws Error when the length is not a whole number of records or a label is not 0..9.
 */
export function decodeCifarRecords(bytes: Uint8Array, limit = Infinity): CifarSet {
  if (bytes.length % CIFAR_RECORD_BYTES !== 0) {
    throw new Error(
      `CIFAR data of ${bytes.length} bytes is not a whole number of ${CIFAR_RECORD_BYTES}-byte records`,
    );
  }
  const n = Math.min(bytes.length / CIFAR_RECORD_BYTES, limit);
  const pixels = new Float32Array(n * 3072);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const base = r * CIFAR_RECORD_BYTES;
    const label = bytes[base]!;
    if (label > 9) throw new Error(`CIFAR record ${r} has label byte ${label}, expected 0..9`);
    labels[r] = label;
    // planes R, G, B → interleaved height × width × channel
    for (let c = 0; c < 3; c++) {
      const plane = base + 1 + c * 1024;
      for (let p = 0; p < 1024; p++) pixels[r * 3072 + p * 3 + c] = bytes[plane + p]! / 255;
    }
  }
  return { images: tf.tensor4d(pixels, [n, 32, 32, 3]), labels: tf.tensor1d(labels, 'int32') };
}

/** Options for {@link loadCifar10}. */
export interface CifarOptions extends HubOptions {
  /** Training records to load (default all available). */
  train?: number;
  /** Test records to load (default all available). */
  test?: number;
  /**
   * `subset`: the mirror's 10,000 + 2,000 records; `full`: the 50,000 + 10,000 of the
   * original tarball; `auto` (default): the subset when it can be found, else the tarball.
   */
  source?: 'auto' | 'subset' | 'full';
}

/** The two splits and where they came from. */
export interface Cifar10 {
  train: CifarSet;
  test: CifarSet;
  classes: readonly string[];
  source: 'subset' | 'full';
}

const FULL_TRAIN = [1, 2, 3, 4, 5].map((i) => `cifar-10-batches-bin/data_batch_${i}.bin`);
const FULL_TEST = 'cifar-10-batches-bin/test_batch.bin';

/**
 * Reads the training and test records out of a `cifar-10-binary.tar.gz`.
 *
 * @throws Error when the archive is corrupt or lacks a batch file.
 */
export async function readCifarTarball(path: string): Promise<{ train: Buffer; test: Buffer }> {
  const members = await readTarGz(path, (name) => FULL_TRAIN.includes(name) || name === FULL_TEST);
  const missing = [...FULL_TRAIN, FULL_TEST].filter((m) => !members.has(m));
  if (missing.length)
    throw new Error(`${path} is not the CIFAR-10 binary tarball: it lacks ${missing.join(', ')}`);
  return { train: Buffer.concat(FULL_TRAIN.map((m) => members.get(m)!)), test: members.get(FULL_TEST)! };
}

function checkCount(value: number | undefined, what: string): number {
  if (value === undefined) return Infinity;
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`loadCifar10: ${what} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Loads CIFAR-10 as tensors (the caller disposes them). The subset's classes are
 * interleaved, so any prefix of it is balanced; the full set's order is the original.
 */
export async function loadCifar10(options: CifarOptions = {}): Promise<Cifar10> {
  const train = checkCount(options.train, 'train');
  const test = checkCount(options.test, 'test');
  const mode = options.source ?? 'auto';
  let trainBytes: Uint8Array;
  let testBytes: Uint8Array;
  let source: 'subset' | 'full';
  const subset = async () => {
    const [a, b] = await Promise.all([
      resolveAsset('cifar10/data_batch_subset.bin', options),
      resolveAsset('cifar10/test_batch_subset.bin', options),
    ]);
    return { train: readFileSync(a.path), test: readFileSync(b.path) };
  };
  if (mode === 'subset') {
    ({ train: trainBytes, test: testBytes } = await subset());
    source = 'subset';
  } else {
    let got: { train: Uint8Array; test: Uint8Array } | undefined;
    if (mode === 'auto') got = await subset().catch(() => undefined);
    if (got) source = 'subset';
    else {
      got = await readCifarTarball((await resolveAsset('cifar10/cifar-10-binary.tar.gz', options)).path);
      source = 'full';
    }
    ({ train: trainBytes, test: testBytes } = got);
  }
  return {
    train: decodeCifarRecords(trainBytes, train),
    test: decodeCifarRecords(testBytes, test),
    classes: CIFAR10_CLASSES,
    source,
  };
}
