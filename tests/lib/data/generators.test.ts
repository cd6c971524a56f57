// Generated detection scenes and signals: determinism, labels consistent with pixels and
// samples, the FFT against a direct float64 DFT.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { SHAPE_CLASSES, generateDetectionScenes } from '../../../lib/data/scenes';
import { encodeYoloTargets, iou } from '../../../lib/detection';
import { fft, generateTriggerClips, generateWaveforms, spectrogram } from '../../../lib/data/signals';

describe('detection scenes', () => {
  const grid = 4;
  const anchors = [
    { w: 0.9, h: 0.9 },
    { w: 2, h: 2 },
  ];

  it('is deterministic for a seed and differs between seeds', () => {
    const a = generateDetectionScenes({ count: 3, seed: 7, grid, anchors });
    const b = generateDetectionScenes({ count: 3, seed: 7, grid, anchors });
    const c = generateDetectionScenes({ count: 3, seed: 8, grid, anchors });
    expect(Array.from(a.images.dataSync())).toEqual(Array.from(b.images.dataSync()));
    expect(a.objects).toEqual(b.objects);
    expect(Array.from(a.images.dataSync())).not.toEqual(Array.from(c.images.dataSync()));
    tf.dispose([a.images, b.images, c.images]);
  });

  it('boxes are squares of 10 to 36 pixels inside the image, apart, one per YOLO slot; pixels agree', () => {
    const before = tf.memory().numTensors;
    const n = 60;
    const { images, objects } = generateDetectionScenes({ count: n, seed: 3, grid, anchors });
    expect(images.shape).toEqual([n, 64, 64, 3]);
    const px = images.dataSync();
    const classes = new Set<number>();
    const counts = new Set<number>();
    objects.forEach((objs, k) => {
      counts.add(objs.length);
      for (const [i, o] of objs.entries()) {
        classes.add(o.classId);
        const [x1, y1, x2, y2] = o.box.map((v) => v * 64) as [number, number, number, number];
        expect(Math.min(x1, y1)).toBeGreaterThanOrEqual(0);
        expect(Math.max(x2, y2)).toBeLessThanOrEqual(64 + 1e-9);
        expect(x2 - x1).toBeCloseTo(y2 - y1, 9);
        expect(x2 - x1).toBeGreaterThanOrEqual(10);
        expect(x2 - x1).toBeLessThanOrEqual(36);
        for (const other of objs.slice(i + 1)) expect(iou(o.box, other.box)).toBeLessThanOrEqual(0.1);
      }
      // the YOLO encoding holds one object per (cell, anchor): it throws on a shared slot
      encodeYoloTargets(objs, { grid, anchors, numClasses: 3 }).dispose();
      // a pixel outside every box is background: a dark colour (at most 0.5) plus noise up to 0.15
      for (let i = 0; i < 64; i += 3)
        for (let j = 0; j < 64; j += 3) {
          const [u, v] = [(j + 0.5) / 64, (i + 0.5) / 64];
          if (objs.some((o) => u >= o.box[0] && u <= o.box[2] && v >= o.box[1] && v <= o.box[3])) continue;
          for (let c = 0; c < 3; c++) expect(px[((k * 64 + i) * 64 + j) * 3 + c]).toBeLessThanOrEqual(0.65);
        }
    });
    expect([...counts].sort()).toEqual([1, 2, 3]);
    expect([...classes].sort()).toEqual([0, 1, 2]);
    expect(SHAPE_CLASSES).toEqual(['disc', 'square', 'triangle']);
    images.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a lone shape covers the area of a disc (π/4), a square (1) or a triangle (1/2) of its box, in one flat colour', () => {
    const { images, objects } = generateDetectionScenes({
      count: 40,
      seed: 11,
      grid,
      anchors,
      objects: [1, 1],
    });
    const px = images.dataSync();
    const share = [0, 1, 2].map(() => [] as number[]);
    objects.forEach(([o], k) => {
      const [x1, , x2, y2] = o!.box.map((v) => v * 64) as [number, number, number, number];
      const side = x2 - x1;
      if (side < 20) return; // small shapes: the border pixels weigh too much
      // the object's colour: its bottom-middle pixel, inside all three shapes
      const at = (i: number, j: number) => ((k * 64 + i) * 64 + j) * 3;
      const bottom = at(Math.floor(y2 - 2), Math.floor((x1 + x2) / 2));
      const colour = [px[bottom]!, px[bottom + 1]!, px[bottom + 2]!];
      expect(Math.min(...colour)).toBeGreaterThanOrEqual(0.5);
      let area = 0;
      for (let i = 0; i < 64; i++)
        for (let j = 0; j < 64; j++) if ([0, 1, 2].every((c) => px[at(i, j) + c] === colour[c])) area++;
      share[o!.classId]!.push(area / (side * side));
    });
    const expected = [Math.PI / 4, 1, 0.5];
    share.forEach((s, c) => {
      expect(s.length).toBeGreaterThan(3);
      for (const v of s) expect(Math.abs(v - expected[c]!)).toBeLessThan(0.12);
    });
    images.dispose();
  });

  it('refuses options that make no scene', () => {
    const base = { count: 1, seed: 1, grid, anchors };
    expect(() => generateDetectionScenes({ ...base, count: 0 })).toThrow(
      /count must be a positive integer, got 0/,
    );
    expect(() => generateDetectionScenes({ ...base, size: 4 })).toThrow(
      /size must be an integer >= 8, got 4/,
    );
    expect(() => generateDetectionScenes({ ...base, objects: [3, 1] })).toThrow(/objects .* got \[3, 1\]/);
    expect(() => generateDetectionScenes({ ...base, side: [10, 80] })).toThrow(
      /side .* \[1, 64\], got \[10, 80\]/,
    );
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
