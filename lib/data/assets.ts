/**
 * Notebook-side conveniences over the data hub (lib/data): every file comes from
 * the hub (cache, mirror or download, SHA-256 checked); these helpers only list
 * a folder of registered assets and load a TF.js layers model from its files.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { resolveAsset } from './hub';
import { assetsUnder } from './registry';

/**
 * Local path of one registered asset, e.g. `photos/chelsea.png`: from the cache, a data
 * mirror (COURSE_DATA_MIRROR, or ../shared/data beside the project) or its upstream,
 * checked against the registry's SHA-256. A missing asset is an error that names its
 * upstream and where to put a copy.
 */
export async function assetFile(name: string): Promise<string> {
  return (await resolveAsset(name)).path;
}

/** Local paths of the registered assets under `prefix` whose names match `pattern`, sorted by name. */
export async function assetFiles(prefix: string, pattern: RegExp = /./): Promise<string[]> {
  const names = assetsUnder(prefix)
    .filter((n) => pattern.test(n.slice(n.lastIndexOf('/') + 1)))
    .sort();
  if (names.length === 0) throw new Error(`no registered assets under "${prefix}" match ${pattern}`);
  // One at a time: on a first run each may be a download, and hundreds at once would be refused upstream.
  const paths: string[] = [];
  for (const name of names) paths.push(await assetFile(name));
  return paths;
}

/** Lines of a registered text asset (e.g. class names), blank lines dropped. */
export async function assetLines(name: string): Promise<string[]> {
  return readFileSync(await assetFile(name), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
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
  for (const group of json.weightsManifest)
    for (const p of group.paths) shards.push(readFileSync(await assetFile(`${folder}/${p}`)));
  const bytes = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
  let offset = 0;
  for (const s of shards) {
    bytes.set(s, offset);
    offset += s.length;
  }
  return tf.loadLayersModel({
    load: async () => ({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: bytes.buffer }),
  });
}
