/**
 * MobileNet v1 (depthwise-separable convolutions) and v2 (inverted residuals),
 * with Keras's width multiplier α. Defaults are the ImageNet configurations:
 * 4,253,864 and 3,538,984 parameters.
 */
import * as tf from '@tensorflow/tfjs';
import { apply, convBn } from '../layers/common';
import { depthwiseSeparableConv, invertedResidual } from '../layers/mobilenet';
import { checkDownsampling, input, positive, type ClassifierOptions } from './common';

/** Options of the MobileNet builders. */
export interface MobileNetOptions extends ClassifierOptions {
  /** Width multiplier α. */
  alpha?: number;
  /** Dropout before the classifier (Keras: 1e-3 for v1; v2 has none). */
  dropout?: number;
}

const V1_BLOCKS: Array<[number, number]> = [
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
  [512, 2],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [1024, 2],
  [1024, 1],
];

function checkAlpha(alpha: number): number {
  if (!(alpha > 0) || !Number.isFinite(alpha))
    throw new Error(`the width multiplier alpha must be a positive number, got ${alpha}`);
  return alpha;
}

/** MobileNet v1: a strided 3×3 convolution, 13 depthwise-separable blocks, global pool, 1×1 classifier. */
export function mobilenetV1(options: MobileNetOptions = {}): tf.LayersModel {
  const shape = options.inputShape ?? [224, 224, 3];
  const alpha = checkAlpha(options.alpha ?? 1);
  const classes = positive('classes', options.classes ?? 1000);
  checkDownsampling(shape, 5, 'MobileNet v1');
  const x0 = input(shape);
  let x = convBn(x0, {
    filters: Math.floor(32 * alpha),
    kernelSize: 3,
    strides: 2,
    activation: 'relu6',
    name: 'conv1',
  });
  V1_BLOCKS.forEach(([filters, stride], i) => {
    x = depthwiseSeparableConv(x, Math.floor(filters * alpha), { stride, name: `conv_dw_${i + 1}` });
  });
  const c = x.shape[3] as number;
  x = apply(tf.layers.globalAveragePooling2d({ name: 'global_average_pooling' }), x);
  x = apply(tf.layers.reshape({ targetShape: [1, 1, c], name: 'reshape_1' }), x);
  x = apply(tf.layers.dropout({ rate: options.dropout ?? 1e-3, name: 'dropout' }), x);
  // The classifier is a 1×1 convolution (an FC layer written as a convolution).
  x = apply(tf.layers.conv2d({ filters: classes, kernelSize: 1, padding: 'same', name: 'conv_preds' }), x);
  x = apply(tf.layers.reshape({ targetShape: [classes], name: 'reshape_2' }), x);
  const y = apply(tf.layers.activation({ activation: 'softmax', name: 'predictions' }), x);
  return tf.model({ inputs: x0, outputs: y, name: options.name ?? 'mobilenet_v1' });
}

/** Rounds a channel count to a multiple of `divisor`, never below 90% of it (Keras's `_make_divisible`). */
export function makeDivisible(value: number, divisor = 8): number {
  let rounded = Math.max(divisor, Math.floor((value + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

/** (expansion t, channels c, repeats n, first stride s) per stage, from the MobileNet v2 paper's table 2. */
export const V2_STAGES: ReadonlyArray<[number, number, number, number]> = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

/** MobileNet v2: a strided 3×3 convolution, 17 inverted residual blocks, 1×1 to 1280, global pool, softmax. */
export function mobilenetV2(options: MobileNetOptions = {}): tf.LayersModel {
  const shape = options.inputShape ?? [224, 224, 3];
  const alpha = checkAlpha(options.alpha ?? 1);
  const classes = positive('classes', options.classes ?? 1000);
  checkDownsampling(shape, 5, 'MobileNet v2');
  const x0 = input(shape);
  let x = convBn(x0, {
    filters: makeDivisible(32 * alpha),
    kernelSize: 3,
    strides: 2,
    activation: 'relu6',
    name: 'Conv1',
  });
  let block = 0;
  for (const [t, c, n, s] of V2_STAGES)
    for (let i = 0; i < n; i++)
      x = invertedResidual(x, makeDivisible(c * alpha), {
        expansion: t,
        stride: i === 0 ? s : 1,
        name: `block_${block++}`,
      });
  x = convBn(x, {
    filters: alpha > 1 ? makeDivisible(1280 * alpha) : 1280,
    kernelSize: 1,
    activation: 'relu6',
    name: 'Conv_1',
  });
  x = apply(tf.layers.globalAveragePooling2d({ name: 'global_average_pooling' }), x);
  if (options.dropout) x = apply(tf.layers.dropout({ rate: options.dropout, name: 'dropout' }), x);
  const y = apply(tf.layers.dense({ units: classes, activation: 'softmax', name: 'predictions' }), x);
  return tf.model({ inputs: x0, outputs: y, name: options.name ?? 'mobilenet_v2' });
}
