/**
 * Oxford-IIIT Pet photos with their trimaps: real data for segmentation.
 *
 * The mirror holds masks in two conventions, told apart by the PNG's colour type:
 * - palette PNGs (26 pets) whose indices are, as measured on every file: 0 = background,
 *   1 = cat, 2 = dog, 255 = the boundary band;
 * - Oxford's original trimaps (240 pets), 8-bit greyscale: 1 = pet, 2 = background,
 *   3 = boundary; the species follows Oxford's naming (cat breeds are capitalised).
 * The loader returns one convention: 0 = background, 1 = pet, 2 = boundary, plus the species.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { type HubOptions, resolveAsset } from './hub';
import { loadAssetImage } from './images';
import { decodeIndexedPng } from './png-index';
import { assetsUnder } from './registry';

/** Class ids of {@link PetSample.trimap}. */
export const TRIMAP_CLASSES = ['background', 'pet', 'boundary'] as const;

/** One photo with its per-pixel classes. */
export interface PetSample {
  /** e.g. `Abyssinian_1`. */
  id: string;
  species: 'cat' | 'dog';
  /** [h, w, 3] in 0..1. */
  image: tf.Tensor3D;
  /** [h, w] int32: 0 background, 1 pet, 2 boundary. */
  trimap: tf.Tensor2D;
}

/** The decoded trimap of one mask file. */
export interface Trimap {
  width: number;
  height: number;
  /** 0 background, 1 pet, 2 boundary. */
  classes: Int32Array;
  species: 'cat' | 'dog';
}

/**
 * Maps a mask's raw palette indices to trimap classes.
 *
 * @throws Error naming the file and value when an index is not 0, 1, 2 or 255, or both species appear.
 */
export function trimapFromIndices(indices: Uint8Array, width: number, height: number, name: string): Trimap {
  const classes = new Int32Array(indices.length);
  let cat = 0,
    dog = 0;
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]!;
    if (v === 0) classes[i] = 0;
    else if (v === 255) classes[i] = 2;
    else if (v === 1 || v === 2) {
      classes[i] = 1;
      if (v === 1) cat++;
      else dog++;
    } else
      throw new Error(
        `${name}: unexpected mask value ${v} at pixel ${i} (expected 0 background, 1 cat, 2 dog, 255 boundary)`,
      );
  }
  if (cat > 0 && dog > 0) throw new Error(`${name}: mask marks both cat (${cat} px) and dog (${dog} px)`);
  if (cat === 0 && dog === 0) throw new Error(`${name}: mask has no pet pixels`);
  return { width, height, classes, species: cat > 0 ? 'cat' : 'dog' };
}

/**
 * Maps an original Oxford trimap (greyscale: 1 pet, 2 background, 3 boundary) to trimap classes.
 *
 * @param species - from the file's name ({@link speciesFromOxfordName}): these masks do not say.
 * @throws Error naming the file and value when a value is not 1, 2 or 3, or no pixel is pet.
 */
export function trimapFromOxford(
  values: Uint8Array,
  width: number,
  height: number,
  name: string,
  species: 'cat' | 'dog',
): Trimap {
  const classes = new Int32Array(values.length);
  let pet = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === 1) {
      classes[i] = 1;
      pet++;
    } else if (v === 2) classes[i] = 0;
    else if (v === 3) classes[i] = 2;
    else
      throw new Error(
        `${name}: unexpected trimap value ${v} at pixel ${i} (expected 1 pet, 2 background, 3 boundary)`,
      );
  }
  if (pet === 0) throw new Error(`${name}: trimap has no pet pixels`);
  return { width, height, classes, species };
}

/**
 * The species of an Oxford-IIIT Pet image from its name: the dataset capitalises cat breeds
 * (`Abyssinian_1`) and writes dog breeds in lower case (`american_bulldog_10`).
 */
export function speciesFromOxfordName(id: string): 'cat' | 'dog' {
  const first = id.charAt(0);
  if (first.toLowerCase() === first.toUpperCase())
    throw new Error(`speciesFromOxfordName: "${id}" does not start with a breed name`);
  return first === first.toUpperCase() ? 'cat' : 'dog';
}

/**
 * Decodes one mask file of either convention: palette PNGs by {@link trimapFromIndices},
 * greyscale PNGs (Oxford's own trimaps) by {@link trimapFromOxford}.
 *
 * @param id - the pet's id, for the species of a greyscale trimap.
 */
export function trimapFromPng(bytes: Uint8Array, id: string, name = `${id}.png`): Trimap {
  const png = decodeIndexedPng(bytes, name);
  return png.palette.length > 0
    ? trimapFromIndices(png.data, png.width, png.height, name)
    : trimapFromOxford(png.data, png.width, png.height, name, speciesFromOxfordName(id));
}

/** Ids of the available samples, sorted. */
export function petIds(): string[] {
  return assetsUnder('pets-seg/images/').map((n) => n.slice('pets-seg/images/'.length).replace(/\.jpg$/, ''));
}

/** Reads and decodes one trimap. */
export async function loadTrimap(id: string, options: HubOptions = {}): Promise<Trimap> {
  const name = `pets-seg/masks/${id}.png`;
  return trimapFromPng(readFileSync((await resolveAsset(name, options)).path), id, name);
}

/** Options for {@link loadPets}. */
export interface PetOptions extends HubOptions {
  /** Resize photo and trimap to [height, width] (bilinear for the photo, nearest for the trimap). */
  size?: [number, number];
  /** Which samples (default all of {@link petIds}). */
  ids?: string[];
}

/** Loads photos with trimaps. The caller disposes the tensors. */
export async function loadPets(options: PetOptions = {}): Promise<PetSample[]> {
  const known = petIds();
  const ids = options.ids ?? known;
  const unknown = ids.filter((i) => !known.includes(i));
  if (unknown.length)
    throw new Error(`loadPets: unknown ids ${unknown.join(', ')}; e.g. ${known.slice(0, 3).join(', ')}`);
  const out: PetSample[] = [];
  try {
    for (const id of ids) {
      const trimap = await loadTrimap(id, options);
      const image = await loadAssetImage(`pets-seg/images/${id}.jpg`, { ...options, size: options.size });
      const mask = tf.tidy(() => {
        const t = tf.tensor2d(trimap.classes, [trimap.height, trimap.width], 'int32');
        if (!options.size) return t;
        const resized = tf.image.resizeNearestNeighbor(
          tf.expandDims(tf.cast(t, 'float32'), -1) as tf.Tensor3D,
          options.size,
        );
        return tf.cast(tf.squeeze(resized, [2]), 'int32') as tf.Tensor2D;
      });
      out.push({ id, species: trimap.species, image, trimap: mask });
    }
  } catch (error) {
    tf.dispose(out.flatMap((s) => [s.image, s.trimap]));
    throw error;
  }
  return out;
}
