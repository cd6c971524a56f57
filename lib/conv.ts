/**
 * Convolution and pooling written out by hand on typed arrays, forward and
 * backward: the mechanics the course teaches before handing the work to
 * TensorFlow.js. Volumes are NHWC (examples, height, width, channels) in
 * float64, so results can be compared exactly with the lecture notes.
 */

/** A batch of feature maps: shape [examples, height, width, channels], row-major. */
export interface Volume {
  shape: [number, number, number, number];
  data: Float64Array;
}

/** Filters of a convolution layer: shape [f, f, channelsIn, channelsOut]. */
export interface Filters {
  shape: [number, number, number, number];
  data: Float64Array;
}

/** Stride and zero padding of a convolution. */
export interface ConvParams {
  stride: number;
  pad: number;
}

function checkSize(name: string, value: number, min = 1): void {
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name} must be an integer ≥ ${min}, got ${value}`);
}

/** A volume of the given shape (zeros, or the given values). */
export function volume(shape: [number, number, number, number], values?: ArrayLike<number>): Volume {
  if (!Array.isArray(shape) || shape.length !== 4)
    throw new Error(`a volume has rank 4 [examples, height, width, channels], got shape [${shape}]`);
  shape.forEach((d, i) => checkSize(`dimension ${i} of [${shape}]`, d));
  const size = shape[0] * shape[1] * shape[2] * shape[3];
  if (values && values.length !== size)
    throw new Error(`volume of shape [${shape}] needs ${size} values, got ${values.length}`);
  return { shape, data: values ? Float64Array.from(values) : new Float64Array(size) };
}

/** A single-channel image (one example) from a matrix of rows: shape [1, rows, cols, 1]. */
export function fromMatrix(rows: number[][]): Volume {
  const width = rows[0]?.length ?? 0;
  if (rows.length === 0 || rows.some((r) => r.length !== width))
    throw new Error('fromMatrix expects a non-empty rectangular matrix');
  return volume([1, rows.length, width, 1], rows.flat());
}

/** Filters of one f×f kernel, one input and one output channel, from a matrix. */
export function filterFromMatrix(rows: number[][]): Filters {
  const v = fromMatrix(rows);
  if (v.shape[1] !== v.shape[2]) throw new Error(`a filter must be square, got ${v.shape[1]}x${v.shape[2]}`);
  return { shape: [v.shape[1], v.shape[2], 1, 1], data: v.data };
}

/** Channel `c` of example `m` as a matrix of rows. */
export function toMatrix(v: Volume, m = 0, c = 0): number[][] {
  const [, h, w, channels] = v.shape;
  return Array.from({ length: h }, (_, i) =>
    Array.from({ length: w }, (_, j) => v.data[((m * h + i) * w + j) * channels + c]!),
  );
}

/** Checks a hand-built volume or filter bank: rank 4 and as many values as its shape says. */
function checkTensor(name: string, t: { shape: readonly number[]; data: ArrayLike<number> }): void {
  if (t.shape.length !== 4) throw new Error(`${name} must have rank 4, got shape [${t.shape}]`);
  const size = t.shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== size)
    throw new Error(`${name} of shape [${t.shape}] needs ${size} values, has ${t.data.length}`);
}

const at = (shape: readonly number[], m: number, i: number, j: number, c: number) =>
  ((m * shape[1]! + i) * shape[2]! + j) * shape[3]! + c;

/** Output side of a convolution or pooling: ⌊(n + 2p − f) / s⌋ + 1. */
export function convOutputSize(n: number, f: number, pad: number, stride: number): number {
  checkSize('input size n', n);
  checkSize('filter size f', f);
  checkSize('padding p', pad, 0);
  checkSize('stride s', stride);
  const out = Math.floor((n + 2 * pad - f) / stride) + 1;
  if (out < 1) throw new Error(`a ${f}x${f} filter does not fit an input of ${n} padded by ${pad}`);
  return out;
}

/** Output side of a transposed convolution: (n − 1)·s + f − 2p. */
export function transposedConvOutputSize(n: number, f: number, pad: number, stride: number): number {
  checkSize('input size n', n);
  checkSize('filter size f', f);
  checkSize('padding p', pad, 0);
  checkSize('stride s', stride);
  const out = (n - 1) * stride + f - 2 * pad;
  if (out < 1) throw new Error(`padding ${pad} removes the whole output of a transposed convolution`);
  return out;
}

/** Pads the height and width of every example and channel with `pad` zeros on each side. */
export function zeroPad(x: Volume, pad: number): Volume {
  checkSize('padding', pad, 0);
  const [m, h, w, c] = x.shape;
  const out = volume([m, h + 2 * pad, w + 2 * pad, c]);
  for (let e = 0; e < m; e++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let k = 0; k < c; k++)
          out.data[at(out.shape, e, i + pad, j + pad, k)] = x.data[at(x.shape, e, i, j, k)]!;
  return out;
}

/** One step of a convolution: Σ slice ⊙ weights + bias, over an f×f×c window. */
export function convSingleStep(slice: ArrayLike<number>, weights: ArrayLike<number>, bias: number): number {
  if (slice.length !== weights.length)
    throw new Error(`convSingleStep: the slice has ${slice.length} values, the weights ${weights.length}`);
  let sum = bias;
  for (let i = 0; i < slice.length; i++) sum += slice[i]! * weights[i]!;
  return sum;
}

/** What {@link convForward} keeps for the backward pass. */
export interface ConvCache {
  input: Volume;
  filters: Filters;
  bias: Float64Array;
  params: ConvParams;
}

/**
 * A convolution layer's forward pass: Z[m, i, j, c] = Σ A_prev(window) ⊙ W[..., c] + b[c]
 * (cross-correlation, as deep-learning libraries compute it).
 */
export function convForward(
  input: Volume,
  filters: Filters,
  bias: ArrayLike<number>,
  params: ConvParams,
): { output: Volume; cache: ConvCache } {
  checkTensor('the input', input);
  checkTensor('the filters', filters);
  const [m, h, w, cPrev] = input.shape;
  const [f, f2, fIn, cOut] = filters.shape;
  if (f !== f2) throw new Error(`filters must be square, got shape [${filters.shape}]`);
  if (fIn !== cPrev)
    throw new Error(
      `filters of shape [${filters.shape}] expect ${fIn} input channels, the input [${input.shape}] has ${cPrev}`,
    );
  if (bias.length !== cOut) throw new Error(`bias has ${bias.length} values for ${cOut} filters`);
  const { stride, pad } = params;
  const outH = convOutputSize(h, f, pad, stride);
  const outW = convOutputSize(w, f, pad, stride);
  const padded = zeroPad(input, pad);
  const output = volume([m, outH, outW, cOut]);
  for (let e = 0; e < m; e++)
    for (let i = 0; i < outH; i++)
      for (let j = 0; j < outW; j++)
        for (let c = 0; c < cOut; c++) {
          let sum = bias[c]!;
          for (let di = 0; di < f; di++)
            for (let dj = 0; dj < f; dj++)
              for (let k = 0; k < cPrev; k++)
                sum +=
                  padded.data[at(padded.shape, e, i * stride + di, j * stride + dj, k)]! *
                  filters.data[at(filters.shape, di, dj, k, c)]!;
          output.data[at(output.shape, e, i, j, c)] = sum;
        }
  return { output, cache: { input, filters, bias: Float64Array.from(bias), params } };
}

/**
 * The backward pass of {@link convForward}: from dZ, the gradients of the cost
 * with respect to the layer's input, filters and bias.
 */
export function convBackward(
  dZ: Volume,
  cache: ConvCache,
): { dInput: Volume; dFilters: Filters; dBias: Float64Array } {
  const { input, filters, params } = cache;
  const [m, , , cPrev] = input.shape;
  const [f, , , cOut] = filters.shape;
  const [dm, outH, outW, dc] = dZ.shape;
  if (dm !== m || dc !== cOut)
    throw new Error(
      `dZ of shape [${dZ.shape}] does not match the layer's output channels ${cOut} and ${m} examples`,
    );
  const { stride, pad } = params;
  const padded = zeroPad(input, pad);
  const dPadded = volume(padded.shape);
  const dFilters: Filters = { shape: filters.shape, data: new Float64Array(filters.data.length) };
  const dBias = new Float64Array(cOut);
  for (let e = 0; e < m; e++)
    for (let i = 0; i < outH; i++)
      for (let j = 0; j < outW; j++)
        for (let c = 0; c < cOut; c++) {
          const g = dZ.data[at(dZ.shape, e, i, j, c)]!;
          dBias[c] += g;
          for (let di = 0; di < f; di++)
            for (let dj = 0; dj < f; dj++)
              for (let k = 0; k < cPrev; k++) {
                const xi = at(padded.shape, e, i * stride + di, j * stride + dj, k);
                const wi = at(filters.shape, di, dj, k, c);
                dPadded.data[xi] += filters.data[wi]! * g;
                dFilters.data[wi] += padded.data[xi]! * g;
              }
        }
  const [, h, w] = input.shape;
  const dInput = volume(input.shape);
  for (let e = 0; e < m; e++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let k = 0; k < cPrev; k++)
          dInput.data[at(dInput.shape, e, i, j, k)] =
            dPadded.data[at(dPadded.shape, e, i + pad, j + pad, k)]!;
  return { dInput, dFilters, dBias };
}

