/**
 * Object detection: boxes and IoU, non-max suppression, anchor assignment,
 * YOLO target encoding and output decoding, sliding windows and their
 * convolutional implementation, and mean average precision.
 *
 * Boxes are plain arrays of four numbers. Two formats:
 * - `'corners'`: [x1, y1, x2, y2] (left, top, right, bottom);
 * - `'center'`: [cx, cy, w, h] (midpoint, width, height), the notes' b_x, b_y, b_w, b_h.
 * x runs to the right, y downwards; any unit works (pixels or fractions of the image).
 */
import * as tf from '@tensorflow/tfjs';
import { denseKernelToConv, fcAsConv, fcAsConv1x1, type FcActivation } from './layers/fc-as-conv';

/** Four numbers describing a box; see {@link BoxFormat}. */
export type Box = [number, number, number, number];

/** `'corners'` = [x1, y1, x2, y2]; `'center'` = [cx, cy, w, h]. */
export type BoxFormat = 'corners' | 'center';

function checkBox(box: readonly number[], format: BoxFormat, what = 'box'): void {
  if (
    !Array.isArray(box) ||
    box.length !== 4 ||
    box.some((v) => typeof v !== 'number' || !Number.isFinite(v))
  ) {
    throw new Error(`${what} must be 4 finite numbers in ${format} format, got ${JSON.stringify(box)}`);
  }
  if (format === 'corners') {
    if (box[2]! < box[0]!)
      throw new Error(`${what} [${box}] has x2 < x1 (negative width) in corners format [x1, y1, x2, y2]`);
    if (box[3]! < box[1]!)
      throw new Error(`${what} [${box}] has y2 < y1 (negative height) in corners format [x1, y1, x2, y2]`);
  } else if (format === 'center') {
    if (box[2]! < 0 || box[3]! < 0)
      throw new Error(`${what} [${box}] has a negative width or height in center format [cx, cy, w, h]`);
  } else {
    throw new Error(`unknown box format "${String(format)}": use 'corners' or 'center'`);
  }
}

/** Converts a box to corners format [x1, y1, x2, y2], checking it. */
export function toCorners(box: readonly number[], format: BoxFormat = 'corners'): Box {
  checkBox(box, format);
  if (format === 'corners') return [box[0]!, box[1]!, box[2]!, box[3]!];
  const [cx, cy, w, h] = box as Box;
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}

/** Converts a box to center format [cx, cy, w, h], checking it. */
export function toCenter(box: readonly number[], format: BoxFormat = 'corners'): Box {
  checkBox(box, format);
  if (format === 'center') return [box[0]!, box[1]!, box[2]!, box[3]!];
  const [x1, y1, x2, y2] = box as Box;
  return [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1];
}

/** Area of a box. */
export function boxArea(box: readonly number[], format: BoxFormat = 'corners'): number {
  const [x1, y1, x2, y2] = toCorners(box, format);
  return (x2 - x1) * (y2 - y1);
}

/**
 * Intersection over union of two boxes: area(A ∩ B) / area(A ∪ B), in [0, 1].
 * Boxes that only touch along an edge or at a corner have an empty
 * intersection and give 0; so does a pair of zero-area boxes.
 */
export function iou(a: readonly number[], b: readonly number[], format: BoxFormat = 'corners'): number {
  const [ax1, ay1, ax2, ay2] = toCorners(a, format);
  const [bx1, by1, bx2, by2] = toCorners(b, format);
  const iw = Math.max(0, Math.min(ax2, bx2) - Math.max(ax1, bx1));
  const ih = Math.max(0, Math.min(ay2, by2) - Math.max(ay1, by1));
  const inter = iw * ih;
  const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
  return union > 0 ? inter / union : 0;
}

/** Options of {@link nonMaxSuppression}. */
export interface NmsOptions {
  /** Keep at most this many boxes (default: all). */
  maxBoxes?: number;
  /** A box is dropped when its IoU with a kept box is >= this (default 0.5, as in the notes). */
  iouThreshold?: number;
  /** Only boxes whose score is > this are considered (default: all; the notes use 0.6). */
  scoreThreshold?: number;
}

