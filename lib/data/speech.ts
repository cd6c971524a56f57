/**
 * Real audio from the data hub: Speech Commands recordings of single spoken words and real
 * background-noise recordings (WAV), plus the brain MRI volumes (NIfTI). Every file is found
 * and SHA-256-checked by the hub; decoding is ./wav and ./nifti.
 */
import { type HubOptions, readAsset } from './hub';
import { decodeNifti, type NiftiVolume } from './nifti';
import { assetsUnder } from './registry';
import { decodeWav, toMono } from './wav';

/** One recorded word. */
export interface SpokenWord {
  word: string;
  /** The Speech Commands speaker id (the file name's part before `_nohash_`). */
  speaker: string;
  /** Mono samples in [-1, 1). */
  samples: Float32Array;
  sampleRate: number;
}

/** The words of the mirror's Speech Commands subset, sorted. */
export function speechWords(): string[] {
  const words = new Set(
    assetsUnder('speech/')
      .map((n) => n.split('/')[1]!)
      .filter((w) => w !== '_background_noise_'),
  );
  return [...words].sort();
}

/**
 * Loads every recording of the given words (all words when omitted), in name order.
 *
 * @throws Error naming an unknown word and the known ones.
 */
export async function loadSpokenWords(
  words: string[] = speechWords(),
  options: HubOptions = {},
): Promise<SpokenWord[]> {
  const known = speechWords();
  const unknown = words.filter((w) => !known.includes(w));
  if (unknown.length)
    throw new Error(
      `no recordings of ${unknown.map((w) => `"${w}"`).join(', ')}; the words are: ${known.join(' ')}`,
    );
  const out: SpokenWord[] = [];
  for (const word of words) {
    for (const name of assetsUnder(`speech/${word}/`)) {
      const audio = decodeWav(await readAsset(name, options), name);
      const file = name.slice(name.lastIndexOf('/') + 1);
      out.push({
        word,
        speaker: file.split('_nohash_')[0]!,
        samples: toMono(audio),
        sampleRate: audio.sampleRate,
      });
    }
  }
  return out;
}

/** One background recording, mono. */
export interface BackgroundNoise {
  /** e.g. `running_tap`. */
  name: string;
  samples: Float32Array;
  sampleRate: number;
}

/** Loads the real background-noise recordings (stereo ones averaged to mono), in name order. */
export async function loadBackgroundNoise(options: HubOptions = {}): Promise<BackgroundNoise[]> {
  const out: BackgroundNoise[] = [];
  for (const name of assetsUnder('speech/_background_noise_/')) {
    const audio = decodeWav(await readAsset(name, options), name);
    out.push({
      name: name.slice(name.lastIndexOf('/') + 1).replace(/\.wav$/, ''),
      samples: toMono(audio),
      sampleRate: audio.sampleRate,
    });
  }
  return out;
}

/** Names of the registered MRI volumes (`volumes/….nii.gz`). */
export function mriVolumeNames(): string[] {
  return assetsUnder('volumes/');
}

/** Loads one registered NIfTI volume, e.g. `volumes/someones_anatomy.nii.gz`. */
export async function loadMriVolume(name: string, options: HubOptions = {}): Promise<NiftiVolume> {
  return decodeNifti(await readAsset(name, options), name);
}
