// The real-recording half of lib/data/signals: decimation, finding the word in a recording, and
// mixing words into backgrounds with labels after each trigger word. References are hand-made
// signals whose answers are known by construction.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  changeSpeed,
  downsample,
  mixTriggerClips,
  rms,
  spectrogram,
  speechSpan,
  triggerFrameLabels,
} from '../../../lib/data/signals';

describe('downsample and rms', () => {
  it('averages runs of `factor` samples and drops a partial run', () => {
    expect(Array.from(downsample(new Float32Array([1, 3, 5, 7, 9]), 2))).toEqual([2, 6]);
    expect(() => downsample(new Float32Array(4), 0)).toThrow(/factor must be a positive integer, got 0/);
  });
  it('rms of a constant is its magnitude', () => {
    expect(rms(new Float32Array([-3, 3, -3, 3]))).toBe(3);
    expect(rms(new Float32Array(0))).toBe(0);
  });
});

describe('spectrogram', () => {
  it('gives each frame the Hann-windowed power of a direct DFT, the odd last frame too', () => {
    // 31 frames of 64 samples every 32: frames are transformed two at a time, the last alone.
    const x = Float32Array.from(
      { length: 1032 },
      (_, i) => Math.sin(i * 0.37) + 0.3 * Math.cos(i * 1.9) + (i % 7) * 0.05,
    );
    const s = spectrogram(x, { frameLength: 64, hop: 32, log: false });
    const logged = spectrogram(x, { frameLength: 64, hop: 32 });
    expect([s.frames, s.bins]).toEqual([31, 33]);
    for (const t of [0, 1, 2, 17, 29, 30])
      for (let k = 0; k < 33; k++) {
        let re = 0,
          im = 0;
        for (let n = 0; n < 64; n++) {
          const v = (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / 64)) * x[t * 32 + n]!;
          re += v * Math.cos((-2 * Math.PI * k * n) / 64);
          im += v * Math.sin((-2 * Math.PI * k * n) / 64);
        }
        const power = re * re + im * im;
        expect(s.data[t * 33 + k]!).toBeCloseTo(power, Math.max(0, 4 - Math.ceil(Math.log10(power + 1))));
        expect(logged.data[t * 33 + k]!).toBeCloseTo(Math.log(1e-10 + power), 4);
      }
  });
});

describe('changeSpeed', () => {
  const ramp = new Float32Array([0, 10, 20, 30]);
  it('reads sample i at i · speed, interpolating linearly', () => {
    // By hand: speed 2 keeps positions 0, 2; speed 0.5 reads 0, 0.5, 1, …, 3 (then holds the last sample).
    expect(Array.from(changeSpeed(ramp, 2))).toEqual([0, 20]);
    expect(Array.from(changeSpeed(ramp, 0.5))).toEqual([0, 5, 10, 15, 20, 25, 30, 30]);
    // round(5 / 1.5) = 3 samples at positions 0, 1.5, 3 of [4, 0, 8, 2, 6]: 4, (0 + 8) / 2, 2.
    expect(Array.from(changeSpeed(new Float32Array([4, 0, 8, 2, 6]), 1.5))).toEqual([4, 4, 2]);
    expect(Array.from(changeSpeed(ramp, 1))).toEqual([0, 10, 20, 30]);
  });
  it('refuses a speed that is not a positive number', () => {
    expect(() => changeSpeed(ramp, 0)).toThrow(/speed must be a positive number, got 0/);
    expect(() => changeSpeed(ramp, Number.NaN)).toThrow(/speed must be a positive number/);
  });
  it('refuses an empty signal instead of inventing a sample', () => {
    expect(() => changeSpeed(new Float32Array(0), 1.1)).toThrow(/changeSpeed: the signal is empty/);
  });
});

describe('speechSpan', () => {
  /** Quiet noise-like ripple with a loud burst over samples [start, end), and a short gap inside it. */
  const recording = (start: number, end: number, gapAt = -1) =>
    Float32Array.from(
      { length: 1000 },
      (_, i) => (i >= start && i < end && !(i >= gapAt && i < gapAt + 20) ? 0.8 : 0.01) * (i % 2 ? 1 : -1),
    );
  it('finds the loud part to the frame', () => {
    expect(speechSpan(recording(300, 600), 10)).toEqual({ start: 300, end: 600 });
  });
  it('bridges a short quiet gap inside the word but not a long silence', () => {
    expect(speechSpan(recording(300, 600, 400), 10)).toEqual({ start: 300, end: 600 });
    // a second burst 300 samples (30 frames) after the first is not part of the word
    const two = recording(100, 200);
    for (let i = 500; i < 540; i++) two[i] = 0.5;
    expect(speechSpan(two, 10)).toEqual({ start: 100, end: 200 });
  });
  it('refuses silence and a too short signal', () => {
    expect(() => speechSpan(new Float32Array(100), 10)).toThrow(/silent/);
    expect(() => speechSpan(new Float32Array(5), 10)).toThrow(/shorter than one frame/);
  });
});

describe('triggerFrameLabels', () => {
  it('puts ones on the frames starting at or after each trigger word ends', () => {
    const labels = triggerFrameLabels(
      [
        { kind: 'trigger', start: 0, end: 250 }, // frames start at 0, 100, 200, …: first at or after 250 is 3
        { kind: 'distractor', start: 300, end: 500 },
        { kind: 'trigger', start: 600, end: 800 },
      ],
      12,
      100,
      2,
    );
    expect(Array.from(labels)).toEqual([0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0]);
  });
});