/**
 * Greedy non-max suppression, as in the notes: drop boxes with score <=
 * `scoreThreshold`; then repeatedly keep the highest-scoring box left and drop
 * every remaining box whose IoU with it is >= `iouThreshold`. Same rule as
 * `tf.image.nonMaxSuppression` (which takes [y1, x1, y2, x2] boxes).
 *
 * @returns indices of the kept boxes, highest score first.
 */
export function nonMaxSuppression(
  boxes: ReadonlyArray<readonly number[]>,
  scores: ArrayLike<number>,
  options: NmsOptions = {},
  format: BoxFormat = 'corners',
): number[] {
  if (boxes.length !== scores.length)
    throw new Error(`nonMaxSuppression got ${boxes.length} boxes but ${scores.length} scores`);
  const { maxBoxes = Infinity, iouThreshold = 0.5, scoreThreshold = -Infinity } = options;
  if (!(iouThreshold >= 0 && iouThreshold <= 1))
    throw new Error(`iouThreshold must be in [0, 1], got ${iouThreshold}`);
  if (!(maxBoxes >= 0)) throw new Error(`maxBoxes must be >= 0, got ${maxBoxes}`);
  const corners = boxes.map((b) => toCorners(b, format));
  // Stable order: equal scores keep their input order.
  const order = Array.from(scores, (s, i) => ({ s, i }))
    .filter((c) => c.s > scoreThreshold)
    .sort((p, q) => q.s - p.s || p.i - q.i)
    .map((c) => c.i);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= maxBoxes) break;
    if (kept.every((k) => iou(corners[k]!, corners[i]!) < iouThreshold)) kept.push(i);
  }
  return kept;
}

/** A detected (or ground-truth) object. `box` is in corners format. */
export interface Detection {
  box: Box;
  score: number;
  classId: number;
  label?: string;
}

/**
 * Non-max suppression run separately for each class (the notes: "carry out
 * NMS once per output class"), so a car never suppresses a pedestrian.
 *
 * @param options.maxBoxes - applies per class; `maxTotal` caps the merged result.
 * @returns the kept detections, highest score first.
 */
export function nonMaxSuppressionPerClass(
  detections: readonly Detection[],
  options: NmsOptions & { maxTotal?: number } = {},
): Detection[] {
  const byClass = new Map<number, Detection[]>();
  for (const d of detections) {
    if (!Number.isInteger(d.classId))
      throw new Error(`detection classId must be an integer, got ${d.classId}`);
    (byClass.get(d.classId) ?? byClass.set(d.classId, []).get(d.classId)!).push(d);
  }
  const kept: Detection[] = [];
  for (const group of byClass.values()) {
    const keep = nonMaxSuppression(
      group.map((d) => d.box),
      group.map((d) => d.score),
      options,
    );
    for (const i of keep) kept.push(group[i]!);
  }
  kept.sort((a, b) => b.score - a.score);
  return kept.slice(0, options.maxTotal ?? kept.length);
}

/** An anchor box shape: width and height in grid-cell units (YOLOv2 convention). */
export interface Anchor {
  w: number;
  h: number;
}

/**
 * The five anchors of face-api's Tiny-YOLOv2 face detector (grid-cell units
 * on its 13×13 grid), as published in `@vladmandic/face-api`
 * (`src/tinyFaceDetector/const.ts`).
 */
export const TINY_FACE_DETECTOR_ANCHORS: readonly Anchor[] = [
  { w: 1.603231, h: 2.094468 },
  { w: 6.041143, h: 7.080126 },
  { w: 2.882459, h: 3.518061 },
  { w: 4.266906, h: 5.178857 },
  { w: 9.041765, h: 10.66308 },
];

/** IoU of two shapes placed on the same midpoint. */
export function shapeIou(a: Anchor, b: Anchor): number {
  const inter = Math.min(a.w, b.w) * Math.min(a.h, b.h);
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}

/** Where an object lands in a YOLO grid. */
export interface AnchorAssignment {
  row: number;
  col: number;
  anchor: number;
  /** IoU of the object's shape with the chosen anchor's shape. */
  iou: number;
}

/** Grid size: one number for a square grid, or [rows, cols]. */
export type GridSize = number | [number, number];

