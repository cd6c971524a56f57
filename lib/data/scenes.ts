/**
 * Generated scenes for training a small YOLO detector, where the course needs many
 * exactly labelled images quickly: discs, squares and triangles of random size,
 * colour and place on a dark noisy background, with their boxes and classes.
 * Seeded and deterministic. The objects barely overlap and no two share a
 * (grid cell, anchor) slot, so every scene has a well-defined YOLO target
 * ({@link encodeYoloTargets} holds one object per slot).
 */
import * as tf from '@tensorflow/tfjs';
import { type Anchor, assignAnchor, type Box, type GridSize, iou } from '../detection';
import { createRng } from './random';

/** Shape classes; an object's `classId` is its index here. */
export const SHAPE_CLASSES = ['disc', 'square', 'triangle'] as const;

/** One object of a scene. */
export interface SceneObject {
  /** [x1, y1, x2, y2] as fractions of the image's width and height (the shape's full extent). */
  box: Box;
  /** Index into {@link SHAPE_CLASSES}. */
  classId: number;
}

/** Options of {@link generateDetectionScenes}. */
export interface DetectionSceneOptions {
  /** Number of images. */
  count: number;
  seed: number;
  /** The detector's grid and anchors (in cell units): no two objects of a scene get the same slot. */
  grid: GridSize;
  anchors: readonly Anchor[];
  /** Side of the square images in pixels (default 64). */
  size?: number;
  /** Objects per image, inclusive range (default [1, 3]); fewer when 20 placements do not fit them. */
  objects?: [number, number];
  /** Side of an object in pixels, range (default 10 to 36 on 64 pixels, in proportion on other sizes). */
  side?: [number, number];
  /** The largest IoU between two objects of a scene (default 0.1). */
  maxIou?: number;
}

/** Images [n, size, size, 3] in 0..1 (the caller disposes them) and each image's objects. */
export interface DetectionScenes {
  images: tf.Tensor4D;
  objects: SceneObject[][];
}

/** Whether pixel (u, v), in fractions of a shape's box, lies inside the shape. */
function inside(classId: number, u: number, v: number): boolean {
  if (classId === 0) return (u - 0.5) ** 2 + (v - 0.5) ** 2 <= 0.25;
  if (classId === 1) return u >= 0 && u <= 1 && v >= 0 && v <= 1;
  // a triangle with its apex at the top middle of the box
  return v >= 0 && v <= 1 && Math.abs(u - 0.5) <= v / 2;
}

/**
 * Generates `count` scenes of 1 to 3 objects (by default) on backgrounds of a random dark
 * colour plus uniform pixel noise of 0.15; objects are flat colours from 0.5 to 1 per channel.
 *
 * @throws Error on a count, size or range that makes no scene.
 */
export function generateDetectionScenes(options: DetectionSceneOptions): DetectionScenes {
  const { count, grid, anchors } = options;
  const n = options.size ?? 64;
  const [minObjects, maxObjects] = options.objects ?? [1, 3];
  const [minSide, maxSide] = options.side ?? [(n * 10) / 64, (n * 36) / 64];
  const maxIou = options.maxIou ?? 0.1;
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`generateDetectionScenes: count must be a positive integer, got ${count}`);
  if (!Number.isInteger(n) || n < 8)
    throw new Error(`generateDetectionScenes: size must be an integer >= 8, got ${n}`);
  if (!(
    Number.isInteger(minObjects) &&
    Number.isInteger(maxObjects) &&
    minObjects >= 0 &&
    maxObjects >= minObjects
  ))
    throw new Error(
      `generateDetectionScenes: objects must be integers [min, max] with 0 <= min <= max, got [${minObjects}, ${maxObjects}]`,
    );
  if (!(minSide >= 1 && maxSide >= minSide && maxSide <= n))
    throw new Error(
      `generateDetectionScenes: side must be [min, max] within [1, ${n}], got [${minSide}, ${maxSide}]`,
    );
  const rand = createRng(options.seed).next;
  const pixels = new Float32Array(count * n * n * 3);
  const objects: SceneObject[][] = [];
  const sameSlot = (a: Box, b: Box) => {
    const [s, t] = [assignAnchor(a, grid, anchors), assignAnchor(b, grid, anchors)];
    return s.row === t.row && s.col === t.col && s.anchor === t.anchor;
  };
  for (let k = 0; k < count; k++) {
    const image = pixels.subarray(k * n * n * 3, (k + 1) * n * n * 3);
    const background = [rand() * 0.5, rand() * 0.5, rand() * 0.5];
    for (let p = 0; p < n * n; p++)
      for (let c = 0; c < 3; c++) image[p * 3 + c] = background[c]! + rand() * 0.15;
    const placed: SceneObject[] = [];
    const wanted = minObjects + Math.floor(rand() * (maxObjects - minObjects + 1));
    for (let attempt = 0; attempt < 20 && placed.length < wanted; attempt++) {
      const side = minSide + rand() * (maxSide - minSide);
      const x0 = rand() * (n - side),
        y0 = rand() * (n - side);
      const box: Box = [x0 / n, y0 / n, (x0 + side) / n, (y0 + side) / n];
      if (placed.some((o) => iou(o.box, box) > maxIou || sameSlot(o.box, box))) continue;
      const classId = Math.floor(rand() * SHAPE_CLASSES.length);
      const colour = [0.5 + rand() * 0.5, 0.5 + rand() * 0.5, 0.5 + rand() * 0.5];
      for (let i = Math.floor(y0); i < Math.ceil(y0 + side); i++)
        for (let j = Math.floor(x0); j < Math.ceil(x0 + side); j++) {
          if (i < 0 || i >= n || j < 0 || j >= n) continue;
          if (!inside(classId, (j + 0.5 - x0) / side, (i + 0.5 - y0) / side)) continue;
          for (let c = 0; c < 3; c++) image[(i * n + j) * 3 + c] = colour[c]!;
        }
      placed.push({ box, classId });
    }
    objects.push(placed);
  }
  return { images: tf.tensor4d(pixels, [count, n, n, 3]), objects };
}