/** Pooling window size, stride and kind. */
export interface PoolParams {
  f: number;
  stride: number;
  mode: 'max' | 'average';
}

/** What {@link poolForward} keeps for the backward pass. */
export interface PoolCache {
  input: Volume;
  params: PoolParams;
}

/** Max or average pooling over f×f windows, channel by channel (no padding). */
export function poolForward(input: Volume, params: PoolParams): { output: Volume; cache: PoolCache } {
  checkTensor('the input', input);
  const [m, h, w, c] = input.shape;
  const { f, stride, mode } = params;
  const outH = convOutputSize(h, f, 0, stride);
  const outW = convOutputSize(w, f, 0, stride);
  const output = volume([m, outH, outW, c]);
  for (let e = 0; e < m; e++)
    for (let i = 0; i < outH; i++)
      for (let j = 0; j < outW; j++)
        for (let k = 0; k < c; k++) {
          let result = mode === 'max' ? -Infinity : 0;
          for (let di = 0; di < f; di++)
            for (let dj = 0; dj < f; dj++) {
              const v = input.data[at(input.shape, e, i * stride + di, j * stride + dj, k)]!;
              result = mode === 'max' ? Math.max(result, v) : result + v / (f * f);
            }
          output.data[at(output.shape, e, i, j, k)] = result;
        }
  return { output, cache: { input, params } };
}