function gridDims(grid: GridSize): [number, number] {
  const [rows, cols] = typeof grid === 'number' ? [grid, grid] : grid;
  if (!(Number.isInteger(rows) && rows > 0 && Number.isInteger(cols) && cols > 0))
    throw new Error(`grid size must be positive integers, got ${JSON.stringify(grid)}`);
  return [rows, cols];
}

/**
 * Assigns an object to (grid cell, anchor) as in the notes: the cell that
 * contains the box's midpoint and the anchor whose shape has the highest IoU
 * with the box's shape.
 *
 * @param box - corners format, in fractions of the image (0..1).
 * @param anchors - shapes in grid-cell units; empty means one implicit anchor.
 */
export function assignAnchor(
  box: readonly number[],
  grid: GridSize,
  anchors: readonly Anchor[],
): AnchorAssignment {
  const [rows, cols] = gridDims(grid);
  const [cx, cy, w, h] = toCenter(box);
  if (cx < 0 || cx > 1 || cy < 0 || cy > 1)
    throw new Error(
      `box [${box}] has its midpoint (${cx}, ${cy}) outside the image: coordinates must be fractions 0..1`,
    );
  // A midpoint exactly on the right/bottom edge belongs to the last cell.
  const col = Math.min(cols - 1, Math.floor(cx * cols));
  const row = Math.min(rows - 1, Math.floor(cy * rows));
  if (anchors.length === 0) return { row, col, anchor: 0, iou: 1 };
  const shape = { w: w * cols, h: h * rows };
  let best = 0;
  let bestIou = -1;
  anchors.forEach((a, i) => {
    const v = shapeIou(shape, a);
    if (v > bestIou) [best, bestIou] = [i, v];
  });
  return { row, col, anchor: best, iou: bestIou };
}

/** Options of {@link encodeYoloTargets} and {@link decodeYoloTargets}. */
export interface YoloGridOptions {
  grid: GridSize;
  /** Anchor shapes in grid-cell units (default: one anchor, no shape prior). */
  anchors?: readonly Anchor[];
  numClasses: number;
}

/** One ground-truth object: corners box in fractions of the image, class index. */
export interface GroundTruth {
  box: Box;
  classId: number;
}

/**
 * Encodes ground-truth objects as the notes' YOLO target volume
 * [rows, cols, anchors × (5 + classes)]. Per anchor slot the vector is
 * [p_c, b_x, b_y, b_h, b_w, c_1 … c_n]: b_x, b_y the midpoint's offset inside
 * its cell (0..1), b_h, b_w the box size in cell units (may exceed 1), c the
 * one-hot class. Empty slots are all zeros.
 *
 * @throws when two objects claim the same (cell, anchor) slot (the notes'
 *   known failure case of anchor boxes) or a class index is out of range.
 */
export function encodeYoloTargets(objects: readonly GroundTruth[], options: YoloGridOptions): tf.Tensor3D {
  const [rows, cols] = gridDims(options.grid);
  const anchors = options.anchors ?? [];
  const slots = Math.max(1, anchors.length);
  const depth = 5 + options.numClasses;
  const data = new Float32Array(rows * cols * slots * depth);
  for (const obj of objects) {
    if (!(Number.isInteger(obj.classId) && obj.classId >= 0 && obj.classId < options.numClasses)) {
      throw new Error(`classId ${obj.classId} out of range for ${options.numClasses} classes`);
    }
    const { row, col, anchor } = assignAnchor(obj.box, [rows, cols], anchors);
    const [cx, cy, w, h] = toCenter(obj.box);
    const base = ((row * cols + col) * slots + anchor) * depth;
    if (data[base] === 1)
      throw new Error(
        `two objects fall in grid cell (${row}, ${col}) with anchor ${anchor}: the encoding holds one object per slot`,
      );
    data[base] = 1;
    data[base + 1] = cx * cols - col;
    data[base + 2] = cy * rows - row;
    data[base + 3] = h * rows;
    data[base + 4] = w * cols;
    data[base + 5 + obj.classId] = 1;
  }
  return tf.tensor3d(data, [rows, cols, slots * depth]);
}

