/**
 * How fast a training step could be on this machine: the multiply-adds of one step against
 * the machine's WebAssembly SIMD ceiling.
 *
 *   npx tsx bench/step-floor.ts --model lenet5|vgg64 [--steps N] [--torch IMG_PER_S]
 *
 * 1. Counts the multiply-adds of one Adam step of the benchmark model (bench/models.ts,
 *    batch 64): every convolution and dense layer's forward product, its filter gradient, and
 *    its input gradient unless no trainable layer lies before it (the tape skips that one).
 * 2. Measures the ceiling: bench/simd-peak.c (compiled here with clang) runs the course's
 *    register block (4 x 8 outputs, f32x4 multiply then add, operands in the first-level
 *    cache) on 1 thread, then on as many threads as the machine has cores, three times each;
 *    the best of each is kept.
 * 3. Divides: the step's time if all its multiply-adds ran at that ceiling and nothing else
 *    took any time (no pooling, activation, optimizer or framework), and the images per second
 *    that bounds. With --steps, it also trains the model on the embedded backend (N warm-up
 *    and N timed steps, as bench/train-bench.ts) and says what share of the step the
 *    multiply-adds would fill at the ceiling. With --torch, the PyTorch figure to compare:
 *    prints the step time that twice that speed allows.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import { projectRoot } from '../lib/paths';
import {
  BENCH_BATCH,
  BENCH_MODELS,
  buildBenchModel,
  INPUT_SIZE,
  trainingImagesPerSecond,
  type BenchModel,
} from './models';

/** simd-peak.c's loop: steps per pass (its operands, 12 floats a step, stay in the first-level cache), and multiply-adds per step. */
const PEAK_LEN = 128;
const MACS_PER_STEP = 32;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function positive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(n > 0)) throw new Error(`${name} must be a positive number, got ${text}`);
  return n;
}

/** Multiply-adds of one layer's forward product, its filter gradient and its input gradient. */
interface LayerMacs {
  name: string;
  forward: number;
  filterGrad: number;
  inputGrad: number;
}

/** The multiply-adds of one training step, per layer, for a batch of `batch` images. */
function stepMultiplyAdds(model: tf.LayersModel, batch: number): LayerMacs[] {
  const rows: LayerMacs[] = [];
  let trainableBefore = false;
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className !== 'Conv2D' && className !== 'Dense') continue;
    const kernel = layer.getWeights()[0]!.shape;
    const out = layer.outputShape as number[];
    // Conv2D: each output value takes KH·KW·Ci products; Dense: each takes K.
    const perOutput = kernel.slice(0, -1).reduce((a, b) => a * b, 1);
    const outputs = out.slice(1).reduce((a, b) => a * b, 1);
    const forward = batch * outputs * perOutput;
    rows.push({ name: layer.name, forward, filterGrad: forward, inputGrad: trainableBefore ? forward : 0 });
    trainableBefore = true;
  }
  return rows;
}

