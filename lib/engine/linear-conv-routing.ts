/**
 * Linear convolutions under a gradient tape as plain Conv2D (+ bias add).
 *
 * tfjs-layers runs every Conv2D layer through `tf.fused.conv2d`. With an
 * activation, a fused convolution under a tape (training) already splits into
 * Conv2D, Add and the activation; a linear one (the layers before a batch norm:
 * Tiny-Darknet, YOLO, the ResNets) stays one FusedConv2D whose gradient is a
 * custom gradient that computes the input's, the filter's and the bias's
 * derivatives every time. Style transfer differentiates only the image through
 * a frozen network, so the filter gradient of every layer was computed and
 * thrown away (10 of them in a 224 px style step). A plain Conv2D's registered
 * gradient computes only the derivatives the tape asks for, and its forward
 * pass runs the course's convolution on wasm (lib/engine/kernels/simd-conv).
 * The value is the same convolution; outside a tape nothing changes.
 */
import * as tf from '@tensorflow/tfjs';

type FusedConv2dArgs = Parameters<typeof tf.fused.conv2d>[0];
type FusedConv2d = typeof tf.fused.conv2d;

const ROUTED = Symbol.for('course.linearConvUnderTape');

/** Whether a fused convolution is linear NHWC work that a plain Conv2D (+ Add) computes. */
export function isLinearNhwc(args: FusedConv2dArgs): boolean {
  const activation = args.activation ?? 'linear';
  return activation === 'linear' && (args.dataFormat ?? 'NHWC') === 'NHWC';
}

/**
 * Makes `tf.fused.conv2d` run a linear convolution as `tf.conv2d` (then
 * `tf.add` of the bias) while a gradient is being recorded and `useWhen()`
 * holds (the course passes "the wasm backend is active"); anything else goes to
 * tfjs's own fused op. Calling it again changes nothing.
 *
 * @returns false where tfjs's `fused` namespace cannot be changed (an ES module
 *   namespace, as in the page's bundle): there fused convolutions stay tfjs's.
 */
export function routeLinearConvUnderTape(useWhen: () => boolean): boolean {
  const fused = tf.fused as { conv2d: FusedConv2d };
  const current = fused.conv2d as FusedConv2d & { [ROUTED]?: true };
  if (current[ROUTED]) return true;
  const original = current;
  const routed = ((args: FusedConv2dArgs) => {
    if (tf.engine().state.gradientDepth === 0 || !isLinearNhwc(args) || !useWhen()) return original(args);
    const { x, filter, strides, pad, dataFormat, dilations, dimRoundingMode, bias } = args;
    const y = tf.conv2d(x, filter, strides, pad, dataFormat ?? 'NHWC', dilations ?? [1, 1], dimRoundingMode);
    if (bias == null) return y;
    const sum = tf.add(y, bias);
    y.dispose();
    return sum;
  }) as FusedConv2d & { [ROUTED]?: true };
  routed[ROUTED] = true;
  try {
    fused.conv2d = routed;
  } catch {
    return false;
  }
  return fused.conv2d === routed;
}
