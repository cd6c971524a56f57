// Shared numeric helpers for tests that compare computations with references.

/** Deterministic values in [-1, 1) from a linear congruential sequence. */
export function seeded(count: number, seed: number): Float32Array {
  const next = uniform(seed);
  return Float32Array.from({ length: count }, () => next() * 2 - 1);
}

/** Number of elements of a shape. */
export const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** ‖actual − expected‖ / ‖expected‖ over whole arrays: the relative error of an output. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length)
    throw new Error(`relativeError: ${actual.length} values vs ${expected.length}`);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    diff += (actual[i]! - expected[i]!) ** 2;
    norm += expected[i]! ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-30);
}

/** A seeded generator of uniform numbers in [0, 1), so random test cases are reproducible. */
export function uniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