/**
 * Reads a target (or a prediction in the same parameterisation) back into
 * detections: slots with p_c > `scoreThreshold` become boxes in fractions of
 * the image; the score is p_c × the largest class value.
 */
export function decodeYoloTargets(
  volume: tf.Tensor,
  options: YoloGridOptions & { scoreThreshold?: number },
): Detection[] {
  const [rows, cols] = gridDims(options.grid);
  const slots = Math.max(1, options.anchors?.length ?? 0);
  const depth = 5 + options.numClasses;
  const expected = [rows, cols, slots * depth];
  const shape = volume.rank === 4 && volume.shape[0] === 1 ? volume.shape.slice(1) : volume.shape;
  if (shape.join() !== expected.join())
    throw new Error(
      `decodeYoloTargets expects shape [${expected}] (or [1, ${expected}]), got [${volume.shape}]`,
    );
  const v = volume.dataSync();
  const threshold = options.scoreThreshold ?? 0.5;
  const out: Detection[] = [];
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) {
      for (let a = 0; a < slots; a++) {
        const base = ((row * cols + col) * slots + a) * depth;
        const pc = v[base]!;
        if (!(pc > threshold)) continue;
        const cx = (col + v[base + 1]!) / cols;
        const cy = (row + v[base + 2]!) / rows;
        const h = v[base + 3]! / rows;
        const w = v[base + 4]! / cols;
        let classId = 0;
        for (let c = 1; c < options.numClasses; c++)
          if (v[base + 5 + c]! > v[base + 5 + classId]!) classId = c;
        const classScore = options.numClasses > 0 ? v[base + 5 + classId]! : 1;
        out.push({
          box: toCorners([cx, cy, Math.max(0, w), Math.max(0, h)], 'center'),
          score: pc * classScore,
          classId,
        });
      }
    }
  }
  return out;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Options of {@link decodeYoloOutput}. */
export interface YoloDecodeOptions {
  /** Anchor shapes in grid-cell units, e.g. {@link TINY_FACE_DETECTOR_ANCHORS}. */
  anchors: readonly Anchor[];
  /** Class logits after the 5 box values (0 for a single-class detector such as the face detector). */
  numClasses?: number;
  /** Keep cells whose score is > this (default 0.5). */
  scoreThreshold?: number;
  /** Class names for `label`. */
  labels?: readonly string[];
}

/**
 * Decodes a YOLOv2-style raw output grid [1?, rows, cols, anchors × (5 + classes)]
 * whose per-anchor values are logits [t_x, t_y, t_w, t_h, t_o, class logits…]:
 *
 *   b_x = (col + σ(t_x)) / cols,  b_y = (row + σ(t_y)) / rows,
 *   b_w = anchor_w · e^{t_w} / cols,  b_h = anchor_h · e^{t_h} / rows,
 *   score = σ(t_o) · max softmax(class logits).
 *
 * This is the decoding of face-api's Tiny-YOLOv2 face detector (13×13×5
 * anchors × 5 values). Boxes come out in corners format, in fractions of the
 * network's input; run {@link nonMaxSuppression} on them next.
 */
