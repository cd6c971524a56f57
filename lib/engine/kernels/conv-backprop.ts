/**
 * Convolution gradients composed from ops the wasm backend runs natively
 * (strided slices, matrix products, depthwise convolutions), so conv nets can
 * train on wasm, which ships no kernel for them.
 */
import * as tf from '@tensorflow/tfjs';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

function requireChannelsLast(dataFormat: string | undefined, kernel: string): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(
      `${kernel}: only NHWC tensors are supported on this backend, got dataFormat ${dataFormat}`,
    );
  }
}

/** Pads (positive) or crops (negative) one axis at both ends. */
function padOrCrop(t: tf.Tensor4D, axis: 1 | 2, before: number, after: number): tf.Tensor4D {
  let out = t;
  if (before < 0 || after < 0) {
    const begin = [0, 0, 0, 0];
    const size = [...out.shape] as number[];
    if (before < 0) {
      begin[axis] = -before;
      size[axis]! += before;
    }
    if (after < 0) size[axis]! += after;
    out = tf.slice(out, begin, size);
  }
  if (before > 0 || after > 0) {
    const paddings: Array<[number, number]> = [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ];
    paddings[axis] = [Math.max(before, 0), Math.max(after, 0)];
    out = tf.pad(out, paddings);
  }
  return out;
}

/**
 * One window of the (padded) input for filter tap (fh, fw): the input values
 * that tap multiplies, at every output position. Shape [B, outH, outW, C].
 */
function tapWindow(
  xPadded: tf.Tensor4D,
  fh: number,
  fw: number,
  info: tf.backend_util.Conv2DInfo,
): tf.Tensor4D {
  const {
    batchSize,
    outHeight,
    outWidth,
    inChannels,
    strideHeight,
    strideWidth,
    dilationHeight,
    dilationWidth,
  } = info;
  const top = fh * dilationHeight;
  const left = fw * dilationWidth;
  return tf.stridedSlice(
    xPadded,
    [0, top, left, 0],
    [
      batchSize,
      top + (outHeight - 1) * strideHeight + 1,
      left + (outWidth - 1) * strideWidth + 1,
      inChannels,
    ],
    [1, strideHeight, strideWidth, 1],
  ) as tf.Tensor4D;
}

function padInput(x: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { top, bottom, left, right } = info.padInfo;
  if (top === 0 && bottom === 0 && left === 0 && right === 0) return x;
  return tf.pad(x, [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ]);
}

/**
 * A stride-1 convolution (NHWC) of `x` grown by the given rows and columns on each side,
 * negative amounts cropping. The padding is left to the convolution itself (XNNPACK
 * reads zeros at the border) rather than done as a padded copy of `x`, which on wasm
 * costs as much as the convolution of a large activation.
 */
function convGrown(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  [top, bottom, left, right]: [number, number, number, number],
  dilations: [number, number],
): tf.Tensor4D {
  const crop = [top, bottom, left, right].map((v) => Math.max(-v, 0)) as [number, number, number, number];
  const input = crop.some((c) => c > 0)
    ? tf.slice(
        x,
        [0, crop[0], crop[2], 0],
        [x.shape[0], x.shape[1] - crop[0] - crop[1], x.shape[2] - crop[2] - crop[3], x.shape[3]],
      )
    : x;
  const pad: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [Math.max(top, 0), Math.max(bottom, 0)],
    [Math.max(left, 0), Math.max(right, 0)],
    [0, 0],
  ];
  // Called as a kernel (not tf.conv2d) because the op refuses a dilation larger than the image when the output is 1 wide.
  return tf
    .engine()
    .runKernel(
      'Conv2D',
      { x: input, filter },
      { strides: [1, 1], pad, dataFormat: 'NHWC', dilations },
    ) as tf.Tensor4D;
}

/** The padded dy may be this many times larger than dy for x to play the filter. */
const TURNED_MAX_PADDING = 1.3;

/**
 * [B, H, W, C] → [C, H, W, B] in three transposes that each move contiguous runs or
 * small tiles (B and C swap inside each pixel's [B, C] block): on wasm about 5x
 * faster than the one transpose that scatters every element.
 */
function batchToChannels(t: tf.Tensor4D): tf.Tensor4D {
  const [batch, height, width, channels] = t.shape;
  const perPixel = tf.transpose(tf.reshape(t, [batch, height * width, channels]), [1, 0, 2]); // [HW, B, C]
  const swapped = tf.transpose(perPixel, [0, 2, 1]); // [HW, C, B]
  return tf.reshape(tf.transpose(swapped, [1, 0, 2]), [channels, height, width, batch]) as tf.Tensor4D;
}

/**
 * dW[fh, fw, ci, co] = Σ over b, oh, ow of xPadded[b, oh·s + fh, ow·s + fw, ci] · dy[b, oh, ow, co].
 *
 * Read with batch and channels swapped, that sum is itself a convolution whose
 * channel axis is the batch, computed by XNNPACK on wasm (5–30x faster than one
 * strided slice and matrix product per filter tap). XNNPACK repacks the
 * convolution's filter on every call, so the smaller of x and dy plays the filter:
 * - dy as the filter: image x → [Ci, H, W, B], filter dy → [OH, OW, B, Co], the
 *   stride becoming the filter's dilation (any stride);
 * - x as the filter (stride 1, little padding): image dy → [Co, OH, OW, B], filter
 *   x → [H, W, B, Ci]; output position p meets filter tap KH − 1 − p, so the result
 *   is turned by 180°.
 */
