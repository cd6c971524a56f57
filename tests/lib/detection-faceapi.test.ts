// The decoder against a real detector: face-api's Tiny-YOLOv2 face detector
// (its weights ship inside the npm package). face-api's own post-processing is
// the reference for our decoding + non-max suppression of its raw grid.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { TINY_FACE_DETECTOR_ANCHORS, decodeYoloOutput, nonMaxSuppression } from '../../lib/detection';
import { loadImageTensor } from '../../lib/image';
import { projectRoot } from '../../lib/paths';

const photo = join(projectRoot(), '..', 'shared', 'data', 'faces', 'group', 'bbt1.jpg');

it.skipIf(!existsSync(photo))(
  'decodes the real 13x13x5 face-detector grid to the same faces as face-api',
  async () => {
    const require = createRequire(join(projectRoot(), 'package.json'));
    const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
    await faceapi.nets.tinyFaceDetector.loadFromDisk(
      join(projectRoot(), 'node_modules/@vladmandic/face-api/model'),
    );
    const before = tf.memory().numTensors;
    const image = tf.tidy(() => tf.mul(loadImageTensor(photo, { size: [416, 416] }), 255));
    const raw = (await faceapi.nets.tinyFaceDetector.forward(image, 416)) as tf.Tensor4D;
    expect(raw.shape).toEqual([1, 13, 13, 25]);
    const candidates = decodeYoloOutput(raw, { anchors: TINY_FACE_DETECTOR_ANCHORS, scoreThreshold: 0.5 });
    const keep = nonMaxSuppression(
      candidates.map((d) => d.box),
      candidates.map((d) => d.score),
      { iouThreshold: 0.4 },
    );
    const ours = keep.map((i) => candidates[i]!);
    const theirs = (await faceapi.nets.tinyFaceDetector.locateFaces(
      image,
      new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 }),
    )) as Array<{
      score: number;
      relativeBox: { x: number; y: number; width: number; height: number };
    }>;
    tf.dispose([image, raw]);
    expect(tf.memory().numTensors).toBe(before);
    expect(theirs.length).toBeGreaterThanOrEqual(3); // a group photo of the cast
    expect(ours.length).toBe(theirs.length);
    theirs.sort((a, b) => b.score - a.score);
    ours.forEach((d, i) => {
      const t = theirs[i]!;
      expect(d.score).toBeCloseTo(t.score, 5);
      const [x1, y1, x2, y2] = d.box;
      const want = [t.relativeBox.x, t.relativeBox.y, t.relativeBox.width, t.relativeBox.height];
      [x1, y1, x2 - x1, y2 - y1].forEach((v, j) => expect(v).toBeCloseTo(want[j]!, 4));
    });
  },
);