function compilePeak(): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'simd-peak-'));
  try {
    const target = join(dir, 'peak.wasm');
    execFileSync(
      'clang',
      [
        '--target=wasm32',
        '-O3',
        '-msimd128',
        '-nostdlib',
        '-Wl,--no-entry',
        '-Wl,--import-memory',
        '-o',
        target,
        'simd-peak.c',
      ],
      { cwd: join(projectRoot(), 'bench'), stdio: ['ignore', 'ignore', 'inherit'] },
    );
    return readFileSync(target);
  } catch (error) {
    throw new Error(
      `could not compile bench/simd-peak.c with clang (Debian: apt-get install clang lld): ${error}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Each thread instantiates the module and warms it up (V8 optimises a function on a later
// call), then all wait at a barrier so that the timed calls overlap; each reports seconds.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const memory = new WebAssembly.Memory({ initial: 2 });
WebAssembly.instantiate(workerData.bytes, { env: { memory } }).then(({ instance }) => {
  const peak = instance.exports.peak;
  const len = workerData.len;
  // x at 4 KiB, w after it (zeros: the time of a multiply-add does not depend on its values).
  const x = 4096, w = x + 16 * len;
  for (let i = 0; i < 3; i++) peak(1000, x, w, len);
  const barrier = new Int32Array(workerData.barrier);
  Atomics.add(barrier, 1, 1);
  while (Atomics.load(barrier, 0) === 0);
  const start = performance.now();
  peak(workerData.passes, x, w, len);
  parentPort.postMessage((performance.now() - start) / 1000);
});`;

/** Multiply-adds per second of `threads` threads running the peak loop at once (total). */
async function peakRate(bytes: Uint8Array, threads: number, passes: number): Promise<number> {
  // [0]: go, [1]: threads ready.
  const barrier = new Int32Array(new SharedArrayBuffer(8));
  const workers = Array.from(
    { length: threads },
    () =>
      new Worker(WORKER, {
        eval: true,
        workerData: { bytes, passes, len: PEAK_LEN, barrier: barrier.buffer },
      }),
  );
  let failed = false;
  const seconds = Promise.all(
    workers.map(
      (worker) =>
        new Promise<number>((resolve, reject) => {
          worker.once('message', (s: number) => {
            resolve(s);
            void worker.terminate();
          });
          worker.once('error', (error) => {
            failed = true;
            reject(error);
          });
        }),
    ),
  );
  while (!failed && Atomics.load(barrier, 1) < threads)
    await new Promise((resolve) => setTimeout(resolve, 1));
  Atomics.store(barrier, 0, 1);
  // Each thread's own rate, summed: the ceiling of the threads together.
  return (await seconds).reduce((sum, s) => sum + (passes * PEAK_LEN * MACS_PER_STEP) / s, 0);
}

const M = (n: number) => (n / 1e6).toFixed(1);

async function main(): Promise<void> {
  const name = arg('--model') as BenchModel;
  if (!(BENCH_MODELS as readonly string[]).includes(name))
    throw new Error(`--model is one of ${BENCH_MODELS.join(', ')}`);
  const steps = positive('--steps', arg('--steps'));
  const torch = positive('--torch', arg('--torch'));
  const choice = await initBackend({ backend: steps ? 'wasm' : 'cpu' });
  const model = buildBenchModel(name);

  const rows = stepMultiplyAdds(model, BENCH_BATCH);
  console.log(`${name}, batch ${BENCH_BATCH}: multiply-adds of one training step (millions)`);
  console.log(
    'layer'.padEnd(16),
    'forward'.padStart(9),
    'filter grad'.padStart(12),
    'input grad'.padStart(11),
  );
  for (const r of rows)
    console.log(
      r.name.padEnd(16),
      M(r.forward).padStart(9),
      M(r.filterGrad).padStart(12),
      M(r.inputGrad).padStart(11),
    );
  const total = rows.reduce((s, r) => s + r.forward + r.filterGrad + r.inputGrad, 0);
  console.log(`total ${M(total)} million multiply-adds a step`);

  const bytes = compilePeak();
  const cores = availableParallelism();
  const passes = 2e6; // ~0.3 s a thread
  const best = new Map<number, number>();
  for (let round = 0; round < 3; round++)
    for (const threads of [1, cores])
      best.set(threads, Math.max(best.get(threads) ?? 0, await peakRate(bytes, threads, passes)));
  for (const [threads, rate] of best)
    console.log(
      `SIMD ceiling, ${threads} thread${threads > 1 ? 's' : ''}: ${(rate / 1e9).toFixed(1)} G multiply-adds/s (best of 3)`,
    );
  // Other processes take the cores' time from the loop: the ceiling is only as quiet as the machine.
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')} (1, 5, 15 minutes)`,
  );
  const ceiling = best.get(cores)!;
  const floorMs = (total / ceiling) * 1000;
  console.log(
    `FLOOR ${name}: ${floorMs.toFixed(2)} ms a step at the ${cores}-thread ceiling with nothing else running: at most ${Math.round((BENCH_BATCH * 1000) / floorMs).toLocaleString('en-US')} img/s`,
  );
  if (torch) {
    const targetMs = (BENCH_BATCH * 1000) / (2 * torch);
    console.log(
      `2x PyTorch's ${torch.toLocaleString('en-US')} img/s is ${(2 * torch).toLocaleString('en-US')} img/s: ${targetMs.toFixed(2)} ms a step, of which the multiply-adds alone take ${((100 * floorMs) / targetMs).toFixed(0)}% at the ceiling`,
    );
  }
  if (steps) {
    const imgPerS = await trainingImagesPerSecond(model, INPUT_SIZE[name], steps);
    const stepMs = (BENCH_BATCH * 1000) / imgPerS;
    console.log(`backend ${choice.name}: ${choice.reason}`);
    console.log(
      `MEASURED ${name}: ${Math.round(imgPerS).toLocaleString('en-US')} img/s, ${stepMs.toFixed(2)} ms a step; its multiply-adds at the ceiling would fill ${((100 * floorMs) / stepMs).toFixed(0)}% of it`,
    );
  }
  model.dispose();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
