/**
 * Training throughput benchmark.
 *
 *   npm run bench -- --model lenet5|vgg64|style224|unet [--backend tensorflow|webgpu|wasm|cpu] [--steps N] [--compare-torch]
 *
 * Trains on random data with Adam, batch 64: one warm-up pass of N steps, then
 * N timed steps. The last line is
 *   RESULT model=<m> backend=<b> train_img_per_s=<number>
 * With --compare-torch and a Python that imports torch, the same model is
 * trained in PyTorch (CPU threads = cores, or CUDA when present) and a RATIO
 * line comes before the RESULT. Extra entries (bench/extra.ts): style224, a
 * style-transfer step on Tiny-Darknet at 224 px (generated-image updates per
 * second), and unet, a U-Net training step (batch 8, 128 px); bench/torch_bench.py
 * has a counterpart of each.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { BACKEND_ORDER, initBackend, type BackendName } from '../lib/backend';
import { projectRoot } from '../lib/paths';
import { EXTRA_MODELS, EXTRA_STEPS, measureExtra, type ExtraModel } from './extra';
import { BENCH_MODELS, buildBenchModel, INPUT_SIZE, type BenchModel } from './models';

const ALL_MODELS = [...BENCH_MODELS, ...EXTRA_MODELS] as const;
type AnyModel = BenchModel | ExtraModel;
const isExtra = (m: AnyModel): m is ExtraModel => (EXTRA_MODELS as readonly string[]).includes(m);

const BATCH = 64;

interface Options {
  model: AnyModel;
  backend?: BackendName;
  steps: number;
  compareTorch: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Partial<Options> = { compareTorch: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--model') {
      const m = value();
      if (!(ALL_MODELS as readonly string[]).includes(m)) throw new Error(`--model is one of ${ALL_MODELS.join(', ')}, got ${m}`);
      options.model = m as AnyModel;
    } else if (arg === '--backend') {
      const b = value();
      if (!(BACKEND_ORDER as readonly string[]).includes(b)) throw new Error(`--backend is one of ${BACKEND_ORDER.join(', ')}, got ${b}`);
      options.backend = b as BackendName;
    } else if (arg === '--steps') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error('--steps must be a positive integer');
      options.steps = n;
    } else if (arg === '--compare-torch') options.compareTorch = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!options.model) throw new Error('--model is required');
  // LeNet-5 steps take ~10 ms: 20 of them (0.2 s) measured the warm-up more than the
  // training (the JIT, the kernel worker's own copy of the code), on both sides.
  options.steps ??= isExtra(options.model) ? EXTRA_STEPS[options.model] : options.model === 'lenet5' ? 200 : 4;
  return options as Options;
}

/** Images per second over `steps` Adam steps after a warm-up pass of the same length. */
async function measure(model: tf.Sequential, size: number, steps: number): Promise<number> {
  const x = tf.randomUniform([BATCH, size, size, 3]);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32'), 10).toFloat());
  const step = async () => {
    // trainOnBatch resolves once the loss is read back: each step is really finished.
    await model.trainOnBatch(x, y);
  };
  for (let i = 0; i < steps; i++) await step();
  const start = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const seconds = (performance.now() - start) / 1000;
  tf.dispose([x, y]);
  return (steps * BATCH) / seconds;
}

/** The first Python that can import torch, if any. */
function torchPython(): string | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  return undefined;
}

function runTorch(python: string, options: { model: AnyModel; steps: number }): { imgPerS: number; device: string } {
  const script = join(projectRoot(), 'bench', 'torch_bench.py');
  const result = spawnSync(python, [script, '--model', options.model, '--steps', String(options.steps), '--threads', String(availableParallelism())], { encoding: 'utf8' });
  const match = /TORCH model=\S+ device=(\S+) train_img_per_s=([\d.]+)/.exec(result.stdout ?? '');
  if (result.status !== 0 || !match) throw new Error(`PyTorch benchmark failed: ${(result.stderr || result.stdout || '').trim().split('\n').slice(-3).join(' ')}`);
  return { imgPerS: Number(match[2]), device: match[1]! };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const choice = await initBackend({ backend: options.backend });
  console.log(`backend ${choice.name}: ${choice.reason}`);
  let imgPerS: number;
  if (isExtra(options.model)) {
    console.log(`${options.model}: ${options.steps} steps after ${options.steps} warm-up steps`);
    imgPerS = await measureExtra(options.model, options.steps);
  } else {
    const model = buildBenchModel(options.model);
    console.log(`model ${options.model}: ${model.countParams().toLocaleString('en-US')} parameters, batch ${BATCH}, ${options.steps} steps after ${options.steps} warm-up steps`);
    imgPerS = await measure(model, INPUT_SIZE[options.model], options.steps);
    model.dispose();
  }
  if (options.compareTorch) {
    const python = torchPython();
    if (!python) console.log('RATIO skipped: no python3 that imports torch (Debian: apt-get install python3-torch)');
    else {
      const torch = runTorch(python, options);
      console.log(`RATIO model=${options.model} backend=${choice.name} torch_device=${torch.device} torch_img_per_s=${torch.imgPerS.toFixed(2)} ratio=${(imgPerS / torch.imgPerS).toFixed(3)}`);
    }
  }
  console.log(`RESULT model=${options.model} backend=${choice.name} train_img_per_s=${imgPerS.toFixed(2)}`);
}

main().catch((error: Error) => {
  console.error(`bench: ${error.message}`);
  process.exit(1);
});