export function conv2dBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: Pad,
  dataFormat?: string,
  dimRoundingMode?: Rounding,
): tf.Tensor4D {
  requireChannelsLast(dataFormat, 'Conv2DBackpropFilter');
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode);
    const [filterHeight, filterWidth, inChannels, outChannels] = filterShape;
    const { batchSize, outHeight, outWidth, strideHeight, strideWidth } = info;
    if (
      dy.shape[0] !== batchSize ||
      dy.shape[1] !== outHeight ||
      dy.shape[2] !== outWidth ||
      dy.shape[3] !== outChannels
    ) {
      throw new Error(
        `Conv2DBackpropFilter: dy has shape [${dy.shape}], expected [${[batchSize, outHeight, outWidth, outChannels]}] for x [${x.shape}] and filter [${filterShape}]`,
      );
    }
    const [, height, width] = x.shape;
    const { top, left } = info.padInfo;
    const check = (t: tf.Tensor, expected: number[]) => {
      if (t.shape.some((d, i) => d !== expected[i]))
        throw new Error(`Conv2DBackpropFilter: internal shape [${t.shape}] instead of [${expected}]`);
    };
    // Image rows oh = i + top − fh for filter row i: output row p = (KH − 1 − top) + oh − i.
    const turnedMargins: [number, number, number, number] = [
      filterHeight - 1 - top,
      height - outHeight + top,
      filterWidth - 1 - left,
      width - outWidth + left,
    ];
    // The turned form pads dy by about the filter size on each side: worth it when that adds
    // little work (measured: VGG's 'same' 3x3 layers gain 10-60%, LeNet's 'valid' 5x5 ones lose 30%).
    const paddedArea =
      (outHeight + turnedMargins[0] + turnedMargins[1]) * (outWidth + turnedMargins[2] + turnedMargins[3]);
    if (
      strideHeight === 1 &&
      strideWidth === 1 &&
      x.size <= dy.size &&
      paddedArea <= TURNED_MAX_PADDING * outHeight * outWidth
    ) {
      const image = batchToChannels(dy); // [Co, OH, OW, B]
      const kernel = tf.transpose(x, [1, 2, 0, 3]) as tf.Tensor4D; // [H, W, B, Ci]
      const perChannel = convGrown(image, kernel, turnedMargins, [1, 1]); // [Co, KH, KW, Ci], taps turned
      check(perChannel, [outChannels, filterHeight, filterWidth, inChannels]);
      return tf.reverse(tf.transpose(perChannel, [1, 2, 3, 0]), [0, 1]) as tf.Tensor4D;
    }
    // Rows and columns past the last window (a stride that does not divide the
    // input) take part in no product: the bottom and right margins shrink by them.
    const margins: [number, number, number, number] = [
      top,
      (outHeight - 1) * strideHeight + filterHeight - (height + top),
      left,
      (outWidth - 1) * strideWidth + filterWidth - (width + left),
    ];
    const image = batchToChannels(x); // [Ci, H, W, B]
    const kernel = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [OH, OW, B, Co]
    const perChannel = convGrown(image, kernel, margins, [strideHeight, strideWidth]); // [Ci, KH, KW, Co]
    check(perChannel, [inChannels, filterHeight, filterWidth, outChannels]);
    return tf.transpose(perChannel, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/**
 * dx of a convolution: the zero-inserted dy (stride − 1 zeros between
 * neighbours), padded by filter − 1 − pad, convolved with the filter turned
 * by 180° and with its in and out channels swapped. That is one XNNPACK
 * convolution on wasm, an order of magnitude faster than the backend's own
 * loop-nest Conv2DBackpropInput.
 */
export function conv2dBackpropInput(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  strides: number | [number, number],
  pad: Pad,
  dataFormat?: string,
  dimRoundingMode?: Rounding,
): tf.Tensor4D {
  requireChannelsLast(dataFormat, 'Conv2DBackpropInput');
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const [filterHeight, filterWidth, inChannels, outChannels] = filter.shape;
    const [batch, inHeight, inWidth, channels] = inputShape;
    if (channels !== inChannels) {
      throw new Error(
        `Conv2DBackpropInput: inputShape [${inputShape}] has ${channels} channels, filter [${filter.shape}] expects ${inChannels}`,
      );
    }
    const expected = [batch, info.outHeight, info.outWidth, outChannels];
    if (dy.shape.some((d, i) => d !== expected[i])) {
      throw new Error(
        `Conv2DBackpropInput: dy has shape [${dy.shape}], expected [${expected}] for input [${inputShape}] and filter [${filter.shape}]`,
      );
    }
    const grid = insertZeros(dy, info.strideHeight, info.strideWidth);
    const top = filterHeight - 1 - info.padInfo.top;
    const left = filterWidth - 1 - info.padInfo.left;
    const margins: [number, number, number, number] = [
      top,
      inHeight + filterHeight - 1 - top - grid.shape[1],
      left,
      inWidth + filterWidth - 1 - left - grid.shape[2],
    ];
    const turned = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [KH, KW, Co, Ci]
    return convGrown(grid, turned, margins, [1, 1]);
  });
}

