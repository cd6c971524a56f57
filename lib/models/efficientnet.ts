/**
 * EfficientNet-B0 and its compound-scaled B1–B7, following Keras's
 * implementation (B0: 5,330,571 parameters on ImageNet, counting the input
 * normalisation's 7 statistics).
 */
import * as tf from '@tensorflow/tfjs';
import { EFFICIENTNET_VARIANTS, type EfficientNetVariant } from '../costs';
import { apply, convBn } from '../layers/common';
import { IMAGENET_MEAN, IMAGENET_VARIANCE, Normalization } from '../layers/custom';
import { mbConv } from '../layers/mbconv';
import { checkDownsampling, input, positive, type ClassifierOptions } from './common';

/** One stage of B0: kernel, repeats, output channels, expansion, first stride. */
interface Stage {
  kernel: number;
  repeats: number;
  filters: number;
  expansion: number;
  stride: number;
}

/** B0's seven MBConv stages (the paper's table 1). */
export const B0_STAGES: readonly Stage[] = [
  { kernel: 3, repeats: 1, filters: 16, expansion: 1, stride: 1 },
  { kernel: 3, repeats: 2, filters: 24, expansion: 6, stride: 2 },
  { kernel: 5, repeats: 2, filters: 40, expansion: 6, stride: 2 },
  { kernel: 3, repeats: 3, filters: 80, expansion: 6, stride: 2 },
  { kernel: 5, repeats: 3, filters: 112, expansion: 6, stride: 1 },
  { kernel: 5, repeats: 4, filters: 192, expansion: 6, stride: 2 },
  { kernel: 3, repeats: 1, filters: 320, expansion: 6, stride: 1 },
];

/** Channels after the width multiplier, rounded to a multiple of 8 (not below 90%). */
export function roundFilters(filters: number, width: number, divisor = 8): number {
  const f = filters * width;
  let rounded = Math.max(divisor, Math.floor((f + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * f) rounded += divisor;
  return rounded;
}

/** Repeats after the depth multiplier (rounded up). */
export const roundRepeats = (repeats: number, depth: number) => Math.ceil(depth * repeats);

/** Options of {@link efficientNet}. */
export interface EfficientNetOptions extends ClassifierOptions {
  /** 'B0' … 'B7', or explicit multipliers. Default B0. */
  variant?: string | EfficientNetVariant;
  /** Stochastic-depth rate, growing linearly over the blocks up to this value (Keras: 0.2). */
  dropConnect?: number;
  /** Skip the built-in scaling of 0–255 pixels to ImageNet-normalised inputs. */
  rawInputs?: boolean;
}

/** Resolves a variant name to its multipliers. */
export function efficientNetVariant(variant: string | EfficientNetVariant = 'B0'): EfficientNetVariant {
  if (typeof variant !== 'string') return variant;
  const found = EFFICIENTNET_VARIANTS.find((v) => v.name === variant.toUpperCase());
  if (!found)
    throw new Error(
      `unknown EfficientNet variant ${variant}; use one of ${EFFICIENTNET_VARIANTS.map((v) => v.name).join(', ')}`,
    );
  return found;
}

/** Builds an EfficientNet; the default input is the variant's resolution. */
export function efficientNet(options: EfficientNetOptions = {}): tf.LayersModel {
  const v = efficientNetVariant(options.variant);
  const shape = options.inputShape ?? [v.resolution, v.resolution, 3];
  const classes = positive('classes', options.classes ?? 1000);
  checkDownsampling(shape, 5, `EfficientNet-${v.name}`);
  const x0 = input(shape);
  let x = x0;
  if (!options.rawInputs) {
    if (shape[2] !== 3)
      throw new Error(
        `EfficientNet's input normalisation expects 3 channels, got [${shape}]; pass rawInputs: true`,
      );
    x = apply(tf.layers.rescaling({ scale: 1 / 255, name: 'rescaling' }), x);
    x = apply(
      new Normalization({ mean: IMAGENET_MEAN, variance: IMAGENET_VARIANCE, name: 'normalization' }),
      x,
    );
  }
  x = convBn(x, {
    filters: roundFilters(32, v.width),
    kernelSize: 3,
    strides: 2,
    activation: 'swish',
    name: 'stem',
  });
  const total = B0_STAGES.reduce((n, s) => n + roundRepeats(s.repeats, v.depth), 0);
  const dropConnect = options.dropConnect ?? 0.2;
  let b = 0;
  B0_STAGES.forEach((stage, i) => {
    const repeats = roundRepeats(stage.repeats, v.depth);
    for (let r = 0; r < repeats; r++) {
      x = mbConv(x, roundFilters(stage.filters, v.width), {
        kernelSize: stage.kernel,
        stride: r === 0 ? stage.stride : 1,
        expansion: stage.expansion,
        dropRate: (dropConnect * b) / total,
        name: `block${i + 1}${String.fromCharCode(97 + r)}`,
      });
      b++;
    }
  });
  x = convBn(x, { filters: roundFilters(1280, v.width), kernelSize: 1, activation: 'swish', name: 'top' });
  x = apply(tf.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
  if (v.dropout > 0) x = apply(tf.layers.dropout({ rate: v.dropout, name: 'top_dropout' }), x);
  const y = apply(tf.layers.dense({ units: classes, activation: 'softmax', name: 'predictions' }), x);
  return tf.model({ inputs: x0, outputs: y, name: options.name ?? `efficientnet-${v.name.toLowerCase()}` });
}
