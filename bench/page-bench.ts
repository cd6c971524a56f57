/**
 * LeNet-5 training throughput on the page ("Run in your browser"), next to Node's.
 *
 *   npm run bench:page [-- --steps N] [--webgpu-steps N] [--threads N] [--no-node] [--no-webgpu]
 *                          [--rounds R] [--baseline DIR]
 *
 * Builds the page runtime (web/build.ts) into build/page-bench, serves it cross-origin
 * isolated on 127.0.0.1 and runs one cell in Debian's Chromium (playwright-core): the
 * benchmark's LeNet-5 (the `lenet5` function of bench/models.ts, its source text put in the
 * cell), compiled as bench/models.ts compiles it, trained with trainOnBatch on random data,
 * batch 64, N warm-up steps then N timed steps, as bench/train-bench.ts measures in Node.
 * It runs on wasm with 1 thread, wasm with `--threads` (default: the browser's cores, at most
 * 8) and WebGPU (SwiftShader's software adapter in headless Chromium, fewer steps), then
 * Node's `bench/train-bench.ts --model lenet5 --backend wasm` with COURSE_WASM_THREADS=1 and
 * the same N. Prints one RESULT line per run, then a table with the machine's load average.
 *
 * On a busy machine one pair of runs says little: `--rounds R` runs the page's wasm pair R
 * times, interleaved (1, N, 1, N, …), and prints each run and the median per setting.
 * `--baseline DIR` also runs a page runtime built from another commit (`npx tsx web/build.ts
 * --out-dir DIR` in a checkout of it) in the same rounds (1, N, 1 baseline, N baseline, …):
 * before and after a change under the same load.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { projectRoot } from '../lib/paths';
import { serveStatic } from '../tools/static-server';
import { buildRuntime } from '../web/build';
import { CHROMIUM, WEBGPU_CHROMIUM_ARGS } from '../web/chromium';

const root = projectRoot();
const BATCH = 64;

interface Options {
  steps: number;
  webgpuSteps: number;
  threads?: number;
  node: boolean;
  webgpu: boolean;
  rounds: number;
  /** A page runtime built from another commit, run beside this one. */
  baseline?: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { steps: 200, webgpuSteps: 10, node: true, webgpu: true, rounds: 1 };
  const count = (flag: string, raw: string | undefined) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a whole number above 0, got ${raw}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--steps') options.steps = count(arg, argv[++i]);
    else if (arg === '--webgpu-steps') options.webgpuSteps = count(arg, argv[++i]);
    else if (arg === '--threads') options.threads = count(arg, argv[++i]);
    else if (arg === '--no-node') options.node = false;
    else if (arg === '--no-webgpu') options.webgpu = false;
    else if (arg === '--rounds') options.rounds = count(arg, argv[++i]);
    else if (arg === '--baseline') {
      const dir = resolve(argv[++i] ?? '');
      if (!existsSync(join(dir, 'runner.js')))
        throw new Error(`--baseline needs a built page runtime (a folder with runner.js), got ${dir}`);
      options.baseline = dir;
    } else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

/** bench/models.ts's LeNet-5 builder, as source text for the page's cell. */
function lenet5Source(): string {
  const models = readFileSync(join(root, 'bench', 'models.ts'), 'utf8');
  const fn = /^function lenet5\(\): tf\.Sequential \{\n[\s\S]*?^\}$/m.exec(models)?.[0];
  const compile = "model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });";
  if (!fn || !models.includes(compile))
    throw new Error(
      'bench/models.ts no longer has `function lenet5(): tf.Sequential { … }` and its compile call: update bench/page-bench.ts',
    );
  return `${fn}\nfunction buildModel(): tf.Sequential {\n  const model = lenet5();\n  ${compile}\n  return model;\n}`;
}

/** The cell the page runs: the same measurement as bench/train-bench.ts's `measure`. */
function benchCell(steps: number): string {
  return `import * as tf from '@tensorflow/tfjs';
import { initBackend, describeBackend } from './lib/backend';
const choice = await initBackend();
console.log(describeBackend(choice).slice(0, 2).join('\\n'));
${lenet5Source()}
const model = buildModel();
const x = tf.randomUniform([${BATCH}, 32, 32, 3]);
const y = tf.tidy(() => tf.oneHot(tf.randomUniform([${BATCH}], 0, 10, 'int32'), 10).toFloat());
for (let i = 0; i < ${steps}; i++) await model.trainOnBatch(x, y);
const start = performance.now();
for (let i = 0; i < ${steps}; i++) await model.trainOnBatch(x, y);
const seconds = (performance.now() - start) / 1000;
tf.dispose([x, y]);
model.dispose();
console.log(\`RESULT model=lenet5 backend=\${choice.name} train_img_per_s=\${((${steps} * ${BATCH}) / seconds).toFixed(2)}\`);
`;
}

