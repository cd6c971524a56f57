/**
 * The wasm backend's heap, as the course's JavaScript kernels use it: they
 * read inputs and write outputs where tfjs-backend-wasm keeps tensors.
 */
import type * as tf from '@tensorflow/tfjs';

/** A numeric tensor's data on the heap. */
export type HeapArray = Float32Array | Int32Array | Uint8Array;

/** The parts of tfjs-backend-wasm's backend that heap kernels use. */
export interface WasmHeapBackend {
  /** Allocates an output tensor on the heap. */
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /**
   * A view of a tensor's data. Take views after every allocation of the kernel:
   * growing the heap replaces its buffer.
   */
  typedArrayFromHeap(info: tf.TensorInfo): HeapArray;
}
