/**
 * Per-kernel time of benchmark training steps on one backend.
 *
 *   npx tsx bench/profile.ts --model lenet5|vgg64|style224|unet [--backend wasm] [--steps N]
 *
 * Every kernel registered for the backend is wrapped with a timer; time spent
 * in kernels that run inside another kernel (the course's composed kernels)
 * counts only for the outermost one, so the column adds up to the step time.
 */
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ORDER, initBackend, type BackendName } from '../lib/backend';
import { EXTRA_MODELS, measureExtra, type ExtraModel } from './extra';
import { BENCH_MODELS, buildBenchModel, INPUT_SIZE, type BenchModel } from './models';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const MODELS = [...BENCH_MODELS, ...EXTRA_MODELS] as const;
const model = arg('--model') as BenchModel | ExtraModel;
if (!(MODELS as readonly string[]).includes(model)) throw new Error(`--model is one of ${MODELS.join(', ')}`);
const isExtra = (m: string): m is ExtraModel => (EXTRA_MODELS as readonly string[]).includes(m);
const backend = arg('--backend', 'wasm') as BackendName;
if (!(BACKEND_ORDER as readonly string[]).includes(backend))
  throw new Error(`--backend is one of ${BACKEND_ORDER.join(', ')}`);
const steps = Number(arg('--steps', model === 'lenet5' ? '20' : model === 'unet' ? '2' : '3'));

/** Wraps every kernel of the backend; returns the table of totals. */
function instrument(backendName: string): Map<string, { ms: number; calls: number }> {
  const totals = new Map<string, { ms: number; calls: number }>();
  let depth = 0;
  for (const config of tf.getKernelsForBackend(backendName)) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel({
      ...config,
      setupFunc: undefined, // already run when the backend started
      kernelFunc: (args) => {
        if (depth > 0) return inner(args);
        depth++;
        const start = performance.now();
        try {
          return inner(args);
        } finally {
          depth--;
          const entry = totals.get(config.kernelName) ?? { ms: 0, calls: 0 };
          entry.ms += performance.now() - start;
          entry.calls++;
          totals.set(config.kernelName, entry);
        }
      },
    });
  }
  return totals;
}

async function main(): Promise<void> {
  await initBackend({ backend });
  let totals: Map<string, { ms: number; calls: number }>;
  let wall: number;
  let timedSteps = steps;
  if (isExtra(model)) {
    // The extra entries warm up inside measureExtra: both passes are profiled.
    totals = instrument(backend);
    const start = performance.now();
    await measureExtra(model, steps);
    wall = performance.now() - start;
    timedSteps = 2 * steps;
  } else {
    const net = buildBenchModel(model);
    const size = INPUT_SIZE[model];
    const x = tf.randomUniform([64, size, size, 3]);
    const y = tf.tidy(() => tf.oneHot(tf.randomUniform([64], 0, 10, 'int32'), 10).toFloat());
    await net.trainOnBatch(x, y); // warm-up: weights, optimizer slots, XNNPACK operators
    totals = instrument(backend);
    const start = performance.now();
    for (let i = 0; i < steps; i++) await net.trainOnBatch(x, y);
    wall = performance.now() - start;
    tf.dispose([x, y]);
    net.dispose();
  }
  const rows = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const kernelMs = rows.reduce((s, [, v]) => s + v.ms, 0);
  console.log(
    `${model} on ${backend}: ${(wall / timedSteps).toFixed(1)} ms/step, kernels ${(kernelMs / timedSteps).toFixed(1)} ms/step`,
  );
  for (const [name, { ms, calls }] of rows.slice(0, 25)) {
    console.log(
      `${name.padEnd(28)} ${(ms / timedSteps).toFixed(2).padStart(9)} ms/step ${((100 * ms) / kernelMs).toFixed(1).padStart(5)}% ${String(calls / timedSteps).padStart(5)} calls/step`,
    );
  }
}

main().catch((error: Error) => {
  console.error(`profile: ${error.stack ?? error.message}`);
  process.exit(1);
});