export function decodeYoloOutput(output: tf.Tensor, options: YoloDecodeOptions): Detection[] {
  const numClasses = options.numClasses ?? 0;
  const anchors = options.anchors;
  if (anchors.length === 0) throw new Error('decodeYoloOutput needs at least one anchor');
  const depth = 5 + numClasses;
  const shape = output.rank === 4 && output.shape[0] === 1 ? output.shape.slice(1) : output.shape;
  if (shape.length !== 3 || shape[2] !== anchors.length * depth) {
    throw new Error(
      `decodeYoloOutput expects [rows, cols, ${anchors.length} anchors × ${depth}] = [rows, cols, ${anchors.length * depth}] (optionally with a batch of 1), got [${output.shape}]`,
    );
  }
  const [rows, cols] = shape as [number, number, number];
  const v = output.dataSync();
  const threshold = options.scoreThreshold ?? 0.5;
  const out: Detection[] = [];
  const probs = new Float64Array(numClasses);
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) {
      for (let a = 0; a < anchors.length; a++) {
        const base = ((row * cols + col) * anchors.length + a) * depth;
        const objectness = sigmoid(v[base + 4]!);
        let classId = 0;
        let classProb = 1;
        if (numClasses > 0) {
          let max = -Infinity;
          for (let c = 0; c < numClasses; c++) max = Math.max(max, v[base + 5 + c]!);
          let sum = 0;
          for (let c = 0; c < numClasses; c++) sum += probs[c] = Math.exp(v[base + 5 + c]! - max);
          for (let c = 0; c < numClasses; c++) if (probs[c]! > probs[classId]!) classId = c;
          classProb = probs[classId]! / sum;
        }
        const score = objectness * classProb;
        if (!(score > threshold)) continue;
        const cx = (col + sigmoid(v[base]!)) / cols;
        const cy = (row + sigmoid(v[base + 1]!)) / rows;
        const w = (anchors[a]!.w * Math.exp(v[base + 2]!)) / cols;
        const h = (anchors[a]!.h * Math.exp(v[base + 3]!)) / rows;
        const d: Detection = { box: toCorners([cx, cy, w, h], 'center'), score, classId };
        if (options.labels) d.label = options.labels[classId];
        out.push(d);
      }
    }
  }
  return out;
}

/** One scale of an anchor-free, NanoDet-style head: per cell, class scores and box-side distributions. */
export interface NanoDetLevel {
  /** [1?, cells, classes]: class probabilities (already through a sigmoid), cells row by row. */
  scores: tf.Tensor;
  /** [1?, cells, 4 × (regMax + 1)]: logits of the distances to the left, top, right, bottom sides, in strides. */
  distances: tf.Tensor;
  /** Input pixels per cell: 8, 16, 32 for NanoDet's three scales. */
  stride: number;
}

/** Options of {@link decodeNanoDet}. */
export interface NanoDetDecodeOptions {
  /** The network's square input size in pixels (NanoDet: 416). */
  inputSize: number;
  /** Highest distance bin (NanoDet: 10, so 11 bins a side). */
  regMax?: number;
  /** Keep cells whose best class score is > this (default 0.35). */
  scoreThreshold?: number;
  /** Class names for `label`. */
  labels?: readonly string[];
}

/**
 * Decodes the raw outputs of an anchor-free detector with distribution-based box regression
 * (NanoDet, after Generalized Focal Loss): a cell at (row, col) of a level with stride s has its
 * centre at ((col + 0.5) s, (row + 0.5) s); each box side's distance is the expected value of a
 * softmax over the bins 0…regMax, times s; the class is the highest of the cell's class scores.
 * Boxes come out in corners format, in fractions of the input; run
 * {@link nonMaxSuppressionPerClass} on them next.
 */
export function decodeNanoDet(levels: readonly NanoDetLevel[], options: NanoDetDecodeOptions): Detection[] {
  const bins = (options.regMax ?? 10) + 1;
  const threshold = options.scoreThreshold ?? 0.35;
  const size = options.inputSize;
  const out: Detection[] = [];
  for (const level of levels) {
    const grid = size / level.stride;
    const scoreShape =
      level.scores.shape.length === 3 && level.scores.shape[0] === 1
        ? level.scores.shape.slice(1)
        : level.scores.shape;
    const distShape =
      level.distances.shape.length === 3 && level.distances.shape[0] === 1
        ? level.distances.shape.slice(1)
        : level.distances.shape;
    if (
      !Number.isInteger(grid) ||
      scoreShape.length !== 2 ||
      scoreShape[0] !== grid * grid ||
      distShape.length !== 2 ||
      distShape[0] !== grid * grid ||
      distShape[1] !== 4 * bins
    ) {
      throw new Error(
        `decodeNanoDet: stride ${level.stride} on a ${size}-pixel input needs scores [${grid * grid}, classes] and distances [${grid * grid}, ${4 * bins}], got [${level.scores.shape}] and [${level.distances.shape}]`,
      );
    }
    const classes = scoreShape[1]!;
    const scores = level.scores.dataSync();
    const dist = level.distances.dataSync();
    for (let cell = 0; cell < grid * grid; cell++) {
      let classId = 0;
      for (let c = 1; c < classes; c++)
        if (scores[cell * classes + c]! > scores[cell * classes + classId]!) classId = c;
      const score = scores[cell * classes + classId]!;
      if (!(score > threshold)) continue;
      const cx = ((cell % grid) + 0.5) * level.stride,
        cy = (Math.floor(cell / grid) + 0.5) * level.stride;
      const side = [0, 1, 2, 3].map((k) => {
        const base = cell * 4 * bins + k * bins;
        let max = -Infinity;
        for (let b = 0; b < bins; b++) max = Math.max(max, dist[base + b]!);
        let sum = 0,
          expected = 0;
        for (let b = 0; b < bins; b++) {
          const e = Math.exp(dist[base + b]! - max);
          sum += e;
          expected += b * e;
        }
        return (expected / sum) * level.stride;
      });
      const clip = (v: number) => Math.min(1, Math.max(0, v / size));
      const d: Detection = {
        box: [clip(cx - side[0]!), clip(cy - side[1]!), clip(cx + side[2]!), clip(cy + side[3]!)],
        score,
        classId,
      };
      if (options.labels) d.label = options.labels[classId];
      out.push(d);
    }
  }
  return out;
}

