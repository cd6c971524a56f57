/**
 * Generated scenes for detection and segmentation, where the course needs many
 * labelled images quickly: circles, squares and triangles of random colours and
 * sizes, overlapping, on textured noisy backgrounds, with boxes, classes and
 * per-pixel masks. Seeded and deterministic. (Real photos are used wherever real
 * labels exist; these exist because training a detector from scratch on a laptop
 * needs small, plentiful, exactly labelled data.)
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, type Rng } from './random';

/** Shape classes; class id = index + 1 in masks (0 is background), index in boxes. */
export const SHAPE_CLASSES = ['circle', 'square', 'triangle'] as const;
/** One of {@link SHAPE_CLASSES}. */
export type ShapeClass = (typeof SHAPE_CLASSES)[number];

/** One object of a scene. */
export interface SceneObject {
  /** Index into {@link SHAPE_CLASSES}. */
  classId: number;
  className: ShapeClass;
  /** The shape's full extent, clipped to the image: [y1, x1, y2, x2] in pixels (y2, x2 exclusive). */
  box: [number, number, number, number];
  /** Fraction of the shape's pixels not hidden by shapes drawn later, in (0, 1]; filter on it for stricter labels. */
  visible: number;
}

/** Options for the scene generators. */
export interface SceneOptions {
  /** Number of images. */
  count: number;
  /** [height, width] (default [64, 64]). */
  size?: [number, number];
  /** Objects per image, inclusive range (default [1, 4]). */
  objects?: [number, number];
  /** Object size as a fraction of the smaller image side, inclusive range (default [0.2, 0.45]). */
  scale?: [number, number];
  /** Standard deviation of the per-pixel noise, in 0..1 units (default 0.04). */
  noise?: number;
  seed?: number;
}

/** Images [n, h, w, 3] in 0..1, masks [n, h, w] int32 (0 background, 1 + class id), objects per image. */
export interface SceneBatch {
  images: tf.Tensor4D;
  masks: tf.Tensor3D;
  objects: SceneObject[][];
}

interface Shape {
  classId: number;
  cy: number;
  cx: number;
  r: number;
  angle: number;
  colour: [number, number, number];
}

function inside(shape: Shape, y: number, x: number): boolean {
  const dy = y - shape.cy,
    dx = x - shape.cx;
  switch (SHAPE_CLASSES[shape.classId]) {
    case 'circle':
      return dx * dx + dy * dy <= shape.r * shape.r;
    case 'square': {
      // rotated square of half-side r
      const c = Math.cos(shape.angle),
        s = Math.sin(shape.angle);
      return Math.abs(c * dx + s * dy) <= shape.r && Math.abs(-s * dx + c * dy) <= shape.r;
    }
    default: {
      // equilateral triangle inscribed in the circle of radius r, rotated
      for (let k = 0; k < 3; k++) {
        const a = shape.angle + (2 * Math.PI * k) / 3 + Math.PI;
        // each edge's inward normal points from the edge towards the centre; edges at distance r/2
        if (Math.cos(a) * dx + Math.sin(a) * dy > shape.r / 2) return false;
      }
      return true;
    }
  }
}

function background(rng: Rng, h: number, w: number, out: Float32Array, noise: number): void {
  // a smooth texture (a few random plane waves around a base colour) plus pixel noise
  const base = [rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8)];
  const waves = Array.from({ length: 3 }, () => ({
    fy: rng.uniform(-0.5, 0.5),
    fx: rng.uniform(-0.5, 0.5),
    phase: rng.uniform(0, 2 * Math.PI),
    amp: [rng.uniform(-0.12, 0.12), rng.uniform(-0.12, 0.12), rng.uniform(-0.12, 0.12)],
  }));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let v = base[c]!;
        for (const wv of waves) v += wv.amp[c]! * Math.sin(wv.fy * y + wv.fx * x + wv.phase);
        out[(y * w + x) * 3 + c] = v + noise * rng.normal();
      }
    }
  }
}

function colourAwayFrom(rng: Rng, avoid: number[]): [number, number, number] {
  // keep shapes visible: at least 0.35 away (L1 / 3) from the background's mean colour
  for (;;) {
    const c: [number, number, number] = [rng.next(), rng.next(), rng.next()];
    if ((Math.abs(c[0] - avoid[0]!) + Math.abs(c[1] - avoid[1]!) + Math.abs(c[2] - avoid[2]!)) / 3 > 0.35)
      return c;
  }
}

