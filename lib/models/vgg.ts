/**
 * VGG-16: thirteen 3×3 same convolutions in five stages, each followed by a
 * 2×2 max pool, then FC 4096, FC 4096 and softmax. Default options give the
 * ImageNet configuration (138,357,544 parameters). He initialisation: without batch
 * norm, the default Glorot scale lets the signal fade through 16 ReLU layers.
 */
import * as tf from '@tensorflow/tfjs';
import { checkDownsampling, input, positive, scaled, type ClassifierOptions } from './common';

/** Options of {@link vgg16}. */
export interface VggOptions extends ClassifierOptions {
  /** Filter multiplier: stage widths are 64, 128, 256, 512, 512 times this. */
  width?: number;
  /** Units of the two hidden FC layers. */
  fcUnits?: number;
  /** Dropout after each hidden FC layer (the paper used 0.5; Keras's model has none). */
  dropout?: number;
}

const STAGES: Array<[number, number]> = [
  [64, 2],
  [128, 2],
  [256, 3],
  [512, 3],
  [512, 3],
];

/** Builds VGG-16 (functional tfjs model). */
export function vgg16(options: VggOptions = {}): tf.LayersModel {
  const shape = options.inputShape ?? [224, 224, 3];
  const width = options.width ?? 1;
  const fcUnits = positive('fcUnits', options.fcUnits ?? 4096);
  const classes = positive('classes', options.classes ?? 1000);
  checkDownsampling(shape, 5, 'VGG-16');
  const x0 = input(shape);
  let x = x0;
  STAGES.forEach(([filters, convs], s) => {
    for (let i = 0; i < convs; i++)
      x = tf.layers
        .conv2d({
          filters: scaled(filters, width),
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: 'heNormal',
          name: `block${s + 1}_conv${i + 1}`,
        })
        .apply(x) as tf.SymbolicTensor;
    x = tf.layers
      .maxPooling2d({ poolSize: 2, strides: 2, name: `block${s + 1}_pool` })
      .apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  for (const i of [1, 2]) {
    x = tf.layers
      .dense({ units: fcUnits, activation: 'relu', kernelInitializer: 'heNormal', name: `fc${i}` })
      .apply(x) as tf.SymbolicTensor;
    if (options.dropout)
      x = tf.layers.dropout({ rate: options.dropout, name: `fc${i}_dropout` }).apply(x) as tf.SymbolicTensor;
  }
  const y = tf.layers
    .dense({ units: classes, activation: 'softmax', name: 'predictions' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: x0, outputs: y, name: options.name ?? 'vgg16' });
}
