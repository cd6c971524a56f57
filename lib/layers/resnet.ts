/**
 * Residual blocks: the bottleneck identity and convolutional blocks of
 * ResNet-50 and the two-convolution basic block of small ResNets, each with an
 * option to drop the shortcut (the "plain" network of the depth experiment).
 */
import * as tf from '@tensorflow/tfjs';
import { apply, channels, checkPositive, convBn, named, shapeText, type Sym } from './common';

const EPS = 1.001e-5;

/** The main path of both bottleneck blocks: 1×1 (stride s) → f×f → 1×1 (no ReLU before the add). */
function bottleneckPath(x: Sym, f: number, filters: [number, number, number], s: number, p?: string): Sym {
  const [f1, f2, f3] = filters;
  let y = convBn(x, {
    filters: f1,
    kernelSize: 1,
    strides: s,
    useBias: true,
    epsilon: EPS,
    name: named(p, '1'),
  });
  y = convBn(y, { filters: f2, kernelSize: f, useBias: true, epsilon: EPS, name: named(p, '2') });
  return convBn(y, {
    filters: f3,
    kernelSize: 1,
    useBias: true,
    epsilon: EPS,
    activation: 'linear',
    name: named(p, '3'),
  });
}

/**
 * The identity block: 1×1 → f×f → 1×1 convolutions (filters F1, F2, F3), and the
 * input added back before the last ReLU. The input must already have F3 channels.
 */
export function identityBlock(
  x: Sym,
  f: number,
  filters: [number, number, number],
  options: { name?: string; residual?: boolean } = {},
): Sym {
  const f3 = filters[2];
  if (channels(x) !== f3)
    throw new Error(
      `identityBlock: the input ${shapeText(x.shape)} has ${channels(x)} channels, the block outputs F3 = ${f3}; use convolutionalBlock to change the width`,
    );
  const p = options.name;
  let y = bottleneckPath(x, f, filters, 1, p);
  if (options.residual ?? true) y = apply(tf.layers.add({ name: named(p, 'add') }), [y, x]);
  return apply(tf.layers.activation({ activation: 'relu', name: named(p, 'out') }), y);
}

/**
 * The convolutional block: like {@link identityBlock} but the first 1×1 convolution
 * has stride s, and the shortcut is a strided 1×1 convolution + batch norm so that
 * it matches the main path's shape.
 */
export function convolutionalBlock(
  x: Sym,
  f: number,
  filters: [number, number, number],
  options: { stride?: number; name?: string; residual?: boolean } = {},
): Sym {
  const f3 = filters[2];
  const s = options.stride ?? 2;
  checkPositive('stride', s);
  const p = options.name;
  let y = bottleneckPath(x, f, filters, s, p);
  if (options.residual ?? true) {
    const shortcut = convBn(x, {
      filters: f3,
      kernelSize: 1,
      strides: s,
      useBias: true,
      epsilon: EPS,
      activation: 'linear',
      name: named(p, '0'),
    });
    y = apply(tf.layers.add({ name: named(p, 'add') }), [y, shortcut]);
  }
  return apply(tf.layers.activation({ activation: 'relu', name: named(p, 'out') }), y);
}

/**
 * The basic block of ResNet-18/34 and of the CIFAR ResNets: two 3×3
 * convolutions; a strided 1×1 projection on the shortcut when the shape changes.
 * `residual: false` gives the plain counterpart with the same layers minus the shortcut.
 */
export function basicBlock(
  x: Sym,
  filters: number,
  options: { stride?: number; name?: string; residual?: boolean } = {},
): Sym {
  const s = options.stride ?? 1;
  const p = options.name;
  let y = convBn(x, { filters, kernelSize: 3, strides: s, epsilon: EPS, name: named(p, '1') });
  y = convBn(y, { filters, kernelSize: 3, epsilon: EPS, activation: 'linear', name: named(p, '2') });
  if (options.residual ?? true) {
    const shortcut =
      s !== 1 || channels(x) !== filters
        ? convBn(x, {
            filters,
            kernelSize: 1,
            strides: s,
            epsilon: EPS,
            activation: 'linear',
            name: named(p, 'proj'),
          })
        : x;
    y = apply(tf.layers.add({ name: named(p, 'add') }), [y, shortcut]);
  }
  return apply(tf.layers.activation({ activation: 'relu', name: named(p, 'out') }), y);
}
