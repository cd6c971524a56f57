import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectNoTensorLeaks } from '../helpers/leaks';
import { uniform } from '../helpers/numeric';
import {
  TINY_FACE_DETECTOR_ANCHORS,
  assignAnchor,
  averagePrecision,
  convolutionalize,
  decodeYoloOutput,
  decodeYoloTargets,
  encodeYoloTargets,
  filterBoxes,
  iou,
  meanAveragePrecision,
  nonMaxSuppression,
  nonMaxSuppressionPerClass,
  slidingWindowPredict,
  slidingWindows,
  toCenter,
  toCorners,
  type Box,
} from '../../lib/detection';

expectNoTensorLeaks();

describe('IoU', () => {
  it('matches hand-computed overlaps', () => {
    // 2x2 squares offset by 1: intersection 1, union 4 + 4 - 1 = 7.
    expect(iou([0, 0, 2, 2], [1, 1, 3, 3])).toBeCloseTo(1 / 7, 12);
    // Inner box inside outer: 1*1 / 3*3.
    expect(iou([0, 0, 3, 3], [1, 1, 2, 2])).toBeCloseTo(1 / 9, 12);
    expect(iou([1, 2, 4, 6], [1, 2, 4, 6])).toBe(1);
    // Same pair in centre format: centres (1,1) and (2,2), sizes 2x2.
    expect(iou([1, 1, 2, 2], [2, 2, 2, 2], 'center')).toBeCloseTo(1 / 7, 12);
    // A 2x1 box over half of a 2x2 box: 2 / 4.
    expect(iou([0, 0, 2, 2], [0, 0, 2, 1])).toBeCloseTo(0.5, 12);
  });

  it('gives 0 for disjoint, edge-touching and corner-touching boxes', () => {
    expect(iou([0, 0, 1, 1], [2, 2, 3, 3])).toBe(0);
    expect(iou([0, 0, 1, 1], [1, 0, 2, 1])).toBe(0);
    expect(iou([0, 0, 1, 1], [1, 1, 2, 2])).toBe(0);
    expect(iou([0, 0, 0, 0], [0, 0, 0, 0])).toBe(0);
  });

  it('converts between formats', () => {
    expect(toCenter([1, 2, 5, 10])).toEqual([3, 6, 4, 8]);
    expect(toCorners([3, 6, 4, 8], 'center')).toEqual([1, 2, 5, 10]);
  });

  it('rejects bad boxes with clear errors', () => {
    expect(() => iou([2, 0, 1, 1], [0, 0, 1, 1])).toThrow(/negative width/);
    expect(() => iou([0, 2, 1, 1], [0, 0, 1, 1])).toThrow(/negative height/);
    expect(() => iou([0, 0, -1, 1], [0, 0, 1, 1], 'center')).toThrow(/negative width or height/);
    expect(() => iou([0, 0, 1], [0, 0, 1, 1])).toThrow(/4 finite numbers/);
    expect(() => iou([0, 0, 1, NaN], [0, 0, 1, 1])).toThrow(/4 finite numbers/);
    expect(() => iou([0, 0, 1, 1], [0, 0, 1, 1], 'xywh' as never)).toThrow(/unknown box format/);
  });
});

describe('non-max suppression', () => {
  it("keeps the highest box and drops those with IoU >= 0.5 (the notes' rule)", () => {
    const boxes: Box[] = [
      [0, 0, 10, 10],
      [0, 0, 10, 5],
      [1, 0, 11, 10],
      [20, 20, 30, 30],
      [0, 0, 10, 4.9],
    ];
    // IoU with box 0: box1 = 0.5 exactly (dropped), box2 = 90/110 (dropped), box4 = 0.49 (kept).
    const scores = [0.95, 0.8, 0.9, 0.7, 0.65];
    expect(nonMaxSuppression(boxes, scores, { iouThreshold: 0.5 })).toEqual([0, 3, 4]);
    // The notes also drop p_c <= 0.6 first, and p_c = 0.6 exactly is dropped.
    expect(
      nonMaxSuppression(
        [
          [0, 0, 1, 1],
          [5, 5, 6, 6],
        ],
        [0.6, 0.61],
        { scoreThreshold: 0.6 },
      ),
    ).toEqual([1]);
    expect(nonMaxSuppression(boxes, scores, { maxBoxes: 2 })).toEqual([0, 3]);
  });

  it('equals tf.image.nonMaxSuppression on random inputs', async () => {
    const rand = uniform(7);
    for (let trial = 0; trial < 20; trial++) {
      const n = 5 + Math.floor(rand() * 60);
      const boxes: Box[] = Array.from({ length: n }, () => {
        const x = rand() * 80,
          y = rand() * 80;
        return [x, y, x + 5 + rand() * 30, y + 5 + rand() * 30];
      });
      const scores = Array.from({ length: n }, () => rand());
      const maxBoxes = 1 + Math.floor(rand() * n);
      const iouThreshold = 0.1 + rand() * 0.8;
      const scoreThreshold = rand() * 0.5;
      const ours = nonMaxSuppression(boxes, scores, { maxBoxes, iouThreshold, scoreThreshold });
      const tfBoxes = tf.tensor2d(boxes.map(([x1, y1, x2, y2]) => [y1, x1, y2, x2]));
      const tfScores = tf.tensor1d(scores);
      const ref = tf.image.nonMaxSuppression(tfBoxes, tfScores, maxBoxes, iouThreshold, scoreThreshold);
      expect(ours).toEqual(Array.from(await ref.data()));
      tf.dispose([tfBoxes, tfScores, ref]);
    }
  });

  it('suppresses within a class only', () => {
    const kept = nonMaxSuppressionPerClass([
      { box: [0, 0, 10, 10], score: 0.9, classId: 0 },
      { box: [0, 0, 10, 10], score: 0.8, classId: 1 },
      { box: [1, 1, 10, 10], score: 0.7, classId: 0 },
      { box: [1, 1, 10, 10], score: 0.6, classId: 1 },
    ]);
    expect(kept.map((d) => [d.classId, d.score])).toEqual([
      [0, 0.9],
      [1, 0.8],
    ]);
    expect(() => nonMaxSuppression([[0, 0, 1, 1]], [0.5, 0.2])).toThrow(/1 boxes but 2 scores/);
  });
});