/**
 * Depthwise filter gradient: dW[fh, fw, c, m] = Σ x(window)[c] · dy[c·M + m].
 */
export function depthwiseConv2dBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: Pad,
  dilations: number | [number, number],
  dimRoundingMode?: Rounding,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(
      x.shape,
      filterShape,
      strides,
      dilations,
      pad,
      dimRoundingMode,
      true,
    );
    const [filterHeight, filterWidth, channels, multiplier] = filterShape;
    const positions = info.batchSize * info.outHeight * info.outWidth;
    const xPadded = padInput(x, info);
    const dyPerChannel = tf.reshape(dy, [positions, channels, multiplier]);
    const taps: tf.Tensor2D[] = [];
    for (let fh = 0; fh < filterHeight; fh++) {
      for (let fw = 0; fw < filterWidth; fw++) {
        const window = tf.reshape(tapWindow(xPadded, fh, fw, info), [positions, channels, 1]);
        taps.push(tf.sum(tf.mul(window, dyPerChannel), 0));
      }
    }
    return tf.reshape(tf.stack(taps), filterShape);
  });
}

/** Spreads dy over a grid with (stride − 1) zeros between neighbours. */
function insertZeros(dy: tf.Tensor4D, strideHeight: number, strideWidth: number): tf.Tensor4D {
  if (strideHeight === 1 && strideWidth === 1) return dy;
  const [batch, height, width, channels] = dy.shape;
  const spread = tf.pad(tf.reshape(dy, [batch, height, 1, width, 1, channels]), [
    [0, 0],
    [0, 0],
    [0, strideHeight - 1],
    [0, 0],
    [0, strideWidth - 1],
    [0, 0],
  ]);
  const grid = tf.reshape(spread, [batch, height * strideHeight, width * strideWidth, channels]);
  return tf.slice(
    grid,
    [0, 0, 0, 0],
    [batch, (height - 1) * strideHeight + 1, (width - 1) * strideWidth + 1, channels],
  ) as tf.Tensor4D;
}

/**
 * Depthwise input gradient: the zero-inserted dy, padded, convolved (depthwise,
 * same dilation) with the spatially flipped filter, then summed over the
 * channel multiplier.
 */
export function depthwiseConv2dBackpropInput(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  strides: number | [number, number],
  pad: Pad,
  dilations: number | [number, number],
  dimRoundingMode?: Rounding,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape,
      strides,
      dilations,
      pad,
      dimRoundingMode,
      true,
    );
    const [filterHeight, filterWidth, channels, multiplier] = filter.shape;
    const [batch, inHeight, inWidth] = inputShape;
    const [dilationHeight, dilationWidth] = [info.dilationHeight, info.dilationWidth];
    const effectiveHeight = (filterHeight - 1) * dilationHeight + 1;
    const effectiveWidth = (filterWidth - 1) * dilationWidth + 1;
    let grid = insertZeros(dy, info.strideHeight, info.strideWidth);
    const top = effectiveHeight - 1 - info.padInfo.top;
    const left = effectiveWidth - 1 - info.padInfo.left;
    grid = padOrCrop(grid, 1, top, inHeight + effectiveHeight - 1 - top - grid.shape[1]);
    grid = padOrCrop(grid, 2, left, inWidth + effectiveWidth - 1 - left - grid.shape[2]);
    const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [
      filterHeight,
      filterWidth,
      channels * multiplier,
      1,
    ]);
    const perMultiplier = tf.depthwiseConv2d(grid, flipped as tf.Tensor4D, 1, 'valid', 'NHWC', [
      dilationHeight,
      dilationWidth,
    ]);
    return tf.sum(
      tf.reshape(perMultiplier, [batch, inHeight, inWidth, channels, multiplier]),
      4,
    ) as tf.Tensor4D;
  });
}

/** Sums rows of x into numSegments buckets by segment id (negative ids are dropped, as in TensorFlow). */
export function unsortedSegmentSum(x: tf.Tensor, segmentIds: tf.Tensor, numSegments: number): tf.Tensor {
  return tf.tidy(() => {
    const rows = segmentIds.size;
    const rest = x.shape.slice(segmentIds.rank);
    const width = rest.reduce((a, b) => a * b, 1);
    const ids = tf.reshape(tf.cast(segmentIds, 'int32'), [rows]);
    // wasm's OneHot ignores a float dtype argument, so cast explicitly.
    const assignment = tf.cast(tf.oneHot(ids, numSegments), 'float32');
    const summed = tf.matMul(assignment, tf.reshape(tf.cast(x, 'float32'), [rows, width]), true, false);
    return tf.cast(tf.reshape(summed, [numSegments, ...rest]), x.dtype);
  });
}
