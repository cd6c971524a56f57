// Generated scenes and signals: determinism, labels consistent with pixels and
// samples, the FFT against a direct float64 DFT.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { SHAPE_CLASSES, generateScenes } from '../../../lib/data/scenes';
import { fft, generateTriggerClips, generateWaveforms, spectrogram } from '../../../lib/data/signals';

describe('detection and segmentation scenes', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = generateScenes({ count: 3, size: [32, 40], seed: 7 });
    const b = generateScenes({ count: 3, size: [32, 40], seed: 7 });
    const c = generateScenes({ count: 3, size: [32, 40], seed: 8 });
    expect(Array.from(a.images.dataSync())).toEqual(Array.from(b.images.dataSync()));
    expect(a.objects).toEqual(b.objects);
    expect(Array.from(a.images.dataSync())).not.toEqual(Array.from(c.images.dataSync()));
    tf.dispose([a.images, a.masks, b.images, b.masks, c.images, c.masks]);
  });

  it('masks, boxes and classes agree; shapes overlap; pixels stay in 0..1', () => {
    const before = tf.memory().numTensors;
    const h = 48,
      w = 48,
      n = 40;
    const batch = generateScenes({ count: n, size: [h, w], objects: [2, 5], seed: 3 });
    expect(batch.images.shape).toEqual([n, h, w, 3]);
    expect(batch.masks.shape).toEqual([n, h, w]);
    const masks = batch.masks.dataSync();
    const px = batch.images.dataSync();
    expect(px.every((v) => v >= 0 && v <= 1)).toBe(true);
    let overlapping = 0;
    const classesSeen = new Set<number>();
    for (let i = 0; i < n; i++) {
      const objs = batch.objects[i]!;
      for (const o of objs) {
        classesSeen.add(o.classId);
        expect(o.className).toBe(SHAPE_CLASSES[o.classId]);
        expect(o.visible).toBeGreaterThan(0);
        expect(o.visible).toBeLessThanOrEqual(1);
        const [y1, x1, y2, x2] = o.box;
        expect(y1).toBeGreaterThanOrEqual(0);
        expect(x1).toBeGreaterThanOrEqual(0);
        expect(y2).toBeLessThanOrEqual(h);
        expect(x2).toBeLessThanOrEqual(w);
      }
      // every foreground pixel lies in some box of its class
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const m = masks[i * h * w + y * w + x]!;
          if (m === 0) continue;
          expect(
            objs.some(
              (o) => o.classId === m - 1 && y >= o.box[0] && y < o.box[2] && x >= o.box[1] && x < o.box[3],
            ),
          ).toBe(true);
        }
      // every object has mask pixels of its class inside its box
      for (const o of objs) {
        let found = false;
        for (let y = o.box[0]; y < o.box[2] && !found; y++)
          for (let x = o.box[1]; x < o.box[3]; x++)
            if (masks[i * h * w + y * w + x] === o.classId + 1) {
              found = true;
              break;
            }
        expect(found).toBe(true);
      }
      if (objs.some((o) => o.visible < 1)) overlapping++;
    }
    expect(classesSeen.size).toBe(3);
    expect(overlapping).toBeGreaterThan(5);
    tf.dispose([batch.images, batch.masks]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a lone circle has the area and box of a circle', () => {
    // one object, no noise: compare the mask's area with πr² computed from the box
    const batch = generateScenes({ count: 30, size: [64, 64], objects: [1, 1], noise: 0, seed: 11 });
    const masks = batch.masks.dataSync();
    let checked = 0;
    batch.objects.forEach((objs, i) => {
      const o = objs[0]!;
      if (o.className !== 'circle' || o.box[0] === 0 || o.box[1] === 0 || o.box[2] === 64 || o.box[3] === 64)
        return;
      let area = 0;
      for (let p = 0; p < 64 * 64; p++) if (masks[i * 4096 + p] === 1) area++;
      const r = (o.box[2] - o.box[0]) / 2;
      expect(o.box[3] - o.box[1]).toBeCloseTo(2 * r, -0.5);
      // r comes from a box of whole pixels, hence the tolerance
      expect(area / (Math.PI * r * r)).toBeGreaterThan(0.85);
      expect(area / (Math.PI * r * r)).toBeLessThan(1.25);
      checked++;
    });
    expect(checked).toBeGreaterThan(0);
    tf.dispose([batch.images, batch.masks]);
  });

  it('rejects bad options', () => {
    expect(() => generateScenes({ count: 0 })).toThrow(/count must be a positive integer, got 0/);
    expect(() => generateScenes({ count: 1, size: [4, 64] })).toThrow(/size must be integers >= 8/);
  });
});

