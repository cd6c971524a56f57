/**
 * Where notebook 04's LeNet-5 training spends its time on the page's WebGPU backend
 * (SwiftShader's software adapter in headless Chromium): per phase, on a fresh page each.
 *
 *   npx tsx bench/page-webgpu-phases.ts [--steps N] [--ops | --check] [--variant NAME]...
 *
 * One cell on the page (web/build.ts's runtime, served cross-origin isolated, Debian's
 * Chromium with web/chromium.ts's WebGPU flags) builds notebook 04's LeNet-5 (lib/models/lenet,
 * 28×28×1, Adam, sparse categorical cross-entropy with accuracy, as the notebook compiles it)
 * and prints, in milliseconds:
 * - `dispatch`: one tiny op read back with `await data()` (a round trip), then 100 small ops
 *   (4,096 values each) and one read: the cost of one dispatch;
 * - `syncRead`: one `dataSync()` of 4,096 values (tfjs's canvas path);
 * - `step1`, `step2`, `step3`: the first three `trainOnBatch` calls (batch 64): shader and
 *   pipeline compilation happen in the first;
 * - `stepMedian`: the median of the next N steps, and the kernels one step runs (tf.profile);
 * - `predict64`: a forward pass of 64 images read back.
 * With `--ops`, each kind of op one step runs is timed alone instead (first call, with its
 * shader's compilation, then a second); with `--check`, the convolution of LeNet-5's two
 * shapes is compared with a plain loop (its largest absolute error).
 * Variants set tfjs-backend-webgpu flags (tfjs 4.22's flags_webgpu) before the backend runs
 * anything; results in bench/RESULTS.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { projectRoot } from '../lib/paths';
import { serveStatic } from '../tools/static-server';
import { buildRuntime } from '../web/build';
import { CHROMIUM, WEBGPU_CHROMIUM_ARGS } from '../web/chromium';

const root = projectRoot();

/** tfjs-backend-webgpu flag settings tried, by name (each flag exists in tfjs 4.22's flags_webgpu). */
const VARIANTS: Record<string, Record<string, number | boolean>> = {
  default: {},
  // Wrong on SwiftShader in tfjs 4.22 (--check: errors up to 8.6 against the plain loop).
  'naive-conv': { WEBGPU_USE_NAIVE_CONV2D_DEBUG: true },
  'im2col-shader': { WEBGPU_CONV_SEPARATE_IM2COL_SHADER: true },
  // The page runs the course's direct shaders on a software adapter (lib/engine/kernels/webgpu-direct):
  // this variant turns them off, for tfjs's own shaders.
  'tfjs-shaders': { COURSE_WEBGPU_DIRECT_SHADERS: false },
  'submit-64': { WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE: 64 },
};

function cell(steps: number, flags: Record<string, number | boolean>): string {
  return `import * as tf from '@tensorflow/tfjs';
import { initBackend } from './lib/backend';
import { lenet5 } from './lib/models/lenet';
const t = () => performance.now();
let at = t();
const choice = await initBackend();
const out: Record<string, number | string> = { backend: choice.name, init: t() - at };
for (const [flag, value] of Object.entries(${JSON.stringify(flags)})) tf.env().set(flag, value);
// One dispatch: a round trip, then 100 small ops and one read.
const small = tf.randomUniform([4096]);
at = t();
{ const r = tf.add(small, 1); await r.data(); r.dispose(); }
out.roundTrip = t() - at;
at = t();
{ let r = tf.add(small, 1); for (let i = 0; i < 99; i++) { const n = tf.add(r, small); r.dispose(); r = n; } await r.data(); r.dispose(); }
out.hundredOps = t() - at;
at = t();
{ const r = tf.mul(small, 3); r.dataSync(); r.dispose(); }
out.syncRead = t() - at;
small.dispose();
const model = lenet5();
model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
const x = tf.randomUniform([64, 28, 28, 1]);
const y = tf.randomUniform([64], 0, 10, 'int32').toFloat();
for (const k of [1, 2, 3]) { at = t(); await model.trainOnBatch(x, y); out['step' + k] = t() - at; }
const times: number[] = [];
for (let i = 0; i < ${steps}; i++) { at = t(); await model.trainOnBatch(x, y); times.push(t() - at); }
times.sort((a, b) => a - b);
out.stepMedian = times[Math.floor(times.length / 2)]!;
out.stepMin = times[0]!;
const profile = await tf.profile(async () => { await model.trainOnBatch(x, y); });
out.kernelsPerStep = profile.kernels.length;
const names = new Map<string, number>();
for (const k of profile.kernels) names.set(k.name, (names.get(k.name) ?? 0) + 1);
out.kernels = [...names].sort((a, b) => b[1] - a[1]).map(([n, c]) => n + '×' + c).join(' ');
at = t();
{ const p = model.predict(x) as tf.Tensor; await p.data(); p.dispose(); }
out.predict64First = t() - at;
at = t();
{ const p = model.predict(x) as tf.Tensor; await p.data(); p.dispose(); }
out.predict64 = t() - at;
tf.dispose([x, y]);
model.optimizer.dispose();
model.dispose();
console.log('PHASES ' + JSON.stringify(out));
`;
}

