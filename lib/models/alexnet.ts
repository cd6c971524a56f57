/**
 * AlexNet as the lecture draws it (single-GPU form): 227×227×3 → CONV 96 11×11/4 →
 * max pool 3/2 → CONV 256 5×5 same → max pool 3/2 → CONV 384, 384, 256 3×3 same →
 * max pool 3/2 → FC 4096 → FC 4096 → softmax 1000; about 62.4 million parameters.
 * (The original's local response normalisation is left out, as the notes advise.)
 */
import * as tf from '@tensorflow/tfjs';
import { input, positive, scaled, type ClassifierOptions } from './common';

/** Options of {@link alexnet}. */
export interface AlexNetOptions extends ClassifierOptions {
  /** Filter multiplier for the five convolutions. */
  width?: number;
  fcUnits?: number;
  /** Dropout before each hidden FC layer's successor (0.5 in the paper). */
  dropout?: number;
}

/** Builds AlexNet. The input must be at least 67×67 so the three pools have something left. */
export function alexnet(options: AlexNetOptions = {}): tf.LayersModel {
  const shape = options.inputShape ?? [227, 227, 3];
  const width = options.width ?? 1;
  const fcUnits = positive('fcUnits', options.fcUnits ?? 4096);
  const classes = positive('classes', options.classes ?? 1000);
  if (shape[0] < 67 || shape[1] < 67)
    throw new Error(`AlexNet needs an input of at least 67x67, got [${shape}]`);
  const conv = (
    filters: number,
    kernelSize: number,
    strides: number,
    padding: 'same' | 'valid',
    name: string,
  ) =>
    tf.layers.conv2d({
      filters: scaled(filters, width),
      kernelSize,
      strides,
      padding,
      activation: 'relu',
      kernelInitializer: 'heNormal',
      name,
    });
  const pool = (name: string) => tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name });
  const layers: tf.layers.Layer[] = [
    conv(96, 11, 4, 'valid', 'conv1'),
    pool('pool1'),
    conv(256, 5, 1, 'same', 'conv2'),
    pool('pool2'),
    conv(384, 3, 1, 'same', 'conv3'),
    conv(384, 3, 1, 'same', 'conv4'),
    conv(256, 3, 1, 'same', 'conv5'),
    pool('pool5'),
    tf.layers.flatten({ name: 'flatten' }),
    tf.layers.dense({ units: fcUnits, activation: 'relu', kernelInitializer: 'heNormal', name: 'fc6' }),
    ...(options.dropout ? [tf.layers.dropout({ rate: options.dropout, name: 'drop6' })] : []),
    tf.layers.dense({ units: fcUnits, activation: 'relu', kernelInitializer: 'heNormal', name: 'fc7' }),
    ...(options.dropout ? [tf.layers.dropout({ rate: options.dropout, name: 'drop7' })] : []),
    tf.layers.dense({ units: classes, activation: 'softmax', name: 'fc8' }),
  ];
  const x0 = input(shape);
  const y = layers.reduce((x, layer) => layer.apply(x) as tf.SymbolicTensor, x0);
  return tf.model({ inputs: x0, outputs: y, name: options.name ?? 'alexnet' });
}
