/**
 * Transfer learning helpers: choosing which layers of a pretrained model train.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Fine-tuning's freeze: every layer of `model.layers` before the layer named `layerName` gets
 * `trainable = false`, that layer and all after it `trainable = true`.
 * @throws Error naming `layerName` (and changing nothing) when the model has no such layer.
 */
export function unfreezeFrom(model: tf.LayersModel, layerName: string): void {
  const first = model.layers.findIndex((layer) => layer.name === layerName);
  if (first < 0)
    throw new Error(
      `unfreezeFrom: the model has no layer named '${layerName}' (its layers: ${model.layers.map((l) => l.name).join(', ')})`,
    );
  model.layers.forEach((layer, i) => {
    layer.trainable = i >= first;
  });
}

/** What a pretrained Conv2D layer's config holds that a copy needs. */
interface ConvConfig {
  filters: number;
  kernelSize: number | number[];
  strides?: number | number[];
  padding?: 'valid' | 'same' | 'causal';
  dilationRate?: number | [number, number];
  useBias?: boolean;
  activation?: string;
}

/**
 * A trainable copy of a run of pretrained layers (say a network's top block), as a new model
 * on inputs of `inputShape`, with every batch normalisation folded into the convolution
 * before it: in inference mode BN computes γ(x − μ)/√(σ² + ε) + β, so the convolution's
 * kernel is scaled by s = γ/√(σ² + ε) per output channel and gets the bias β + (b − μ)s.
 * The copy computes what the original layers compute in inference (up to float rounding),
 * whatever batches it is trained on later: no batch statistics replace the pretrained ones.
 * The original layers are not changed, and the copy shares no weights with them.
 *
 * Supported layers: Conv2D (linear activation when followed by a BatchNormalization),
 * BatchNormalization (only right after a Conv2D), LeakyReLU, ReLU, Activation.
 * @param layers the pretrained layers, in order (e.g. `model.layers.slice(i, j)`).
 * @param inputShape the shape of one input, without the batch axis: `[h, w, c]`.
 * @throws Error naming the layer that cannot be copied.
 */
export function foldedCopy(layers: tf.layers.Layer[], inputShape: number[]): tf.Sequential {
  const copy = tf.sequential();
  const pending: tf.Tensor[] = [];
  try {
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i]!;
      const kind = layer.getClassName();
      const first = copy.layers.length === 0 ? { inputShape: inputShape } : {};
      if (kind === 'Conv2D') {
        const config = layer.getConfig() as unknown as ConvConfig;
        const next = layers[i + 1];
        const bn = next !== undefined && next.getClassName() === 'BatchNormalization' ? next : undefined;
        if (bn && config.activation !== undefined && config.activation !== 'linear') {
          throw new Error(
            `foldedCopy: '${layer.name}' has activation '${config.activation}' before batch normalisation '${bn.name}': cannot fold`,
          );
        }
        const [kernel, bias] = layer.getWeights();
        const [newKernel, newBias] = tf.tidy(() => {
          const b = bias ?? tf.zeros([config.filters]);
          if (!bn) return [kernel!.clone(), b.clone()];
          const { scale, shift } = bnAffine(bn);
          return [tf.mul(kernel!, scale), tf.add(tf.mul(b, scale), shift)];
        });
        pending.push(newKernel!, newBias!);
        const conv = tf.layers.conv2d({
          ...first,
          filters: config.filters,
          kernelSize: config.kernelSize,
          strides: config.strides,
          padding: config.padding,
          dilationRate: config.dilationRate,
          useBias: true,
          activation: (bn ? 'linear' : (config.activation ?? 'linear')) as 'linear',
          name: `${layer.name}_folded`,
        });
        copy.add(conv);
        conv.setWeights([newKernel!, newBias!]);
        if (bn) i++;
      } else if (kind === 'LeakyReLU') {
        copy.add(
          tf.layers.leakyReLU({
            ...first,
            alpha: (layer.getConfig() as { alpha: number }).alpha,
            name: `${layer.name}_copy`,
          }),
        );
      } else if (kind === 'ReLU') {
        copy.add(tf.layers.reLU({ ...first, name: `${layer.name}_copy` }));
      } else if (kind === 'Activation') {
        const activation = (layer.getConfig() as { activation: string }).activation;
        copy.add(
          tf.layers.activation({ ...first, activation: activation as 'relu', name: `${layer.name}_copy` }),
        );
      } else if (kind === 'BatchNormalization') {
        throw new Error(
          `foldedCopy: batch normalisation '${layer.name}' does not follow a Conv2D: nothing to fold it into`,
        );
      } else {
        throw new Error(
          `foldedCopy: cannot copy '${layer.name}' (${kind}); supported: Conv2D, BatchNormalization after a Conv2D, LeakyReLU, ReLU, Activation`,
        );
      }
    }
  } catch (error) {
    copy.dispose();
    throw error;
  } finally {
    tf.dispose(pending);
  }
  return copy;
}

/** Batch normalisation in inference mode as y = x·scale + shift, per channel. */
function bnAffine(bn: tf.layers.Layer): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
  const config = bn.getConfig() as {
    epsilon: number;
    center: boolean;
    scale: boolean;
    axis: number | number[];
  };
  const axis = Array.isArray(config.axis) ? config.axis[0] : config.axis;
  if (axis !== -1 && axis !== 3)
    throw new Error(
      `foldedCopy: batch normalisation '${bn.name}' normalises axis ${axis}, not the channels (-1)`,
    );
  const weights = bn.getWeights();
  let k = 0;
  const gamma = config.scale ? weights[k++]! : undefined;
  const beta = config.center ? weights[k++]! : undefined;
  const mean = weights[k++]!;
  const variance = weights[k]!;
  return tf.tidy(() => {
    const inv = tf.rsqrt(tf.add(variance, config.epsilon));
    const scale = (gamma ? tf.mul(gamma, inv) : inv) as tf.Tensor1D;
    const shift = tf.sub(beta ?? tf.zerosLike(mean), tf.mul(mean, scale)) as tf.Tensor1D;
    return { scale, shift };
  });
}