/**
 * Score filtering of a decoded YOLO grid (the assignment's "filter boxes"): each
 * slot's score is its box confidence times the probability of its most probable
 * class; the slots with score >= `threshold` are kept, in slot order (row, column,
 * anchor), with that class.
 *
 * @param boxes - [rows, cols, anchors, 4] corner boxes.
 * @param boxConfidence - [rows, cols, anchors, 1], e.g. σ(t_o).
 * @param classProbs - [rows, cols, anchors, classes] (ones of [.., 1] for a single-class detector).
 */
export function filterBoxes(
  boxes: tf.Tensor,
  boxConfidence: tf.Tensor,
  classProbs: tf.Tensor,
  threshold: number,
): Detection[] {
  const lead = boxes.shape.slice(0, -1).join();
  if (boxes.rank !== 4 || boxes.shape[3] !== 4)
    throw new Error(`filterBoxes: boxes must be [rows, cols, anchors, 4], got [${boxes.shape}]`);
  if (boxConfidence.shape.join() !== `${lead},1`)
    throw new Error(
      `filterBoxes: boxConfidence must be [${lead},1] for boxes [${boxes.shape}], got [${boxConfidence.shape}]`,
    );
  if (classProbs.rank !== 4 || classProbs.shape.slice(0, -1).join() !== lead || classProbs.shape[3]! < 1)
    throw new Error(
      `filterBoxes: classProbs must be [${lead},classes] for boxes [${boxes.shape}], got [${classProbs.shape}]`,
    );
  const b = boxes.dataSync(),
    conf = boxConfidence.dataSync(),
    probs = classProbs.dataSync();
  const classes = classProbs.shape[3]!;
  const out: Detection[] = [];
  for (let slot = 0; slot < conf.length; slot++) {
    let classId = 0;
    for (let c = 1; c < classes; c++)
      if (probs[slot * classes + c]! > probs[slot * classes + classId]!) classId = c;
    // float32 product, as the same computation with tensor ops gives.
    const score = Math.fround(conf[slot]! * probs[slot * classes + classId]!);
    if (score >= threshold)
      out.push({ box: [b[4 * slot]!, b[4 * slot + 1]!, b[4 * slot + 2]!, b[4 * slot + 3]!], score, classId });
  }
  return out;
}

/** A window position: top-left corner and size, in pixels. */
export interface Window {
  y: number;
  x: number;
  height: number;
  width: number;
}

/** All positions of a `size` window sliding over an image with the given stride (rows first). */
export function slidingWindows(
  imageSize: [number, number],
  size: [number, number],
  stride: number | [number, number],
): Window[] {
  const [H, W] = imageSize;
  const [h, w] = size;
  const [sy, sx] = typeof stride === 'number' ? [stride, stride] : stride;
  if (!(h > 0 && w > 0 && h <= H && w <= W))
    throw new Error(`window [${size}] must be positive and fit in the image [${imageSize}]`);
  if (!(sy > 0 && sx > 0)) throw new Error(`stride must be positive, got ${JSON.stringify(stride)}`);
  const out: Window[] = [];
  for (let y = 0; y + h <= H; y += sy)
    for (let x = 0; x + w <= W; x += sx) out.push({ y, x, height: h, width: w });
  return out;
}

