/**
 * Boxes and labels on images. Two outputs:
 * - {@link drawBoxes}: box outlines drawn into the pixels (a tensor, for PNGs
 *   and grids);
 * - {@link annotateSvg}: the image embedded in an SVG with outlines and text
 *   labels on top (sharp text at any zoom, no bitmap font needed), for
 *   notebooks (`showSvg`) and the site.
 */
import * as tf from '@tensorflow/tfjs';
import { encodePng } from '../image';
import { toCorners, type BoxFormat } from '../detection';

/** A box to draw, in pixels of the image (corners format unless `format` says otherwise). */
export interface LabelledBox {
  box: readonly number[];
  label?: string;
  score?: number;
  classId?: number;
  /** CSS-style '#rrggbb'; default from the class (or position) in {@link BOX_COLOURS}. */
  colour?: string;
}

/** Distinct, high-contrast colours for boxes. */
export const BOX_COLOURS = [
  '#e6194b',
  '#3cb44b',
  '#ffe119',
  '#4363d8',
  '#f58231',
  '#911eb4',
  '#42d4f4',
  '#f032e6',
  '#bfef45',
  '#fabed4',
];

function colourOf(b: LabelledBox, i: number): string {
  const c = b.colour ?? BOX_COLOURS[(b.classId ?? i) % BOX_COLOURS.length]!;
  if (!/^#[0-9a-fA-F]{6}$/.test(c)) throw new Error(`colour must be '#rrggbb', got "${c}"`);
  return c;
}

function rgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
}

function pixelBoxes(
  boxes: readonly LabelledBox[],
  format: BoxFormat,
  scale: [number, number],
): Array<[number, number, number, number]> {
  return boxes.map((b, i) => {
    try {
      const [x1, y1, x2, y2] = toCorners(b.box, format);
      return [x1 * scale[0], y1 * scale[1], x2 * scale[0], y2 * scale[1]];
    } catch (error) {
      throw new Error(`box ${i}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

/** Options of {@link drawBoxes} and {@link annotateSvg}. */
export interface DrawOptions {
  format?: BoxFormat;
  /** Boxes given as fractions of the image (0..1) rather than pixels. */
  relative?: boolean;
  /** Line width in pixels (default 2). */
  lineWidth?: number;
}

/**
 * Draws box outlines into a copy of an RGB image [h, w, 3] with values in 0..1.
 * Outlines are clipped to the image.
 */
export function drawBoxes(
  image: tf.Tensor3D,
  boxes: readonly LabelledBox[],
  options: DrawOptions = {},
): tf.Tensor3D {
  if (image.rank !== 3 || image.shape[2] !== 3)
    throw new Error(`drawBoxes expects an RGB image [h, w, 3], got [${image.shape}]`);
  const [h, w] = image.shape;
  const lw = Math.max(1, Math.round(options.lineWidth ?? 2));
  const pixels = Float32Array.from(image.dataSync());
  const scale: [number, number] = options.relative ? [w, h] : [1, 1];
  const fill = (x0: number, y0: number, x1: number, y1: number, c: [number, number, number]) => {
    for (let y = Math.max(0, y0); y < Math.min(h, y1); y++) {
      for (let x = Math.max(0, x0); x < Math.min(w, x1); x++) pixels.set(c, (y * w + x) * 3);
    }
  };
  pixelBoxes(boxes, options.format ?? 'corners', scale).forEach(([bx1, by1, bx2, by2], i) => {
    const c = rgb(colourOf(boxes[i]!, i));
    const [x1, y1, x2, y2] = [Math.round(bx1), Math.round(by1), Math.round(bx2), Math.round(by2)];
    fill(x1, y1, x2, y1 + lw, c); // top
    fill(x1, y2 - lw, x2, y2, c); // bottom
    fill(x1, y1, x1 + lw, y2, c); // left
    fill(x2 - lw, y1, x2, y2, c); // right
  });
  return tf.tensor3d(pixels, [h, w, 3]);
}

const escapeXml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

/**
 * An SVG picture: the image (PNG inside) with box outlines and labels
 * ("label 0.93") on a coloured tab above each box.
 *
 * @param image - [h, w, 3] in 0..1 (int32: 0..255).
 * @param options.displayWidth - width the SVG asks to be shown at (default: image width, at least 320).
 */
export async function annotateSvg(
  image: tf.Tensor3D,
  boxes: readonly LabelledBox[],
  options: DrawOptions & { displayWidth?: number; fontSize?: number } = {},
): Promise<string> {
  if (image.rank !== 3) throw new Error(`annotateSvg expects an image [h, w, c], got [${image.shape}]`);
  const [h, w] = image.shape;
  const png = Buffer.from(await encodePng(image)).toString('base64');
  const scale: [number, number] = options.relative ? [w, h] : [1, 1];
  const displayWidth = options.displayWidth ?? Math.max(320, w);
  const k = displayWidth / w; // labels keep a readable size however large the image is
  const font = (options.fontSize ?? 12) / k;
  const lw = (options.lineWidth ?? 2) / k;
  const parts = pixelBoxes(boxes, options.format ?? 'corners', scale).map(([x1, y1, x2, y2], i) => {
    const b = boxes[i]!;
    const colour = colourOf(b, i);
    const text = [
      b.label ?? (b.classId !== undefined ? `class ${b.classId}` : ''),
      b.score !== undefined ? b.score.toFixed(2) : '',
    ]
      .filter(Boolean)
      .join(' ');
    const rect = `<rect x="${x1}" y="${y1}" width="${x2 - x1}" height="${y2 - y1}" fill="none" stroke="${colour}" stroke-width="${lw}"/>`;
    if (!text) return rect;
    const tabH = font * 1.3;
    const tabW = font * (0.62 * text.length + 0.6);
    const ty = y1 - tabH >= 0 ? y1 - tabH : y1; // inside the box when there is no room above
    const [r, g, bl] = rgb(colour);
    const ink = 0.299 * r + 0.587 * g + 0.114 * bl > 0.6 ? '#000' : '#fff';
    return (
      `${rect}<rect x="${x1}" y="${ty}" width="${tabW}" height="${tabH}" fill="${colour}"/>` +
      `<text x="${x1 + font * 0.3}" y="${ty + font * 1.0}" font-family="DejaVu Sans, Arial, sans-serif" font-size="${font}" fill="${ink}">${escapeXml(text)}</text>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${displayWidth}" height="${(h * displayWidth) / w}" viewBox="0 0 ${w} ${h}">` +
    `<image width="${w}" height="${h}" href="data:image/png;base64,${png}"${k >= 2 ? ' style="image-rendering:pixelated"' : ''}/>${parts.join('')}</svg>`
  );
}