/**
 * One window's share of pooling's backward pass, as functions of the window
 * (see {@link maxPoolMask} and {@link distributeValue}).
 */
export interface PoolWindowGradients {
  /** 1 where the window holds its maximum, 0 elsewhere (max pooling). */
  maxPoolMask(window: number[][]): number[][];
  /** The gradient `dz` of a window's mean spread over its `rows`×`cols` inputs (average pooling). */
  distributeValue(dz: number, shape: [number, number]): number[][];
}

/**
 * The backward pass of pooling: max pooling routes each gradient to the
 * window's (first) maximum; average pooling spreads it evenly over the window.
 * Where windows overlap, their shares add up.
 *
 * @param windows - build the pass from these per-window pieces instead (for instance a
 *   learner's own): each output's gradient times `maxPoolMask(window)`, or `distributeValue`.
 */
export function poolBackward(dA: Volume, cache: PoolCache, windows?: PoolWindowGradients): Volume {
  const { input, params } = cache;
  const { f, stride, mode } = params;
  const [m, outH, outW, c] = dA.shape;
  if (m !== input.shape[0] || c !== input.shape[3])
    throw new Error(`dA of shape [${dA.shape}] does not match the pooled input [${input.shape}]`);
  const dInput = volume(input.shape);
  const position = (e: number, i: number, j: number, k: number, di: number, dj: number) =>
    at(input.shape, e, i * stride + di, j * stride + dj, k);
  for (let e = 0; e < m; e++)
    for (let i = 0; i < outH; i++)
      for (let j = 0; j < outW; j++)
        for (let k = 0; k < c; k++) {
          const g = dA.data[at(dA.shape, e, i, j, k)]!;
          if (windows) {
            const window = Array.from({ length: f }, (_, di) =>
              Array.from({ length: f }, (_, dj) => input.data[position(e, i, j, k, di, dj)]!),
            );
            const share =
              mode === 'max'
                ? windows.maxPoolMask(window).map((row) => row.map((v) => v * g))
                : windows.distributeValue(g, [f, f]);
            for (let di = 0; di < f; di++)
              for (let dj = 0; dj < f; dj++) dInput.data[position(e, i, j, k, di, dj)] += share[di]![dj]!;
            continue;
          }
          if (mode === 'average') {
            for (let di = 0; di < f; di++)
              for (let dj = 0; dj < f; dj++) dInput.data[position(e, i, j, k, di, dj)] += g / (f * f);
            continue;
          }
          let best = -Infinity;
          let bestIndex = -1;
          for (let di = 0; di < f; di++)
            for (let dj = 0; dj < f; dj++) {
              const index = position(e, i, j, k, di, dj);
              if (input.data[index]! > best) {
                best = input.data[index]!;
                bestIndex = index;
              }
            }
          dInput.data[bestIndex] += g;
        }
  return dInput;
}

