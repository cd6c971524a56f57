// Run by kernel-worker.test.ts in child processes with two wasm threads, then one (the test
// files themselves run one thread each): large kernels that the course cuts into fixed chunks
// and shares with its worker thread, against the cpu backend, with a digest of each wasm
// result's bits (run twice); prints what it found and then simply ends (the worker must not
// keep the process alive).
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { initBackend } from '../../../../lib/backend';
import { courseWorkerOn } from '../../../../lib/engine/kernels/course-wasm';
import { relativeError, seeded, size } from '../../../helpers/numeric';

await initBackend({ backend: 'wasm' });
const worker = courseWorkerOn(tf.backend());
for (let i = 0; i < 100 && worker && !worker.ready; i++)
  await new Promise((resolve) => setTimeout(resolve, 50));

interface Found {
  name: string;
  error: number;
  jobs: number;
  leaked: number;
  /** SHA-256 of the wasm result's bytes, and whether a second run gave the same. */
  digest: string;
  repeats: boolean;
}

// With --bits-only, no cpu reference: only the wasm results' bits.
const bitsOnly = process.argv.includes('--bits-only');
const digestOf = (values: Float32Array) =>
  createHash('sha256')
    .update(Buffer.from(values.buffer, values.byteOffset, values.byteLength))
    .digest('hex');

/** Runs a kernel on cpu and twice on wasm: the relative error, the parts the worker ran, the bits. */
async function compare(
  name: string,
  kernel: string,
  inputs: Record<string, number[]>,
  attrs: Record<string, unknown>,
): Promise<Found> {
  const results: Float32Array[] = [];
  let jobs = 0;
  let leaked = 0;
  for (const backend of bitsOnly ? (['wasm', 'wasm'] as const) : (['cpu', 'wasm', 'wasm'] as const)) {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const tensors = Object.fromEntries(
      Object.entries(inputs).map(([input, shape], i) => [
        input,
        tf.tensor(seeded(size(shape), 70 + i), shape),
      ]),
    );
    const jobsBefore = worker?.jobs ?? 0;
    const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
    if (backend === 'wasm' && results.length === (bitsOnly ? 0 : 1)) jobs = (worker?.jobs ?? 0) - jobsBefore;
    results.push((await out.data()) as Float32Array);
    tf.dispose([out, ...Object.values(tensors)]);
    leaked += tf.memory().numTensors - before;
  }
  const [wasm, again] = results.slice(-2) as [Float32Array, Float32Array];
  const digest = digestOf(wasm);
  return {
    name,
    error: bitsOnly ? NaN : relativeError(wasm, results[0]!),
    jobs,
    leaked,
    digest,
    repeats: digestOf(again) === digest,
  };
}

const conv = { strides: 1, pad: 'same', dataFormat: 'NHWC' };
const found = {
  ready: worker?.ready ?? false,
  cases: [
    await compare(
      'filter gradient: partial sums over fixed chunks of the rows of dy, added in order',
      'Conv2DBackpropFilter',
      { x: [4, 40, 40, 16], dy: [4, 40, 40, 16] },
      { ...conv, filterShape: [3, 3, 16, 16] },
    ),
    await compare(
      'input gradient: chunks of the images',
      'Conv2DBackpropInput',
      { dy: [5, 24, 24, 24], filter: [3, 3, 20, 24] },
      { ...conv, inputShape: [5, 24, 24, 20] },
    ),
    await compare(
      'input gradient of one image: partial sums over fixed chunks of the rows of dy',
      'Conv2DBackpropInput',
      { dy: [1, 60, 60, 16], filter: [3, 3, 27, 16] },
      { ...conv, inputShape: [1, 60, 60, 27] },
    ),
    await compare(
      'convolution: chunks of the images',
      'Conv2D',
      { x: [4, 40, 40, 16], filter: [3, 3, 16, 16] },
      { ...conv, dilations: 1 },
    ),
    await compare(
      'convolution of one image: chunks of the rows of y',
      'Conv2D',
      { x: [1, 60, 60, 27], filter: [3, 3, 27, 16] },
      { ...conv, dilations: 1 },
    ),
    // Products with b as it is go to XNNPACK at this size; a · bᵀ stays the course's.
    await compare(
      'a · bᵀ, a batch of 2: chunks of the rows of each',
      'BatchMatMul',
      { a: [2, 201, 300], b: [2, 250, 300] },
      { transposeA: false, transposeB: true },
    ),
  ],
};
console.log(JSON.stringify(found));
