/**
 * Batch normalisation on the wasm backend: the forward kernel as the cpu
 * backend computes it ({@link batchNormKernel}), and the gradient without its
 * wasted passes.
 *
 * TensorFlow.js's gradient of FusedBatchNorm computes x − mean and dy · scale
 * for every call, whichever inputs need a gradient, and its x derivative tiles
 * rsqrt(variance + ε) to the image's shape and multiplies twice: five passes
 * over an activation where style transfer (frozen batch norm, only x needs a
 * gradient) needs one. Here the x derivative is one kernel
 * ({@link BATCH_NORM_GRAD_X}, the course's WebAssembly SIMD in
 * lib/engine/kernels/wasm/batch-norm.c, or JavaScript where that module cannot
 * load), and each other derivative computes only what it needs, with
 * TensorFlow.js's ops in TensorFlow.js's order: the same bits as its gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { writeHeapOutput } from './course-wasm';

/** The kernel's name in the tfjs registry: inputs dy, inv (per channel) and scale (optional). */
export const BATCH_NORM_GRAD_X = 'CourseBatchNormGradX';

/**
 * dx[i] = (dy[i] · inv[c]) · scale[c] with c = i mod channels (channels:
 * inv's length), each product rounded to float32 as tfjs multiplies; without
 * scale, dy[i] · inv[c].
 */
export function batchNormGradXInto(
  dy: Float32Array,
  inv: Float32Array,
  scale: Float32Array | null,
  dx: Float32Array,
): void {
  const channels = inv.length;
  for (let i = 0, c = 0; i < dx.length; i++) {
    const scaled = Math.fround(dy[i]! * inv[c]!);
    dx[i] = scale ? scaled * scale[c]! : scaled;
    if (++c === channels) c = 0;
  }
}

const wasmBatchNormGradX: tf.KernelFunc = ({ inputs, backend }) => {
  const { dy, inv, scale } = inputs as { dy: tf.TensorInfo; inv: tf.TensorInfo; scale?: tf.TensorInfo };
  const channels = tf.util.sizeFromShape(inv.shape);
  const size = tf.util.sizeFromShape(dy.shape);
  if (channels === 0 || size % channels !== 0 || dy.shape[dy.shape.length - 1] !== channels) {
    throw new Error(`${BATCH_NORM_GRAD_X}: dy [${dy.shape}] does not end in inv's ${channels} channels`);
  }
  if (scale && tf.util.sizeFromShape(scale.shape) !== channels) {
    throw new Error(`${BATCH_NORM_GRAD_X}: scale [${scale.shape}] does not have ${channels} channels`);
  }
  return writeHeapOutput(
    backend,
    dy.shape,
    [dy, inv, scale],
    (kernels, [dyAt, invAt, scaleAt, dxAt]) =>
      kernels.batch_norm_grad_x(dyAt!, invAt!, scaleAt!, dxAt!, size / channels, channels, scale ? 1 : 0),
    ([dys, invs, scales], dx) => batchNormGradXInto(dys!, invs!, scales ?? null, dx),
  );
};

/** What {@link batchNormInto} normalises by: per-channel arrays (scale and offset optional). */
export interface BatchNormParameters {
  mean: Float32Array;
  variance: Float32Array;
  scale: Float32Array | null;
  offset: Float32Array | null;
  varianceEpsilon: number;
}

/**
 * y[i] = offset[c] + (x[i] − mean[c]) · scale[c] / √(variance[c] + ε), c = i mod channels,
 * in double and in the cpu backend's order (no scale: · 1; no offset: 0 + …), rounded to
 * float32 by the store.
 */
export function batchNormInto(x: Float32Array, p: BatchNormParameters, y: Float32Array): void {
  const { mean, variance, scale, offset, varianceEpsilon } = p;
  const channels = mean.length;
  for (let i = 0, c = 0; i < y.length; i++) {
    const s = scale ? scale[c]! : 1;
    const o = offset ? offset[c]! : 0;
    y[i] = o + ((x[i]! - mean[c]!) * s) / Math.sqrt(variance[c]! + varianceEpsilon);
    if (++c === channels) c = 0;
  }
}

/**
 * The wasm backend's FusedBatchNorm replaced where mean, variance, scale and
 * offset hold one float32 value per channel of a float32 x (the cpu backend's
 * bits, in about a sixth of the backend's time); elsewhere `inner`, the
 * backend's own kernel.
 */