/** A cell that times each kind of op one LeNet-5 step runs, alone (the second of two runs). */
function opsCell(flags: Record<string, number | boolean>): string {
  return `import * as tf from '@tensorflow/tfjs';
import { initBackend } from './lib/backend';
await initBackend();
for (const [flag, value] of Object.entries(${JSON.stringify(flags)})) tf.env().set(flag, value);
const r = (s: number[]) => tf.randomUniform(s);
const dW = (x: tf.Tensor, dy: tf.Tensor, filterShape: number[], pad: string) =>
  tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape }) as tf.Tensor;
const ops: Record<string, [() => tf.Tensor, tf.Tensor[]]> = {};
const add = (name: string, inputs: tf.Tensor[], f: () => tf.Tensor) => { ops[name] = [f, inputs]; };
{ const x = r([64, 28, 28, 1]), w = r([5, 5, 1, 6]); add('conv c1 fwd', [x, w], () => tf.conv2d(x, w, 1, 'same')); }
{ const x = r([64, 14, 14, 6]), w = r([5, 5, 6, 16]); add('conv c3 fwd', [x, w], () => tf.conv2d(x, w, 1, 'valid')); }
{ const x = r([64, 28, 28, 1]), dy = r([64, 28, 28, 6]); add('conv c1 dW', [x, dy], () => dW(x, dy, [5, 5, 1, 6], 'same')); }
{ const x = r([64, 14, 14, 6]), dy = r([64, 10, 10, 16]); add('conv c3 dW', [x, dy], () => dW(x, dy, [5, 5, 6, 16], 'valid')); }
{ const dy = r([64, 10, 10, 16]), w = r([5, 5, 6, 16]); add('conv c3 dX', [dy, w], () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: [64, 14, 14, 6] }) as tf.Tensor); }
{ const x = r([64, 28, 28, 6]); add('maxPool c1', [x], () => tf.maxPool(x, 2, 2, 'valid')); }
{ const a = r([64, 400]), b = r([400, 120]); add('matMul 64x400x120', [a, b], () => tf.matMul(a, b)); }
{ const a = r([64, 400]), b = r([64, 120]); add('matMul dW 400x64x120', [a, b], () => tf.matMul(a, b, true, false)); }
{ const a = r([48120]), b = r([48120]); add('mul 48120', [a, b], () => tf.mul(a, b)); }
const out: Record<string, number> = {};
for (const [name, [f, inputs]] of Object.entries(ops)) {
  let t = performance.now();
  const first = f(); await first.data(); first.dispose();
  out[name + ' first'] = performance.now() - t;
  t = performance.now();
  const again = f(); await again.data(); again.dispose();
  out[name] = performance.now() - t;
  tf.dispose(inputs);
}
console.log('PHASES ' + JSON.stringify(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.round(v)]))));
`;
}