/**
 * Transposed convolution by its definition as the gradient of a convolution:
 * insert (s − 1) zeros between input values, pad with f − 1 − p zeros, and run a
 * stride-1 convolution with the filters flipped in space and their channel
 * axes swapped.
 *
 * @param filters - shape [f, f, channelsOut, channelsIn], TensorFlow's layout for conv2dTranspose.
 */
export function transposedConvByZeroInsertion(input: Volume, filters: Filters, params: ConvParams): Volume {
  const [m, h, w, cIn] = input.shape;
  const [f, , cOut, fIn] = filters.shape;
  if (fIn !== cIn)
    throw new Error(
      `transposed-convolution filters of shape [${filters.shape}] expect ${fIn} input channels, the input [${input.shape}] has ${cIn}`,
    );
  const { stride, pad } = params;
  const outH = transposedConvOutputSize(h, f, pad, stride);
  const outW = transposedConvOutputSize(w, f, pad, stride);
  const border = f - 1 - pad;
  if (border < 0) throw new Error(`padding ${pad} is larger than the filter size minus one (${f - 1})`);
  const spread = volume([m, (h - 1) * stride + 1 + 2 * border, (w - 1) * stride + 1 + 2 * border, cIn]);
  for (let e = 0; e < m; e++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let k = 0; k < cIn; k++)
          spread.data[at(spread.shape, e, border + i * stride, border + j * stride, k)] =
            input.data[at(input.shape, e, i, j, k)]!;
  const flipped: Filters = { shape: [f, f, cIn, cOut], data: new Float64Array(filters.data.length) };
  for (let di = 0; di < f; di++)
    for (let dj = 0; dj < f; dj++)
      for (let o = 0; o < cOut; o++)
        for (let k = 0; k < cIn; k++)
          flipped.data[at(flipped.shape, f - 1 - di, f - 1 - dj, k, o)] =
            filters.data[at(filters.shape, di, dj, o, k)]!;
  const { output } = convForward(spread, flipped, new Float64Array(cOut), { stride: 1, pad: 0 });
  if (output.shape[1] !== outH || output.shape[2] !== outW)
    throw new Error(`internal: transposed convolution produced [${output.shape}], expected ${outH}x${outW}`);
  return output;
}

