/**
 * Neural style transfer: Gram (style) matrices, content and style costs with
 * the lecture notes' normalisations, and the optimisation of the generated
 * image's pixels with Adam (smoothed by the squared total variation of
 * lib/losses) on the activations of any tfjs LayersModel whose layers can be
 * tapped by name.
 */
import * as tf from '@tensorflow/tfjs';
import { totalVariation } from './losses';

/** Drops a leading batch axis of 1: [1, h, w, c] → [h, w, c]. */
function volume(a: tf.Tensor, what: string): tf.Tensor3D {
  if (a.rank === 4 && a.shape[0] === 1) return tf.squeeze(a, [0]) as tf.Tensor3D;
  if (a.rank === 3) return a as tf.Tensor3D;
  throw new Error(`${what} must be an activation volume [h, w, c] or [1, h, w, c], got [${a.shape}]`);
}

function sameShape(a: tf.Tensor, b: tf.Tensor, what: string): void {
  if (a.shape.join() !== b.shape.join())
    throw new Error(`${what}: activations have different shapes [${a.shape}] and [${b.shape}]`);
}

/**
 * The style (Gram) matrix of a layer's activations:
 * G_kk' = Σ_i Σ_j a_ijk a_ijk' — the unnormalised cross-covariance of channels k and k'.
 *
 * @param activations - [h, w, c] or [1, h, w, c].
 * @returns [c, c].
 */
export function gramMatrix(activations: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const a = volume(activations, 'gramMatrix input');
    const [h, w, c] = a.shape;
    const flat = tf.reshape(a, [h * w, c]);
    return tf.matMul(flat, flat, true, false) as tf.Tensor2D;
  });
}

/** Normalisation of the content cost. */
export type ContentNormalization = 'half' | 'volume';

/**
 * Content cost J_content(C, G) between the activations of one layer.
 * `'half'` (default, the notes): ½ ‖a(C) − a(G)‖²;
 * `'volume'`: 1 / (4 n_H n_W n_C) · ‖a(C) − a(G)‖² (the programming exercise's variant).
 */
export function contentCost(
  contentActivations: tf.Tensor,
  generatedActivations: tf.Tensor,
  normalization: ContentNormalization = 'half',
): tf.Scalar {
  sameShape(contentActivations, generatedActivations, 'contentCost');
  return tf.tidy(() => {
    const c = volume(contentActivations, 'content activations');
    const g = volume(generatedActivations, 'generated activations');
    const sum = tf.sum(tf.squaredDifference(c, g));
    if (normalization === 'half') return tf.mul(sum, 0.5) as tf.Scalar;
    if (normalization === 'volume') return tf.div(sum, 4 * c.size) as tf.Scalar;
    throw new Error(`unknown content normalization "${String(normalization)}": use 'half' or 'volume'`);
  });
}

/** Style cost of one layer from precomputed Gram matrices (see {@link layerStyleCost}). */
export function gramStyleCost(
  styleGram: tf.Tensor,
  generatedGram: tf.Tensor,
  shape: [number, number, number],
): tf.Scalar {
  sameShape(styleGram, generatedGram, 'gramStyleCost');
  const [h, w, c] = shape;
  return tf.tidy(
    () => tf.div(tf.sum(tf.squaredDifference(styleGram, generatedGram)), (2 * h * w * c) ** 2) as tf.Scalar,
  );
}

/**
 * Style cost of one layer, the notes' normalisation:
 * J_style^[l](S, G) = 1 / (2 n_H n_W n_C)² · Σ_k Σ_k' (G_kk'(S) − G_kk'(G))².
 */
export function layerStyleCost(styleActivations: tf.Tensor, generatedActivations: tf.Tensor): tf.Scalar {
  sameShape(styleActivations, generatedActivations, 'layerStyleCost');
  return tf.tidy(() => {
    const s = volume(styleActivations, 'style activations');
    return gramStyleCost(gramMatrix(s), gramMatrix(generatedActivations), s.shape);
  });
}

/**
 * Style cost over several layers: J_style(S, G) = Σ_l λ^[l] J_style^[l](S, G).
 *
 * @param weights - λ per layer (default: equal weights summing to 1).
 */
