/**
 * EfficientNet's MBConv block: MobileNet v2's inverted residual with a
 * squeeze-and-excitation gate and swish activations, as in Keras's EfficientNet.
 */
import * as tf from '@tensorflow/tfjs';
import { apply, channels, checkPositive, convBn, named, type Sym } from './common';

/**
 * Squeeze and excitation: global average pool, a 1×1 reduction to `squeezed`
 * channels (swish), a 1×1 expansion back (sigmoid), and the input scaled channel-wise.
 */
export function squeezeExcite(x: Sym, squeezed: number, options: { name?: string } = {}): Sym {
  checkPositive('squeezed channels', squeezed);
  const c = channels(x);
  const p = options.name;
  let s = apply(tf.layers.globalAveragePooling2d({ name: named(p, 'se_squeeze') }), x);
  s = apply(tf.layers.reshape({ targetShape: [1, 1, c], name: named(p, 'se_reshape') }), s);
  s = apply(
    tf.layers.conv2d({ filters: squeezed, kernelSize: 1, activation: 'swish', name: named(p, 'se_reduce') }),
    s,
  );
  s = apply(
    tf.layers.conv2d({ filters: c, kernelSize: 1, activation: 'sigmoid', name: named(p, 'se_expand') }),
    s,
  );
  return apply(tf.layers.multiply({ name: named(p, 'se_excite') }), [x, s]);
}

/** Options of {@link mbConv}. */
export interface MBConvOptions {
  kernelSize: number;
  stride: number;
  expansion: number;
  /** SE width as a fraction of the block's input channels (0.25 in EfficientNet). */
  seRatio?: number;
  /** Stochastic-depth rate: drops the whole residual branch per example while training. */
  dropRate?: number;
  name?: string;
}

/** One MBConv block from C_in to `filters` channels. */
export function mbConv(x: Sym, filters: number, o: MBConvOptions): Sym {
  checkPositive('filters', filters);
  checkPositive('expansion', o.expansion);
  const cIn = channels(x);
  const p = o.name;
  const expanded = cIn * o.expansion;
  let y = x;
  if (o.expansion !== 1)
    y = convBn(y, { filters: expanded, kernelSize: 1, activation: 'swish', name: named(p, 'expand') });
  y = apply(
    tf.layers.depthwiseConv2d({
      kernelSize: o.kernelSize,
      strides: o.stride,
      padding: 'same',
      useBias: false,
      depthwiseInitializer: 'heNormal',
      name: named(p, 'dwconv'),
    }),
    y,
  );
  y = apply(tf.layers.batchNormalization({ epsilon: 1e-3, name: named(p, 'bn') }), y);
  y = apply(tf.layers.activation({ activation: 'swish', name: named(p, 'activation') }), y);
  const seRatio = o.seRatio ?? 0.25;
  if (seRatio > 0) y = squeezeExcite(y, Math.max(1, Math.floor(cIn * seRatio)), { name: p });
  y = convBn(y, { filters, kernelSize: 1, activation: 'linear', name: named(p, 'project') });
  if (o.stride === 1 && cIn === filters) {
    if ((o.dropRate ?? 0) > 0)
      y = apply(
        tf.layers.dropout({
          rate: o.dropRate!,
          noiseShape: [null, 1, 1, 1] as unknown as number[],
          name: named(p, 'drop'),
        }),
        y,
      );
    y = apply(tf.layers.add({ name: named(p, 'add') }), [y, x]);
  }
  return y;
}
