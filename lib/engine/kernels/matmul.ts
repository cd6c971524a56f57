/**
 * BatchMatMul on the wasm backend with the course's SIMD loops
 * (lib/engine/kernels/wasm/matmul.c) for the products of a dense layer's training step.
 *
 * The backend hands every product to XNNPACK, which packs the second operand
 * first (a weight matrix that changes at every step), and takes a slow path
 * for transposed operands. The course's loops read both operands in place,
 * either of them transposed (not both).
 */
import * as tf from '@tensorflow/tfjs';
import { courseKernelsOn, courseWorkerOn, heapOffsets } from './course-wasm';
import { runChunked, splitWorth } from './kernel-worker';
import type { WasmHeapBackend } from './wasm-heap';
import { SIMD_MATMUL_MAX_WORK } from '../thresholds';

/**
 * a · b (each optionally transposed) for float32 operands of rank ≥ 2 whose
 * batch dimensions are equal or 1 on one side, or undefined where the course's
 * loops do not apply (both transposed, other dtypes, large untransposed-b
 * products, no SIMD):
 * the caller then runs the backend's kernel.
 */
export function simdBatchMatMul(
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  backend: unknown,
): tf.TensorInfo | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || (transposeA && transposeB)) return undefined;
  if (a.shape.length < 2 || b.shape.length < 2) return undefined;
  const [aRows, aCols] = a.shape.slice(-2) as [number, number];
  const [bRows, bCols] = b.shape.slice(-2) as [number, number];
  const [m, k] = transposeA ? [aCols, aRows] : [aRows, aCols];
  const [k2, n] = transposeB ? [bCols, bRows] : [bRows, bCols];
  if (k !== k2) return undefined; // the backend's kernel reports the mismatch
  const aBatchShape = a.shape.slice(0, -2);
  const bBatchShape = b.shape.slice(0, -2);
  const aBatch = tf.util.sizeFromShape(aBatchShape);
  const bBatch = tf.util.sizeFromShape(bBatchShape);
  // Batches that are the same, or a single matrix on one side (others: the backend's kernel).
  if (aBatch !== 1 && bBatch !== 1 && !tf.util.arraysEqual(aBatchShape, bBatchShape)) return undefined;
  const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(aBatchShape, bBatchShape);
  const batch = tf.util.sizeFromShape(batchShape);
  if ((m * k * n > SIMD_MATMUL_MAX_WORK && !transposeB) || m * n === 0) return undefined;
  const kernels = courseKernelsOn(backend);
  if (!kernels) return undefined;
  const out = (backend as WasmHeapBackend).makeOutput([...batchShape, m, n], 'float32');
  const [aAt, bAt, outAt] = heapOffsets(backend, a, b, out) as [number, number, number];
  const [ams, aks] = transposeA ? [1, m] : [k, 1];
  // Large products: fixed chunks of c's rows (positions 8-9 of a · b's arguments, 6-7 of
  // a · bᵀ's), shared with the worker if any; the same chunks on one thread.
  const split = splitWorth(m * k * n) && m >= 8;
  const worker = split ? courseWorkerOn(backend) : undefined;
  for (let i = 0; i < batch; i++) {
    const aMat = aAt + (aBatch === 1 ? 0 : i * m * k) * 4;
    const bMat = bAt + (bBatch === 1 ? 0 : i * k * n) * 4;
    const cMat = outAt + i * m * n * 4;
    const [name, args] = transposeB
      ? (['matmul_nt', [aMat, bMat, cMat, m, k, n, 0, m]] as const)
      : (['matmul_kn', [aMat, bMat, cMat, m, k, n, ams, aks, 0, m]] as const);
    if (split)
      runChunked(worker, kernels, name, [...args], {
        firstAt: args.length - 2,
        endAt: args.length - 1,
        low: 0,
        high: m,
      });
    else (kernels as unknown as Record<string, (...a: number[]) => void>)[name]!(...args);
  }
  return out;
}
