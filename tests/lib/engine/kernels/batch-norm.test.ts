// The batch-norm gradient on wasm: x's derivative in one kernel, the others lazily, against
// TensorFlow.js's own gradient of FusedBatchNorm run on the same backend (the wasm backend's
// Rsqrt is not the cpu backend's, so neither gradient gives the cpu bits): the same bits,
// frozen (only x) and in training mode (every input), without leaks.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BATCH_NORM_GRAD_X,
  batchNormGradXInto,
  batchNormInto,
  tfjsBatchNormGradient,
} from '../../../../lib/engine/kernels/batch-norm';
import { relativeError, seeded } from '../../../helpers/numeric';

afterAll(async () => {
  await tf.setBackend('wasm');
});

const EPSILON = 0.001;

/** Values with zeros, a NaN and infinities among random ones. */
function awkward(count: number, seed: number): Float32Array {
  const values = seeded(count, seed);
  const specials = [0, -0, Number.NaN, Infinity, -Infinity];
  if (count > 20) specials.forEach((v, i) => (values[3 + 4 * i] = v));
  return values;
}

interface Inputs {
  x: tf.Tensor4D;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  scale: tf.Tensor1D;
  offset: tf.Tensor1D;
  dy: tf.Tensor4D;
}

function inputs(channels: number, seed: number, specials: boolean): Inputs {
  // 3·7 pixels: with 1 or 3 channels an odd element count (SIMD tails), with 5 a tail per pixel.
  const shape: [number, number, number, number] = [1, 3, 7, channels];
  const count = 21 * channels;
  return {
    x: tf.tensor4d(specials ? awkward(count, seed) : seeded(count, seed), shape),
    mean: tf.tensor1d(seeded(channels, seed + 1)),
    variance: tf.tensor1d(seeded(channels, seed + 2).map((v) => v * v * 3)),
    scale: tf.tensor1d(seeded(channels, seed + 3).map((v) => v * 4)),
    offset: tf.tensor1d(seeded(channels, seed + 4)),
    dy: tf.tensor4d(specials ? awkward(count, seed + 5) : seeded(count, seed + 5), shape),
  };
}

type Mode = 'frozen' | 'all five inputs' | 'training (moments of x)';

/** The gradients of one batch norm and the kernels they ran; checks that nothing leaked. */
async function gradients(mode: Mode, channels: number): Promise<{ values: number[][]; kernels: string[] }> {
  const before = tf.memory().numTensors;
  const t = inputs(channels, 11 * channels, mode === 'frozen');
  let grads: tf.Tensor[] = [];
  const profile = await tf.profile(() => {
    if (mode === 'frozen') {
      grads = [
        tf.grad((x) => tf.batchNorm(x as tf.Tensor4D, t.mean, t.variance, t.offset, t.scale, EPSILON))(
          t.x,
          t.dy,
        ),
      ];
    } else if (mode === 'all five inputs') {
      grads = tf.grads((x, mean, variance, scale, offset) =>
        tf.batchNorm(
          x as tf.Tensor4D,
          mean as tf.Tensor1D,
          variance as tf.Tensor1D,
          offset as tf.Tensor1D,
          scale as tf.Tensor1D,
          EPSILON,
        ),
      )([t.x, t.mean, t.variance, t.scale, t.offset], t.dy);
    } else {
      grads = tf.grads((x, scale, offset) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return tf.batchNorm(x as tf.Tensor4D, mean, variance, offset as tf.Tensor1D, scale as tf.Tensor1D);
      })([t.x, t.scale, t.offset], t.dy);
    }
  });
  const values = await Promise.all(grads.map(async (g) => Array.from(await g.data())));
  tf.dispose([...grads, ...Object.values(t)]);
  expect(tf.memory().numTensors, `leaked tensors (${mode})`).toBe(before);
  return { values, kernels: profile.kernels.map((k) => k.name) };
}

/** Runs `body` with TensorFlow.js's own FusedBatchNorm gradient registered, then puts the course's back. */
async function withTfjsGradient<T>(body: () => Promise<T>): Promise<T> {
  const course = tf.getGradient(tf.FusedBatchNorm)!;
  const tfjs = tfjsBatchNormGradient()!;
  expect(tfjs).not.toBe(course);
  tf.registerGradient(tfjs);
  try {
    return await body();
  } finally {
    tf.registerGradient(course);
  }
}

