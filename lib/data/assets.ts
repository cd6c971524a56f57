/**
 * Notebook-side conveniences over the data hub (lib/data): every file comes from
 * the hub (cache, mirror or download, SHA-256 checked); these helpers only list
 * a folder of registered assets and load a TF.js layers model from its files.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { resolveAsset } from './hub';
import { hubIOHandler } from './models';
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
export async function loadAssetLayersModel(folder: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(hubIOHandler(`${folder}/model.json`));
}