describe('anchors and YOLO targets', () => {
  const anchors = [
    { w: 1, h: 2 },
    { w: 2, h: 1 },
  ];

  it('assigns the midpoint cell and the anchor of highest shape IoU', () => {
    // Midpoint (0.5, 0.55) on a 3x3 grid: row 1, col 1. A tall box (w 1/3, h 2/3 = 1x2 cells) takes anchor 0.
    expect(assignAnchor([1 / 3, 0.55 - 1 / 3, 2 / 3, 0.55 + 1 / 3], 3, anchors)).toMatchObject({
      row: 1,
      col: 1,
      anchor: 0,
    });
    // A wide box 2 cells x 1 cell at the top-right corner cell takes anchor 1 with IoU 1.
    const a = assignAnchor([0.6, 0.0, 1.0, 0.2], [5, 5], anchors);
    expect(a).toEqual({ row: 0, col: 4, anchor: 1, iou: 1 });
    expect(() => assignAnchor([1.2, 0, 1.6, 0.2], 3, anchors)).toThrow(/outside the image/);
  });

  it("encodes the notes' target vector [p_c, b_x, b_y, b_h, b_w, c...] and decodes it back", () => {
    const objects = [
      { box: [0.1, 0.4, 0.3, 0.9] as Box, classId: 2 }, // tall: anchor 0, midpoint (0.2, 0.65) -> cell (1, 0)
      { box: [0.5, 0.7, 0.9, 0.9] as Box, classId: 0 }, // wide: anchor 1, midpoint (0.7, 0.8) -> cell (2, 2)
    ];
    const y = encodeYoloTargets(objects, { grid: 3, anchors, numClasses: 3 });
    expect(y.shape).toEqual([3, 3, 16]);
    const v = y.arraySync() as number[][][];
    const slot = (r: number, c: number, a: number) => v[r]![c]!.slice(a * 8, a * 8 + 8);
    const close = (got: number[], want: number[]) =>
      got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 5));
    close(slot(1, 0, 0), [1, 0.6, 0.95, 1.5, 0.6, 0, 0, 1]);
    close(slot(2, 2, 1), [1, 0.1, 0.4, 0.6, 1.2, 1, 0, 0]);
    expect(v.flat(2).reduce((a, b) => a + Math.abs(b), 0)).toBeCloseTo(
      1 + 0.6 + 0.95 + 1.5 + 0.6 + 1 + 1 + 0.1 + 0.4 + 0.6 + 1.2 + 1,
      4,
    );
    const back = decodeYoloTargets(y, { grid: 3, anchors, numClasses: 3 });
    expect(back.map((d) => d.classId)).toEqual([2, 0]);
    back.forEach((d, i) => d.box.forEach((c, j) => expect(c).toBeCloseTo(objects[i]!.box[j]!, 5)));
    y.dispose();
    const clash = [
      { box: [0.1, 0.1, 0.2, 0.3] as Box, classId: 0 },
      { box: [0.12, 0.1, 0.22, 0.3] as Box, classId: 1 },
    ];
    expect(() => encodeYoloTargets(clash, { grid: 3, anchors, numClasses: 2 })).toThrow(/same|two objects/);
    expect(() =>
      encodeYoloTargets([{ box: [0, 0, 0.1, 0.1], classId: 3 }], { grid: 3, numClasses: 3 }),
    ).toThrow(/out of range/);
  });

  it('decodes a raw 13x13x5 Tiny-YOLOv2 grid like face-api does (sigmoid offsets, exp sizes times anchors)', () => {
    const rand = uniform(3);
    const raw = tf.tensor4d(
      Array.from({ length: 13 * 13 * 25 }, () => (rand() - 0.5) * 6),
      [1, 13, 13, 25],
    );
    const ours = decodeYoloOutput(raw, { anchors: TINY_FACE_DETECTOR_ANCHORS, scoreThreshold: 0.9 });
    // Reference with tfjs ops on the whole grid.
    const [xy, wh, obj] = tf.tidy(() => {
      const g = tf.reshape(raw, [13, 13, 5, 5]);
      const col = tf.reshape(tf.range(0, 13), [1, 13, 1, 1]);
      const row = tf.reshape(tf.range(0, 13), [13, 1, 1, 1]);
      const cx = tf.div(tf.add(col, tf.sigmoid(tf.slice(g, [0, 0, 0, 0], [13, 13, 5, 1]))), 13);
      const cy = tf.div(tf.add(row, tf.sigmoid(tf.slice(g, [0, 0, 0, 1], [13, 13, 5, 1]))), 13);
      const aw = tf.reshape(tf.tensor1d(TINY_FACE_DETECTOR_ANCHORS.map((a) => a.w)), [1, 1, 5, 1]);
      const ah = tf.reshape(tf.tensor1d(TINY_FACE_DETECTOR_ANCHORS.map((a) => a.h)), [1, 1, 5, 1]);
      const w = tf.div(tf.mul(tf.exp(tf.slice(g, [0, 0, 0, 2], [13, 13, 5, 1])), aw), 13);
      const h = tf.div(tf.mul(tf.exp(tf.slice(g, [0, 0, 0, 3], [13, 13, 5, 1])), ah), 13);
      return [
        tf.concat([cx, cy], 3),
        tf.concat([w, h], 3),
        tf.sigmoid(tf.slice(g, [0, 0, 0, 4], [13, 13, 5, 1])),
      ];
    });
    const xyv = xy.arraySync() as number[][][][],
      whv = wh.arraySync() as number[][][][],
      ov = obj.arraySync() as number[][][][];
    const expected: Array<{ box: number[]; score: number }> = [];
    for (let r = 0; r < 13; r++)
      for (let c = 0; c < 13; c++)
        for (let a = 0; a < 5; a++) {
          const s = ov[r]![c]![a]![0]!;
          if (s <= 0.9) continue;
          const [x, y] = xyv[r]![c]![a]!,
            [w, h] = whv[r]![c]![a]!;
          expected.push({ box: [x! - w! / 2, y! - h! / 2, x! + w! / 2, y! + h! / 2], score: s });
        }
    expect(expected.length).toBeGreaterThan(3);
    expect(ours.length).toBe(expected.length);
    ours.forEach((d, i) => {
      expect(d.score).toBeCloseTo(expected[i]!.score, 5);
      d.box.forEach((v, j) => expect(v).toBeCloseTo(expected[i]!.box[j]!, 4));
    });
    tf.dispose([raw, xy, wh, obj]);
    const bad = tf.zeros([13, 13, 24]);
    expect(() => decodeYoloOutput(bad, { anchors: TINY_FACE_DETECTOR_ANCHORS })).toThrow(/\[13,13,24\]/);
    bad.dispose();
  });

  it('decodes class logits with a softmax', () => {
    // One cell, one anchor, two classes: objectness logit 0 (0.5), class logits [0, ln 3] -> p = 0.75.
    const raw = tf.tensor3d([0, 0, 0, 0, 0, 0, Math.log(3)], [1, 1, 7]);
    const [d] = decodeYoloOutput(raw, {
      anchors: [{ w: 1, h: 1 }],
      numClasses: 2,
      scoreThreshold: 0.1,
      labels: ['a', 'b'],
    });
    expect(d).toMatchObject({ classId: 1, label: 'b' });
    expect(d!.score).toBeCloseTo(0.375, 6);
    d!.box.forEach((v, i) => expect(v).toBeCloseTo([0, 0, 1, 1][i]!, 6));
    raw.dispose();
  });
});

