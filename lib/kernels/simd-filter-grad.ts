/**
 * Conv2DBackpropFilter on the wasm backend as one WebAssembly SIMD function of
 * the course's own (lib/kernels/wasm/filter-grad.c), run on the backend's heap.
 *
 * Through XNNPACK the filter gradient is a convolution of the transposed input
 * with dy as its filter: a shape XNNPACK is slow at (a long reduction into a
 * small output), plus transposes and the repacking of dy on every call. The
 * course's function reads x and dy where they are (NHWC) and sums each tap's
 * products in registers: 22 GMAC/s on one thread, 2-3x the XNNPACK route on two
 * (a VGG layer 214 → ~110 ms, a U-Net layer 33 → 14 ms).
 */
import * as tf from '@tensorflow/tfjs';
import { courseKernelsOn } from './course-wasm';
import type { WasmHeapBackend } from './wasm-heap';

/**
 * dW for x and dy on the wasm heap, or undefined where the function does not
 * apply (it needs float32 tensors, a multiple of 4 output channels and NHWC):
 * the caller then composes the gradient from the backend's ops.
 */
export function simdConv2dBackpropFilter(
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  backend: unknown,
): tf.TensorInfo | undefined {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || outChannels % 4 !== 0 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  const kernels = courseKernelsOn(backend);
  if (!kernels) return undefined;
  const heap = backend as WasmHeapBackend;
  const dw = heap.makeOutput([filterHeight, filterWidth, inChannels, outChannels], 'float32');
  // Offsets after the allocation: growing the heap replaces its buffer (not the addresses).
  const [xs, dys, dws] = [x, dy, dw].map((t) => heap.typedArrayFromHeap(t)) as [Float32Array, Float32Array, Float32Array];
  dws.fill(0);
  if (xs.length > 0 && dys.length > 0) {
    kernels.filter_grad(
      xs.byteOffset, dys.byteOffset, dws.byteOffset,
      batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
      filterHeight, filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
    );
  }
  return dw;
}
