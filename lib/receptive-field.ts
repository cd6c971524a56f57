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
  const corner = (unit: number) => Math.max(0, Math.min(imageSize - r, Math.round(unit * jump + jump / 2 - r / 2)));
  return [...hits]
    .sort((a, b) => b.value - a.value)
    .slice(0, k)
    .map((h) => ({ photo: h.photo, y0: corner(h.y), x0: corner(h.x), size: Math.min(r, imageSize), value: h.value }));
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
