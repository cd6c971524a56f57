/**
 * 1D data for the 1D-convolution and trigger-word lesson: a spectrogram built on a small
 * radix-2 FFT; trigger-word clips mixed from real recordings (spoken words pasted onto real
 * background noise, see ./speech) with per-time-step labels; and, for tests and quick
 * experiments, generated stand-ins (labelled waveforms; clips whose "words" are tone patterns).
 * Seeded and deterministic.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, type Rng } from './random';

// ---------------------------------------------------------------- FFT

/** cos and sin of −2πk/n for k < n/2, per n: the FFT's twiddle factors, computed once per size. */
const twiddleTables = new Map<number, { cos: Float64Array; sin: Float64Array }>();

function twiddles(n: number): { cos: Float64Array; sin: Float64Array } {
  let table = twiddleTables.get(n);
  if (!table) {
    const half = n >> 1;
    table = { cos: new Float64Array(half), sin: new Float64Array(half) };
    for (let k = 0; k < half; k++) {
      table.cos[k] = Math.cos((-2 * Math.PI * k) / n);
      table.sin[k] = Math.sin((-2 * Math.PI * k) / n);
    }
    twiddleTables.set(n, table);
  }
  return table;
}

/**
 * In-place iterative radix-2 FFT of a complex signal.
 *
 * @param re - real parts (length a power of two).
 * @param im - imaginary parts, same length.
 */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (n !== im.length)
    throw new Error(`fft: real and imaginary parts differ in length (${n} vs ${im.length})`);
  if (n === 0 || (n & (n - 1)) !== 0) throw new Error(`fft: length must be a power of two, got ${n}`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      // plain swaps: a destructuring swap allocates an array per element
      const r = re[i]!,
        m = im[i]!;
      re[i] = re[j]!;
      im[i] = im[j]!;
      re[j] = r;
      im[j] = m;
    }
  }
  const { cos, sin } = twiddles(n);
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1,
      step = n / len;
    for (let start = 0; start < n; start += len) {
      for (let k = 0; k < half; k++) {
        const a = start + k,
          b = a + half;
        const cr = cos[k * step]!,
          ci = sin[k * step]!;
        const tr = re[b]! * cr - im[b]! * ci,
          ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
    }
  }
}

/** Options for {@link spectrogram}. */
export interface SpectrogramOptions {
  /** Samples per frame, a power of two (default 256). */
  frameLength?: number;
  /** Samples between frame starts (default frameLength / 2). */
  hop?: number;
  /** Return log(1e-10 + power) instead of power (default true). */
  log?: boolean;
}

/**
 * Short-time power spectrum with a Hann window: [frames, frameLength / 2 + 1],
 * frame t covering samples [t·hop, t·hop + frameLength).
 */
export function spectrogram(
  signal: Float32Array | Float64Array,
  options: SpectrogramOptions = {},
): { data: Float32Array; frames: number; bins: number } {
  const frameLength = options.frameLength ?? 256;
  const hop = options.hop ?? frameLength / 2;
  if (!Number.isInteger(hop) || hop < 1)
    throw new Error(`spectrogram: hop must be a positive integer, got ${hop}`);
  if (signal.length < frameLength)
    throw new Error(
      `spectrogram: signal of ${signal.length} samples is shorter than one frame (${frameLength})`,
    );
  const frames = Math.floor((signal.length - frameLength) / hop) + 1;
  const bins = frameLength / 2 + 1;
  const window = Float64Array.from(
    { length: frameLength },
    (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / frameLength),
  );
  const data = new Float32Array(frames * bins);
  const log = options.log ?? true;
  const store = (t: number, k: number, p: number) => {
    data[t * bins + k] = log ? Math.log(1e-10 + p) : p;
  };
  const re = new Float64Array(frameLength),
    im = new Float64Array(frameLength);
  // Two real frames per complex FFT: frame t as the real part, frame t + 1 as the imaginary
  // part; since a real signal's transform is conjugate-symmetric, Z = X + iY splits into
  // X[k] = (Z[k] + conj Z[n−k]) / 2 and Y[k] = (Z[k] − conj Z[n−k]) / 2i.
  for (let t = 0; t < frames; t += 2) {
    const pair = t + 1 < frames;
    for (let i = 0; i < frameLength; i++) {
      re[i] = signal[t * hop + i]! * window[i]!;
      im[i] = pair ? signal[(t + 1) * hop + i]! * window[i]! : 0;
    }
    fft(re, im);
    for (let k = 0; k < bins; k++) {
      const m = (frameLength - k) % frameLength;
      const xr = re[k]! + re[m]!,
        xi = im[k]! - im[m]!;
      store(t, k, (xr * xr + xi * xi) / 4);
      if (pair) {
        const yr = im[k]! + im[m]!,
          yi = re[k]! - re[m]!;
        store(t + 1, k, (yr * yr + yi * yi) / 4);
      }
    }
  }
  return { data, frames, bins };
}

