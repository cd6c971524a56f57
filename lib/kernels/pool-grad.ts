/**
 * Max-pool gradient composed of whole-tensor ops, for the pools the wasm backend's
 * own MaxPoolGrad gets wrong: it drops the gradient of windows that reach into
 * padding (e.g. 'same' pools of odd-sized inputs) and puts it on the wrong input
 * where a window's maximum is negative. This one follows tfjs's reference (cpu)
 * kernel. It is slower than the backend's loop nest (wasm runs strided slices in
 * JavaScript), so the other pools stay on that.
 */
import * as tf from '@tensorflow/tfjs';
import { insertZeros, tapWindow } from './conv-backprop';

/** Padding of a pool, as tfjs ops take it. */
export type PoolPad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** Whether a pool with these settings reads padding (the case the wasm backend's kernel gets wrong). */
export function poolReadsPadding(
  inputShape: [number, number, number, number],
  filterSize: number | [number, number],
  strides: number | [number, number],
  pad: PoolPad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): boolean {
  const info = tf.backend_util.computePool2DInfo(inputShape, filterSize, strides, 1, pad, dimRoundingMode);
  const { top, bottom, left, right } = info.padInfo;
  const beyond = (info.outHeight - 1) * info.strideHeight + info.filterHeight > info.inHeight + top + bottom
    || (info.outWidth - 1) * info.strideWidth + info.filterWidth > info.inWidth + left + right;
  return top > 0 || bottom > 0 || left > 0 || right > 0 || beyond;
}

/**
 * dx of a max pool: each window passes its dy to the first of its largest inputs in
 * row-major order (as tfjs's reference kernel does) and 0 to the others; where windows
 * overlap, an input collects from every window it is the maximum of.
 *
 * @param dy - gradient of the pool's output, [B, OH, OW, C].
 * @param x - the pool's input, [B, H, W, C].
 * @param y - the pool's output, [B, OH, OW, C]: the maximum of each window.
 */
export function maxPoolGrad(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  y: tf.Tensor4D,
  filterSize: number | [number, number],
  strides: number | [number, number],
  pad: PoolPad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  const info = tf.backend_util.computePool2DInfo(x.shape, filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  if (dy.shape.some((d, i) => d !== [batchSize, outHeight, outWidth, inChannels][i])) {
    throw new Error(`MaxPoolGrad: dy has shape [${dy.shape}], expected [${[batchSize, outHeight, outWidth, inChannels]}] for input [${x.shape}]`);
  }
  return tf.tidy(() => {
    const { top, left } = info.padInfo;
    // The frame the windows span, in padded coordinates; padding never wins a max.
    const frameHeight = (outHeight - 1) * sh + kh;
    const frameWidth = (outWidth - 1) * sw + kw;
    const grow = [Math.max(frameHeight - top - inHeight, 0), Math.max(frameWidth - left - inWidth, 0)];
    const framed = top > 0 || left > 0 || grow[0]! > 0 || grow[1]! > 0
      ? tf.pad(x, [[0, 0], [top, grow[0]!], [left, grow[1]!], [0, 0]], -Infinity) as tf.Tensor4D
      : x;
    let taken: tf.Tensor | undefined;
    const share = (i: number, j: number): tf.Tensor4D => {
      let first = tf.equal(tapWindow(framed, i, j, info), y);
      if (taken) first = tf.logicalAnd(first, tf.logicalNot(taken));
      taken = taken ? tf.logicalOr(taken, first) : first;
      return tf.mul(dy, tf.cast(first, 'float32')) as tf.Tensor4D;
    };
    // Each window element's share, spread back to where it sits in the frame; overlaps add up.
    const spanHeight = (outHeight - 1) * sh + 1;
    const spanWidth = (outWidth - 1) * sw + 1;
    let dxFrame: tf.Tensor4D = tf.zeros([batchSize, frameHeight, frameWidth, inChannels]);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const placed = tf.pad(insertZeros(share(i, j), sh, sw), [[0, 0], [i, frameHeight - i - spanHeight], [j, frameWidth - j - spanWidth], [0, 0]]);
        dxFrame = tf.add(dxFrame, placed);
      }
    }
    // Back to x's rows and columns: drop the padding, add zeros for what no window reached.
    const short = [Math.max(top + inHeight - frameHeight, 0), Math.max(left + inWidth - frameWidth, 0)];
    const full = short[0]! > 0 || short[1]! > 0 ? tf.pad(dxFrame, [[0, 0], [0, short[0]!], [0, short[1]!], [0, 0]]) : dxFrame;
    return tf.slice(full, [0, top, left, 0], [batchSize, inHeight, inWidth, inChannels]) as tf.Tensor4D;
  });
}