/**
 * Runs a classifier on every window of an image, one forward pass per window
 * (the expensive way of the notes).
 *
 * @param image - [H, W, C].
 * @returns [rows, cols, outputs]: the model's output for each window position.
 */
export function slidingWindowPredict(model: tf.LayersModel, image: tf.Tensor3D, stride: number): tf.Tensor3D {
  const inShape = model.inputs[0]!.shape;
  const [h, w] = [inShape[1]!, inShape[2]!];
  if (image.shape[2] !== inShape[3])
    throw new Error(`image has ${image.shape[2]} channels but the model expects ${inShape[3]}`);
  const windows = slidingWindows([image.shape[0], image.shape[1]], [h, w], stride);
  const rows = Math.floor((image.shape[0] - h) / stride) + 1;
  const cols = Math.floor((image.shape[1] - w) / stride) + 1;
  return tf.tidy(() => {
    const crops = tf.stack(windows.map((win) => tf.slice(image, [win.y, win.x, 0], [h, w, image.shape[2]])));
    const out = model.predict(crops) as tf.Tensor;
    return tf.reshape(out, [rows, cols, out.size / (rows * cols)]) as tf.Tensor3D;
  });
}

// Layers that carry over unchanged to a larger input.
const SPATIAL_LAYERS = new Set([
  'Conv2D',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'MaxPooling2D',
  'AveragePooling2D',
  'ZeroPadding2D',
  'BatchNormalization',
  'Activation',
  'ReLU',
  'LeakyReLU',
  'ELU',
  'Softmax',
]);

/**
 * The convolutional implementation of sliding windows: rebuilds a classifier
 * made of spatial layers, one Flatten and Dense layers so that it runs on a
 * larger image. The first Dense after Flatten becomes a convolution whose
 * kernel covers the whole flattened volume; later Dense layers become 1×1
 * convolutions; weights are copied. On an image larger than the classifier's
 * input it computes every window's output in one pass, sharing the overlaps;
 * the window stride is the product of the strides in the network.
 *
 * @param inputShape - [H, W, C] of the larger image.
 */
export function convolutionalize(
  model: tf.LayersModel,
  inputShape: [number, number, number],
): tf.LayersModel {
  const classMap = tf.serialization.SerializationMap.getMap().classNameMap;
  const input = tf.input({ shape: inputShape });
  let x = input as tf.SymbolicTensor;
  let flattenedFrom: number[] | null = null;
  let seenDense = false;
  // Weights go in once the model is built: [layer name, weights, whether they are our own reshaped copies].
  const copies: Array<[string, tf.Tensor[], boolean]> = [];
  for (const layer of model.layers) {
    const name = layer.getClassName();
    if (name === 'InputLayer' || name === 'Dropout') continue;
    if (name === 'Flatten') {
      if (flattenedFrom) throw new Error('convolutionalize supports a single Flatten layer');
      flattenedFrom = (layer.input as tf.SymbolicTensor).shape.slice(1) as number[];
      continue;
    }
    const weights = layer.getWeights();
    if (name === 'Dense') {
      if (!flattenedFrom)
        throw new Error(
          `Dense layer "${layer.name}" comes before any Flatten: the model must be conv/pool layers, Flatten, then Dense`,
        );
      const config = layer.getConfig() as { units: number; activation: FcActivation; useBias: boolean };
      const [kernel, bias] = weights as [tf.Tensor2D, tf.Tensor?];
      const converted = `${layer.name}_as_conv`;
      const options = { activation: config.activation, useBias: config.useBias, name: converted };
      // The first Dense covers the flattened volume; the later ones see 1×1×units.
      const volume = (seenDense ? [1, 1, kernel.shape[0]] : flattenedFrom) as [number, number, number];
      x = seenDense
        ? fcAsConv1x1(x, config.units, options)
        : fcAsConv(x, config.units, { ...options, window: [volume[0], volume[1]] });
      seenDense = true;
      copies.push([converted, [denseKernelToConv(kernel, volume), ...(bias ? [bias] : [])], true]);
    } else if (SPATIAL_LAYERS.has(name)) {
      const entry = classMap[name];
      if (!entry) throw new Error(`layer class ${name} is not registered`);
      const config = { ...layer.getConfig() } as Record<string, unknown>;
      delete config.batchInputShape;
      delete config.inputShape;
      config.name = `${layer.name}_conv_impl`;
      x = (entry[1](entry[0], config as never) as tf.layers.Layer).apply(x) as tf.SymbolicTensor;
      copies.push([config.name as string, weights, false]);
    } else {
      throw new Error(`convolutionalize cannot convert layer "${layer.name}" of class ${name}`);
    }
  }
  const converted = tf.model({ inputs: input, outputs: x });
  for (const [name, weights, reshaped] of copies) {
    converted.getLayer(name).setWeights(weights);
    // Reshaped kernels are our own temporaries; the other tensors belong to the source model.
    if (reshaped) weights[0]!.dispose();
  }
  return converted;
}