export function styleCost(
  styleActivations: tf.Tensor[],
  generatedActivations: tf.Tensor[],
  weights?: number[],
): tf.Scalar {
  const n = styleActivations.length;
  if (n === 0 || generatedActivations.length !== n)
    throw new Error(
      `styleCost needs the same non-zero number of style and generated layers, got ${n} and ${generatedActivations.length}`,
    );
  if (weights && weights.length !== n)
    throw new Error(`styleCost got ${weights.length} weights for ${n} layers`);
  return tf.tidy(
    () =>
      tf.addN(
        styleActivations.map((s, l) =>
          tf.mul(layerStyleCost(s, generatedActivations[l]!), weights ? weights[l]! : 1 / n),
        ),
      ) as tf.Scalar,
  );
}

/**
 * Style cost over several layers from the style image's precomputed Gram matrices:
 * J_style = Σ_l λ^[l] J_style^[l], with G(S) computed once and G(G) from each step's activations
 * (what an optimisation loop wants: the style image does not change).
 *
 * @param styleGrams - the style image's Gram matrix at each layer, [n_C, n_C] each.
 * @param generatedActivations - the generated image's activations at the same layers.
 * @param weights - λ^[l] per layer.
 */
export function styleCostFromGrams(
  styleGrams: tf.Tensor[],
  generatedActivations: tf.Tensor[],
  weights: number[],
): tf.Scalar {
  const n = styleGrams.length;
  if (n === 0 || generatedActivations.length !== n || weights.length !== n)
    throw new Error(
      `styleCostFromGrams needs one Gram matrix, one activation and one weight per layer, got ${n}, ${generatedActivations.length} and ${weights.length}`,
    );
  return tf.tidy(
    () =>
      tf.addN(
        generatedActivations.map((a, l) =>
          tf.mul(gramStyleCost(styleGrams[l]!, gramMatrix(a), volume(a, 'activations').shape), weights[l]!),
        ),
      ) as tf.Scalar,
  );
}

/**
 * The total cost J(G) = α J_content(C, G) + β J_style(S, G) (the notes' weights: α = 10, β = 40 by default).
 *
 * @param contentCostValue - J_content, a scalar.
 * @param styleCostValue - J_style, a scalar.
 */
export function totalCost(
  contentCostValue: tf.Scalar,
  styleCostValue: tf.Scalar,
  alpha = 10,
  beta = 40,
): tf.Scalar {
  if (contentCostValue.rank !== 0 || styleCostValue.rank !== 0)
    throw new Error(
      `totalCost takes two scalars, got shapes [${contentCostValue.shape}] and [${styleCostValue.shape}]`,
    );
  return tf.tidy(() => tf.add(tf.mul(contentCostValue, alpha), tf.mul(styleCostValue, beta)) as tf.Scalar);
}

/**
 * A model with one output per named layer of `model` (same weights, shared):
 * the way to "tap" a pretrained CNN's hidden activations.
 *
 * @throws naming the missing layer and the layers that exist.
 */
export function layerTap(model: tf.LayersModel, layerNames: string[]): tf.LayersModel {
  if (layerNames.length === 0) throw new Error('layerTap needs at least one layer name');
  const outputs = layerNames.map((name) => {
    const layer = model.layers.find((l) => l.name === name);
    if (!layer)
      throw new Error(
        `model has no layer "${name}"; its layers are: ${model.layers.map((l) => l.name).join(', ')}`,
      );
    return layer.output as tf.SymbolicTensor;
  });
  return tf.model({ inputs: model.inputs, outputs });
}

/**
 * The same network built for another input size, sharing nothing but copies
 * of the weights: convolutional layers do not depend on the image size, so a
 * pretrained CNN's features can be computed on smaller (faster) or larger
 * images. Layer names are kept, so taps by name still work.
 *
 * @throws when a layer's weights depend on the size (Flatten followed by Dense).
 */
