// The page of tests/site/webgpu-direct.test.ts (bundled by it for the browser): runs the course's
// direct WebGPU shaders (lib/engine/kernels/webgpu-direct) on SwiftShader and the same ops on
// tfjs's cpu backend, and reports each result's largest difference.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { registerDirectWebgpuKernels } from '../../lib/engine/kernels/webgpu-direct';

/** One compared result. */
interface Check {
  name: string;
  /** Largest |webgpu − reference|. */
  error: number;
  /** What the difference may be: 1e-5 + 2e-5 × the reference's largest magnitude (float32 sums). */
  tolerance: number;
  /** The direct shaders this case ran (empty: tfjs's kernels ran). */
  shaders: string[];
}

/** Deterministic values in [-1, 1) (a small LCG: the inputs must be the same on both backends). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

type Inputs = Record<string, { shape: number[]; data: Float32Array }>;
type Op = (t: Record<string, tf.Tensor>) => tf.Tensor[];

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs `op` on the current backend; returns its outputs' values. */
function runOp(inputs: Inputs, op: Op): Float32Array[] {
  return tf.tidy(() => {
    const t = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]));
    return op(t).map((r) => r.dataSync() as Float32Array);
  });
}

/** The course's programs the webgpu backend ran (their shader keys' first words), in order. */
const ran: string[] = [];

/** Records the programs the webgpu backend runs. */
function watchPrograms(): void {
  const backend = tf.findBackend('webgpu') as unknown as { runWebGPUProgram(...args: unknown[]): unknown };
  const inner = backend.runWebGPUProgram.bind(backend);
  backend.runWebGPUProgram = (...args: unknown[]) => {
    const key = (args[0] as { shaderKey: string }).shaderKey;
    if (key.startsWith('course_direct_')) ran.push(key.split('_')[2]!);
    return inner(...args);
  };
}

/** Compares `op` on webgpu (the direct shaders) with the cpu backend, or with `expected`. */
async function compare(name: string, inputs: Inputs, op: Op, expected?: number[][]): Promise<Check[]> {
  await tf.setBackend('cpu');
  const reference = expected?.map((e) => Float32Array.from(e)) ?? runOp(inputs, op);
  await tf.setBackend('webgpu');
  const from = ran.length;
  const got = runOp(inputs, op);
  const shaders = [...new Set(ran.slice(from))];
  return got.map((g, i) => {
    const want = reference[i]!;
    let error = g.length === want.length ? 0 : Infinity;
    let scale = 0;
    for (let k = 0; k < want.length; k++) {
      error = Math.max(error, Math.abs(g[k]! - want[k]!));
      scale = Math.max(scale, Math.abs(want[k]!));
    }
    if (Number.isNaN(error)) error = Infinity;
    return { name: `${name} [output ${i}]`, error, tolerance: 1e-5 + 2e-5 * scale, shaders };
  });
}

function input(shape: number[], seed: number) {
  return { shape, data: values(size(shape), seed) };
}

interface ConvCase {
  name: string;
  x: number[];
  w: number[];
  strides: [number, number];
  pad: 'same' | 'valid' | number;
  dilations?: [number, number];
}

const CONV_CASES: ConvCase[] = [
  {
    name: "LeNet-5's C1 (batch 64, 1 channel, 'same')",
    x: [64, 28, 28, 1],
    w: [5, 5, 1, 6],
    strides: [1, 1],
    pad: 'same',
  },
  {
    name: "LeNet-5's C3 (6 → 16 channels, 'valid')",
    x: [5, 14, 14, 6],
    w: [5, 5, 6, 16],
    strides: [1, 1],
    pad: 'valid',
  },
  {
    name: "stride 2, 'same' (uneven padding)",
    x: [2, 9, 7, 3],
    w: [3, 3, 3, 5],
    strides: [2, 2],
    pad: 'same',
  },
  {
    name: "strides 2×1, 'valid', 2×3 filter",
    x: [3, 8, 6, 2],
    w: [2, 3, 2, 4],
    strides: [2, 1],
    pad: 'valid',
  },
  { name: 'explicit padding 1, stride 3', x: [2, 10, 11, 2], w: [4, 4, 2, 3], strides: [3, 3], pad: 1 },
  { name: '20 → 24 channels', x: [2, 6, 6, 20], w: [3, 3, 20, 24], strides: [1, 1], pad: 'same' },
  {
    name: '7 → 17 channels (prime counts)',
    x: [1, 5, 5, 7],
    w: [3, 3, 7, 17],
    strides: [1, 1],
    pad: 'valid',
  },
];