/**
 * Generates scenes of overlapping shapes with their boxes, classes and masks.
 * The caller disposes `images` and `masks`.
 *
 * @throws Error on a non-positive count or size, or inverted ranges.
 */
export function generateScenes(options: SceneOptions): SceneBatch {
  const { count } = options;
  const [h, w] = options.size ?? [64, 64];
  const [minObjects, maxObjects] = options.objects ?? [1, 4];
  const [minScale, maxScale] = options.scale ?? [0.2, 0.45];
  const noise = options.noise ?? 0.04;
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`generateScenes: count must be a positive integer, got ${count}`);
  if (!(Number.isInteger(h) && Number.isInteger(w) && h >= 8 && w >= 8))
    throw new Error(`generateScenes: size must be integers >= 8, got [${h}, ${w}]`);
  if (!(minObjects >= 0 && maxObjects >= minObjects))
    throw new Error(
      `generateScenes: objects must be [min, max] with 0 <= min <= max, got [${minObjects}, ${maxObjects}]`,
    );
  if (!(minScale > 0 && maxScale >= minScale && maxScale <= 1))
    throw new Error(`generateScenes: scale must be [min, max] within (0, 1], got [${minScale}, ${maxScale}]`);
  const rng = createRng(options.seed ?? 0);
  const pixels = new Float32Array(count * h * w * 3);
  const masks = new Int32Array(count * h * w);
  const objects: SceneObject[][] = [];
  const side = Math.min(h, w);
  for (let n = 0; n < count; n++) {
    const img = pixels.subarray(n * h * w * 3, (n + 1) * h * w * 3);
    const owner = new Int32Array(h * w).fill(-1);
    background(rng, h, w, img, noise);
    const mean = [0, 0, 0];
    for (let i = 0; i < h * w; i++) for (let c = 0; c < 3; c++) mean[c]! += img[i * 3 + c]! / (h * w);
    const shapes: Shape[] = [];
    const k = rng.int(minObjects, maxObjects);
    for (let s = 0; s < k; s++) {
      const r = (rng.uniform(minScale, maxScale) * side) / 2;
      shapes.push({
        classId: rng.int(0, SHAPE_CLASSES.length - 1),
        cy: rng.uniform(r * 0.5, h - r * 0.5),
        cx: rng.uniform(r * 0.5, w - r * 0.5),
        r,
        angle: rng.uniform(0, 2 * Math.PI),
        colour: colourAwayFrom(rng, mean),
      });
    }
    const extents = shapes.map(() => [Infinity, Infinity, -Infinity, -Infinity]);
    const areas = shapes.map(() => 0);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let s = 0; s < shapes.length; s++) {
          const shape = shapes[s]!;
          if (!inside(shape, y + 0.5, x + 0.5)) continue;
          const e = extents[s]!;
          e[0] = Math.min(e[0]!, y);
          e[1] = Math.min(e[1]!, x);
          e[2] = Math.max(e[2]!, y + 1);
          e[3] = Math.max(e[3]!, x + 1);
          areas[s]!++;
          owner[y * w + x] = s; // later shapes cover earlier ones
        }
      }
    }
    const visibleCount = shapes.map(() => 0);
    for (let i = 0; i < h * w; i++) {
      const s = owner[i]!;
      if (s < 0) continue;
      visibleCount[s]!++;
      const shape = shapes[s]!;
      masks[n * h * w + i] = shape.classId + 1;
      // flat colour plus the same pixel noise as the background
      for (let c = 0; c < 3; c++) img[i * 3 + c] = shape.colour[c]! + noise * rng.normal();
    }
    for (let i = 0; i < img.length; i++) img[i] = Math.min(1, Math.max(0, img[i]!));
    // shapes hidden completely by later ones leave no pixel, so they are not objects
    objects.push(
      shapes.flatMap((shape, s) =>
        visibleCount[s]! === 0
          ? []
          : [
              {
                classId: shape.classId,
                className: SHAPE_CLASSES[shape.classId]!,
                box: extents[s] as [number, number, number, number],
                visible: visibleCount[s]! / areas[s]!,
              },
            ],
      ),
    );
  }
  return {
    images: tf.tensor4d(pixels, [count, h, w, 3]),
    masks: tf.tensor3d(masks, [count, h, w], 'int32'),
    objects,
  };
}
