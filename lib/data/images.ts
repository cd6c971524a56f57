/**
 * Loaders for the course's real photo sets: day/night webcam photos, aligned face
 * crops by identity and group photos, detection demo photos, the style-transfer
 * pair and the cat photo. Every file goes through the hub (cache, mirror, network)
 * and is checked by SHA-256 before it is decoded.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { decodeImage, imageToTensor } from '../image';
import { type HubOptions, resolveAsset } from './hub';
import { assetsUnder } from './registry';

/** Options for decoding an image asset. */
export interface AssetImageOptions extends HubOptions {
  /** Resize to [height, width] (bilinear). */
  size?: [number, number];
  /** Scale 0..255 to 0..1 (default true). */
  scale?: boolean;
}

/**
 * Decodes a registered PNG/JPEG asset to a float32 tensor [h, w, 3].
 * The caller disposes it.
 */
export async function loadAssetImage(name: string, options: AssetImageOptions = {}): Promise<tf.Tensor3D> {
  const { path } = await resolveAsset(name, options);
  const image = decodeImage(readFileSync(path), name);
  return tf.tidy(() => {
    let t: tf.Tensor3D = tf.cast(imageToTensor(image, 3), 'float32');
    if (options.size) t = tf.image.resizeBilinear(t, options.size);
    return (options.scale ?? true) ? (tf.div(t, 255) as tf.Tensor3D) : t;
  });
}

function checkSize(size: [number, number] | undefined, who: string): void {
  if (size && !(size.length === 2 && size.every((v) => Number.isInteger(v) && v > 0))) {
    throw new Error(`${who}: size must be [height, width] in pixels, got [${size}]`);
  }
}

// ---------------------------------------------------------------- day / night

/** The Day'n'Night split: images [n, h, w, 3] in 0..1, labels 1 = day, 0 = night. */
export interface DayNightSet {
  images: tf.Tensor4D;
  labels: tf.Tensor1D;
  /** Asset names, in the order of the rows. */
  files: string[];
}

/** Options for {@link loadDayNight}. */
export interface DayNightOptions extends HubOptions {
  /** [height, width] every photo is resized to (default [64, 64]). */
  size?: [number, number];
  /** At most this many photos per class per split (default all: 120 + 120 training, 80 + 80 test). */
  perClass?: number;
}

async function dayNightSplit(split: 'training' | 'test', options: DayNightOptions): Promise<DayNightSet> {
  const size = options.size ?? [64, 64];
  const day = assetsUnder(`day-night/${split}/day/`).slice(0, options.perClass);
  const night = assetsUnder(`day-night/${split}/night/`).slice(0, options.perClass);
  // day, night, day, night…: every prefix is balanced
  const files: string[] = [];
  for (let i = 0; i < Math.max(day.length, night.length); i++) {
    if (i < day.length) files.push(day[i]!);
    if (i < night.length) files.push(night[i]!);
  }
  const labels = files.map((f) => (f.includes('/day/') ? 1 : 0));
  const tensors: tf.Tensor3D[] = [];
  try {
    for (const f of files) tensors.push(await loadAssetImage(f, { ...options, size }));
    return { images: tf.stack(tensors) as tf.Tensor4D, labels: tf.tensor1d(labels, 'int32'), files };
  } finally {
    tf.dispose(tensors);
  }
}

/**
 * Loads the Day'n'Night webcam photos (AMOS-derived), resized, with labels, as the
 * upstream's training and test splits. The caller disposes the tensors.
 */
export async function loadDayNight(
  options: DayNightOptions = {},
): Promise<{ train: DayNightSet; test: DayNightSet }> {
  checkSize(options.size, 'loadDayNight');
  if (options.perClass !== undefined && !(Number.isInteger(options.perClass) && options.perClass > 0)) {
    throw new Error(`loadDayNight: perClass must be a positive integer, got ${options.perClass}`);
  }
  const train = await dayNightSplit('training', options);
  try {
    return { train, test: await dayNightSplit('test', options) };
  } catch (error) {
    tf.dispose([train.images, train.labels]);
    throw error;
  }
}

// ---------------------------------------------------------------- faces

/** The identities of the aligned face crops. */
export function faceIdentities(): string[] {
  return [
    ...new Set(
      assetsUnder('faces/')
        .map((n) => n.split('/')[1]!)
        .filter((n) => n !== 'group'),
    ),
  ].sort();
}

/** One aligned face crop. */
export interface FaceCrop {
  identity: string;
  /** Asset name, e.g. `faces/amy/amy1.png`. */
  file: string;
  /** [h, w, 3] in 0..1 (150×150 unless resized). */
  image: tf.Tensor3D;
}

/**
 * Loads the aligned face crops, 5 per identity. The caller disposes the images.
 *
 * @param identities - which people (default all eight).
 */
export async function loadFaceCrops(
  options: AssetImageOptions & { identities?: string[] } = {},
): Promise<FaceCrop[]> {
  const known = faceIdentities();
  const wanted = options.identities ?? known;
  const unknown = wanted.filter((w) => !known.includes(w));
  if (unknown.length)
    throw new Error(`loadFaceCrops: unknown identities ${unknown.join(', ')}; known: ${known.join(', ')}`);
  const out: FaceCrop[] = [];
  try {
    for (const identity of wanted) {
      for (const file of assetsUnder(`faces/${identity}/`))
        out.push({ identity, file, image: await loadAssetImage(file, options) });
    }
  } catch (error) {
    tf.dispose(out.map((f) => f.image));
    throw error;
  }
  return out;
}

/** Names of the group photos (`faces/group/bbt1.jpg` …). */
export function groupPhotoNames(): string[] {
  return assetsUnder('faces/group/');
}

// ---------------------------------------------------------------- photos

/** The detection demo photos (darknet's samples). */
export const DETECTION_PHOTOS = [
  'photos/dog.jpg',
  'photos/eagle.jpg',
  'photos/horses.jpg',
  'photos/person.jpg',
] as const;

/** The style-transfer pair, resized to the same size (default 224×224). The caller disposes both. */
export async function loadStyleContent(
  options: AssetImageOptions = {},
): Promise<{ content: tf.Tensor3D; style: tf.Tensor3D }> {
  checkSize(options.size, 'loadStyleContent');
  const size = options.size ?? [224, 224];
  const content = await loadAssetImage('photos/content_heavy.jpg', { ...options, size });
  try {
    return { content, style: await loadAssetImage('photos/style_StarryNight.jpg', { ...options, size }) };
  } catch (error) {
    content.dispose();
    throw error;
  }
}
