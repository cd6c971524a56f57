/**
 * Options and checks shared by the model builders.
 */
import * as tf from '@tensorflow/tfjs';

/** What every classifier builder accepts. */
export interface ClassifierOptions {
  /** [height, width, channels] of one example. */
  inputShape?: [number, number, number];
  /** Number of output classes (softmax). */
  classes?: number;
  /** Layer-name prefix; models built side by side need different ones only for readability. */
  name?: string;
}

/** The input layer, after checking the shape. */
export function input(shape: [number, number, number], name?: string): tf.SymbolicTensor {
  checkInputShape(shape);
  return tf.input({ shape, name });
}

/** Checks that an input shape is [height, width, channels] of positive integers. */
export function checkInputShape(shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.length !== 3 || shape.some((d) => !Number.isInteger(d) || d < 1))
    throw new Error(`inputShape must be [height, width, channels] of positive integers, got [${shape}]`);
}

/** Checks a positive integer option. */
export function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** Checks that an input side survives `halvings` stride-2 reductions (at least `min` left). */
export function checkDownsampling(
  shape: [number, number, number],
  halvings: number,
  model: string,
  min = 1,
): void {
  checkInputShape(shape);
  const [h, w] = shape;
  const need = min * 2 ** halvings;
  if (h < need || w < need)
    throw new Error(
      `${model} halves the input ${halvings} times: an input of [${shape}] is too small (at least ${need}x${need})`,
    );
}

/** Scales a filter count by a width multiplier, at least 1. */
export const scaled = (filters: number, width: number) => Math.max(1, Math.round(filters * width));
