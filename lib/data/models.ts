/**
 * Pretrained TF.js models read through the data hub: a file-reading IOHandler
 * (no tfjs-node, no HTTP) that resolves model.json and every weight file as
 * verified assets, Tiny-Darknet (ImageNet, layers model) and NanoDet (COCO,
 * graph model).
 */
import * as tf from '@tensorflow/tfjs';
import { type HubOptions, readAssetText } from './hub';
import { readManifestWeights, type WeightsGroup } from './weights';

interface ModelJson {
  modelTopology?: object;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: object;
  userDefinedMetadata?: { [key: string]: {} };
  modelInitializer?: object;
  weightsManifest?: WeightsGroup[];
}

/**
 * An IOHandler that loads a TF.js model (layers or graph format) whose model.json
 * and weight files are registered assets, e.g. `models/darknet-tiny/model.json`.
 * Each file is found through the hub and checked by SHA-256.
 */
export function hubIOHandler(modelJsonAsset: string, options: HubOptions = {}): tf.io.IOHandler {
  const folder = modelJsonAsset.includes('/') ? modelJsonAsset.slice(0, modelJsonAsset.lastIndexOf('/')) : '';
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      let json: ModelJson;
      try {
        json = JSON.parse(await readAssetText(modelJsonAsset, options)) as ModelJson;
      } catch (error) {
        if (error instanceof SyntaxError)
          throw new Error(`${modelJsonAsset} is not valid JSON: ${error.message}`);
        throw error;
      }
      if (!json.modelTopology)
        throw new Error(`${modelJsonAsset} has no modelTopology: not a TF.js model.json`);
      const { weightSpecs, weightData } = await readManifestWeights(
        json.weightsManifest ?? [],
        folder,
        options,
        `${modelJsonAsset}'s weightsManifest`,
      );
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy ?? undefined,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
        modelInitializer: json.modelInitializer,
        weightSpecs,
        weightData,
      };
    },
  };
}

async function names(asset: string, expected: number, options: HubOptions): Promise<string[]> {
  const list = (await readAssetText(asset, options))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (list.length !== expected)
    throw new Error(`${asset} lists ${list.length} class names, expected ${expected}`);
  return list;
}

/** A classifier and the names of its outputs. */
export interface Classifier {
  model: tf.LayersModel;
  classes: string[];
}

/**
 * Loads Tiny-Darknet (ImageNet, 1000 classes, ~1.05M parameters): input
 * [n, 224, 224, 3] RGB scaled to 0..1, output 1000 logits (the export ends in a
 * global average pool, without softmax).
 * The caller disposes `model`.
 */
export async function loadTinyDarknet(options: HubOptions = {}): Promise<Classifier> {
  const classes = await names('models/darknet-tiny/imagenet1k.names', 1000, options);
  const model = await tf.loadLayersModel(hubIOHandler('models/darknet-tiny/model.json', options));
  return { model, classes };
}

/** One ranked prediction. */
export interface Prediction {
  index: number;
  label: string;
  probability: number;
}

/**
 * Classifies one image with Tiny-Darknet.
 *
 * @param image - [h, w, 3] RGB in 0..1, any size (resized to 224×224 here).
 * @param k - how many of the best classes to return.
 */
export function classifyImage(classifier: Classifier, image: tf.Tensor3D, k = 5): Prediction[] {
  if (image.rank !== 3 || image.shape[2] !== 3)
    throw new Error(`classifyImage expects [h, w, 3], got [${image.shape}]`);
  const probs = tf.tidy(() => {
    const x = tf.expandDims(tf.image.resizeBilinear(image, [224, 224]), 0);
    // the network returns logits: softmax turns them into probabilities
    return tf.softmax((classifier.model.predict(x) as tf.Tensor).reshape([-1])).dataSync();
  });
  return Array.from(probs, (p, i) => ({
    index: i,
    label: classifier.classes[i] ?? String(i),
    probability: p,
  }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, k);
}

/** A graph-model detector and its class names. */
export interface Detector {
  model: tf.GraphModel;
  classes: string[];
}

/**
 * Loads NanoDet (COCO, 80 classes), a TF.js graph model: input [1, 3, 416, 416]
 * (channels first), multi-scale grid outputs. The caller disposes `model`.
 */
export async function loadNanoDet(options: HubOptions = {}): Promise<Detector> {
  const classes = await names('models/nanodet/coco.names', 80, options);
  const model = await tf.loadGraphModel(hubIOHandler('models/nanodet/nanodet.json', options));
  return { model, classes };
}
