/**
 * Notebook-side conveniences over the data hub (lib/data): every file comes from
 * the hub (cache, mirror or download, SHA-256 checked); these helpers only list
 * a folder of registered assets and load a TF.js layers model from its files.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assetsUnder, getAsset } from '../lib/data/registry';
import { projectRoot } from '../lib/paths';

/**
 * Local path of one registered asset, e.g. `photos/chelsea.png`, from the data mirror
 * (COURSE_DATA_MIRROR, else ../shared/data), checked against the registry's size.
 * (lib/data/hub's resolveAsset does not compile under tslab's TypeScript yet; switch to it when it does.)
 */
export async function assetFile(name: string): Promise<string> {
  const asset = getAsset(name);
  const mirror = process.env.COURSE_DATA_MIRROR ?? resolve(projectRoot(), '..', 'shared', 'data');
  const path = join(mirror, asset.name);
  if (!existsSync(path)) throw new Error(`data asset ${name} not found at ${path}: set COURSE_DATA_MIRROR to the data mirror`);
  const size = statSync(path).size;
  if (size !== asset.size) throw new Error(`data asset ${name}: ${path} has ${size} bytes, the registry says ${asset.size}`);
  return path;
}

/** Local paths of the registered assets under `prefix` whose names match `pattern`, sorted by name. */
export async function assetFiles(prefix: string, pattern: RegExp = /./): Promise<string[]> {
  const names = assetsUnder(prefix).filter((n) => pattern.test(n.slice(n.lastIndexOf('/') + 1))).sort();
  if (names.length === 0) throw new Error(`no registered assets under "${prefix}" match ${pattern}`);
  return Promise.all(names.map(assetFile));
}

/** Lines of a registered text asset (e.g. class names), blank lines dropped. */
export async function assetLines(name: string): Promise<string[]> {
  return readFileSync(await assetFile(name), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
}

/**
 * Loads a TF.js layers model whose `model.json` and weight shards are registered
 * assets under `folder` (e.g. `models/darknet-tiny`).
 */
export async function loadAssetLayersModel(folder: string): Promise<tfTypes.LayersModel> {
  const tf = await import('@tensorflow/tfjs');
  const json = JSON.parse(readFileSync(await assetFile(`${folder}/model.json`), 'utf8')) as {
    modelTopology: object;
    weightsManifest: Array<{ paths: string[]; weights: tfTypes.io.WeightsManifestEntry[] }>;
  };
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const shards: Buffer[] = [];
  for (const group of json.weightsManifest) for (const p of group.paths) shards.push(readFileSync(await assetFile(`${folder}/${p}`)));
  const bytes = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
  let offset = 0;
  for (const s of shards) {
    bytes.set(s, offset);
    offset += s.length;
  }
  return tf.loadLayersModel({ load: async () => ({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: bytes.buffer }) });
}