describe('FFT and spectrogram', () => {
  it('matches a direct float64 DFT', () => {
    const n = 64;
    const re = Float64Array.from(
      { length: n },
      (_, i) => Math.sin(i * 0.37) + 0.3 * Math.cos(i * 1.9) + (i % 5) * 0.1,
    );
    const im = Float64Array.from({ length: n }, (_, i) => (i % 3) * 0.2);
    const [dr, di] = [new Float64Array(n), new Float64Array(n)];
    for (let k = 0; k < n; k++)
      for (let t = 0; t < n; t++) {
        const a = (-2 * Math.PI * k * t) / n;
        dr[k] += re[t]! * Math.cos(a) - im[t]! * Math.sin(a);
        di[k] += re[t]! * Math.sin(a) + im[t]! * Math.cos(a);
      }
    fft(re, im);
    for (let k = 0; k < n; k++) {
      expect(re[k]).toBeCloseTo(dr[k]!, 9);
      expect(im[k]).toBeCloseTo(di[k]!, 9);
    }
    expect(() => fft(new Float64Array(6), new Float64Array(6))).toThrow(/power of two, got 6/);
  });

  it('a pure tone peaks at bin f·N/sr', () => {
    const sr = 8000,
      f = 1000;
    const x = Float32Array.from({ length: 2048 }, (_, i) => Math.sin((2 * Math.PI * f * i) / sr));
    const s = spectrogram(x, { frameLength: 256, hop: 128 });
    expect(s.frames).toBe(15);
    expect(s.bins).toBe(129);
    const frame = Array.from(s.data.subarray(5 * s.bins, 6 * s.bins));
    expect(frame.indexOf(Math.max(...frame))).toBe((f * 256) / sr);
  });
});

describe('signals and trigger-word clips', () => {
  it('waveforms: balanced classes, deterministic', () => {
    const a = generateWaveforms({ count: 8, length: 64, seed: 1 });
    const b = generateWaveforms({ count: 8, length: 64, seed: 1 });
    expect(a.signals.shape).toEqual([8, 64, 1]);
    expect(Array.from(a.labels.dataSync())).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    expect(Array.from(a.signals.dataSync())).toEqual(Array.from(b.signals.dataSync()));
    // the noiseless square wave takes only two values
    const sq = generateWaveforms({ count: 2, length: 64, noise: 0, seed: 2 });
    expect(new Set(Array.from(sq.signals.dataSync().subarray(64, 128), (v) => v.toFixed(6))).size).toBe(2);
    tf.dispose([a.signals, a.labels, b.signals, b.labels, sq.signals, sq.labels]);
  });

  it('labels are ones right after each trigger word, zeros elsewhere; the trigger sweeps upward', () => {
    const before = tf.memory().numTensors;
    const batch = generateTriggerClips({ count: 12, seed: 5, triggers: [1, 2], distractors: [1, 2] });
    const frames = batch.spectrograms.shape[1];
    expect(batch.spectrograms.shape).toEqual([12, frames, 129]);
    expect(frames).toBe(Math.floor((16000 - 256) / 128) + 1);
    for (const clip of batch.clips) {
      const expected = new Float32Array(frames);
      const sorted = [...clip.words].sort((a, b) => a.start - b.start);
      for (let i = 1; i < sorted.length; i++)
        expect(sorted[i]!.start).toBeGreaterThanOrEqual(sorted[i - 1]!.end);
      for (const w of clip.words)
        if (w.kind === 'trigger')
          for (let t = Math.ceil(w.end / 128); t < Math.min(frames, Math.ceil(w.end / 128) + 10); t++)
            expected[t] = 1;
      expect(Array.from(clip.labels)).toEqual(Array.from(expected));
      // the strongest bin rises across a trigger word (600 → 1800 Hz) and stays flat within a distractor's first third
      const trig = clip.words.find((w) => w.kind === 'trigger')!;
      const spec = spectrogram(clip.audio, { frameLength: 256, hop: 128 });
      const peak = (sample: number) => {
        const t = Math.floor(sample / 128);
        const row = Array.from(spec.data.subarray(t * 129, (t + 1) * 129));
        return row.indexOf(Math.max(...row));
      };
      const len = trig.end - trig.start;
      expect(peak(trig.start + 0.7 * len)).toBeGreaterThan(peak(trig.start + 0.25 * len) + 5);
    }
    tf.dispose([batch.spectrograms, batch.labels]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses clips too short for their words', () => {
    expect(() =>
      generateTriggerClips({ count: 1, seconds: 0.5, triggers: [1, 1], distractors: [2, 2] }),
    ).toThrow(/do not fit/);
  });
});