export async function withInputSize(model: tf.LayersModel, size: [number, number]): Promise<tf.LayersModel> {
  const [h, w] = size;
  if (!(Number.isInteger(h) && h > 0 && Number.isInteger(w) && w > 0))
    throw new Error(`input size must be two positive integers, got [${size}]`);
  const topology = model.toJSON(null, false) as unknown as Record<string, unknown>;
  let replaced = 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const shape = o.batch_input_shape;
    if (Array.isArray(shape) && shape.length === 4) {
      o.batch_input_shape = [shape[0], h, w, shape[3]];
      replaced++;
    }
    Object.values(o).forEach(visit);
  };
  visit(topology);
  if (replaced === 0) throw new Error('withInputSize found no image input [batch, h, w, c] in the model');
  const rebuilt = await tf.models.modelFromJSON({ modelTopology: topology as never });
  const weights = model.getWeights();
  try {
    rebuilt.setWeights(weights);
  } catch (error) {
    rebuilt.dispose();
    throw new Error(
      `the model's weights depend on its input size, so it cannot be rebuilt for ${h}x${w}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return rebuilt;
}

/** A style layer and its weight λ. */
export interface StyleLayer {
  name: string;
  weight: number;
}

/** What the callback of {@link styleTransfer} receives. */
export interface StyleStep {
  step: number;
  /** Total cost J and its parts (before weighting by α, β, TV weight). */
  cost: number;
  content: number;
  style: number;
  variation: number;
  /** The current generated image [h, w, 3]; valid during the callback only (disposed after). */
  image: tf.Tensor3D;
}

/** Options of {@link styleTransfer}. */
export interface StyleTransferOptions {
  /** The CNN (pretrained in practice), taking [1, h, w, 3] images. */
  model: tf.LayersModel;
  contentLayer: string;
  styleLayers: StyleLayer[];
  /** α (default 10) and β (default 40), as in J(G) = α J_content + β J_style. */
  alpha?: number;
  beta?: number;
  /** Weight of the squared total variation term (`totalVariation(G, { power: 2 })`; default 0: off). */
  variationWeight?: number;
  contentNormalization?: ContentNormalization;
  steps: number;
  /** Adam's learning rate (default 0.02, for pixels in [0, 1]). */
  learningRate?: number;
  /** Pixel range G is clipped to after every step (default [0, 1]). */
  range?: [number, number];
  /** Starting image: the notes' noisy copy of the content image (default, noise ratio 0.6), pure noise, or a given image. */
  init?: { noiseRatio: number } | 'noise' | tf.Tensor3D;
  /** Applied to images before the model (e.g. mean subtraction); default none. */
  preprocess?: (images: tf.Tensor4D) => tf.Tensor4D;
  /** Called every `every` steps (and after the last one). */
  onStep?: (info: StyleStep) => void | Promise<void>;
  every?: number;
  seed?: number;
}

/** The outcome of {@link styleTransfer}. */
export interface StyleTransferResult {
  /** The generated image [h, w, 3] (caller disposes). */
  image: tf.Tensor3D;
  /** Cost J at each step, before the step's update (index 0 = the starting image). */
  costs: number[];
}

/**
 * Neural style transfer: starting from a (noisy) image G, minimises
 * J(G) = α J_content(C, G) + β Σ_l λ_l J_style^[l](S, G) (+ TV weight · TV(G))
 * over G's pixels with Adam, the network's weights fixed, G clipped to `range`
 * after each step.
 *
 * @param content - [h, w, 3] in `range`.
 * @param style - [h', w', 3]; resized to the content's size.
 */
export async function styleTransfer(
  content: tf.Tensor3D,
  style: tf.Tensor3D,
  options: StyleTransferOptions,
): Promise<StyleTransferResult> {
  const { model, contentLayer, styleLayers, steps } = options;
  const alpha = options.alpha ?? 10;
  const beta = options.beta ?? 40;
  const tvWeight = options.variationWeight ?? 0;
  const [lo, hi] = options.range ?? [0, 1];
  const every = options.every ?? 10;
  if (content.rank !== 3 || content.shape[2] !== 3)
    throw new Error(`content image must be [h, w, 3], got [${content.shape}]`);
  if (style.rank !== 3 || style.shape[2] !== 3)
    throw new Error(`style image must be [h, w, 3], got [${style.shape}]`);
  if (!(Number.isInteger(steps) && steps >= 0))
    throw new Error(`steps must be a non-negative integer, got ${steps}`);
  if (styleLayers.length === 0) throw new Error('styleTransfer needs at least one style layer');
  const [h, w] = content.shape;
  const inShape = model.inputs[0]!.shape;
  if ((inShape[1] != null && inShape[1] !== h) || (inShape[2] != null && inShape[2] !== w)) {
    throw new Error(
      `the model takes ${inShape[1]}x${inShape[2]} images but the content image is ${h}x${w}: resize it, or rebuild the model for this size with withInputSize`,
    );
  }
  // A layer may serve both content and style: tap each once.
  const wanted = [contentLayer, ...styleLayers.map((l) => l.name)];
  const unique = [...new Set(wanted)];
  const tap = layerTap(model, unique);
  const prep = options.preprocess ?? ((x: tf.Tensor4D) => x);
  const run = (image: tf.Tensor3D) => {
    const out = tap.predict(prep(tf.expandDims(image, 0) as tf.Tensor4D));
    const list = Array.isArray(out) ? out : [out];
    return wanted.map((name) => list[unique.indexOf(name)]!);
  };
  // Targets computed once: a(C) at the content layer, G(S) at each style layer.
  const targets = tf.tidy(() => {
    const [aC] = run(content);
    const styleImage =
      style.shape[0] === h && style.shape[1] === w ? style : tf.image.resizeBilinear(style, [h, w]);
    const grams = run(styleImage)
      .slice(1)
      .map((a) => gramMatrix(a));
    return { aC: aC!, grams };
  });
  const start = tf.tidy(() => {
    const init = options.init ?? { noiseRatio: 0.6 };
    if (init instanceof tf.Tensor) {
      if (init.shape.join() !== content.shape.join())
        throw new Error(`init image [${init.shape}] must match the content image [${content.shape}]`);
      return tf.clipByValue(init, lo, hi);
    }
    const noise = tf.randomUniform(content.shape, lo, hi, 'float32', options.seed ?? 0);
    if (init === 'noise') return noise;
    const r = init.noiseRatio;
    if (!(r >= 0 && r <= 1)) throw new Error(`noiseRatio must be in [0, 1], got ${r}`);
    return tf.clipByValue(tf.add(tf.mul(noise, r), tf.mul(content, 1 - r)), lo, hi);
  });
  const G = tf.variable(start, true, undefined, 'float32');
  start.dispose();
  const optimizer = tf.train.adam(options.learningRate ?? 0.02);
  const costs: number[] = [];
  const weights = styleLayers.map((l) => l.weight);
  const parts = (image: tf.Tensor3D) => {
    const acts = run(image);
    const jc = contentCost(targets.aC, acts[0]!, options.contentNormalization);
    const js = styleCostFromGrams(targets.grams, acts.slice(1), weights);
    const tv = tvWeight > 0 ? totalVariation(image, { power: 2 }) : tf.scalar(0);
    const j = tf.addN([tf.mul(jc, alpha), tf.mul(js, beta), tf.mul(tv, tvWeight)]) as tf.Scalar;
    return { j, jc, js, tv };
  };
  const report = async (step: number) => {
    if (!options.onStep) return;
    const values = tf.tidy(() => {
      const p = parts(G as tf.Tensor3D);
      return [p.j, p.jc, p.js, p.tv].map((t) => t.dataSync()[0]!);
    });
    const image = G.clone() as tf.Tensor3D;
    try {
      await options.onStep({
        step,
        cost: values[0]!,
        content: values[1]!,
        style: values[2]!,
        variation: values[3]!,
        image,
      });
    } finally {
      image.dispose();
    }
  };
  try {
    for (let step = 0; step < steps; step++) {
      const cost = optimizer.minimize(() => parts(G as tf.Tensor3D).j, true, [G]);
      costs.push(cost!.dataSync()[0]!);
      cost!.dispose();
      tf.tidy(() => G.assign(tf.clipByValue(G, lo, hi)));
      if ((step + 1) % every === 0 || step === steps - 1) await report(step + 1);
    }
    return { image: G.clone() as tf.Tensor3D, costs };
  } finally {
    G.dispose();
    optimizer.dispose();
    tf.dispose([targets.aC, ...targets.grams]);
  }
}
