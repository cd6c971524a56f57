/**
 * What a unit looks at: the receptive field of a layer's units computed from
 * the model's layer stack, and the image patches that most activate a unit
 * (Zeiler and Fergus' visualisation).
 */
import * as tf from '@tensorflow/tfjs';
import type { Hit } from '../receptive-field';

/** Receptive field of the units of a layer, in input pixels (per axis: [rows, cols]). */
export interface ReceptiveField {
  /** Side of the field. */
  size: [number, number];
  /** Distance in input pixels between neighbouring units ("jump"). */
  stride: [number, number];
  /** Input coordinate of the centre of unit (0, 0); may be fractional or negative. */
  start: [number, number];
}

interface LayerLike {
  name: string;
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  inboundNodes: Array<{ inboundLayers: LayerLike[] }>;
  input: tf.SymbolicTensor | tf.SymbolicTensor[];
}

const pair = (v: unknown, fallback: number): [number, number] => {
  if (v == null) return [fallback, fallback];
  if (typeof v === 'number') return [v, v];
  const a = v as number[];
  return [a[0]!, a[1] ?? a[0]!];
};

/** One layer's effect on (size, jump, start), per axis. */
function step(layer: LayerLike, field: ReceptiveField): ReceptiveField {
  const cls = layer.getClassName();
  const cfg = layer.getConfig();
  let kernel: [number, number],
    strides: [number, number],
    dilation: [number, number] = [1, 1],
    padding = 'valid';
  if (cls === 'Conv2D' || cls === 'DepthwiseConv2D' || cls === 'SeparableConv2D') {
    kernel = pair(cfg.kernelSize, 1);
    strides = pair(cfg.strides, 1);
    dilation = pair(cfg.dilationRate, 1);
    padding = String(cfg.padding ?? 'valid');
  } else if (cls === 'MaxPooling2D' || cls === 'AveragePooling2D') {
    kernel = pair(cfg.poolSize, 2);
    strides = pair(cfg.strides ?? cfg.poolSize, 2);
    padding = String(cfg.padding ?? 'valid');
  } else if (cls === 'ZeroPadding2D') {
    const p = cfg.padding as number | number[] | number[][];
    const [top, left] =
      typeof p === 'number'
        ? [p, p]
        : Array.isArray(p[0])
          ? [(p[0] as number[])[0]!, (p[1] as number[])[0]!]
          : [p[0] as number, p[1] as number];
    return {
      size: field.size,
      stride: field.stride,
      start: [field.start[0] - top * field.stride[0], field.start[1] - left * field.stride[1]],
    };
  } else if (
    cls === 'Conv2DTranspose' ||
    cls === 'UpSampling2D' ||
    cls === 'GlobalAveragePooling2D' ||
    cls === 'GlobalMaxPooling2D' ||
    cls === 'Flatten' ||
    cls === 'Dense'
  ) {
    throw new Error(
      `receptive field through layer "${layer.name}" (${cls}) is not a fixed window: pick an earlier convolutional layer`,
    );
  } else {
    return field; // element-wise layers (activations, batch norm, add, concatenate, dropout)
  }
  const inShape = (Array.isArray(layer.input) ? layer.input[0]! : layer.input).shape;
  const out: ReceptiveField = { size: [0, 0], stride: [0, 0], start: [0, 0] };
  for (const axis of [0, 1] as const) {
    const k = dilation[axis] * (kernel[axis] - 1) + 1;
    let padBefore = 0;
    if (padding === 'same') {
      const n = inShape[axis + 1];
      if (n == null)
        throw new Error(
          `layer "${layer.name}" has 'same' padding on an input of unknown size: build the model with a fixed input size`,
        );
      const total = Math.max((Math.ceil(n / strides[axis]) - 1) * strides[axis] + k - n, 0);
      padBefore = Math.floor(total / 2);
    }
    out.size[axis] = field.size[axis] + (k - 1) * field.stride[axis];
    out.start[axis] = field.start[axis] + ((k - 1) / 2 - padBefore) * field.stride[axis];
    out.stride[axis] = field.stride[axis] * strides[axis];
  }
  return out;
}

/**
 * The receptive field of the units of `layerName`, walking the layer graph
 * back to the input (r ← r + (k − 1)·j, j ← j·s, with dilation and 'same'
 * padding taken into account). Where branches meet, the larger field is kept.
 */
export function receptiveField(model: tf.LayersModel, layerName: string): ReceptiveField {
  const target = model.layers.find((l) => l.name === layerName) as unknown as LayerLike | undefined;
  if (!target)
    throw new Error(
      `model has no layer "${layerName}"; its layers are: ${model.layers.map((l) => l.name).join(', ')}`,
    );
  const memo = new Map<LayerLike, ReceptiveField>();
  const visit = (layer: LayerLike): ReceptiveField => {
    const known = memo.get(layer);
    if (known) return known;
    const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
    let field: ReceptiveField = { size: [1, 1], stride: [1, 1], start: [0, 0] };
    if (inbound.length > 0) {
      const fields = inbound.map(visit);
      field = fields.reduce((a, b) => (b.size[0] * b.size[1] > a.size[0] * a.size[1] ? b : a));
    }
    const result = layer.getClassName() === 'InputLayer' ? field : step(layer, field);
    memo.set(layer, result);
    return result;
  };
  return visit(target);
}