/** Every check: convolutions forward and both gradients, fused forward, matrix products. */
export async function runChecks(): Promise<{ adapter: string; fallback: boolean; checks: Check[] }> {
  // Typed here: the tests' tsconfig has no DOM library.
  const { gpu } = (globalThis as unknown as { navigator: { gpu: { requestAdapter(): Promise<any> } } })
    .navigator;
  const adapter = await gpu.requestAdapter();
  const info = adapter.info ?? {};
  if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend did not start');
  registerDirectWebgpuKernels();
  watchPrograms();
  const checks: Check[] = [];
  let seed = 1;
  for (const c of CONV_CASES) {
    const inputs = { x: input(c.x, seed++), w: input(c.w, seed++) };
    const conv = (t: Record<string, tf.Tensor>) =>
      tf.conv2d(t.x as tf.Tensor4D, t.w as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilations ?? 1);
    const outShape = tf.tidy(() => conv({ x: tf.zeros(c.x), w: tf.zeros(c.w) }).shape);
    const withDy = { ...inputs, dy: input(outShape, seed++), bias: input([c.w[3]!], seed++) };
    // Forward, then the input and filter gradients of Σ conv(x, w) · dy.
    checks.push(
      ...(await compare(`${c.name}: forward, dx, dw`, withDy, (t) => {
        const [dx, dw] = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(conv({ x, w }), t.dy!)))([
          t.x!,
          t.w!,
        ]);
        return [conv(t), dx!, dw!];
      })),
    );
    checks.push(
      ...(await compare(`${c.name}: fused with bias and ReLU`, withDy, (t) => [
        tf.fused.conv2d({
          x: t.x as tf.Tensor4D,
          filter: t.w as tf.Tensor4D,
          strides: c.strides,
          pad: c.pad,
          bias: t.bias,
          activation: 'relu',
        }),
      ])),
    );
  }
  // Dilation 2 (forward only: tfjs has no gradient for dilated convolutions).
  checks.push(
    ...(await compare(
      'dilation 2',
      { x: input([2, 9, 9, 2], seed++), w: input([3, 3, 2, 3], seed++) },
      (t) => [tf.conv2d(t.x as tf.Tensor4D, t.w as tf.Tensor4D, 1, 'same', 'NHWC', 2)],
    )),
  );
  // By hand: x = 1…9 (3×3), w = [[1, 0], [0, −1]]: every output is x[i][j] − x[i+1][j+1] = −4;
  // with dy = 1, dw[a][b] = Σ of the 2×2 block at (a, b) and dx counts w over the windows.
  const hand = {
    x: { shape: [1, 3, 3, 1], data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]) },
    w: { shape: [2, 2, 1, 1], data: Float32Array.from([1, 0, 0, -1]) },
  };
  checks.push(
    ...(await compare(
      'by hand: 3×3 digits, 2×2 filter',
      hand,
      (t) => {
        const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid');
        const [dx, dw] = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(f(x, w)))([t.x!, t.w!]);
        return [f(t.x!, t.w!), dx!, dw!];
      },
      [
        [-4, -4, -4, -4],
        [1, 1, 0, 1, 0, -1, 0, -1, -1],
        [12, 16, 24, 28],
      ],
    )),
  );
  // Matrix products: every transpose, a broadcast batch, LeNet-5's dense layers, the fused op.
  const mm: Array<[string, number[], number[], boolean, boolean]> = [
    ['3×(5×7 · 7×4)', [3, 5, 7], [3, 7, 4], false, false],
    ['transposed a', [3, 7, 5], [3, 7, 4], true, false],
    ['transposed b', [3, 5, 7], [3, 4, 7], false, true],
    ['both transposed', [2, 7, 5], [2, 4, 7], true, true],
    ['a batch of 1 broadcast', [1, 5, 7], [3, 7, 4], false, false],
    ['a 2-D a on a batch of b', [5, 7], [3, 7, 4], false, false],
    ['rank 4 (2×3 batches)', [2, 3, 5, 7], [2, 3, 4, 7], false, true],
    ['LeNet-5 C5: 64×400 · 400×120', [64, 400], [400, 120], false, false],
    ["C5's weight gradient: (64×400)ᵀ · 64×120", [64, 400], [64, 120], true, false],
  ];
  for (const [name, a, b, ta, tb] of mm)
    checks.push(
      ...(await compare(`matMul ${name}`, { a: input(a, seed++), b: input(b, seed++) }, (t) => [
        tf.matMul(t.a!, t.b!, ta, tb),
      ])),
    );
  checks.push(
    ...(await compare(
      'fused matMul with bias and ReLU',
      { a: input([6, 9], seed++), b: input([9, 5], seed++), bias: input([5], seed++) },
      (t) => [tf.fused.matMul({ a: t.a!, b: t.b!, bias: t.bias, activation: 'relu' })],
    )),
  );
  checks.push(
    ...(await compare(
      'matMul by hand',
      {
        a: { shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) },
        b: { shape: [2, 2], data: Float32Array.from([5, 6, 7, 8]) },
      },
      (t) => [tf.matMul(t.a!, t.b!)],
      [[19, 22, 43, 50]],
    )),
  );
  return {
    adapter: [info.vendor, info.architecture].filter(Boolean).join(' '),
    fallback: Boolean(adapter.isFallbackAdapter ?? info.isFallbackAdapter),
    checks,
  };
}

(globalThis as unknown as { runChecks: typeof runChecks }).runChecks = runChecks;
(
  globalThis as unknown as { document: { body: { dataset: Record<string, string> } } }
).document.body.dataset.ready = 'yes';
