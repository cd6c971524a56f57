/**
 * One Adam update on plain arrays, as `tf.train.adam` computes it (Kingma & Ba, 2015, with
 * ε added to the square root of the bias-corrected second moment). The reference for
 * notebook 02's exercise 02.3.
 */

/** Adam's running state for one parameter vector: first and second moments, steps taken. */
export interface AdamState {
  m: number[];
  v: number[];
  t: number;
}

/** A fresh state for `size` parameters. */
export function adamState(size: number): AdamState {
  return { m: new Array(size).fill(0), v: new Array(size).fill(0), t: 0 };
}

/**
 * One step: updates `state` in place (moments, step count) and returns the new parameters.
 * m ← β1 m + (1 − β1) g; v ← β2 v + (1 − β2) g²; t ← t + 1;
 * θ ← θ − lr · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε).
 */
export function adamStep(
  params: number[],
  grads: number[],
  state: AdamState,
  learningRate: number,
  beta1 = 0.9,
  beta2 = 0.999,
  epsilon = 1e-7,
): number[] {
  if (
    grads.length !== params.length ||
    state.m.length !== params.length ||
    state.v.length !== params.length
  ) {
    throw new Error(
      `adamStep: params (${params.length}), grads (${grads.length}) and the state's moments (${state.m.length}, ${state.v.length}) must have one entry each`,
    );
  }
  state.t += 1;
  return params.map((p, i) => {
    state.m[i] = beta1 * state.m[i] + (1 - beta1) * grads[i];
    state.v[i] = beta2 * state.v[i] + (1 - beta2) * grads[i] * grads[i];
    const mHat = state.m[i] / (1 - beta1 ** state.t);
    const vHat = state.v[i] / (1 - beta2 ** state.t);
    return p - (learningRate * mHat) / (Math.sqrt(vHat) + epsilon);
  });
}