/** One of the top activating patches. */
export interface Patch {
  /** Index of the image in the batch. */
  image: number;
  /** Position of the unit in the layer's output grid. */
  row: number;
  col: number;
  activation: number;
  /** The unit's receptive field in the image, [x1, y1, x2, y2] pixel bounds (exclusive end), not clipped. */
  box: [number, number, number, number];
}

/**
 * The `k` image patches that most activate channel `unit` of `layerName`:
 * every spatial position of that channel over all images is a candidate; the
 * patch is the position's receptive field.
 *
 * @param images - [n, h, w, c], as the model expects them.
 * @param options.onePerImage - at most one patch per image (default true, as in Zeiler & Fergus).
 */
export function topActivatingPatches(
  model: tf.LayersModel,
  layerName: string,
  unit: number,
  images: tf.Tensor4D,
  k = 9,
  options: { onePerImage?: boolean } = {},
): Patch[] {
  const layer = model.layers.find((l) => l.name === layerName);
  if (!layer)
    throw new Error(
      `model has no layer "${layerName}"; its layers are: ${model.layers.map((l) => l.name).join(', ')}`,
    );
  const field = receptiveField(model, layerName);
  const tap = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
  const acts = tf.tidy(() => {
    const out = tap.predict(images) as tf.Tensor;
    if (out.rank !== 4) throw new Error(`layer "${layerName}" outputs [${out.shape}], not [n, h, w, c]`);
    if (!(Number.isInteger(unit) && unit >= 0 && unit < out.shape[3]!))
      throw new Error(`unit ${unit} out of range: layer "${layerName}" has ${out.shape[3]} channels`);
    return tf.squeeze(tf.slice(out, [0, 0, 0, unit], [-1, -1, -1, 1]), [3]);
  });
  const [, H, W] = acts.shape as [number, number, number];
  const values = acts.dataSync();
  acts.dispose();
  const order = Array.from(values.keys()).sort((a, b) => values[b]! - values[a]!);
  const used = new Set<number>();
  const patches: Patch[] = [];
  for (const idx of order) {
    if (patches.length >= k) break;
    const image = Math.floor(idx / (H * W));
    if ((options.onePerImage ?? true) && used.has(image)) continue;
    used.add(image);
    const row = Math.floor((idx % (H * W)) / W),
      col = idx % W;
    const cy = field.start[0] + row * field.stride[0],
      cx = field.start[1] + col * field.stride[1];
    const y1 = Math.round(cy - (field.size[0] - 1) / 2),
      x1 = Math.round(cx - (field.size[1] - 1) / 2);
    patches.push({
      image,
      row,
      col,
      activation: values[idx]!,
      box: [x1, y1, x1 + field.size[1], y1 + field.size[0]],
    });
  }
  return patches;
}

/**
 * Cuts the patches out of the images at their full receptive-field size;
 * parts outside the image are filled with `fill`. Only `image` and `box` of each patch are read,
 * so a box computed another way (e.g. from lib/receptive-field's topPatches) works too.
 *
 * @returns [patches, size_h, size_w, c].
 */
export function cropPatches<P extends Pick<Patch, 'image' | 'box'>>(
  images: tf.Tensor4D,
  patches: P[],
  fill = 0.5,
): tf.Tensor4D {
  if (patches.length === 0) throw new Error('cropPatches needs at least one patch');
  const [, h, w, c] = images.shape;
  return tf.tidy(() => {
    const crops = patches.map((p) => {
      const [x1, y1, x2, y2] = p.box;
      const top = Math.max(0, -y1),
        left = Math.max(0, -x1),
        bottom = Math.max(0, y2 - h),
        right = Math.max(0, x2 - w);
      const inside = tf.slice(
        images,
        [p.image, Math.max(0, y1), Math.max(0, x1), 0],
        [1, y2 - y1 - top - bottom, x2 - x1 - left - right, c],
      );
      return tf.pad(
        tf.squeeze(inside, [0]),
        [
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        fill,
      );
    });
    return tf.stack(crops) as tf.Tensor4D;
  });
}

/**
 * Where each image excites each channel most, for a batch of feature maps (the raw material of
 * Zeiler and Fergus' top patches): `result[channel][n]` is image n's peak of that channel, with
 * its position in the feature map (the first one where values tie) and the value there.
 * @param activations [n, h, w, channels], a layer's output for n images.
 * @param firstImage the index of the batch's first image in the whole set (its `photo` field).
 */
export function channelPeaks(activations: tf.Tensor4D, firstImage = 0): Hit[][] {
  if (activations.rank !== 4)
    throw new Error(`channelPeaks expects [n, h, w, channels], got [${activations.shape}]`);
  const [n, h, w, c] = activations.shape;
  const [where, best] = tf.tidy(() => {
    const flat = activations.reshape([n, h * w, c]);
    return [flat.argMax(1).dataSync(), flat.max(1).dataSync()];
  });
  return Array.from({ length: c }, (_, ch) =>
    Array.from({ length: n }, (_, i) => {
      const position = where[i * c + ch]!;
      return {
        photo: firstImage + i,
        y: Math.floor(position / w),
        x: position % w,
        value: best[i * c + ch]!,
      };
    }),
  );
}
