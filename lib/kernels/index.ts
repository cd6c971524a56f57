/**
 * Kernels the course registers on backends that lack them. The wasm backend
 * has no convolution filter gradients: without these, no conv net trains on it.
 */
import * as tf from '@tensorflow/tfjs';
import {
  conv2dBackpropFilter,
  depthwiseConv2dBackpropFilter,
  depthwiseConv2dBackpropInput,
  unsortedSegmentSum,
} from './conv-backprop';

export { conv2dBackpropFilter, depthwiseConv2dBackpropFilter, depthwiseConv2dBackpropInput, unsortedSegmentSum };

type Attrs = Record<string, unknown>;
type Inputs = Record<string, tf.TensorInfo>;

// A kernel may return a Tensor: the engine keeps it as the output as it is.
const asTensor = <T extends tf.Tensor>(info: tf.TensorInfo): T => info as unknown as T;

/** The kernels this module provides, by tfjs kernel name. */
export const TRAINING_KERNELS: Record<string, (inputs: Inputs, attrs: Attrs) => tf.Tensor> = {
  Conv2DBackpropFilter: ({ x, dy }, attrs) =>
    conv2dBackpropFilter(
      asTensor(x!), asTensor(dy!),
      attrs.filterShape as [number, number, number, number],
      attrs.strides as [number, number],
      attrs.pad as 'same',
      attrs.dataFormat as string | undefined,
      attrs.dimRoundingMode as undefined,
    ),
  DepthwiseConv2dNativeBackpropFilter: ({ x, dy }, attrs) =>
    depthwiseConv2dBackpropFilter(
      asTensor(x!), asTensor(dy!),
      attrs.filterShape as [number, number, number, number],
      attrs.strides as [number, number],
      attrs.pad as 'same',
      (attrs.dilations as [number, number] | undefined) ?? [1, 1],
      attrs.dimRoundingMode as undefined,
    ),
  DepthwiseConv2dNativeBackpropInput: ({ dy, filter }, attrs) =>
    depthwiseConv2dBackpropInput(
      asTensor(dy!), asTensor(filter!),
      attrs.inputShape as [number, number, number, number],
      attrs.strides as [number, number],
      attrs.pad as 'same',
      (attrs.dilations as [number, number] | undefined) ?? [1, 1],
      attrs.dimRoundingMode as undefined,
    ),
  UnsortedSegmentSum: ({ x, segmentIds }, attrs) =>
    unsortedSegmentSum(asTensor(x!), asTensor(segmentIds!), attrs.numSegments as number),
};

/**
 * Registers every kernel of {@link TRAINING_KERNELS} that `backendName` lacks.
 * Kernels the backend already has are left alone.
 *
 * @returns the names of the kernels registered by this call.
 */
export function registerTrainingKernels(backendName: string): string[] {
  const registered: string[] = [];
  for (const [kernelName, compute] of Object.entries(TRAINING_KERNELS)) {
    if (tf.getKernel(kernelName, backendName)) continue;
    tf.registerKernel({
      kernelName,
      backendName,
      kernelFunc: ({ inputs, attrs }) => compute(inputs as Inputs, attrs as Attrs),
    });
    registered.push(kernelName);
  }
  return registered;
}
