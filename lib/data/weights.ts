/**
 * The one reader of TF.js weights manifests (the `weightsManifest` of a model.json, or
 * face-api's `*-weights_manifest.json`): every shard it lists is a registered asset read
 * through the data hub (checked by SHA-256), and the shards are joined in the manifest's
 * order, as TF.js lays out `weightData`.
 */
import type * as tf from '@tensorflow/tfjs';
import { type HubOptions, readAsset } from './hub';

/** One group of a weights manifest: shard files and the tensors they hold, in order. */
export interface WeightsGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

/** The weights of a manifest: what an IOHandler returns, or `tf.io.decodeWeights` takes. */
export interface ManifestWeights {
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

function checkManifest(manifest: unknown, what: string): WeightsGroup[] {
  const fail = (why: string): never => {
    throw new Error(`${what}: not a TF.js weights manifest (${why})`);
  };
  if (!Array.isArray(manifest)) return fail(`expected an array of groups, got ${typeof manifest}`);
  manifest.forEach((group: Partial<WeightsGroup> | null, i) => {
    if (!group || !Array.isArray(group.paths) || !group.paths.every((p) => typeof p === 'string'))
      fail(`group ${i} has no list of shard paths`);
    if (!Array.isArray(group!.weights)) fail(`group ${i} has no list of weights`);
  });
  return manifest as WeightsGroup[];
}

/**
 * Reads the shards that a weights manifest lists, each the registered asset
 * `folder/path`, and joins them in the manifest's order.
 *
 * @param manifest - the parsed manifest (an array of groups).
 * @param folder - the folder of the manifest's file, e.g. `models/darknet-tiny` ('' for none).
 * @param what - the manifest's name in error messages.
 * @throws Error naming `what` when the manifest is malformed; the hub's errors for a missing or corrupt shard.
 */
export async function readManifestWeights(
  manifest: unknown,
  folder: string,
  options: HubOptions = {},
  what = `the weights manifest in "${folder}"`,
): Promise<ManifestWeights> {
  const groups = checkManifest(manifest, what);
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const shards: Uint8Array[] = [];
  for (const group of groups) {
    weightSpecs.push(...group.weights);
    for (const path of group.paths)
      shards.push(await readAsset(folder ? `${folder}/${path}` : path, options));
  }
  const bytes = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
  let offset = 0;
  for (const shard of shards) {
    bytes.set(shard, offset);
    offset += shard.length;
  }
  return { weightSpecs, weightData: bytes.buffer as ArrayBuffer };
}