// ---------------------------------------------------------------- waveforms

/** Waveform classes of {@link generateWaveforms}. */
export const WAVEFORM_CLASSES = ['sine', 'square', 'sawtooth', 'triangle'] as const;

/**
 * Labelled periodic signals with random frequency, phase, amplitude and noise:
 * signals [count, length, 1], labels [count] indexing {@link WAVEFORM_CLASSES}.
 * The caller disposes both.
 */
export function generateWaveforms(options: {
  count: number;
  length?: number;
  noise?: number;
  seed?: number;
}): { signals: tf.Tensor3D; labels: tf.Tensor1D } {
  const { count } = options;
  const length = options.length ?? 128;
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`generateWaveforms: count must be a positive integer, got ${count}`);
  if (!Number.isInteger(length) || length < 8)
    throw new Error(`generateWaveforms: length must be an integer >= 8, got ${length}`);
  const rng = createRng(options.seed ?? 0);
  const noise = options.noise ?? 0.1;
  const data = new Float32Array(count * length);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const cls = n % WAVEFORM_CLASSES.length; // balanced, in order
    labels[n] = cls;
    const period = rng.uniform(8, length / 3);
    const phase = rng.next();
    const amp = rng.uniform(0.5, 1);
    for (let t = 0; t < length; t++) {
      const u = (t / period + phase) % 1;
      const v =
        cls === 0
          ? Math.sin(2 * Math.PI * u)
          : cls === 1
            ? u < 0.5
              ? 1
              : -1
            : cls === 2
              ? 2 * u - 1
              : 1 - 4 * Math.abs(u - 0.5);
      data[n * length + t] = amp * v + noise * rng.normal();
    }
  }
  return { signals: tf.tensor3d(data, [count, length, 1]), labels: tf.tensor1d(labels, 'int32') };
}

// ---------------------------------------------------------------- trigger-word clips

/** Options for {@link generateTriggerClips}. */
export interface TriggerClipOptions {
  count: number;
  /** Samples per second (default 8000). */
  sampleRate?: number;
  /** Clip length in seconds (default 2). */
  seconds?: number;
  /** Trigger words per clip, inclusive range (default [0, 2]). */
  triggers?: [number, number];
  /** Distractor words per clip, inclusive range (default [1, 3]). */
  distractors?: [number, number];
  /** Spectrogram frame length (default 256) and hop (default 128). */
  frameLength?: number;
  hop?: number;
  /** Spectrogram frames labelled 1 after each trigger word ends (default 10). */
  labelFrames?: number;
  /** Background noise level (default 0.05). */
  noise?: number;
  seed?: number;
}

/** A word placed in a clip. */
export interface PlacedWord {
  kind: 'trigger' | 'distractor';
  /** First and one-past-last sample. */
  start: number;
  end: number;
}

/** One generated clip. */
export interface TriggerClip {
  /** The waveform, in about -1..1. */
  audio: Float32Array;
  words: PlacedWord[];
  /** Per spectrogram frame: 1 during the `labelFrames` frames after a trigger word ends, else 0. */
  labels: Float32Array;
}