describe('score filtering', () => {
  it('keeps slots whose confidence × best class probability is >= the threshold, in slot order', () => {
    // A 1×2 grid with 2 anchors and 3 classes. Scores by hand: 0.9·0.4 = 0.36, 0.75·0.7 = 0.525, 0.5·0.5 = 0.25, 0.6·0.9 = 0.54.
    const boxes = tf.tensor4d(
      Array.from({ length: 16 }, (_, i) => i / 16),
      [1, 2, 2, 4],
    );
    const conf = tf.tensor4d([0.9, 0.75, 0.5, 0.6], [1, 2, 2, 1]);
    const probs = tf.tensor4d([0.3, 0.4, 0.3, 0.1, 0.2, 0.7, 0.5, 0.25, 0.25, 0.9, 0.05, 0.05], [1, 2, 2, 3]);
    const high = filterBoxes(boxes, conf, probs, 0.5);
    expect(high.map((d) => d.classId)).toEqual([2, 0]);
    high.forEach((d, k) => expect(d.score).toBeCloseTo([0.525, 0.54][k]!, 6));
    expect(high[1]!.box).toEqual([12 / 16, 13 / 16, 14 / 16, 15 / 16]);
    // The threshold itself is kept (0.5 · 0.5 = 0.25 exactly).
    expect(filterBoxes(boxes, conf, probs, 0.25).map((d) => d.classId)).toEqual([1, 2, 0, 0]);
    const flat = conf.reshape([1, 2, 2]);
    expect(() => filterBoxes(boxes, flat, probs, 0.5)).toThrow(/boxConfidence must be \[1,2,2,1\]/);
    tf.dispose([boxes, conf, probs, flat]);
  });
});