export const batchNormKernel =
  (inner: tf.KernelFunc): tf.KernelFunc =>
  (args) => {
    const { x, mean, variance, scale, offset } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const channels = x && x.shape.length > 0 ? x.shape[x.shape.length - 1]! : 0;
    const perChannel = (t: tf.TensorInfo | undefined) =>
      t == null || (t.dtype === 'float32' && tf.util.sizeFromShape(t.shape) === channels);
    if (
      !x ||
      !mean ||
      !variance ||
      x.dtype !== 'float32' ||
      channels === 0 ||
      ![mean, variance, scale, offset].every(perChannel)
    )
      return inner(args);
    const attrs = args.attrs as unknown as Partial<tf.FusedBatchNormAttrs>;
    const varianceEpsilon = attrs.varianceEpsilon ?? 0.001; // the cpu backend's default
    const flags = (scale ? 1 : 0) | (offset ? 2 : 0);
    return writeHeapOutput(
      args.backend,
      x.shape,
      [x, mean, variance, scale, offset],
      (kernels, [xAt, meanAt, varianceAt, scaleAt, offsetAt, yAt], size) =>
        kernels.batch_norm(
          xAt!,
          meanAt!,
          varianceAt!,
          scaleAt!,
          offsetAt!,
          yAt!,
          size / channels,
          channels,
          varianceEpsilon,
          flags,
        ),
      ([xs, means, variances, scales, offsets], y) =>
        batchNormInto(
          xs!,
          {
            mean: means!,
            variance: variances!,
            scale: scales ?? null,
            offset: offsets ?? null,
            varianceEpsilon,
          },
          y,
        ),
    );
  };

const REPLACED = Symbol.for('course.batchNormGradient');

/** tfjs's own gradient of FusedBatchNorm, as it was before {@link registerBatchNormGradient}. */
let tfjsGradient: tf.GradConfig | undefined;

/** TensorFlow.js's own gradient of FusedBatchNorm (what the course's replaces), for comparisons. */
export function tfjsBatchNormGradient(): tf.GradConfig | undefined {
  const current = tf.getGradient(tf.FusedBatchNorm);
  return current && (current as unknown as Record<symbol, boolean>)[REPLACED] ? tfjsGradient : current;
}

/**
 * Whether the course's gradient applies: float32 tensors, x of shape [N, H, W, C]
 * (tf.batchNorm makes it 4D), mean and variance (and scale, if any) of shape [C],
 * and the kernel on the current backend. Elsewhere tfjs's own gradient runs.
 */
function applies(dy: tf.Tensor, saved: Array<tf.Tensor | undefined | null>): boolean {
  const [x, mean, variance, scale] = saved;
  if (!x || !mean || !variance || x.rank !== 4) return false;
  const channels = x.shape[3];
  const perChannel = (t: tf.Tensor) => t.rank === 1 && t.shape[0] === channels && t.dtype === 'float32';
  return (
    x.dtype === 'float32' &&
    dy.dtype === 'float32' &&
    perChannel(mean) &&
    perChannel(variance) &&
    (scale == null || perChannel(scale)) &&
    !!tf.getKernel(BATCH_NORM_GRAD_X, tf.getBackend())
  );
}

/**
 * The gradient: TensorFlow.js's (tfjs-core's gradients/FusedBatchNorm_grad),
 * each derivative lazily and alone (tfjs runs each in its own tidy, so they
 * share no tensor), x's by {@link BATCH_NORM_GRAD_X}.
 */
function batchNormGradient(original: tf.GradConfig): tf.GradConfig {
  const config: tf.GradConfig = {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const single = dy as tf.Tensor;
      if (!applies(single, saved)) return original.gradFunc(dy, saved, attrs);
      const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
      const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
      const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
      const oneOverSqrtVariance = () => tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
      const dyTimesScale = () => tf.mul(single, scale == null ? tf.scalar(1) : scale);
      const perChannel = (t: tf.Tensor) => tf.reshape(tf.sum(t, axes), mean.shape);
      return {
        x: () => {
          const inputs = { dy: single, inv: oneOverSqrtVariance(), ...(scale == null ? {} : { scale }) };
          return tf.engine().runKernel(BATCH_NORM_GRAD_X, inputs) as tf.Tensor;
        },
        mean: () => perChannel(tf.mul(tf.mul(oneOverSqrtVariance(), tf.scalar(-1)), dyTimesScale())),
        variance: () => {
          const rsqrt = oneOverSqrtVariance();
          const minusHalfRCube = tf.mul(tf.mul(tf.mul(rsqrt, rsqrt), rsqrt), tf.scalar(-0.5));
          return perChannel(tf.mul(tf.mul(minusHalfRCube, tf.sub(x, mean)), dyTimesScale()));
        },
        scale: () => perChannel(tf.mul(single, tf.mul(tf.sub(x, mean), oneOverSqrtVariance()))),
        offset: () => perChannel(single),
      };
    },
  };
  (config as unknown as Record<symbol, boolean>)[REPLACED] = true;
  return config;
}

/**
 * Registers {@link BATCH_NORM_GRAD_X} on the wasm backend and makes the
 * FusedBatchNorm gradient use it there (other backends keep tfjs's). Calling
 * it again changes nothing.
 */
export function registerBatchNormGradient(backendName: 'wasm'): void {
  if (!tf.getKernel(BATCH_NORM_GRAD_X, backendName))
    tf.registerKernel({ kernelName: BATCH_NORM_GRAD_X, backendName, kernelFunc: wasmBatchNormGradX });
  const original = tf.getGradient(tf.FusedBatchNorm);
  if (!original || (original as unknown as Record<symbol, boolean>)[REPLACED]) return;
  tfjsGradient = original;
  tf.registerGradient(batchNormGradient(original));
}
