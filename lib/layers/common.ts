/**
 * Small helpers shared by the building blocks: applying a layer to a symbolic
 * tensor with the right type, conv + batch norm + activation, and names.
 */
import * as tf from '@tensorflow/tfjs';

/** A symbolic tensor of the functional API (what blocks take and return). */
export type Sym = tf.SymbolicTensor;

/** Activations the blocks accept. */
export type Activation = 'relu' | 'relu6' | 'swish' | 'sigmoid' | 'tanh' | 'linear';

/** Applies one layer to one symbolic tensor. */
export function apply(layer: tf.layers.Layer, x: Sym | Sym[]): Sym {
  return layer.apply(x) as Sym;
}

/** `prefix_suffix` when a prefix was given, else undefined (tfjs then picks a unique name). */
export function named(prefix: string | undefined, suffix: string): string | undefined {
  return prefix === undefined ? undefined : `${prefix}_${suffix}`;
}

/** A shape for error messages: unknown (batch) dimensions show as null. */
export const shapeText = (shape: ReadonlyArray<number | null>) => JSON.stringify(shape);

/** The channel count (last axis) of a symbolic tensor. */
export function channels(x: Sym): number {
  const c = x.shape[x.shape.length - 1];
  if (typeof c !== 'number') throw new Error(`the channel axis of ${shapeText(x.shape)} is unknown`);
  return c;
}

/** Checks that a size option is a positive integer, naming it in the error. */
export function checkPositive(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got ${value}`);
}

/** Options of {@link convBn}. */
export interface ConvBnOptions {
  filters: number;
  kernelSize: number;
  strides?: number;
  padding?: 'same' | 'valid';
  /** Bias in the convolution; redundant before batch norm, but Keras's ResNet-50 keeps it. */
  useBias?: boolean;
  /** Activation after batch norm; 'linear' for none. */
  activation?: Activation;
  /** Batch-norm epsilon (Keras: 1.001e-5 in ResNet, 1e-3 in MobileNet and EfficientNet). */
  epsilon?: number;
  name?: string;
}

/** Convolution, batch normalisation, activation: the unit most modern CNNs repeat. */
export function convBn(x: Sym, o: ConvBnOptions): Sym {
  checkPositive('filters', o.filters);
  checkPositive('kernelSize', o.kernelSize);
  let y = apply(
    tf.layers.conv2d({
      filters: o.filters,
      kernelSize: o.kernelSize,
      strides: o.strides ?? 1,
      padding: o.padding ?? 'same',
      useBias: o.useBias ?? false,
      kernelInitializer: 'heNormal',
      name: named(o.name, 'conv'),
    }),
    x,
  );
  y = apply(
    tf.layers.batchNormalization({ axis: -1, epsilon: o.epsilon ?? 1e-3, name: named(o.name, 'bn') }),
    y,
  );
  const activation = o.activation ?? 'relu';
  if (activation !== 'linear')
    y = apply(tf.layers.activation({ activation, name: named(o.name, activation) }), y);
  return y;
}