/** The clips as tensors ready for a 1D-conv/GRU model, plus the clips themselves. */
export interface TriggerClipBatch {
  /** [count, frames, bins] log-power spectrograms. */
  spectrograms: tf.Tensor3D;
  /** [count, frames] per-step labels. */
  labels: tf.Tensor2D;
  clips: TriggerClip[];
  sampleRate: number;
  frameLength: number;
  hop: number;
}

const WORD_SECONDS = 0.3;

/** The trigger word: a rising chirp from 600 to 1800 Hz with a second harmonic, smooth envelope. */
function trigger(sampleRate: number, out: Float32Array, start: number, length: number, gain: number): void {
  let phase = 0;
  for (let i = 0; i < length; i++) {
    const u = i / length;
    const f = 600 + 1200 * u;
    phase += (2 * Math.PI * f) / sampleRate;
    const env = Math.sin(Math.PI * u) ** 2;
    out[start + i] = out[start + i]! + gain * env * (Math.sin(phase) + 0.4 * Math.sin(2 * phase));
  }
}

/** A distractor word: two or three steady tones in sequence, never a rising sweep. */
function distractor(
  rng: Rng,
  sampleRate: number,
  out: Float32Array,
  start: number,
  length: number,
  gain: number,
): void {
  const parts = rng.int(2, 3);
  const tones = Array.from({ length: parts }, () => rng.uniform(300, 2500));
  let phase = 0;
  for (let i = 0; i < length; i++) {
    const u = i / length;
    const f = tones[Math.min(parts - 1, Math.floor(u * parts))]!;
    phase += (2 * Math.PI * f) / sampleRate;
    const env = Math.sin(Math.PI * u) ** 2;
    out[start + i] = out[start + i]! + gain * env * Math.sin(phase);
  }
}

/**
 * Generates trigger-word clips: noise, distractor words and trigger words at
 * non-overlapping random positions, the spectrogram of each clip and its per-frame
 * labels (Ng's convention: ones right after each trigger word ends). The caller
 * disposes the tensors.
 */
export function generateTriggerClips(options: TriggerClipOptions): TriggerClipBatch {
  const { count } = options;
  const sampleRate = options.sampleRate ?? 8000;
  const samples = Math.round((options.seconds ?? 2) * sampleRate);
  const frameLength = options.frameLength ?? 256;
  const hop = options.hop ?? frameLength / 2;
  const labelFrames = options.labelFrames ?? 10;
  const [minT, maxT] = options.triggers ?? [0, 2];
  const [minD, maxD] = options.distractors ?? [1, 3];
  const wordLength = Math.round(WORD_SECONDS * sampleRate);
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`generateTriggerClips: count must be a positive integer, got ${count}`);
  if ((maxT + maxD) * wordLength > samples) {
    throw new Error(
      `generateTriggerClips: ${maxT + maxD} words of ${WORD_SECONDS} s do not fit in ${samples / sampleRate} s`,
    );
  }
  const rng = createRng(options.seed ?? 0);
  const noise = options.noise ?? 0.05;
  const clips: TriggerClip[] = [];
  for (let n = 0; n < count; n++) {
    const audio = new Float32Array(samples);
    for (let i = 0; i < samples; i++) audio[i] = noise * rng.normal();
    const kinds: Array<'trigger' | 'distractor'> = [
      ...Array<'trigger'>(rng.int(minT, maxT)).fill('trigger'),
      ...Array<'distractor'>(rng.int(minD, maxD)).fill('distractor'),
    ];
    // shuffle the words, then share the free time randomly between the gaps
    for (let i = kinds.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
    }
    const free = samples - kinds.length * wordLength;
    const cuts = Array.from({ length: kinds.length }, () => Math.floor(rng.next() * free)).sort(
      (a, b) => a - b,
    );
    const words: PlacedWord[] = kinds.map((kind, i) => {
      const start = cuts[i]! + i * wordLength;
      const gain = rng.uniform(0.3, 0.7);
      if (kind === 'trigger') trigger(sampleRate, audio, start, wordLength, gain);
      else distractor(rng, sampleRate, audio, start, wordLength, gain);
      return { kind, start, end: start + wordLength };
    });
    clips.push({ audio, words, labels: new Float32Array(0) });
  }
  return clipBatch(clips, sampleRate, frameLength, hop, labelFrames);
}