const count = (kernels: string[], name: string) => kernels.filter((k) => k === name).length;

describe('batch-norm gradient on wasm', () => {
  const modes: Mode[] = ['frozen', 'all five inputs', 'training (moments of x)'];
  for (const mode of modes) {
    for (const channels of [1, 3, 5, 16]) {
      it(`${mode}, ${channels} channel(s): the same bits as tfjs's gradient, x by one kernel`, async () => {
        await tf.setBackend('wasm');
        const expected = await withTfjsGradient(() => gradients(mode, channels));
        const actual = await gradients(mode, channels);
        expect(actual.values).toEqual(expected.values);
        expect(count(expected.kernels, BATCH_NORM_GRAD_X)).toBe(0);
        expect(count(actual.kernels, BATCH_NORM_GRAD_X)).toBe(1);
        // tfjs tiles rsqrt(variance + ε) to x's shape for x's derivative; the kernel does not.
        expect(count(expected.kernels, 'Tile')).toBeGreaterThan(0);
        expect(count(actual.kernels, 'Tile')).toBe(0);
        if (mode === 'frozen') {
          // Only x needs a gradient: one Rsqrt and the kernel, no full-size Sub or Multiply.
          expect(count(actual.kernels, 'Sub')).toBe(0);
          expect(count(actual.kernels, 'Multiply')).toBe(0);
        }
      });
    }
  }

  it('without scale (a direct call: tfjs cannot record one): the same bits as tfjs', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const t = inputs(16, 5, true);
    const saved = [t.x, t.mean, t.variance, undefined] as unknown as tf.Tensor[];
    const attrs = { varianceEpsilon: EPSILON };
    const names = ['x', 'mean', 'variance', 'scale', 'offset'];
    // As the engine runs a gradient: the whole in a tidy, each derivative in its own.
    const run = async (config: tf.GradConfig) => {
      const grads = tf.tidy(() => {
        const derivatives = config.gradFunc(t.dy, saved, attrs) as Record<string, () => tf.Tensor>;
        return names.map((name) => tf.tidy(derivatives[name]!));
      });
      const out = await Promise.all(grads.map(async (g) => Array.from(await g.data())));
      tf.dispose(grads);
      return out;
    };
    const course = tf.getGradient(tf.FusedBatchNorm)!;
    const expected = await run(tfjsBatchNormGradient()!);
    const profile = await tf.profile(async () => {
      const actual = await run(course);
      expect(actual).toEqual(expected);
    });
    expect(
      count(
        profile.kernels.map((k) => k.name),
        BATCH_NORM_GRAD_X,
      ),
    ).toBe(1);
    tf.dispose(Object.values(t));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is close to the cpu backend (whose Rsqrt differs in the last bit)', async () => {
    await tf.setBackend('cpu');
    const expected = await gradients('all five inputs', 16);
    await tf.setBackend('wasm');
    const actual = await gradients('all five inputs', 16);
    expected.values.forEach((e, i) => expect(relativeError(actual.values[i]!, e)).toBeLessThan(1e-5));
  });

  it('leaves the cpu backend, which lacks the kernel, to tfjs', async () => {
    await tf.setBackend('cpu');
    const { kernels } = await gradients('frozen', 3);
    expect(count(kernels, BATCH_NORM_GRAD_X)).toBe(0);
    expect(count(kernels, 'Tile')).toBeGreaterThan(0);
  });

  it("the JavaScript loop (for engines without WebAssembly SIMD) gives tfjs ops' bits", async () => {
    await tf.setBackend('cpu');
    for (const channels of [1, 3, 16]) {
      const t = inputs(channels, 3, true);
      const inv = tf.rsqrt(tf.add(t.variance, EPSILON));
      const expected = tf.tidy(() =>
        tf.mul(tf.mul(t.dy, tf.tile(inv.reshape([1, 1, 1, channels]), [1, 3, 7, 1])), t.scale),
      );
      const unscaled = tf.tidy(() => tf.mul(t.dy, inv));
      const [dy, invValues, scale] = [t.dy.dataSync(), inv.dataSync(), t.scale.dataSync()] as Float32Array[];
      const dx = new Float32Array(dy!.length);
      batchNormGradXInto(dy!, invValues!, scale!, dx);
      expect(Array.from(dx)).toEqual(Array.from(expected.dataSync()));
      batchNormGradXInto(dy!, invValues!, null, dx);
      expect(Array.from(dx)).toEqual(Array.from(unscaled.dataSync()));
      tf.dispose([...Object.values(t), inv, expected, unscaled]);
    }
  });
});

