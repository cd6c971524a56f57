/**
 * U-Net's steps: on the way down two 3×3 convolutions then a 2×2 max pool
 * (keeping the pre-pool activations for the skip connection); on the way up a
 * 2×2 transposed convolution that doubles height and width, concatenation with
 * the skip, and two 3×3 convolutions.
 */
import * as tf from '@tensorflow/tfjs';
import { apply, checkPositive, named, shapeText, type Sym } from './common';

function doubleConv(x: Sym, filters: number, p?: string): Sym {
  let y = x;
  for (const part of ['conv1', 'conv2'])
    y = apply(
      tf.layers.conv2d({
        filters,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: 'heNormal',
        name: named(p, part),
      }),
      y,
    );
  return y;
}

/** One contracting step. `skip` goes across to the matching up step; `down` continues. */
export function unetDown(x: Sym, filters: number, options: { name?: string } = {}): { skip: Sym; down: Sym } {
  checkPositive('filters', filters);
  const [, h, w] = x.shape;
  if (typeof h === 'number' && typeof w === 'number' && (h % 2 !== 0 || w % 2 !== 0))
    throw new Error(`unetDown: height and width must be even to pool by 2, got ${shapeText(x.shape)}`);
  const skip = doubleConv(x, filters, options.name);
  const down = apply(
    tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: named(options.name, 'pool') }),
    skip,
  );
  return { skip, down };
}

/** The bottom of the U: two convolutions, no pooling. */
export function unetBottleneck(x: Sym, filters: number, options: { name?: string } = {}): Sym {
  checkPositive('filters', filters);
  return doubleConv(x, filters, options.name);
}

/** One expanding step: upsample ×2 by transposed convolution, concatenate the skip, two convolutions. */
export function unetUp(x: Sym, skip: Sym, filters: number, options: { name?: string } = {}): Sym {
  checkPositive('filters', filters);
  const up = apply(
    tf.layers.conv2dTranspose({
      filters,
      kernelSize: 2,
      strides: 2,
      padding: 'same',
      name: named(options.name, 'up'),
    }),
    x,
  );
  if (up.shape[1] !== skip.shape[1] || up.shape[2] !== skip.shape[2])
    throw new Error(
      `unetUp: the upsampled ${shapeText(up.shape)} does not match the skip ${shapeText(skip.shape)}`,
    );
  const merged = apply(tf.layers.concatenate({ axis: -1, name: named(options.name, 'concat') }), [skip, up]);
  return doubleConv(merged, filters, options.name);
}