function writePage(dir: string): void {
  writeFileSync(join(dir, '404.html'), '<!doctype html><title>not found</title>');
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html>
<html><head><meta charset="utf-8"><title>LeNet-5 on the page</title></head>
<body><main id="bench"></main>
<script type="module">
const query = new URLSearchParams(location.search);
const runtime = '/' + (query.get('runtime') ?? 'run') + '/';
const { mountRunner } = await import(runtime + 'runner.js');
const cells = await (await fetch('/cell-' + query.get('steps') + '.ts')).text();
mountRunner(document.getElementById('bench'), [{ source: cells }], { runtimeBase: runtime });
document.body.dataset.mounted = 'yes';
</script></body></html>
`,
  );
}

interface Run {
  label: string;
  imgPerS?: number;
  note: string;
}

const RESULT = /RESULT model=lenet5 backend=(\S+) train_img_per_s=([\d.]+)/;

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const dir = join(root, 'build', 'page-bench');
  mkdirSync(dir, { recursive: true });
  await buildRuntime(join(dir, 'run'));
  writePage(dir);
  rmSync(join(dir, 'run-baseline'), { recursive: true, force: true });
  if (options.baseline) symlinkSync(options.baseline, join(dir, 'run-baseline'));
  for (const steps of new Set([options.steps, options.webgpuSteps]))
    writeFileSync(join(dir, `cell-${steps}.ts`), benchCell(steps));
  const { server, url } = await serveStatic(dir, 0);
  // Unsafe WebGPU without --disable-gpu: headless Chromium then offers SwiftShader's adapter.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The flags under which WebGPU's synchronous reads are exact (else the page falls back to wasm).
    args: ['--no-sandbox', '--disable-background-networking', '--no-first-run', ...WEBGPU_CHROMIUM_ARGS],
  });
  const cores = await (async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/404.html`);
    const n = (await page.evaluate('navigator.hardwareConcurrency')) as number;
    await page.close();
    return n;
  })();
  const threads = options.threads ?? Math.min(cores, 8);
  const runs: Run[] = [];
  const onPage = async (label: string, query: string, steps: number) => {
    const page = await browser.newPage();
    try {
      await page.goto(`${url}/?${query}&steps=${steps}`);
      await page.waitForSelector('body[data-mounted=yes]', { timeout: 120_000 });
      const status = (await page.evaluate('courseRunner.runCell(0)')) as string;
      const text = await page.locator('.nb-run-outputs').innerText();
      const result = RESULT.exec(text);
      const why = /^why: (.*)$/m.exec(text)?.[1] ?? '';
      if (status !== 'ok' || !result) {
        runs.push({ label, note: `failed: ${text.trim().split('\n').slice(-2).join(' ')}` });
        console.log(`${label}: failed (${status}): ${text.trim()}`);
        return;
      }
      console.log(`${label}: ${why}`);
      console.log(`${result[0]} where=page ${query}`);
      runs.push({ label, imgPerS: Number(result[2]), note: why });
    } finally {
      await page.close();
    }
  };
  const runtimes = [['run', ''], ...(options.baseline ? [['run-baseline', ' (baseline)']] : [])];
  for (let round = 0; round < options.rounds; round++) {
    for (const [runtime, what] of runtimes) {
      for (const n of [1, threads])
        await onPage(
          `page, wasm, ${n} thread${n > 1 ? 's' : ''}${what}`,
          `backend=wasm&threads=${n}&runtime=${runtime}`,
          options.steps,
        );
    }
  }
  if (options.webgpu) await onPage('page, WebGPU', 'backend=webgpu', options.webgpuSteps);
  await browser.close();
  server.close();
  if (options.node) {
    for (const n of [1, threads]) {
      const label = `Node, wasm, ${n} thread${n > 1 ? 's' : ''}`;
      const child = spawnSync(
        process.execPath,
        [
          join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
          'bench/train-bench.ts',
          '--model',
          'lenet5',
          '--backend',
          'wasm',
          '--steps',
          String(options.steps),
        ],
        { cwd: root, encoding: 'utf8', env: { ...process.env, COURSE_WASM_THREADS: String(n) } },
      );
      const result = RESULT.exec(child.stdout);
      const why = /^backend wasm: (.*)$/m.exec(child.stdout)?.[1] ?? '';
      if (!result) {
        runs.push({ label, note: `failed: ${(child.stderr || child.stdout).trim().split('\n').at(-1)}` });
        continue;
      }
      console.log(`${result[0]} where=node threads=${n}`);
      runs.push({ label, imgPerS: Number(result[2]), note: why });
    }
  }
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(', ');
  console.log(
    `\nLeNet-5 training, batch ${BATCH}, ${options.steps} steps (WebGPU ${options.webgpuSteps}) after as many warm-up steps; load average ${load}`,
  );
  console.log('| run | images/s | backend line |');
  console.log('| --- | --- | --- |');
  for (const r of runs) console.log(`| ${r.label} | ${r.imgPerS?.toFixed(0) ?? '–'} | ${r.note} |`);
  const repeated = [...new Set(runs.map((r) => r.label))].filter(
    (label) => runs.filter((r) => r.label === label).length > 1,
  );
  if (repeated.length > 0) {
    console.log('\n| run | runs | median images/s | min-max |');
    console.log('| --- | --- | --- | --- |');
    for (const label of repeated) {
      const values = runs
        .filter((r) => r.label === label && r.imgPerS !== undefined)
        .map((r) => r.imgPerS!)
        .sort((a, b) => a - b);
      if (values.length === 0) continue;
      const mid = values.length >> 1;
      const median = values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
      const range = `${values[0]!.toFixed(0)}-${values.at(-1)!.toFixed(0)}`;
      console.log(`| ${label} | ${values.length} | ${median.toFixed(0)} | ${range} |`);
    }
  }
}

main().catch((error: Error) => {
  console.error(`bench:page: ${error.message}`);
  process.exit(1);
});
