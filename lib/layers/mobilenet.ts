/**
 * MobileNet's blocks: the depthwise-separable convolution (v1) and the
 * inverted residual with linear bottleneck (v2).
 */
import * as tf from '@tensorflow/tfjs';
import { apply, channels, checkPositive, convBn, named, type Activation, type Sym } from './common';

/**
 * Depthwise-separable convolution: a 3×3 depthwise convolution (one filter per
 * input channel, stride s), batch norm, activation, then a 1×1 pointwise
 * convolution to `filters` channels, batch norm, activation. No biases (batch norm follows).
 */
export function depthwiseSeparableConv(
  x: Sym,
  filters: number,
  options: { stride?: number; kernelSize?: number; activation?: Activation; name?: string } = {},
): Sym {
  checkPositive('filters', filters);
  const p = options.name;
  const activation = options.activation ?? 'relu6';
  let y = apply(
    tf.layers.depthwiseConv2d({
      kernelSize: options.kernelSize ?? 3,
      strides: options.stride ?? 1,
      padding: 'same',
      useBias: false,
      name: named(p, 'dw'),
    }),
    x,
  );
  y = apply(tf.layers.batchNormalization({ epsilon: 1e-3, name: named(p, 'dw_bn') }), y);
  y = apply(tf.layers.activation({ activation, name: named(p, 'dw_act') }), y);
  return convBn(y, { filters, kernelSize: 1, activation, name: named(p, 'pw') });
}

/**
 * MobileNet v2's inverted residual: 1×1 expansion to t·C_in channels (skipped when
 * t = 1), 3×3 depthwise convolution with stride s, 1×1 linear projection to
 * `filters` channels; the input is added back when the stride is 1 and the
 * widths match.
 */
export function invertedResidual(
  x: Sym,
  filters: number,
  options: { expansion?: number; stride?: number; name?: string } = {},
): Sym {
  checkPositive('filters', filters);
  const t = options.expansion ?? 6;
  const s = options.stride ?? 1;
  checkPositive('expansion', t);
  const p = options.name;
  const cIn = channels(x);
  let y = x;
  if (t !== 1)
    y = convBn(y, { filters: cIn * t, kernelSize: 1, activation: 'relu6', name: named(p, 'expand') });
  y = apply(
    tf.layers.depthwiseConv2d({
      kernelSize: 3,
      strides: s,
      padding: 'same',
      useBias: false,
      name: named(p, 'dw'),
    }),
    y,
  );
  y = apply(tf.layers.batchNormalization({ epsilon: 1e-3, momentum: 0.999, name: named(p, 'dw_bn') }), y);
  y = apply(tf.layers.activation({ activation: 'relu6', name: named(p, 'dw_relu6') }), y);
  y = convBn(y, { filters, kernelSize: 1, activation: 'linear', name: named(p, 'project') });
  if (s === 1 && cIn === filters) y = apply(tf.layers.add({ name: named(p, 'add') }), [x, y]);
  return y;
}