/**
 * The convolution of an n×n single-channel input with an f×f kernel (stride s,
 * no padding) as a matrix C: flatten(output) = C · flatten(input). C has one
 * row per output position and one column per input position.
 */
export function convolutionMatrix(n: number, kernel: number[][], stride = 1): number[][] {
  const f = kernel.length;
  if (kernel.some((row) => row.length !== f)) throw new Error('the kernel must be square');
  const out = convOutputSize(n, f, 0, stride);
  const matrix: number[][] = [];
  for (let i = 0; i < out; i++)
    for (let j = 0; j < out; j++) {
      const row = new Array<number>(n * n).fill(0);
      for (let di = 0; di < f; di++)
        for (let dj = 0; dj < f; dj++) row[(i * stride + di) * n + j * stride + dj] = kernel[di]![dj]!;
      matrix.push(row);
    }
  return matrix;
}

/** Matrix transpose. */
export function transpose(matrix: number[][]): number[][] {
  return matrix[0]!.map((_, j) => matrix.map((row) => row[j]!));
}

/** Matrix × vector. */
export function matVec(matrix: number[][], vector: number[]): number[] {
  return matrix.map((row) => {
    if (row.length !== vector.length)
      throw new Error(`matVec: a row has ${row.length} entries, the vector ${vector.length}`);
    return row.reduce((s, v, i) => s + v * vector[i]!, 0);
  });
}

/**
 * Transposed convolution as a matrix product: flatten(output) = Cᵀ · flatten(input),
 * with C the {@link convolutionMatrix} of the forward convolution that maps the
 * (larger) output size back to the input size.
 */
export function transposedConvByMatrix(input: number[][], kernel: number[][], stride = 1): number[][] {
  const m = input.length;
  const f = kernel.length;
  const n = transposedConvOutputSize(m, f, 0, stride);
  const c = convolutionMatrix(n, kernel, stride);
  const flat = matVec(transpose(c), input.flat());
  return Array.from({ length: n }, (_, i) => flat.slice(i * n, (i + 1) * n));
}

/** Multiplications a convolution layer performs: outH·outW·C_out · f·f·C_in per example. */
export function convMultiplies(
  inputShape: [number, number, number],
  f: number,
  channelsOut: number,
  params: ConvParams,
): number {
  const [h, w, c] = inputShape;
  return (
    convOutputSize(h, f, params.pad, params.stride) *
    convOutputSize(w, f, params.pad, params.stride) *
    channelsOut *
    f *
    f *
    c
  );
}

/**
 * The mask of max pooling's backward pass for one window: 1 where the window holds its
 * maximum, 0 elsewhere (every tied maximum gets a 1, as `x == max(x)` does).
 */
export function maxPoolMask(window: number[][]): number[][] {
  const width = window[0]?.length ?? 0;
  if (window.length === 0 || width === 0 || window.some((row) => row.length !== width))
    throw new Error('maxPoolMask expects a non-empty rectangular window');
  let largest = -Infinity;
  for (const row of window) for (const v of row) if (v > largest) largest = v;
  return window.map((row) => row.map((v) => (v === largest ? 1 : 0)));
}

/**
 * Average pooling's backward pass for one window: the gradient `dz` of the window's mean,
 * spread evenly over its `rows`×`cols` inputs (each gets dz / (rows·cols)).
 */
export function distributeValue(dz: number, shape: [number, number]): number[][] {
  const [rows, cols] = shape;
  checkSize('window rows', rows);
  checkSize('window columns', cols);
  return Array.from({ length: rows }, () => new Array<number>(cols).fill(dz / (rows * cols)));
}
