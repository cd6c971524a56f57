/**
 * Pictures of tensors: PNG bytes, image grids, a layer's feature maps and
 * first-layer filters. Every function returns float32 images in [0, 1]
 * ([h, w, 3] or [h, w, 1]) that `encodePng` or `showImage` take directly.
 */
import * as tf from '@tensorflow/tfjs';
import { encodePng } from '../image';

/** How values are mapped to [0, 1] before drawing. */
export type Scaling = 'none' | 'minmax' | 'symmetric';

/**
 * Rescales values to [0, 1]: `'minmax'` maps min..max to 0..1; `'symmetric'`
 * maps −m..m to 0..1 with m = max |x| (zero is mid-grey: for filters and
 * signed activations); `'none'` only clips. A constant input becomes 0.5.
 */
export function scaleTo01(t: tf.Tensor, scaling: Scaling = 'minmax'): tf.Tensor {
  return tf.tidy(() => {
    const x = tf.cast(t, 'float32');
    if (scaling === 'none') return tf.clipByValue(x, 0, 1);
    if (scaling === 'minmax') {
      const lo = tf.min(x),
        hi = tf.max(x);
      const range = tf.sub(hi, lo);
      return tf.where(
        tf.greater(range, 0),
        tf.div(tf.sub(x, lo), tf.maximum(range, 1e-12)),
        tf.fill(x.shape, 0.5),
      );
    }
    if (scaling === 'symmetric') {
      const m = tf.max(tf.abs(x));
      return tf.where(
        tf.greater(m, 0),
        tf.add(tf.div(x, tf.mul(tf.maximum(m, 1e-12), 2)), 0.5),
        tf.fill(x.shape, 0.5),
      );
    }
    throw new Error(`unknown scaling "${String(scaling)}": use 'none', 'minmax' or 'symmetric'`);
  });
}

/**
 * Encodes any 2-D or 3-D tensor as PNG, rescaled first (default 'none':
 * values are read as 0..1 and clipped; int32 as 0..255).
 */
export async function tensorToPng(image: tf.Tensor, scaling: Scaling = 'none'): Promise<Uint8Array> {
  if (image.dtype === 'int32' && scaling === 'none') return encodePng(image, '0-255');
  const scaled = scaleTo01(image, scaling);
  try {
    return await encodePng(scaled, '0-1');
  } finally {
    scaled.dispose();
  }
}

/** Options of {@link imageGrid}. */
export interface GridOptions {
  /** Columns (default: about √n). */
  columns?: number;
  /** Pixels between tiles (default 1). */
  padding?: number;
  /** Value of the padding (default 1: white). */
  background?: number;
  /** Scaling applied to each tile on its own (default 'none'). */
  scaling?: Scaling;
}

/**
 * Tiles images into one picture.
 *
 * @param images - [n, h, w, c] or a list of [h, w, c] tensors of the same shape.
 * @returns [rows·(h+p)−p, cols·(w+p)−p, c].
 */
export function imageGrid(images: tf.Tensor4D | tf.Tensor3D[], options: GridOptions = {}): tf.Tensor3D {
  return tf.tidy(() => {
    if (Array.isArray(images) && images.some((t) => t.shape.join() !== images[0]!.shape.join()))
      throw new Error(
        `imageGrid needs images of one shape, got ${images.map((t) => `[${t.shape}]`).join(', ')}`,
      );
    if (Array.isArray(images) && images.length === 0) throw new Error('imageGrid needs at least one image');
    const batch: tf.Tensor4D = Array.isArray(images) ? (tf.stack(images) as tf.Tensor4D) : images;
    if (batch.rank !== 4) throw new Error(`imageGrid expects [n, h, w, c], got [${batch.shape}]`);
    const [n, h, w, c] = batch.shape;
    if (n === 0) throw new Error('imageGrid needs at least one image');
    const cols = Math.max(1, Math.min(n, options.columns ?? Math.ceil(Math.sqrt(n))));
    const rows = Math.ceil(n / cols);
    const p = options.padding ?? 1;
    const bg = options.background ?? 1;
    const scaling = options.scaling ?? 'none';
    const tiles = tf.unstack(tf.cast(batch, 'float32')).map((t) => scaleTo01(t, scaling));
    while (tiles.length < rows * cols) tiles.push(tf.fill([h, w, c], bg));
    const padded = tiles.map((t) =>
      tf.pad(
        t,
        [
          [0, p],
          [0, p],
          [0, 0],
        ],
        bg,
      ),
    );
    const rowImages = Array.from({ length: rows }, (_, r) =>
      tf.concat(padded.slice(r * cols, (r + 1) * cols), 1),
    );
    const full = tf.concat(rowImages, 0);
    return tf.slice(full, [0, 0, 0], [rows * (h + p) - p, cols * (w + p) - p, c]) as tf.Tensor3D;
  });
}

