/**
 * Adam's update of one variable as one pass over the wasm heap.
 *
 * TensorFlow.js's AdamOptimizer updates each variable with 14 element-wise ops
 * and about 6 scalar uploads: a LeNet step spends more time in those ~200
 * small kernel calls than in its convolutions. Here one kernel reads the
 * variable, its gradient and both moments once and writes the three new
 * tensors. Every intermediate is rounded to float32 exactly where the
 * op-by-op update rounds it, so the results are the same bits.
 */
import * as tf from '@tensorflow/tfjs';
import { courseKernelsOn, heapOffsets } from './course-wasm';
import type { WasmHeapBackend } from './wasm-heap';

/** The kernel's name in the tfjs registry. */
export const ADAM_UPDATE = 'CourseAdamUpdate';

/** Hyperparameters of one update, as the optimizer holds them. */
export interface AdamConstants {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

const f = Math.fround;

/** The update's constants as float32 values, rounded where tfjs's scalars are. */
function float32Constants(c: AdamConstants, accBeta1: number, accBeta2: number) {
  return {
    b1: f(c.beta1),
    b2: f(c.beta2),
    keep1: f(1 - c.beta1),
    keep2: f(1 - c.beta2),
    correct1: f(1 - f(accBeta1)),
    correct2: f(1 - f(accBeta2)),
    eps: f(c.epsilon),
    step: f(-c.learningRate),
  };
}

/**
 * One Adam step for every element, writing the new variable, first and second
 * moment to `xOut`, `mOut`, `vOut` (which may be the inputs themselves).
 * `accBeta1` and `accBeta2` are beta1^t and beta2^t for step t (from 1).
 */
export function adamUpdateInto(
  x: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  c: AdamConstants,
  accBeta1: number,
  accBeta2: number,
  xOut: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
): void {
  const { b1, b2, keep1, keep2, correct1, correct2, eps, step } = float32Constants(c, accBeta1, accBeta2);
  // Products and quotients of float32 values, rounded once to float32: exactly the
  // float32 operation (a double holds more than twice float32's precision).
  for (let i = 0; i < x.length; i++) {
    const gi = g[i]!;
    const m1 = f(f(m[i]! * b1) + f(gi * keep1));
    const v1 = f(f(v[i]! * b2) + f(f(gi * gi) * keep2));
    const mHat = f(m1 / correct1);
    const vHat = f(v1 / correct2);
    xOut[i] = f(f(mHat / f(f(Math.sqrt(vHat)) + eps)) * step) + x[i]!;
    mOut[i] = m1;
    vOut[i] = v1;
  }
}

type Float32Info = tf.TensorInfo & { dtype: 'float32' };

/** The wasm kernel: inputs variable, gradient, m, v, accBeta1, accBeta2; outputs [variable, m, v]. */
const wasmAdamUpdate: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const { variable, gradient, m, v, accBeta1, accBeta2 } = inputs as Record<string, Float32Info>;
  const heap = backend as unknown as WasmHeapBackend;
  const outputs = [variable!, m!, v!].map((t) => heap.makeOutput([...t.shape], 'float32'));
  const constants = attrs as unknown as AdamConstants;
  const kernels = courseKernelsOn(backend);
  if (kernels) {
    // The same float32 operations, four weights at a time (lib/engine/kernels/wasm/adam.c).
    const [beta1Power, beta2Power] = [accBeta1!, accBeta2!].map(
      (t) => (heap.typedArrayFromHeap(t) as Float32Array)[0]!,
    ) as [number, number];
    const k = float32Constants(constants, beta1Power, beta2Power);
    const at = heapOffsets(backend, variable!, gradient!, m!, v!, ...outputs) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    kernels.adam_update(
      ...at,
      tf.util.sizeFromShape(variable!.shape),
      k.b1,
      k.b2,
      k.keep1,
      k.keep2,
      k.correct1,
      k.correct2,
      k.eps,
      k.step,
    );
    return outputs;
  }
  // Views after every allocation: growing the heap replaces its buffer.
  const view = (t: tf.TensorInfo) => heap.typedArrayFromHeap(t) as Float32Array;
  const [xOut, mOut, vOut] = outputs.map(view) as [Float32Array, Float32Array, Float32Array];
  adamUpdateInto(
    view(variable!),
    view(gradient!),
    view(m!),
    view(v!),
    constants,
    view(accBeta1!)[0]!,
    view(accBeta2!)[0]!,
    xOut,
    mOut,
    vOut,
  );
  return outputs;
};

/** The parts of tfjs's AdamOptimizer the fused update uses (private in its typings). */
interface AdamInternals extends AdamConstants {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  incrementIterations(): void;
}

type Gradients = tf.NamedTensorMap | Array<{ name: string; tensor: tf.Tensor }>;

const FUSED = Symbol.for('course.fusedAdam');

/**
 * Makes every tfjs Adam optimizer update its variables with {@link ADAM_UPDATE}
 * on backends that have that kernel (the wasm backend, from
 * {@link registerFusedAdam}); elsewhere, or for a variable that is not
 * float32, tfjs's own update runs. The state (moments, beta powers,
 * iterations) is kept in the optimizer's own variables, so saving, restoring
 * and the optimizer's weights behave as before. Calling it again changes nothing.
 */
export function fuseAdamUpdates(): void {
  const proto = tf.AdamOptimizer.prototype as unknown as Record<symbol, boolean> & {
    applyGradients(g: Gradients): void;
  };
  if (proto[FUSED]) return;
  const original = proto.applyGradients;
  proto.applyGradients = function applyGradients(this: AdamInternals, variableGradients: Gradients): void {
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const gradientOf = (name: string, i: number) =>
      Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name];
    const variables = tf.engine().registeredVariables;
    const fusable =
      tf.getKernel(ADAM_UPDATE, tf.getBackend()) !== undefined &&
      names.every(
        (name, i) =>
          variables[name]?.dtype === 'float32' && (gradientOf(name, i)?.dtype ?? 'float32') === 'float32',
      );
    if (!fusable) return original.call(this, variableGradients);
    const constants: AdamConstants = {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
    };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = variables[name]!;
        // Moments are created on first use, named and untrainable as tfjs names them.
        this.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        this.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        const gradient = gradientOf(name, i);
        if (gradient == null) return;
        const m = this.accumulatedFirstMoment[i]!.variable;
        const v = this.accumulatedSecondMoment[i]!.variable;
        const [x1, m1, v1] = tf
          .engine()
          .runKernel(
            ADAM_UPDATE,
            { variable: value, gradient, m, v, accBeta1: this.accBeta1, accBeta2: this.accBeta2 },
            constants as unknown as tf.NamedAttrMap,
          ) as tf.Tensor[];
        m.assign(m1!);
        v.assign(v1!);
        value.assign(x1!);
      });
      this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
    });
    this.incrementIterations();
  };
  proto[FUSED] = true;
}

/** Registers {@link ADAM_UPDATE} on the wasm backend and fuses Adam's updates there. */
export function registerFusedAdam(backendName: 'wasm'): void {
  if (!tf.getKernel(ADAM_UPDATE, backendName))
    tf.registerKernel({ kernelName: ADAM_UPDATE, backendName, kernelFunc: wasmAdamUpdate });
  fuseAdamUpdates();
}
