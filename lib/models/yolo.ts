/**
 * A small YOLO: a convolutional backbone that reduces the image to an S×S grid,
 * and a 1×1 convolution predicting, for each cell and each of B anchor boxes,
 * [p_c, b_x, b_y, b_h, b_w, c_1 … c_C] (the notes' order, and `encodeYoloTargets`'
 * of `../detection`). Output shape [S, S, B, 5 + C]: p_c and the midpoint b_x, b_y
 * (offsets inside the cell) through a sigmoid; b_h, b_w in grid-cell units as
 * S·sigmoid (at most the whole image); the class scores through a softmax.
 * `yoloLoss` in `../losses` trains it.
 */
import * as tf from '@tensorflow/tfjs';
import { apply, convBn } from '../layers/common';
import { input, positive, scaled } from './common';

/** Sigmoid on p_c, b_x, b_y; S·sigmoid on b_h, b_w (cell units); softmax on the classes. */
export class YoloActivation extends tf.layers.Layer {
  static className = 'YoloActivation';
  private readonly gridSize: number;

  constructor(config: { gridSize: number; name?: string }) {
    super({ name: config.name });
    this.gridSize = positive('gridSize', config.gridSize);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), gridSize: this.gridSize };
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return inputShape as tf.Shape;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => {
      const depth = x.shape[x.shape.length - 1]!;
      const [position, size, classes] = tf.split(x, [3, 2, depth - 5], -1);
      return tf.concat(
        [tf.sigmoid(position!), tf.mul(tf.sigmoid(size!), this.gridSize), tf.softmax(classes!)],
        -1,
      );
    });
  }
}
tf.serialization.registerClass(YoloActivation);

/** Options of {@link yolo}. */
export interface YoloOptions {
  /** Input [h, w, channels]; h and w must equal gridSize·2^k. Default 64×64×3 with S = 4. */
  inputShape?: [number, number, number];
  /** Grid side S. */
  gridSize?: number;
  /** Anchor boxes per cell B. */
  anchors?: number;
  /** Classes C (at least 1). */
  classes?: number;
  /** Filters of the first backbone convolution; each halving doubles it (capped at 16×). */
  baseFilters?: number;
  name?: string;
}

/** Builds the detector; one conv-BN-leaky-ReLU + max pool per halving, then two 3×3 convolutions and the 1×1 head. */
export function yolo(options: YoloOptions = {}): tf.LayersModel {
  const shape = options.inputShape ?? [64, 64, 3];
  const s = positive('gridSize', options.gridSize ?? 4);
  const b = positive('anchors', options.anchors ?? 2);
  const c = positive('classes', options.classes ?? 3);
  const base = positive('baseFilters', options.baseFilters ?? 16);
  const [h, w] = shape;
  const halvings = Math.log2(h / s);
  if (h !== w || !Number.isInteger(halvings) || halvings < 0)
    throw new Error(`yolo needs a square input whose side is gridSize·2^k: got [${shape}] for S = ${s}`);
  const x0 = input(shape);
  let x = x0;
  for (let i = 0; i < halvings; i++) {
    x = convBn(x, {
      filters: scaled(base, Math.min(2 ** i, 16)),
      kernelSize: 3,
      activation: 'linear',
      name: `conv${i + 1}`,
    });
    x = apply(tf.layers.leakyReLU({ alpha: 0.1, name: `conv${i + 1}_leaky` }), x);
    x = apply(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool${i + 1}` }), x);
  }
  for (const i of [1, 2]) {
    x = convBn(x, {
      filters: base * Math.min(2 ** halvings, 16),
      kernelSize: 3,
      activation: 'linear',
      name: `head${i}`,
    });
    x = apply(tf.layers.leakyReLU({ alpha: 0.1, name: `head${i}_leaky` }), x);
  }
  x = apply(tf.layers.conv2d({ filters: b * (5 + c), kernelSize: 1, name: 'detector' }), x);
  x = apply(tf.layers.reshape({ targetShape: [s, s, b, 5 + c], name: 'boxes' }), x);
  const y = apply(new YoloActivation({ gridSize: s, name: 'yolo_activation' }), x);
  return tf.model({ inputs: x0, outputs: y, name: options.name ?? 'small_yolo' });
}
