/**
 * Receptive fields of a stack of convolution and pooling layers, and the input patches that
 * most excite one unit (Zeiler and Fergus, 2013), on plain numbers. The references for
 * notebook 12's exercises 12.1–12.3.
 */

/** A convolution or pooling layer along one axis: filter (pool) size and stride. */
export interface SizeStride {
  size: number;
  stride: number;
}

/** After each layer: the receptive field r (input pixels) and the jump (input pixels between neighbouring units). */
export interface FieldAfter {
  r: number;
  jump: number;
}

/** r ← r + (f − 1)·jump, then jump ← jump·s, layer by layer from r = jump = 1. */
export function receptiveFields(layers: SizeStride[]): FieldAfter[] {
  let r = 1;
  let jump = 1;
  return layers.map(({ size, stride }) => {
    r += (size - 1) * jump;
    jump *= stride;
    return { r, jump };
  });
}

/** A convolution or pooling layer of a model, with the receptive field and jump of its units. */
export interface LayerField {
  layer: string;
  r: number;
  jump: number;
}

/** What {@link modelReceptiveFields} reads of a layer (a tfjs layer has it). */
interface SizedLayer {
  name: string;
  getConfig(): unknown;
}

const firstOf = (value: unknown): number | undefined =>
  Array.isArray(value) ? Number(value[0]) : typeof value === 'number' ? value : undefined;

/**
 * The receptive field and jump of the units of every convolution and pooling layer of a plain
 * stack of layers (`model.layers` in order, along the first spatial axis; other layers do not
 * change them). A dilated filter counts with its effective size d·(f − 1) + 1.
 * @param model a model whose `layers` form one chain from the input (a tfjs Sequential, or a
 *   functional model without branches).
 * @param fieldsOf computes the fields from the sizes and strides: {@link receptiveFields} by
 *   default (a notebook passes its exercise's version).
 */
export function modelReceptiveFields(
  model: { layers: SizedLayer[] },
  fieldsOf: (layers: SizeStride[]) => FieldAfter[] = receptiveFields,
): LayerField[] {
  const sized = model.layers.flatMap((layer) => {
    const config = layer.getConfig() as {
      kernelSize?: unknown;
      poolSize?: unknown;
      strides?: unknown;
      dilationRate?: unknown;
    };
    const f = firstOf(config.kernelSize ?? config.poolSize);
    if (f === undefined) return [];
    const dilation = firstOf(config.dilationRate) ?? 1;
    const stride = firstOf(config.strides) ?? (config.poolSize !== undefined ? f : 1);
    return [{ name: layer.name, size: dilation * (f - 1) + 1, stride: stride }];
  });
  const fields = fieldsOf(sized.map((l) => ({ size: l.size, stride: l.stride })));
  if (fields.length !== sized.length)
    throw new Error(
      `modelReceptiveFields: ${sized.length} conv/pool layers but ${fields.length} fields computed`,
    );
  return fields.map((field, i) => ({ layer: sized[i]!.name, r: field.r, jump: field.jump }));
}

/** Where one photo excites a unit most: the unit's position in its feature map and the value there. */
export interface Hit {
  photo: number;
  y: number;
  x: number;
  value: number;
}

/** An input patch: the top-left corner and side of a unit's receptive field in a photo. */
export interface Patch {
  photo: number;
  y0: number;
  x0: number;
  size: number;
  value: number;
}

/**
 * The `k` strongest hits (largest value first; ties keep their order), each as the square
 * receptive field of side min(r, imageSize) centred on the unit (centre i·jump + jump/2 in
 * input pixels, as "same" padding keeps it) and moved inside the image. `hits` is not changed.
 */
export function topPatches(hits: Hit[], k: number, r: number, jump: number, imageSize: number): Patch[] {
  const corner = (unit: number) =>
    Math.max(0, Math.min(imageSize - r, Math.round(unit * jump + jump / 2 - r / 2)));
  return [...hits]
    .sort((a, b) => b.value - a.value)
    .slice(0, k)
    .map((h) => ({
      photo: h.photo,
      y0: corner(h.y),
      x0: corner(h.x),
      size: Math.min(r, imageSize),
      value: h.value,
    }));
}

/**
 * The most selective channel: `peaks[channel][photo]` are the channel's peak activations;
 * its selectivity is the largest peak over the mean peak (the mean floored at 1e-6).
 */
export function mostSelectiveChannel(peaks: number[][]): number {
  const ratios = peaks.map((values) => {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    return Math.max(...values) / Math.max(mean, 1e-6);
  });
  return ratios.indexOf(Math.max(...ratios));
}
