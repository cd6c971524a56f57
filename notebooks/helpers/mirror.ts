/**
 * Notebook-side access to the offline data mirror (until the data hub in lib/data
 * has a loader for an asset): the folder named by COURSE_DATA_MIRROR, else
 * `../shared/data` beside the project.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { projectRoot } from '../lib/paths';

/** Absolute path of a file or folder inside the data mirror; throws a clear error when missing. */
export function mirrorPath(...parts: string[]): string {
  const base = process.env.COURSE_DATA_MIRROR ?? resolve(projectRoot(), '..', 'shared', 'data');
  const path = join(base, ...parts);
  if (!existsSync(path)) throw new Error(`data mirror: ${path} not found (set COURSE_DATA_MIRROR to the mirror folder)`);
  return path;
}

/** Sorted file names in a mirror folder that match `pattern`. */
export function mirrorFiles(folder: string[], pattern: RegExp): string[] {
  const dir = mirrorPath(...folder);
  return readdirSync(dir).filter((f) => pattern.test(f)).sort().map((f) => join(dir, f));
}

/**
 * Loads a TF.js layers model (model.json + weight shards) from a mirror folder,
 * e.g. `['models', 'darknet-tiny']`, through a file-reading IOHandler.
 */
export async function loadMirrorLayersModel(folder: string[]): Promise<import('@tensorflow/tfjs').LayersModel> {
  const tf = await import('@tensorflow/tfjs');
  const dir = mirrorPath(...folder);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: Array<{ paths: string[]; weights: import('@tensorflow/tfjs').io.WeightsManifestEntry[] }>;
  };
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const shards = json.weightsManifest.flatMap((group) => group.paths.map((p) => readFileSync(join(dir, p))));
  const bytes = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
  let offset = 0;
  for (const s of shards) {
    bytes.set(s, offset);
    offset += s.length;
  }
  return tf.loadLayersModel({ load: async () => ({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: bytes.buffer }) });
}

/** Lines of a text file in the mirror (e.g. class names), blank lines dropped. */
export function mirrorLines(...parts: string[]): string[] {
  return readFileSync(mirrorPath(...parts), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
}