/** Spectrograms and per-frame labels of placed clips (labels filled in here), as tensors. */
function clipBatch(
  clips: TriggerClip[],
  sampleRate: number,
  frameLength: number,
  hop: number,
  labelFrames: number,
): TriggerClipBatch {
  let frames = 0,
    bins = 0;
  const specs: Float32Array[] = [];
  for (const clip of clips) {
    const spec = spectrogram(clip.audio, { frameLength, hop });
    frames = spec.frames;
    bins = spec.bins;
    clip.labels = triggerFrameLabels(clip.words, frames, hop, labelFrames);
    specs.push(spec.data);
  }
  const count = clips.length;
  const all = new Float32Array(count * frames * bins);
  specs.forEach((s, i) => all.set(s, i * frames * bins));
  const labelData = new Float32Array(count * frames);
  clips.forEach((c, i) => labelData.set(c.labels, i * frames));
  return {
    spectrograms: tf.tensor3d(all, [count, frames, bins]),
    labels: tf.tensor2d(labelData, [count, frames]),
    clips,
    sampleRate,
    frameLength,
    hop,
  };
}

/**
 * Per spectrogram frame: 1 during the `labelFrames` frames that start at or after the end of a
 * trigger word, else 0 (frame t starts at sample t·hop).
 */
export function triggerFrameLabels(
  words: PlacedWord[],
  frames: number,
  hop: number,
  labelFrames: number,
): Float32Array {
  const labels = new Float32Array(frames);
  for (const w of words) {
    if (w.kind !== 'trigger') continue;
    const first = Math.ceil(w.end / hop);
    for (let t = first; t < Math.min(frames, first + labelFrames); t++) labels[t] = 1;
  }
  return labels;
}

// ---------------------------------------------------------------- real recordings

/**
 * Low-pass and decimate: the mean of each run of `factor` samples (a box filter, which
 * attenuates what would fold back above the new Nyquist frequency), so 16 kHz speech becomes
 * 8 kHz with `factor` 2. A trailing partial run is dropped.
 */
export function downsample(signal: Float32Array, factor: number): Float32Array {
  if (!Number.isInteger(factor) || factor < 1)
    throw new Error(`downsample: factor must be a positive integer, got ${factor}`);
  const out = new Float32Array(Math.floor(signal.length / factor));
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let k = 0; k < factor; k++) sum += signal[i * factor + k]!;
    out[i] = sum / factor;
  }
  return out;
}

/** Root mean square of a signal (0 for an empty one). */
export function rms(signal: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < signal.length; i++) sum += signal[i]! * signal[i]!;
  return signal.length ? Math.sqrt(sum / signal.length) : 0;
}

/**
 * Where the speech is in a one-word recording: the first and one-past-last sample of the run
 * of frames (of `frameLength` samples) around the loudest one whose RMS stays above
 * floor + `threshold` · (peak − floor), the floor being the quietest tenth of the frames'
 * median RMS; quiet gaps up to `maxGap` frames inside the word are bridged. Speech Commands
 * clips are one second long with the word somewhere in them and background around it; this
 * finds the word, hence when it ends.
 */
