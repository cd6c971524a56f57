/**
 * ResNets: ResNet-50 (Keras's configuration, 25,636,712 parameters on ImageNet)
 * and small CIFAR-style ResNets with 6n + 2 layers, each with a plain
 * counterpart (same layers, no shortcuts) for the depth experiment.
 */
import * as tf from '@tensorflow/tfjs';
import { apply, convBn } from '../layers/common';
import { basicBlock, convolutionalBlock, identityBlock } from '../layers/resnet';
import { checkDownsampling, input, positive, scaled, type ClassifierOptions } from './common';

/** Options of {@link resnet50}. */
export interface ResNet50Options extends ClassifierOptions {
  /** Filter multiplier (1: stages of 64/256 … 512/2048 channels). */
  width?: number;
  /** Blocks per stage; [3, 4, 6, 3] is ResNet-50, [3, 4, 23, 3] ResNet-101. */
  blocks?: [number, number, number, number];
  /** false drops every shortcut (a plain 50-layer network). */
  residual?: boolean;
}

/** ResNet-50: 7×7/2 stem, max pool, four stages of bottleneck blocks, global average pool, softmax. */
export function resnet50(options: ResNet50Options = {}): tf.LayersModel {
  const shape = options.inputShape ?? [224, 224, 3];
  const width = options.width ?? 1;
  const classes = positive('classes', options.classes ?? 1000);
  const blocks = options.blocks ?? [3, 4, 6, 3];
  blocks.forEach((b, i) => positive(`blocks[${i}]`, b));
  const residual = options.residual ?? true;
  checkDownsampling(shape, 5, 'ResNet-50');
  const x0 = input(shape);
  let x = apply(tf.layers.zeroPadding2d({ padding: 3, name: 'conv1_pad' }), x0);
  x = convBn(x, {
    filters: scaled(64, width),
    kernelSize: 7,
    strides: 2,
    padding: 'valid',
    useBias: true,
    epsilon: 1.001e-5,
    name: 'conv1',
  });
  x = apply(tf.layers.zeroPadding2d({ padding: 1, name: 'pool1_pad' }), x);
  x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1' }), x);
  [64, 128, 256, 512].forEach((f, stage) => {
    const filters: [number, number, number] = [scaled(f, width), scaled(f, width), scaled(4 * f, width)];
    x = convolutionalBlock(x, 3, filters, {
      stride: stage === 0 ? 1 : 2,
      residual,
      name: `conv${stage + 2}_block1`,
    });
    for (let b = 1; b < blocks[stage]!; b++)
      x = identityBlock(x, 3, filters, { residual, name: `conv${stage + 2}_block${b + 1}` });
  });
  x = apply(tf.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
  const y = apply(tf.layers.dense({ units: classes, activation: 'softmax', name: 'predictions' }), x);
  return tf.model({ inputs: x0, outputs: y, name: options.name ?? (residual ? 'resnet50' : 'plain50') });
}

/** Options of {@link smallResNet}. */
export interface SmallResNetOptions extends ClassifierOptions {
  /** Basic blocks per stage: the network has 6n + 2 weight layers (n = 3 → 20 layers). */
  blocksPerStage?: number;
  /** Widths of the three stages. */
  stageFilters?: [number, number, number];
  /** false builds the plain counterpart: identical layers, no shortcuts. */
  residual?: boolean;
}

/**
 * A CIFAR-style ResNet (He et al. 2016, section 4.2): 3×3 stem, three stages of
 * basic blocks at 32×32, 16×16 and 8×8 (for a 32×32 input), global average pool, softmax.
 */
export function smallResNet(options: SmallResNetOptions = {}): tf.LayersModel {
  const shape = options.inputShape ?? [32, 32, 3];
  const n = positive('blocksPerStage', options.blocksPerStage ?? 3);
  const stageFilters = options.stageFilters ?? [16, 32, 64];
  stageFilters.forEach((f, i) => positive(`stageFilters[${i}]`, f));
  const classes = positive('classes', options.classes ?? 10);
  const residual = options.residual ?? true;
  checkDownsampling(shape, 2, 'smallResNet');
  const x0 = input(shape);
  let x = convBn(x0, { filters: stageFilters[0], kernelSize: 3, epsilon: 1.001e-5, name: 'stem' });
  stageFilters.forEach((filters, stage) => {
    for (let b = 0; b < n; b++)
      x = basicBlock(x, filters, {
        stride: stage > 0 && b === 0 ? 2 : 1,
        residual,
        name: `stage${stage + 1}_block${b + 1}`,
      });
  });
  x = apply(tf.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
  const y = apply(tf.layers.dense({ units: classes, activation: 'softmax', name: 'predictions' }), x);
  return tf.model({
    inputs: x0,
    outputs: y,
    name: options.name ?? `${residual ? 'resnet' : 'plain'}${6 * n + 2}`,
  });
}

/** The plain counterpart of {@link smallResNet}: the same network without shortcuts. */
export function plainNet(options: Omit<SmallResNetOptions, 'residual'> = {}): tf.LayersModel {
  return smallResNet({ ...options, residual: false });
}