/**
 * The feature maps of one layer for one image: each channel as a grey tile,
 * scaled on its own (min..max), tiled in a grid.
 *
 * @param image - [h, w, c] or [1, h, w, c], as the model expects it.
 * @param options.maxChannels - at most this many channels (default 64).
 */
export function featureMaps(
  model: tf.LayersModel,
  layerName: string,
  image: tf.Tensor,
  options: GridOptions & { maxChannels?: number } = {},
): tf.Tensor3D {
  const layer = model.layers.find((l) => l.name === layerName);
  if (!layer)
    throw new Error(
      `model has no layer "${layerName}"; its layers are: ${model.layers.map((l) => l.name).join(', ')}`,
    );
  const tap = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
  return tf.tidy(() => {
    const x = image.rank === 3 ? tf.expandDims(image, 0) : image;
    const out = tap.predict(x) as tf.Tensor;
    if (out.rank !== 4)
      throw new Error(`layer "${layerName}" outputs [${out.shape}], not feature maps [1, h, w, c]`);
    const [, h, w, c] = out.shape;
    const k = Math.min(c!, options.maxChannels ?? 64);
    const maps = tf.reshape(tf.transpose(tf.slice(out, [0, 0, 0, 0], [1, h!, w!, k]), [3, 1, 2, 0]), [
      k,
      h!,
      w!,
      1,
    ]) as tf.Tensor4D;
    return imageGrid(maps, { scaling: 'minmax', ...options });
  });
}

/**
 * The filters of a model's first convolution as small pictures: RGB when the
 * filters have 3 input channels, one grey tile per input channel otherwise;
 * each filter scaled on its own around zero (grey = 0).
 *
 * @param options.upscale - integer enlargement of each tile (default 4).
 */
export function firstLayerFilters(
  model: tf.LayersModel,
  options: GridOptions & { layerName?: string; upscale?: number } = {},
): tf.Tensor3D {
  const layer = options.layerName
    ? model.layers.find((l) => l.name === options.layerName)
    : model.layers.find((l) => l.getClassName() === 'Conv2D');
  if (!layer)
    throw new Error(
      options.layerName ? `model has no layer "${options.layerName}"` : 'model has no Conv2D layer',
    );
  const kernel = layer.getWeights()[0];
  if (!kernel || kernel.rank !== 4) throw new Error(`layer "${layer.name}" has no 4-D convolution kernel`);
  const up = options.upscale ?? 4;
  return tf.tidy(() => {
    const [f1, f2, cin, cout] = kernel.shape as [number, number, number, number];
    let tiles: tf.Tensor4D;
    if (cin === 3) tiles = tf.transpose(kernel, [3, 0, 1, 2]) as tf.Tensor4D;
    else tiles = tf.reshape(tf.transpose(kernel, [3, 2, 0, 1]), [cout * cin, f1, f2, 1]) as tf.Tensor4D;
    const scaled = tf.stack(tf.unstack(tiles).map((t) => scaleTo01(t, 'symmetric'))) as tf.Tensor4D;
    const big = up > 1 ? tf.image.resizeNearestNeighbor(scaled, [f1 * up, f2 * up]) : scaled;
    return imageGrid(big, {
      padding: 2,
      ...options,
      scaling: 'none',
      columns: options.columns ?? (cin === 3 ? undefined : cin),
    });
  });
}
