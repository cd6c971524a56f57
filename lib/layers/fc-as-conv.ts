/**
 * Fully connected layers written as convolutions (the sliding-window detection
 * lecture): an FC layer on an h×w×c volume is an h×w convolution with one filter
 * per unit; later FC layers are 1×1 convolutions. On a larger input the same
 * weights then compute every window's prediction in one pass.
 */
import * as tf from '@tensorflow/tfjs';
import { apply, checkPositive, shapeText, type Sym } from './common';

/** Options of {@link fcAsConv} and {@link fcAsConv1x1}. */
export interface FcAsConvOptions {
  /** The FC layer's activation (any tfjs activation name, e.g. `'softmax'` for a classifier's last layer). */
  activation?: FcActivation;
  /** Whether the FC layer has a bias (default true). */
  useBias?: boolean;
  name?: string;
}

/** An activation name that tfjs's Dense and Conv2D layers take. */
export type FcActivation = NonNullable<Parameters<typeof tf.layers.conv2d>[0]['activation']>;

function fcConv(x: Sym, units: number, kernelSize: [number, number], options: FcAsConvOptions): Sym {
  checkPositive('units', units);
  return apply(
    tf.layers.conv2d({
      filters: units,
      kernelSize,
      padding: 'valid',
      activation: options.activation ?? 'linear',
      useBias: options.useBias ?? true,
      name: options.name,
    }),
    x,
  );
}

/**
 * The first FC layer as a convolution whose kernel covers the whole h×w input
 * (on exactly h×w the output is 1×1×units, like a Dense layer's); on a larger input
 * give the classifier's `window` and it slides.
 */
export function fcAsConv(
  x: Sym,
  units: number,
  options: FcAsConvOptions & { window?: [number, number] } = {},
): Sym {
  const [, h, w] = x.shape;
  const window = options.window ?? [h as number, w as number];
  if (!window.every((d) => Number.isInteger(d) && d > 0))
    throw new Error(`fcAsConv needs a known window size, got [${window}] for input ${shapeText(x.shape)}`);
  return fcConv(x, units, window, options);
}

/** A later FC layer as a 1×1 convolution. */
export function fcAsConv1x1(x: Sym, units: number, options: FcAsConvOptions = {}): Sym {
  return fcConv(x, units, [1, 1], options);
}

/**
 * A Dense kernel [h·w·c, units] that follows a Flatten of h×w×c as the equivalent
 * convolution kernel [h, w, c, units] (Flatten is row-major over h, w, c, so this is a reshape).
 */
export function denseKernelToConv(kernel: tf.Tensor2D, inputShape: [number, number, number]): tf.Tensor4D {
  const [h, w, c] = inputShape;
  if (kernel.rank !== 2 || kernel.shape[0] !== h * w * c)
    throw new Error(
      `denseKernelToConv: a kernel of shape [${kernel.shape}] does not follow a flattened [${inputShape}] (${h * w * c} inputs)`,
    );
  return tf.reshape(kernel, [h, w, c, kernel.shape[1]]);
}
