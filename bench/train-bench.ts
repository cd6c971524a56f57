/**
 * Training throughput benchmark.
 *
 *   npm run bench -- --model lenet5|vgg64|style224|unet [--backend tensorflow|webgpu|wasm|cpu] [--steps N]
 *       [--compare-torch [--rounds R]]
 *
 * Trains on random data with Adam, batch 64: one warm-up pass of N steps, then
 * N timed steps. The last line is
 *   RESULT model=<m> backend=<b> train_img_per_s=<number>
 * With --compare-torch and a Python that imports torch, the same model is trained in
 * PyTorch (CUDA when present) at its best on this machine: every configuration of
 * bench/torch-reference.ts (threads, OpenBLAS's environment) is tried once (PROBE lines),
 * the fastest is kept, then R rounds (default 3) alternate one run of each side; the
 * RATIO line gives the best and the median of each side and their ratios (RESULT is then
 * our best run). Extra entries (bench/extra.ts): style224, a
 * style-transfer step on Tiny-Darknet at 224 px (generated-image updates per
 * second), and unet, a U-Net training step (batch 8, 128 px); bench/torch_bench.py
 * has a counterpart of each.
 */
import { BACKEND_ORDER, initBackend, type BackendName } from '../lib/backend';
import { EXTRA_MODELS, EXTRA_STEPS, measureExtra, type ExtraModel } from './extra';
import {
  BENCH_BATCH,
  BENCH_MODELS,
  buildBenchModel,
  INPUT_SIZE,
  trainingImagesPerSecond,
  type BenchModel,
} from './models';
import {
  describeConfig,
  runTorch,
  summarise,
  torchConfigs,
  torchPython,
  type TorchConfig,
} from './torch-reference';

const ALL_MODELS = [...BENCH_MODELS, ...EXTRA_MODELS] as const;
type AnyModel = BenchModel | ExtraModel;
const isExtra = (m: AnyModel): m is ExtraModel => (EXTRA_MODELS as readonly string[]).includes(m);

interface Options {
  model: AnyModel;
  backend?: BackendName;
  steps: number;
  compareTorch: boolean;
  rounds: number;
}

function parseArgs(argv: string[]): Options {
  const options: Partial<Options> = { compareTorch: false, rounds: 3 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--model') {
      const m = value();
      if (!(ALL_MODELS as readonly string[]).includes(m))
        throw new Error(`--model is one of ${ALL_MODELS.join(', ')}, got ${m}`);
      options.model = m as AnyModel;
    } else if (arg === '--backend') {
      const b = value();
      if (!(BACKEND_ORDER as readonly string[]).includes(b))
        throw new Error(`--backend is one of ${BACKEND_ORDER.join(', ')}, got ${b}`);
      options.backend = b as BackendName;
    } else if (arg === '--steps') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error('--steps must be a positive integer');
      options.steps = n;
    } else if (arg === '--compare-torch') options.compareTorch = true;
    else if (arg === '--rounds') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error('--rounds must be a positive integer');
      options.rounds = n;
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (!options.model) throw new Error('--model is required');
  // LeNet-5 steps take ~10 ms: 20 of them (0.2 s) measured the warm-up more than the
  // training (the JIT, the kernel worker's own copy of the code), on both sides.
  options.steps ??= isExtra(options.model)
    ? EXTRA_STEPS[options.model]
    : options.model === 'lenet5'
      ? 200
      : 4;
  return options as Options;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const choice = await initBackend({ backend: options.backend });
  console.log(`backend ${choice.name}: ${choice.reason}`);
  let ours: () => Promise<number>;
  let release = (): void => undefined;
  if (isExtra(options.model)) {
    const extra = options.model;
    console.log(`${extra}: ${options.steps} steps after ${options.steps} warm-up steps`);
    ours = () => measureExtra(extra, options.steps);
  } else {
    const model = buildBenchModel(options.model);
    const size = INPUT_SIZE[options.model];
    console.log(
      `model ${options.model}: ${model.countParams().toLocaleString('en-US')} parameters, batch ${BENCH_BATCH}, ${options.steps} steps after ${options.steps} warm-up steps`,
    );
    ours = () => trainingImagesPerSecond(model, size, options.steps);
    release = () => model.dispose();
  }
  const python = options.compareTorch ? torchPython() : undefined;
  if (options.compareTorch && !python)
    console.log('RATIO skipped: no python3 that imports torch (Debian: apt-get install python3-torch)');
  if (!python) {
    const imgPerS = await ours();
    release();
    console.log(`RESULT model=${options.model} backend=${choice.name} train_img_per_s=${imgPerS.toFixed(2)}`);
    return;
  }
  // PyTorch at its best: try each configuration once and keep the fastest.
  let best: { config: TorchConfig; imgPerS: number; device: string } | undefined;
  for (const config of torchConfigs()) {
    const run = runTorch(python, options.model, options.steps, config);
    console.log(`PROBE torch ${describeConfig(config)} img_per_s=${run.imgPerS.toFixed(2)}`);
    if (!best || run.imgPerS > best.imgPerS) best = { config, ...run };
  }
  const reference = best!;
  console.log(
    `torch reference: ${describeConfig(reference.config)} (fastest probe), device ${reference.device}`,
  );
  const mine: number[] = [];
  const theirs: number[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    mine.push(await ours());
    theirs.push(runTorch(python, options.model, options.steps, reference.config).imgPerS);
    console.log(`ROUND ${round} ours=${mine.at(-1)!.toFixed(2)} torch=${theirs.at(-1)!.toFixed(2)}`);
  }
  release();
  const a = summarise(mine);
  const b = summarise(theirs);
  console.log(
    `RATIO model=${options.model} backend=${choice.name} torch_device=${reference.device} torch_${describeConfig(reference.config).replace(/ /g, ' torch_')} ` +
      `rounds=${options.rounds} ours_best=${a.best.toFixed(2)} ours_median=${a.median.toFixed(2)} torch_best=${b.best.toFixed(2)} torch_median=${b.median.toFixed(2)} ` +
      `ratio_best=${(a.best / b.best).toFixed(3)} ratio_median=${(a.median / b.median).toFixed(3)}`,
  );
  console.log(`RESULT model=${options.model} backend=${choice.name} train_img_per_s=${a.best.toFixed(2)}`);
}

main().catch((error: Error) => {
  console.error(`bench: ${error.message}`);
  process.exit(1);
});