export function speechSpan(
  samples: Float32Array,
  frameLength: number,
  threshold = 0.15,
  maxGap = 4,
): { start: number; end: number } {
  if (!Number.isInteger(frameLength) || frameLength < 1)
    throw new Error(`speechSpan: frameLength must be a positive integer, got ${frameLength}`);
  const frames = Math.floor(samples.length / frameLength);
  if (frames === 0)
    throw new Error(`speechSpan: ${samples.length} samples, shorter than one frame (${frameLength})`);
  const level = Array.from({ length: frames }, (_, t) =>
    rms(samples.subarray(t * frameLength, (t + 1) * frameLength)),
  );
  const sorted = [...level].sort((x, y) => x - y);
  const floor = sorted[Math.floor(frames / 20)]!;
  const peakAt = level.indexOf(sorted[frames - 1]!);
  const peak = level[peakAt]!;
  if (peak === 0) throw new Error('speechSpan: the recording is silent');
  const loud = level.map((l) => l >= floor + threshold * (peak - floor));
  const extend = (from: number, step: number): number => {
    let last = from,
      quiet = 0;
    for (let t = from + step; t >= 0 && t < frames; t += step) {
      if (loud[t]) {
        last = t;
        quiet = 0;
      } else if (++quiet > maxGap) break;
    }
    return last;
  };
  return { start: extend(peakAt, -1) * frameLength, end: (extend(peakAt, 1) + 1) * frameLength };
}

/** Options for {@link mixTriggerClips}. */
export interface MixOptions {
  count: number;
  /** Recordings of the trigger word, already cut to the spoken part (see {@link speechSpan}). */
  triggers: Float32Array[];
  /** Recordings of other words, cut the same way. */
  negatives: Float32Array[];
  /** Background recordings, each at least one clip long. */
  backgrounds: Float32Array[];
  sampleRate: number;
  /** Clip length in seconds. */
  seconds: number;
  /** Trigger words per clip, inclusive range (default [0, 2]). */
  triggersPerClip?: [number, number];
  /** Other words per clip, inclusive range (default [0, 2]). */
  negativesPerClip?: [number, number];
  /** Speech-to-background ratio in dB (RMS of the word over RMS of the background), range (default [0, 15]). */
  snrDb?: [number, number];
  /** Smallest silence between two words, in seconds (default 0.1). */
  gap?: number;
  /** Spectrogram frame length (default 256) and hop (default 128). */
  frameLength?: number;
  hop?: number;
  /** Spectrogram frames labelled 1 after each trigger word ends (default 25). */
  labelFrames?: number;
  /**
   * Playback-speed range for each pasted word (default: none, words as recorded). A word played
   * at speed s is 1/s as long and s times higher in pitch, much as another speaker's voice
   * differs (see {@link changeSpeed}).
   */
  speed?: [number, number];
  seed: number;
}

/**
 * The signal played `speed` times faster: round(n / speed) samples, sample i read at position
 * i · speed by linear interpolation between its two neighbours (so speed 2 keeps every other
 * sample, speed 0.5 puts each neighbours' mean between them). Shifts every frequency by the
 * factor `speed` and shortens the signal by it.
 * @throws Error when `speed` is not a positive finite number or the signal is empty.
 */
export function changeSpeed(signal: Float32Array, speed: number): Float32Array {
  if (!(speed > 0) || !Number.isFinite(speed))
    throw new Error(`changeSpeed: speed must be a positive number, got ${speed}`);
  if (signal.length === 0) throw new Error('changeSpeed: the signal is empty');
  const out = new Float32Array(Math.max(1, Math.round(signal.length / speed)));
  const last = signal.length - 1;
  for (let i = 0; i < out.length; i++) {
    const at = Math.min(i * speed, last);
    const k = Math.floor(at);
    const frac = at - k;
    out[i] = frac === 0 ? signal[k]! : signal[k]! * (1 - frac) + signal[k + 1]! * frac;
  }
  return out;
}

/**
 * Trigger-word training clips from real recordings: a random stretch of a random background
 * recording, with trigger words and other words pasted at random non-overlapping times, each
 * at a random speech-to-background ratio; then the log spectrogram and the per-frame labels
 * (ones right after each trigger word ends). The caller disposes the tensors.
 *
 * @throws Error when the words asked for cannot fit in a clip, a list is empty, or a background is too short.
 */