/** A prediction for {@link averagePrecision}: a detection in a given image. */
export interface ImageDetection extends Detection {
  imageId: string | number;
}

/** A ground-truth object in a given image. */
export interface ImageGroundTruth extends GroundTruth {
  imageId: string | number;
}

/**
 * Average precision of one class (Pascal VOC, all points): predictions sorted
 * by score are matched greedily to the unmatched ground-truth box of highest
 * IoU in the same image; a match with IoU >= `iouThreshold` is a true
 * positive, anything else (including a second hit on a matched object) a false
 * positive; AP is the area under the precision-recall curve with precision
 * made monotone. NaN when the class has no ground truth.
 */
export function averagePrecision(
  predictions: readonly ImageDetection[],
  truths: readonly ImageGroundTruth[],
  classId: number,
  iouThreshold = 0.5,
): number {
  const gts = truths.filter((t) => t.classId === classId);
  if (gts.length === 0) return NaN;
  const preds = predictions
    .filter((p) => p.classId === classId)
    .slice()
    .sort((a, b) => b.score - a.score);
  const matched = new Set<ImageGroundTruth>();
  const tp: number[] = [];
  for (const p of preds) {
    let best: ImageGroundTruth | undefined;
    let bestIou = -1;
    for (const g of gts) {
      if (g.imageId !== p.imageId) continue;
      const v = iou(p.box, g.box);
      if (v > bestIou) [best, bestIou] = [g, v];
    }
    const hit = best !== undefined && bestIou >= iouThreshold && !matched.has(best);
    if (hit) matched.add(best!);
    tp.push(hit ? 1 : 0);
  }
  const recall: number[] = [0];
  const precision: number[] = [1];
  let cumTp = 0;
  tp.forEach((t, i) => {
    cumTp += t;
    recall.push(cumTp / gts.length);
    precision.push(cumTp / (i + 1));
  });
  // Monotone envelope from the right, then sum precision × recall steps.
  for (let i = precision.length - 2; i >= 0; i--) precision[i] = Math.max(precision[i]!, precision[i + 1]!);
  let ap = 0;
  for (let i = 1; i < recall.length; i++) ap += (recall[i]! - recall[i - 1]!) * precision[i]!;
  return ap;
}

/**
 * Mean average precision at an IoU threshold (default 0.5, "mAP@0.5") over
 * the classes that have ground truth.
 *
 * @returns the mean and each class's AP.
 */
export function meanAveragePrecision(
  predictions: readonly ImageDetection[],
  truths: readonly ImageGroundTruth[],
  iouThreshold = 0.5,
): { map: number; perClass: Map<number, number> } {
  const classes = [...new Set(truths.map((t) => t.classId))].sort((a, b) => a - b);
  if (classes.length === 0) throw new Error('meanAveragePrecision needs at least one ground-truth object');
  const perClass = new Map(
    classes.map((c) => [c, averagePrecision(predictions, truths, c, iouThreshold)] as [number, number]),
  );
  const map = [...perClass.values()].reduce((a, b) => a + b, 0) / classes.length;
  return { map, perClass };
}
