/**
 * A small GoogLeNet-style network for small images: a convolutional stem, then
 * Inception modules (the 3a/3b/4a widths scaled down), global average pooling
 * and softmax, with optional auxiliary side classifier as in GoogLeNet.
 */
import * as tf from '@tensorflow/tfjs';
import { apply } from '../layers/common';
import { inceptionModule, type InceptionFilters } from '../layers/inception';
import { checkDownsampling, input, positive, scaled, type ClassifierOptions } from './common';

/** Options of {@link smallGoogLeNet}. */
export interface GoogLeNetOptions extends ClassifierOptions {
  /** Multiplier on GoogLeNet's filter counts (0.25 by default: 3a has 16+32+8+8 channels). */
  width?: number;
  /** Adds a side classifier after the second module: the model then has two outputs [main, auxiliary]. */
  auxiliary?: boolean;
  dropout?: number;
}

const scale = (f: InceptionFilters, w: number): InceptionFilters =>
  Object.fromEntries(Object.entries(f).map(([k, v]) => [k, scaled(v, w)])) as unknown as InceptionFilters;

/** Builds the network; the input is downsampled 3 times (32×32 → 4×4). */
export function smallGoogLeNet(options: GoogLeNetOptions = {}): tf.LayersModel {
  const shape = options.inputShape ?? [32, 32, 3];
  const w = options.width ?? 0.25;
  const classes = positive('classes', options.classes ?? 10);
  checkDownsampling(shape, 3, 'smallGoogLeNet');
  const x0 = input(shape);
  let x = apply(
    tf.layers.conv2d({
      filters: scaled(192, w),
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      name: 'stem_conv',
    }),
    x0,
  );
  x = apply(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'stem_pool' }), x);
  x = inceptionModule(
    x,
    scale({ conv1x1: 64, reduce3x3: 96, conv3x3: 128, reduce5x5: 16, conv5x5: 32, poolProj: 32 }, w),
    { name: 'inception_3a' },
  );
  x = inceptionModule(
    x,
    scale({ conv1x1: 128, reduce3x3: 128, conv3x3: 192, reduce5x5: 32, conv5x5: 96, poolProj: 64 }, w),
    { name: 'inception_3b' },
  );
  x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'pool3' }), x);
  let aux: tf.SymbolicTensor | undefined;
  if (options.auxiliary) {
    let a = apply(tf.layers.averagePooling2d({ poolSize: 2, strides: 2, name: 'aux_pool' }), x);
    a = apply(
      tf.layers.conv2d({ filters: scaled(128, w), kernelSize: 1, activation: 'relu', name: 'aux_conv' }),
      a,
    );
    a = apply(tf.layers.flatten({ name: 'aux_flatten' }), a);
    a = apply(tf.layers.dense({ units: scaled(1024, w), activation: 'relu', name: 'aux_fc' }), a);
    aux = apply(tf.layers.dense({ units: classes, activation: 'softmax', name: 'aux_predictions' }), a);
  }
  x = inceptionModule(
    x,
    scale({ conv1x1: 192, reduce3x3: 96, conv3x3: 208, reduce5x5: 16, conv5x5: 48, poolProj: 64 }, w),
    { name: 'inception_4a' },
  );
  x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'pool4' }), x);
  x = apply(tf.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
  if (options.dropout) x = apply(tf.layers.dropout({ rate: options.dropout, name: 'dropout' }), x);
  const y = apply(tf.layers.dense({ units: classes, activation: 'softmax', name: 'predictions' }), x);
  return tf.model({ inputs: x0, outputs: aux ? [y, aux] : y, name: options.name ?? 'small_googlenet' });
}