describe('mixTriggerClips', () => {
  const rate = 1000,
    frameLength = 16,
    hop = 8;
  // a "trigger" of constant 1, an "other word" of constant -1, a background of ±0.1
  const triggers = [new Float32Array(100).fill(1)];
  const negatives = [new Float32Array(150).fill(-1)];
  const backgrounds = [Float32Array.from({ length: 5000 }, (_, i) => (i % 2 ? 0.1 : -0.1))];
  const oneSecond = { triggers, negatives, backgrounds, sampleRate: rate, seconds: 1, frameLength, hop };

  it('pastes every word at its recorded place and level, and labels the frames after each trigger', () => {
    const batch = mixTriggerClips({
      ...oneSecond,
      count: 6,
      triggersPerClip: [1, 1],
      negativesPerClip: [1, 2],
      snrDb: [20, 20],
      gap: 0.05,
      labelFrames: 3,
      seed: 7,
    });
    try {
      expect(batch.spectrograms.shape).toEqual([6, Math.floor((1000 - 16) / 8) + 1, 9]);
      for (const clip of batch.clips) {
        const sorted = [...clip.words].sort((a, b) => a.start - b.start);
        expect(sorted.filter((w) => w.kind === 'trigger')).toHaveLength(1);
        for (let i = 1; i < sorted.length; i++)
          expect(sorted[i]!.start).toBeGreaterThanOrEqual(sorted[i - 1]!.end + 50);
        for (const w of sorted) {
          expect(w.end - w.start).toBe(w.kind === 'trigger' ? 100 : 150);
          // 20 dB: the word's RMS is 10 times the background's (0.1), so the samples are ±1·10·0.1 ± 0.1
          const mid = clip.audio[(w.start + w.end) >> 1]!;
          expect(Math.abs(Math.abs(mid) - 1)).toBeLessThan(0.1 + 1e-6);
          expect(Math.sign(mid)).toBe(w.kind === 'trigger' ? 1 : -1);
        }
        const end = sorted.find((w) => w.kind === 'trigger')!.end;
        const ones = Array.from(clip.labels).flatMap((v, t) => (v ? [t] : []));
        const first = Math.ceil(end / hop);
        expect(ones).toEqual([first, first + 1, first + 2].filter((t) => t < clip.labels.length));
      }
      expect(Array.from(batch.labels.dataSync().slice(0, batch.clips[0]!.labels.length))).toEqual(
        Array.from(batch.clips[0]!.labels),
      );
    } finally {
      tf.dispose([batch.spectrograms, batch.labels]);
    }
  });

  it('plays each word at a speed drawn from the range: 1/speed as long', () => {
    const lengths = (speed: [number, number]) => {
      const b = mixTriggerClips({
        ...oneSecond,
        count: 8,
        triggersPerClip: [1, 1],
        negativesPerClip: [1, 1],
        speed,
        seed: 5,
      });
      tf.dispose([b.spectrograms, b.labels]);
      return b.clips.flatMap((c) => c.words.map((w) => ({ kind: w.kind, length: w.end - w.start })));
    };
    // 100 and 150 samples at speed 2: 50 and 75; at speed 0.5: 200 and 300.
    for (const w of lengths([2, 2])) expect(w.length).toBe(w.kind === 'trigger' ? 50 : 75);
    for (const w of lengths([0.5, 0.5])) expect(w.length).toBe(w.kind === 'trigger' ? 200 : 300);
    const drawn = lengths([0.8, 1.25])
      .filter((w) => w.kind === 'trigger')
      .map((w) => w.length);
    for (const n of drawn) {
      expect(n).toBeGreaterThanOrEqual(80);
      expect(n).toBeLessThanOrEqual(125);
    }
    expect(new Set(drawn).size).toBeGreaterThan(1);
    expect(() => lengths([1.2, 0.8])).toThrow(
      /speed must be a range \[lo, hi\] with 0 < lo <= hi, got \[1.2, 0.8\]/,
    );
  });

  it('is repeatable for a seed and differs for another', () => {
    const make = (seed: number) => {
      const b = mixTriggerClips({
        ...oneSecond,
        count: 3,
        seed,
      });
      tf.dispose([b.spectrograms, b.labels]);
      return b.clips.map((c) => c.words.map((w) => `${w.kind}@${w.start}`).join(',')).join('|');
    };
    expect(make(3)).toBe(make(3));
    expect(make(3)).not.toBe(make(4));
  });

  it('refuses words that cannot fit and backgrounds shorter than a clip', () => {
    expect(() =>
      mixTriggerClips({
        count: 1,
        triggers,
        negatives,
        backgrounds,
        sampleRate: rate,
        seconds: 0.3,
        triggersPerClip: [1, 1],
        negativesPerClip: [1, 1],
        seed: 1,
      }),
    ).toThrow(/2 words of up to 0\.15 s do not fit in 0\.3 s/);
    expect(() =>
      mixTriggerClips({
        count: 1,
        triggers,
        negatives,
        backgrounds: [new Float32Array(10)],
        sampleRate: rate,
        seconds: 1,
        seed: 1,
      }),
    ).toThrow(/background 0 has 10 samples, fewer than one clip \(1000\)/);
  });
});