/** A cell that checks tfjs-webgpu's convolution against a plain loop (LeNet-5's two shapes). */
function checkCell(flags: Record<string, number | boolean>): string {
  return `import * as tf from '@tensorflow/tfjs';
import { initBackend } from './lib/backend';
await initBackend();
for (const [flag, value] of Object.entries(${JSON.stringify(flags)})) tf.env().set(flag, value);
function reference(x: Float32Array, [n, h, w, c]: number[], f: Float32Array, [k, , , o]: number[], pad: number, oh: number, ow: number) {
  const out = new Float32Array(n * oh * ow * o);
  for (let b = 0; b < n; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let q = 0; q < o; q++) {
    let sum = 0;
    for (let di = 0; di < k; di++) for (let dj = 0; dj < k; dj++) for (let ch = 0; ch < c; ch++) {
      const y = i + di - pad, xx = j + dj - pad;
      if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
      sum += x[((b * h + y) * w + xx) * c + ch]! * f[((di * k + dj) * c + ch) * o + q]!;
    }
    out[((b * oh + i) * ow + j) * o + q] = sum;
  }
  return out;
}
const out: Record<string, number> = {};
for (const [name, xs, fs, pad, oh] of [['c1 same', [4, 28, 28, 1], [5, 5, 1, 6], 2, 28], ['c3 valid', [4, 14, 14, 6], [5, 5, 6, 16], 0, 10]] as const) {
  const x = tf.randomUniform(xs as unknown as number[], -1, 1), f = tf.randomUniform(fs as unknown as number[], -1, 1);
  const y = tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, pad ? 'same' : 'valid');
  const want = reference(x.dataSync() as Float32Array, xs as unknown as number[], f.dataSync() as Float32Array, fs as unknown as number[], pad, oh, oh);
  const got = await y.data();
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  out[name + ' max abs error'] = worst;
  tf.dispose([x, f, y]);
}
console.log('PHASES ' + JSON.stringify(out));
`;
}

function writePage(dir: string): void {
  writeFileSync(join(dir, '404.html'), '<!doctype html><title>not found</title>');
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html>
<html><head><meta charset="utf-8"><title>WebGPU phases</title></head>
<body><main id="bench"></main>
<script type="module">
const { mountRunner } = await import('/run/runner.js');
const name = new URLSearchParams(location.search).get('variant');
const source = await (await fetch('/cell-' + name + '.ts')).text();
mountRunner(document.getElementById('bench'), [{ source }], { runtimeBase: '/run/' });
document.body.dataset.mounted = 'yes';
</script></body></html>
`,
  );
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let steps = 5;
  const variants: string[] = [];
  let ops = false;
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--steps') steps = Number(argv[++i]);
    else if (argv[i] === '--ops') ops = true;
    else if (argv[i] === '--check') check = true;
    else if (argv[i] === '--variant') variants.push(argv[++i]!);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  for (const v of variants)
    if (!VARIANTS[v]) throw new Error(`no variant ${v}: ${Object.keys(VARIANTS).join(', ')}`);
  const dir = join(root, 'build', 'page-webgpu-phases');
  mkdirSync(dir, { recursive: true });
  await buildRuntime(join(dir, 'run'));
  writePage(dir);
  const chosen = variants.length ? variants : ['default'];
  for (const v of chosen)
    writeFileSync(
      join(dir, `cell-${v}.ts`),
      check ? checkCell(VARIANTS[v]!) : ops ? opsCell(VARIANTS[v]!) : cell(steps, VARIANTS[v]!),
    );
  const { server, url } = await serveStatic(dir, 0);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--no-first-run', ...WEBGPU_CHROMIUM_ARGS],
  });
  try {
    for (const v of chosen) {
      const page = await browser.newPage();
      await page.goto(`${url}/?variant=${v}&backend=webgpu`);
      await page.waitForSelector('body[data-mounted=yes]', { timeout: 120_000 });
      const started = Date.now();
      const status = (await page.evaluate('courseRunner.runCell(0)')) as string;
      const text = await page.locator('.nb-run-outputs').innerText();
      const line = /PHASES (.*)/.exec(text)?.[1];
      console.log(
        `${v} (${status}, ${((Date.now() - started) / 1000).toFixed(0)} s, load ${loadavg()[0]!.toFixed(1)}): ${line ?? text}`,
      );
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((error: Error) => {
  console.error(`page-webgpu-phases: ${error.message}`);
  process.exit(1);
});
