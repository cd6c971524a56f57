/**
 * U-Net for semantic segmentation: a contracting path of {@link unetDown}
 * steps, a bottleneck, an expanding path of {@link unetUp} steps joined to the
 * contracting path by skip connections, and a 1×1 convolution to per-pixel
 * class scores. Same padding, so the mask has the input's height and width.
 */
import * as tf from '@tensorflow/tfjs';
import { apply } from '../layers/common';
import { unetBottleneck, unetDown, unetUp } from '../layers/unet';
import { checkDownsampling, input, positive, type ClassifierOptions } from './common';

/** Options of {@link unet}. */
export interface UNetOptions extends ClassifierOptions {
  /** Filters of the contracting steps, top to bottom; the bottleneck has twice the last. Default [64, 128, 256, 512] (the paper's). */
  filters?: number[];
}

/**
 * Builds a U-Net. With `classes` = 1 the output is a sigmoid mask [h, w, 1];
 * otherwise a per-pixel softmax [h, w, classes].
 */
export function unet(options: UNetOptions = {}): tf.LayersModel {
  const shape = options.inputShape ?? [128, 128, 3];
  const filters = options.filters ?? [64, 128, 256, 512];
  if (filters.length === 0) throw new Error('unet needs at least one contracting step');
  filters.forEach((f, i) => positive(`filters[${i}]`, f));
  const classes = positive('classes', options.classes ?? 2);
  checkDownsampling(shape, filters.length, 'U-Net');
  if (shape[0] % 2 ** filters.length !== 0 || shape[1] % 2 ** filters.length !== 0)
    throw new Error(
      `U-Net with ${filters.length} steps needs height and width divisible by ${2 ** filters.length}, got [${shape}]`,
    );
  const x0 = input(shape);
  const skips: tf.SymbolicTensor[] = [];
  let x = x0;
  filters.forEach((f, i) => {
    const { skip, down } = unetDown(x, f, { name: `down${i + 1}` });
    skips.push(skip);
    x = down;
  });
  x = unetBottleneck(x, 2 * filters[filters.length - 1]!, { name: 'bottleneck' });
  for (let i = filters.length - 1; i >= 0; i--) x = unetUp(x, skips[i]!, filters[i]!, { name: `up${i + 1}` });
  const y = apply(
    tf.layers.conv2d({
      filters: classes,
      kernelSize: 1,
      activation: classes === 1 ? 'sigmoid' : 'softmax',
      name: 'mask',
    }),
    x,
  );
  return tf.model({ inputs: x0, outputs: y, name: options.name ?? 'unet' });
}
