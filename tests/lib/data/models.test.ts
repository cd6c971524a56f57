// Pretrained networks through the hub: Tiny-Darknet on the cat photo, NanoDet's
// outputs, face-api's descriptor network and Tiny face detector. Skipped without
// the data mirror (face-api's weights come from node_modules, the photos from the mirror).
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  faceApi,
  loadFaceApiWeights,
  loadFaceDescriber,
  loadTinyFaceDetector,
} from '../../../lib/data/faceapi';
import { mirrorDirectories } from '../../../lib/data/hub';
import { loadAssetImage, loadFaceCrops } from '../../../lib/data/images';
import { classifyImage, hubIOHandler, loadNanoDet, loadTinyDarknet } from '../../../lib/data/models';

const cacheDir = mkdtempSync(join(tmpdir(), 'models-test-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));
const opts = { cacheDir };
const mirror = mirrorDirectories().find(
  (m) => existsSync(join(m, 'models', 'darknet-tiny')) && existsSync(join(m, 'faces')),
);
const title = (t: string) =>
  mirror ? t : `${t} (skipped: no data mirror; set COURSE_DATA_MIRROR or provide ../shared/data)`;

// ImageNet's domestic-cat classes as darknet names them
const CAT_CLASSES = ['tabby', 'tiger cat', 'Persian cat', 'Siamese cat', 'Egyptian cat'];

describe.skipIf(!mirror)(title('Tiny-Darknet and NanoDet'), () => {
  it('Tiny-Darknet: top-1 for chelsea.png is a cat class', async () => {
    const before = tf.memory().numTensors;
    const classifier = await loadTinyDarknet(opts);
    expect(classifier.model.inputs[0]!.shape).toEqual([null, 224, 224, 3]);
    expect(classifier.model.countParams()).toBeGreaterThan(1_000_000);
    expect(classifier.model.countParams()).toBeLessThan(1_100_000);
    const cat = await loadAssetImage('photos/chelsea.png', opts);
    const top = classifyImage(classifier, cat, 5);
    console.log(
      `chelsea.png: ${top
        .slice(0, 3)
        .map((p) => `${p.label} ${p.probability.toFixed(2)}`)
        .join(', ')}`,
    );
    expect(CAT_CLASSES).toContain(top[0]!.label);
    expect(top[0]!.probability).toBeGreaterThan(0.3);
    cat.dispose();
    classifier.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('NanoDet: graph model with the three grid scales of 80 class scores + 44 box terms', async () => {
    const before = tf.memory().numTensors;
    const { model, classes } = await loadNanoDet(opts);
    expect(classes[0]).toBe('person');
    expect(classes).toHaveLength(80);
    const shapes = tf.tidy(() => {
      const out = model.execute(tf.zeros([1, 3, 416, 416])) as tf.Tensor[];
      return out.map((t) => t.shape.join('x')).sort();
    });
    expect(shapes).toEqual(['1x169x44', '1x169x80', '1x2704x44', '1x2704x80', '1x676x44', '1x676x80']);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the IOHandler reports an unregistered model file by name', async () => {
    await expect(hubIOHandler('models/none/model.json', opts).load!()).rejects.toThrow(
      /Unknown data asset "models\/none\/model\.json"/,
    );
  });
});

const dist = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));

describe.skipIf(!mirror)(title('face-api networks'), () => {
  it('runs on our TensorFlow.js engine', () => {
    expect(faceApi().tf.engine()).toBe(tf.engine());
  });

  it('descriptors: the same person is closer than different people', async () => {
    const before = tf.memory().numTensors;
    const describer = await loadFaceDescriber(opts);
    const people = ['leonard', 'penny', 'sheldon'];
    const crops = await loadFaceCrops({ ...opts, identities: people });
    const picked = crops.filter((c) => /[123]\.png$/.test(c.file));
    const descriptors: Array<{ who: string; d: Float32Array }> = [];
    for (const c of picked) descriptors.push({ who: c.identity, d: await describer.describe(c.image) });
    tf.dispose(crops.map((c) => c.image));
    describer.dispose();
    expect(descriptors[0]!.d).toHaveLength(128);
    const same: number[] = [],
      different: number[] = [];
    for (let i = 0; i < descriptors.length; i++) {
      for (let j = i + 1; j < descriptors.length; j++) {
        (descriptors[i]!.who === descriptors[j]!.who ? same : different).push(
          dist(descriptors[i]!.d, descriptors[j]!.d),
        );
      }
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b) / v.length;
    console.log(
      `face descriptors: same person ${mean(same).toFixed(3)} (max ${Math.max(...same).toFixed(3)}), different ${mean(different).toFixed(3)} (min ${Math.min(...different).toFixed(3)})`,
    );
    expect(mean(same)).toBeLessThan(0.6);
    expect(mean(different)).toBeGreaterThan(0.7);
    // every person's own crops are nearer, on average, than anyone else's
    for (const p of people) {
      const own: number[] = [],
        other: number[] = [];
      for (const a of descriptors.filter((x) => x.who === p)) {
        for (const b of descriptors) if (a !== b) (b.who === p ? own : other).push(dist(a.d, b.d));
      }
      expect(mean(own)).toBeLessThan(mean(other));
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Tiny face detector: the raw 13x13x5 grid, decoded by hand, finds the faces of a group photo', async () => {
    const before = tf.memory().numTensors;
    const detector = await loadTinyFaceDetector(opts);
    const photo = await loadAssetImage('faces/group/bbt4.jpg', opts);
    const out = await detector.grid(photo);
    expect(out.grid.shape).toEqual([13, 13, 5, 5]);
    // straightforward YOLOv2 decode: sigmoid offsets in the cell, exp-scaled anchors, sigmoid objectness
    const g = out.grid.arraySync() as number[][][][];
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const boxes: number[][] = [],
      scores: number[] = [];
    for (let row = 0; row < 13; row++)
      for (let col = 0; col < 13; col++)
        for (let a = 0; a < 5; a++) {
          const [tx, ty, tw, th, to] = g[row]![col]![a]!;
          const score = sig(to!);
          if (score < 0.5) continue;
          const cx = (col + sig(tx!)) / 13,
            cy = (row + sig(ty!)) / 13;
          const w = (Math.exp(tw!) * out.anchors[a]![0]) / 13,
            h = (Math.exp(th!) * out.anchors[a]![1]) / 13;
          boxes.push([
            (cy - h / 2) * out.paddedSide,
            (cx - w / 2) * out.paddedSide,
            (cy + h / 2) * out.paddedSide,
            (cx + w / 2) * out.paddedSide,
          ]);
          scores.push(score);
        }
    const kept = boxes.length
      ? tf.tidy(() =>
          tf.image.nonMaxSuppression(tf.tensor2d(boxes), tf.tensor1d(scores), 50, 0.4).arraySync(),
        )
      : [];
    // face-api's own post-processing on the same image, through a second net instance
    const api = faceApi();
    const ref = new api.TinyFaceDetector() as unknown as {
      loadFromWeightMap(m: tf.NamedTensorMap): void;
      detect(i: tf.Tensor3D, o: object): Promise<unknown[]>;
      dispose(): void;
    };
    ref.loadFromWeightMap(await loadFaceApiWeights('tiny_face_detector_model', opts));
    const pixels = tf.tidy(() => tf.mul(photo, 255) as tf.Tensor3D);
    const theirs = await ref.detect(pixels, { inputSize: 416, scoreThreshold: 0.5 });
    console.log(`bbt4.jpg: ${kept.length} faces by the hand decode, ${theirs.length} by face-api's own`);
    // bbt4.jpg shows six people, all facing the camera (counted by eye)
    expect(kept.length).toBe(6);
    expect(kept.length).toBe(theirs.length);
    // every kept box lies inside the photo (allowing a few pixels of overshoot)
    const [height, width] = out.imageSize;
    for (const i of kept) {
      const [y1, x1, y2, x2] = boxes[i]!;
      expect(y2! - y1!).toBeGreaterThan(10);
      expect(x1!).toBeGreaterThan(-0.05 * width);
      expect(x2!).toBeLessThan(1.05 * width);
      expect(y2!).toBeLessThan(1.05 * height);
    }
    tf.dispose([pixels, photo, out.grid]);
    ref.dispose();
    detector.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
