/**
 * The max-pool gradient as one pass over the wasm heap.
 *
 * tfjs-backend-wasm 4.22's own MaxPoolGrad is a loop nest that is both slow
 * (a third of a LeNet-5 training step) and wrong where a window's maximum is
 * negative (the gradient goes to another input, or into the padding). This
 * kernel reads the input and dy where the backend keeps them and scatters each
 * window's dy onto the first maximum of the window in row-major order, as the
 * cpu backend does.
 */
import * as tf from '@tensorflow/tfjs';
import { courseKernelsOn, heapOffsets } from './course-wasm';
import type { WasmHeapBackend } from './wasm-heap';

/** The pooling geometry, as `backend_util.computePool2DInfo` gives it. */
type PoolInfo = tf.backend_util.Conv2DInfo;

/**
 * dx = the gradient of a max pool: for each window, dy goes to the window's
 * first (row-major) largest input that lies inside the image; windows whose
 * inputs are all NaN or -Infinity pass nothing on. `dx` is overwritten.
 * Arrays are NHWC, float32.
 */
export function maxPoolGradInto(x: Float32Array, dy: Float32Array, dx: Float32Array, info: PoolInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  dx.fill(0);
  const rowStride = inWidth * channels;
  const unrolled = filterHeight === 2 && filterWidth === 2 && dilationHeight === 1 && dilationWidth === 1;
  let dyIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    const image = b * inHeight * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const rowStart = oh * strideHeight - top;
      // The window's taps that fall inside the image (padding never wins).
      const khFirst = Math.max(0, Math.ceil(-rowStart / dilationHeight));
      const khEnd = Math.min(filterHeight, Math.ceil((inHeight - rowStart) / dilationHeight));
      for (let ow = 0; ow < outWidth; ow++) {
        const colStart = ow * strideWidth - left;
        const kwFirst = Math.max(0, Math.ceil(-colStart / dilationWidth));
        const kwEnd = Math.min(filterWidth, Math.ceil((inWidth - colStart) / dilationWidth));
        const corner = image + rowStart * rowStride + colStart * channels;
        if (unrolled && khFirst === 0 && khEnd === 2 && kwFirst === 0 && kwEnd === 2) {
          // The common 2x2 window inside the image, unrolled (row-major order decides ties).
          // Each step picks the next tap when it is larger (or the best so far is NaN) with
          // 0/1 arithmetic instead of a branch: the larger of random values is a coin flip
          // that a branch mispredicts half the time (2x slower).
          for (let c = 0; c < channels; c++, dyIndex++) {
            const i0 = corner + c;
            const i1 = i0 + channels;
            const i2 = i0 + rowStride;
            const i3 = i2 + channels;
            let at = i0;
            let best = x[i0]!;
            at += (+(x[i1]! > best) | +(best !== best)) * (i1 - at);
            best = x[at]!;
            at += (+(x[i2]! > best) | +(best !== best)) * (i2 - at);
            best = x[at]!;
            at += (+(x[i3]! > best) | +(best !== best)) * (i3 - at);
            best = x[at]!;
            if (best === best && best !== -Infinity) dx[at]! += dy[dyIndex]!;
          }
          continue;
        }
        for (let c = 0; c < channels; c++, dyIndex++) {
          let best = -Infinity;
          let at = -1;
          for (let kh = khFirst; kh < khEnd; kh++) {
            const row = corner + kh * dilationHeight * rowStride + c;
            for (let kw = kwFirst; kw < kwEnd; kw++) {
              const i = row + kw * dilationWidth * channels;
              const v = x[i]!;
              if (v > best) {
                best = v;
                at = i;
              }
            }
          }
          if (at >= 0) dx[at]! += dy[dyIndex]!;
        }
      }
    }
  }
}

/** True for 2x2 windows of stride 2 that all lie inside the image (no padding reached). */
function isPlain2x2(info: PoolInfo): boolean {
  return (
    info.filterHeight === 2 &&
    info.filterWidth === 2 &&
    info.strideHeight === 2 &&
    info.strideWidth === 2 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0 &&
    2 * info.outHeight <= info.inHeight &&
    2 * info.outWidth <= info.inWidth
  );
}

/**
 * MaxPoolGrad for the wasm backend, computed in place on its heap (float32 only):
 * 2x2 pools of stride 2 by the course's SIMD function (lib/engine/kernels/wasm/max-pool-grad.c),
 * other windows by {@link maxPoolGradInto}.
 */
export function wasmMaxPoolGrad({ inputs, attrs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const heap = backend as unknown as WasmHeapBackend;
  const dx = heap.makeOutput(input.shape, 'float32');
  const kernels = isPlain2x2(info) ? courseKernelsOn(backend) : undefined;
  if (kernels) {
    const [x, g, out] = heapOffsets(backend, input, dy, dx) as [number, number, number];
    kernels.max_pool_grad_2x2(
      x,
      g,
      out,
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outHeight,
      info.outWidth,
    );
    return dx;
  }
  const view = (t: tf.TensorInfo) => heap.typedArrayFromHeap(t) as Float32Array;
  maxPoolGradInto(view(input), view(dy), view(dx), info);
  return dx;
}