// The forward pass: the cpu backend's bits (it computes in doubles; the wasm backend's own kernel
// in float32 differs in about 4 of 10 outputs).
interface Forward {
  x: Float32Array;
  shape: number[];
  mean: Float32Array;
  variance: Float32Array;
  scale?: Float32Array;
  offset?: Float32Array;
  epsilon?: number;
}

function forwardCase(shape: number[], seed: number): Forward {
  const channels = shape[shape.length - 1]!;
  const x = awkward(
    shape.reduce((a, b) => a * b, 1),
    seed,
  ).map((v, i) => v * 10 ** ((i % 5) - 2));
  x[0] = -0; // channel 0, whose mean is 0: x − mean is −0
  const mean = seeded(channels, seed + 1);
  mean[0] = 0;
  const offset = seeded(channels, seed + 4);
  offset[0] = -0;
  return {
    x,
    shape,
    mean,
    variance: seeded(channels, seed + 2).map((v) => v * v * 3),
    scale: seeded(channels, seed + 3).map((v) => v * 4),
    offset,
  };
}

async function batchNormOn(backend: 'cpu' | 'wasm', c: Forward): Promise<number[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const t = [c.x, c.mean, c.variance, c.scale, c.offset].map((v, i) =>
    v ? (i === 0 ? tf.tensor(v, c.shape) : tf.tensor1d(v)) : undefined,
  );
  const y = tf.batchNorm(t[0]!, t[1]!, t[2]!, t[4], t[3], c.epsilon);
  const out = Array.from(await y.data());
  tf.dispose([y, ...t.filter((v): v is tf.Tensor => !!v)]);
  expect(tf.memory().numTensors, `leaked tensors on ${backend}`).toBe(before);
  return out;
}

describe('batch norm on wasm (forward)', () => {
  for (const channels of [1, 3, 5, 16, 33]) {
    it(`${channels} channel(s), with and without scale and offset: the cpu backend's bits`, async () => {
      const full = forwardCase([2, 3, 7, channels], 40 + channels);
      const variants: Forward[] = [
        full,
        { ...full, scale: undefined },
        { ...full, offset: undefined },
        { ...full, scale: undefined, offset: undefined },
        { ...full, epsilon: 1e-5 },
        { ...full, shape: [42, channels] },
      ];
      for (const c of variants) {
        expect(await batchNormOn('wasm', c)).toEqual(await batchNormOn('cpu', c));
      }
    });
  }

  it('blocks of pixels: an activation larger than one block (4096 values)', async () => {
    const c = forwardCase([1, 19, 23, 48], 9);
    expect(await batchNormOn('wasm', c)).toEqual(await batchNormOn('cpu', c));
  });

  it("keeps the backend's kernel where mean is not per channel (shape [1])", async () => {
    const c: Forward = { ...forwardCase([1, 3, 7, 4], 2), mean: Float32Array.of(0.5) };
    c.x = c.x.map((v) => (Number.isFinite(v) ? v : 1));
    const expected = await batchNormOn('cpu', c);
    const actual = await batchNormOn('wasm', c);
    expect(relativeError(actual, expected)).toBeLessThan(1e-6);
  });

  it("the JavaScript loop gives the cpu backend's bits", async () => {
    for (const c of [forwardCase([1, 3, 7, 5], 1), { ...forwardCase([1, 3, 7, 16], 2), scale: undefined }]) {
      const expected = await batchNormOn('cpu', c);
      const y = new Float32Array(c.x.length);
      batchNormInto(
        c.x,
        {
          mean: c.mean,
          variance: c.variance,
          scale: c.scale ?? null,
          offset: c.offset ?? null,
          varianceEpsilon: 0.001,
        },
        y,
      );
      expect(Array.from(y)).toEqual(expected);
    }
  });
});
