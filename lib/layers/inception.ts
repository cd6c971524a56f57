/**
 * The Inception module: 1×1, 3×3 and 5×5 convolutions and a max pool side by
 * side, with 1×1 bottlenecks before the expensive branches, concatenated along channels.
 */
import * as tf from '@tensorflow/tfjs';
import { apply, checkPositive, named, type Sym } from './common';

/** Filters of each branch, named as in the GoogLeNet paper's table. */
export interface InceptionFilters {
  conv1x1: number;
  reduce3x3: number;
  conv3x3: number;
  reduce5x5: number;
  conv5x5: number;
  poolProj: number;
}

/** The notes' module on 28×28×192 (GoogLeNet's inception 3a): 64 + 128 + 32 + 32 = 256 channels. */
export const INCEPTION_3A: InceptionFilters = {
  conv1x1: 64,
  reduce3x3: 96,
  conv3x3: 128,
  reduce5x5: 16,
  conv5x5: 32,
  poolProj: 32,
};

const conv = (x: Sym, filters: number, kernelSize: number, name?: string) =>
  apply(
    tf.layers.conv2d({
      filters,
      kernelSize,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: 'heNormal',
      name,
    }),
    x,
  );

/** One Inception module; output channels = conv1x1 + conv3x3 + conv5x5 + poolProj, same height and width. */
export function inceptionModule(x: Sym, filters: InceptionFilters, options: { name?: string } = {}): Sym {
  Object.entries(filters).forEach(([k, v]) => checkPositive(`inception filters.${k}`, v));
  const p = options.name;
  const b1 = conv(x, filters.conv1x1, 1, named(p, '1x1'));
  const b2 = conv(conv(x, filters.reduce3x3, 1, named(p, '3x3_reduce')), filters.conv3x3, 3, named(p, '3x3'));
  const b3 = conv(conv(x, filters.reduce5x5, 1, named(p, '5x5_reduce')), filters.conv5x5, 5, named(p, '5x5'));
  const pooled = apply(
    tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same', name: named(p, 'pool') }),
    x,
  );
  const b4 = conv(pooled, filters.poolProj, 1, named(p, 'pool_proj'));
  return apply(tf.layers.concatenate({ axis: -1, name: named(p, 'concat') }), [b1, b2, b3, b4]);
}