export function mixTriggerClips(options: MixOptions): TriggerClipBatch {
  const { count, triggers, negatives, backgrounds, sampleRate } = options;
  const samples = Math.round(options.seconds * sampleRate);
  const frameLength = options.frameLength ?? 256;
  const hop = options.hop ?? frameLength / 2;
  const [minT, maxT] = options.triggersPerClip ?? [0, 2];
  const [minN, maxN] = options.negativesPerClip ?? [0, 2];
  const [snrLo, snrHi] = options.snrDb ?? [0, 15];
  const gap = Math.round((options.gap ?? 0.1) * sampleRate);
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`mixTriggerClips: count must be a positive integer, got ${count}`);
  if (triggers.length === 0 || (maxN > 0 && negatives.length === 0) || backgrounds.length === 0) {
    throw new Error(
      `mixTriggerClips: needs trigger recordings (${triggers.length}), negatives (${negatives.length}) and backgrounds (${backgrounds.length})`,
    );
  }
  const [slowest, fastest] = options.speed ?? [1, 1];
  if (!(slowest > 0) || !(fastest >= slowest))
    throw new Error(
      `mixTriggerClips: speed must be a range [lo, hi] with 0 < lo <= hi, got [${slowest}, ${fastest}]`,
    );
  const longest = Math.ceil(
    Math.max(...triggers.map((t) => t.length), ...negatives.map((t) => t.length)) / slowest,
  );
  if ((maxT + maxN) * (longest + gap) > samples) {
    throw new Error(
      `mixTriggerClips: ${maxT + maxN} words of up to ${(longest / sampleRate).toFixed(2)} s do not fit in ${options.seconds} s`,
    );
  }
  const short = backgrounds.findIndex((b) => b.length < samples);
  if (short >= 0)
    throw new Error(
      `mixTriggerClips: background ${short} has ${backgrounds[short]!.length} samples, fewer than one clip (${samples})`,
    );
  const rng = createRng(options.seed);
  const clips: TriggerClip[] = [];
  for (let n = 0; n < count; n++) {
    const bg = rng.pick(backgrounds);
    const offset = rng.int(0, bg.length - samples);
    const audio = Float32Array.from(bg.subarray(offset, offset + samples));
    const bgLevel = Math.max(rms(audio), 1e-4);
    const picked: Array<{ kind: 'trigger' | 'distractor'; wave: Float32Array }> = [
      ...Array.from({ length: rng.int(minT, maxT) }, () => ({
        kind: 'trigger' as const,
        wave: rng.pick(triggers),
      })),
      ...Array.from({ length: rng.int(minN, maxN) }, () => ({
        kind: 'distractor' as const,
        wave: rng.pick(negatives),
      })),
    ];
    for (let i = picked.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [picked[i], picked[j]] = [picked[j]!, picked[i]!];
    }
    if (options.speed) for (const p of picked) p.wave = changeSpeed(p.wave, rng.uniform(slowest, fastest));
    // share the free time randomly between the gaps before, between and after the words
    const free = samples - picked.reduce((s, p) => s + p.wave.length + gap, 0);
    const cuts = Array.from({ length: picked.length }, () => Math.floor(rng.next() * free)).sort(
      (a, b) => a - b,
    );
    let used = 0;
    const words: PlacedWord[] = picked.map((p, i) => {
      const start = cuts[i]! + used;
      used += p.wave.length + gap;
      const snr = rng.uniform(snrLo, snrHi);
      const gain = (bgLevel * 10 ** (snr / 20)) / Math.max(rms(p.wave), 1e-6);
      for (let k = 0; k < p.wave.length; k++) audio[start + k] = audio[start + k]! + gain * p.wave[k]!;
      return { kind: p.kind, start, end: start + p.wave.length };
    });
    clips.push({ audio, words, labels: new Float32Array(0) });
  }
  return clipBatch(clips, sampleRate, frameLength, hop, options.labelFrames ?? 25);
}