describe('sliding windows', () => {
  it('lists window positions', () => {
    expect(slidingWindows([16, 16], [14, 14], 2).map((w) => [w.y, w.x])).toEqual([
      [0, 0],
      [0, 2],
      [2, 0],
      [2, 2],
    ]);
    expect(() => slidingWindows([10, 10], [14, 14], 2)).toThrow(/fit/);
  });

  it('the convolutional implementation equals running the classifier on each window (14x14 in 16x16)', () => {
    // The notes' network: 14x14x3 -> conv 5x5 (16) -> max pool 2 -> FC 400 -> FC 400 -> softmax 4 (sizes shrunk).
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [14, 14, 3], filters: 6, kernelSize: 5, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 12, activation: 'relu' }),
        tf.layers.dense({ units: 4, activation: 'softmax' }),
      ],
    });
    const conv = convolutionalize(model, [16, 16, 3]);
    expect(conv.outputs[0]!.shape).toEqual([null, 2, 2, 4]);
    const image = tf.randomNormal([16, 16, 3], 0, 1, 'float32', 11) as tf.Tensor3D;
    const slid = slidingWindowPredict(model, image, 2);
    const together = tf.tidy(() => tf.squeeze(conv.predict(tf.expandDims(image, 0)) as tf.Tensor, [0]));
    expect(slid.shape).toEqual([2, 2, 4]);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(slid, together))).dataSync()[0]!);
    expect(diff).toBeLessThan(1e-5);
    tf.dispose([image, slid, together]);
    conv.dispose();
    model.dispose();
  });
});

describe('mean average precision', () => {
  it('matches a hand-computed precision-recall curve', () => {
    const truths = [
      { imageId: 1, classId: 0, box: [0, 0, 10, 10] as Box },
      { imageId: 1, classId: 0, box: [20, 20, 30, 30] as Box },
      { imageId: 2, classId: 0, box: [0, 0, 10, 10] as Box },
    ];
    const predictions = [
      { imageId: 1, classId: 0, score: 0.9, box: [0, 0, 10, 10] as Box }, // TP
      { imageId: 1, classId: 0, score: 0.8, box: [0, 0, 10, 9] as Box }, // duplicate of a matched object: FP
      { imageId: 2, classId: 0, score: 0.7, box: [1, 1, 11, 11] as Box }, // IoU 81/119 = 0.68: TP
      { imageId: 2, classId: 0, score: 0.6, box: [50, 50, 60, 60] as Box }, // FP
    ];
    // Recall 1/3, 1/3, 2/3, 2/3; precision 1, 1/2, 2/3, 1/2 -> envelope 1, 2/3, 2/3, 1/2.
    // AP = 1/3 * 1 + 1/3 * 2/3 = 5/9.
    expect(averagePrecision(predictions, truths, 0)).toBeCloseTo(5 / 9, 12);
    const withOther = [...truths, { imageId: 2, classId: 1, box: [0, 0, 5, 5] as Box }];
    const result = meanAveragePrecision(
      [...predictions, { imageId: 2, classId: 1, score: 0.5, box: [0, 0, 5, 5] }],
      withOther,
    );
    expect(result.perClass.get(1)).toBe(1);
    expect(result.map).toBeCloseTo((5 / 9 + 1) / 2, 12);
    // At IoU 0.75 the 0.68 match no longer counts: only the first hit, AP = 1/3.
    expect(averagePrecision(predictions, truths, 0, 0.75)).toBeCloseTo(1 / 3, 12);
  });
});
