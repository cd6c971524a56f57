// "Run in your browser": the page runtime (web/) runs notebooks 00 and 04 in Chromium on
// a bare page that mounts it on the notebooks' code cells (tests/site/run-harness.ts),
// in the ci profile: every cell ends ok, the outputs that cell makes appear, the asserts
// in the cells pass (a failing assert fails its cell), and results match the course
// kernel's run of the same notebook (from nbconvert-ts's cache, or COURSE_EXECUTED_DIR).
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeCourseNotebook } from '../../tools/site-build';
import { serveStatic } from '../../tools/static-server';
import { buildRuntime } from '../../web/build';
import { CHROMIUM, chromiumSkipReason } from './browser';
import { writeHarnessPage } from './run-harness';

const skipReason = chromiumSkipReason();
const root = process.cwd();
const dir = join(root, 'build', 'run-test');
const notebooks = {
  '00': join(root, 'notebooks', '00-setup.ipynb'),
  '04': join(root, 'notebooks', '04-lenet5.ipynb'),
};

let server: Server | undefined;
let base = '';
let browser: Browser | undefined;
const pages: Record<string, string> = {};

/** What one run of a notebook on the page showed. */
interface PageRun {
  page: Page;
  statuses: string[];
  outputs: string[];
  mimes: string[][];
  backendLine: string;
  errors: string[];
}

async function runNotebook(key: keyof typeof notebooks, backend: string): Promise<PageRun> {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${base}${pages[key]}?backend=${backend}`);
  await page.waitForSelector('body[data-mounted=yes]', { timeout: 120_000 });
  const statuses = await page.evaluate(() =>
    (globalThis as unknown as { courseRunner: { runAll(): Promise<string[]> } }).courseRunner.runAll(),
  );
  const outputs = await page.$$eval('.nb-run-outputs', (els) => els.map((e) => e.textContent ?? ''));
  const mimes = await page.$$eval('.nb-run-outputs', (els) =>
    els.map((e) =>
      [...e.querySelectorAll('[data-mime]')].map(
        (m) => (m as unknown as { dataset: Record<string, string> }).dataset.mime!,
      ),
    ),
  );
  const backendLine = await page.$eval('.nb-run-status', (e) => e.textContent ?? '');
  return { page, statuses, outputs, mimes, backendLine, errors };
}

/** The stdout of each code cell of an executed notebook, in order. */
function kernelStdout(executed: string): string[] {
  const nb = JSON.parse(readFileSync(executed, 'utf8')) as {
    cells: Array<{
      cell_type: string;
      source: string[] | string;
      outputs?: Array<{
        output_type: string;
        name?: string;
        text?: string[] | string;
        data?: Record<string, string[] | string>;
      }>;
    }>;
  };
  const join_ = (t: string[] | string | undefined) => (Array.isArray(t) ? t.join('') : (t ?? ''));
  return nb.cells
    .filter(
      (c) =>
        c.cell_type === 'code' &&
        join_(c.source).trim() !== '' &&
        !join_(c.source).startsWith('# Parameters'),
    )
    .map((c) => (c.outputs ?? []).map((o) => join_(o.text) + join_(o.data?.['text/plain'])).join('\n'));
}

describe.skipIf(skipReason)('Run in your browser (page runtime in Chromium)', () => {
  let executed04 = '';

  beforeAll(async () => {
    // The kernel's run of notebook 04, same profile and seed (from the cache after the notebook tests).
    const executedDir = process.env.COURSE_EXECUTED_DIR ?? join(root, 'build', 'executed-ci');
    executed04 = join(executedDir, '04-lenet5.ipynb');
    if (!process.env.COURSE_EXECUTED_DIR || !existsSync(executed04)) {
      const report = await executeCourseNotebook(notebooks['04'], 'ci', executedDir);
      if (report.status !== 'ok')
        throw new Error(`the kernel's run of notebook 04 failed: ${report.message ?? report.status}`);
    }
    await buildRuntime(join(dir, 'run'));
    for (const [key, path] of Object.entries(notebooks)) pages[key] = writeHarnessPage(dir, path);
    ({ server, url: base } = await serveStatic(dir, 0));
    // Without --disable-gpu, and with unsafe WebGPU: navigator.gpu then offers SwiftShader's
    // fallback adapter in headless Chromium (156, Debian).
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  let run00: PageRun | undefined;

  it('runs notebook 00 on wasm: every cell ok, its outputs drawn, results as the kernel prints them', async () => {
    run00 = await runNotebook('00', 'wasm');
    const { statuses, outputs, mimes, backendLine, errors } = run00;
    expect(errors).toEqual([]);
    expect(
      statuses.every((s) => s === 'ok'),
      `statuses: ${statuses.join(' ')}\n${outputs.join('\n---\n')}`,
    ).toBe(true);
    expect(backendLine).toMatch(/^backend: wasm/);
    // The page is cross-origin isolated by the static server, so the threaded build runs.
    expect(backendLine).toMatch(/threaded build/);
    expect(outputs[2]).toContain('wasm'); // the probes table
    expect(mimes[2]).toContain('text/html');
    expect(outputs[3]).toMatch(/\[\[19, 22\],\s*\[43, 50\]\]/);
    expect(outputs[4]).toContain('‖(1, 2, 3, 4)‖ = 5.4772 = √30');
    expect(mimes[5]).toEqual(['text/html', 'text/markdown']);
    expect(mimes[6]).toEqual(['image/png']);
    expect(mimes[7]).toEqual(['application/vnd.vegalite.v5+json']);
    expect(await run00.page.locator('.nb-run-cell >> nth=7 >> svg.marks').count()).toBe(1);
    expect(outputs[8]).toContain('matMul on the wasm backend');
    expect(outputs[10]).toContain('exercise 00.1: not attempted yet');
    expect(outputs[11]).toContain('tensors now: 0, at the start: 0');
  });

  it("checks an edited exercise, shows a throwing cell's error and runs later cells", async () => {
    expect(run00, 'the notebook 00 run').toBeDefined();
    const { page } = run00!;
    const runner = (i: number) =>
      page.evaluate(
        (n) =>
          (
            globalThis as unknown as { courseRunner: { runCell(n: number): Promise<string> } }
          ).courseRunner.runCell(n),
        i,
      );
    const output = (i: number) => page.locator('.nb-run-outputs').nth(i).textContent();
    // A wrong solution (the identity): the check fails with the exercise's message.
    await page.evaluate(() =>
      (
        globalThis as unknown as { courseRunner: { setSource(i: number, s: string): void } }
      ).courseRunner.setSource(9, 'function relu(x: tf.Tensor): tf.Tensor {\n  return x;\n}'),
    );
    expect(await runner(9)).toBe('ok');
    expect(await runner(10)).toBe('error');
    expect(await output(10)).toMatch(/00\.1/);
    // "Show solution" puts the solution in the editor; the check passes.
    await page.locator('.nb-run-cell').nth(9).getByRole('button', { name: 'Show solution' }).click();
    expect(await runner(9)).toBe('ok');
    expect(await runner(10)).toBe('ok');
    expect(await output(10)).toContain('exercise 00.1 passed');
    // A cell that throws shows its error; the next cell still runs in the same scope.
    await page.evaluate(() =>
      (
        globalThis as unknown as { courseRunner: { setSource(i: number, s: string): void } }
      ).courseRunner.setSource(3, "const boom = 1;\nthrow new RangeError('deliberate: ' + boom);"),
    );
    expect(await runner(3)).toBe('error');
    expect(await output(3)).toContain('RangeError: deliberate: 1');
    expect(await runner(4)).toBe('ok');
    expect(await output(4)).toContain('= 5.4772 = √30');
    await page.close();
  });

  it("runs notebook 04 on wasm: LeNet-5 trains to the kernel run's loss and accuracy (±0.05, ±6 points)", async () => {
    const kernel = kernelStdout(executed04);
    const { statuses, outputs, mimes, errors, page } = await runNotebook('04', 'wasm');
    expect(errors).toEqual([]);
    expect(
      statuses.every((s) => s === 'ok'),
      `statuses: ${statuses.join(' ')}\n${outputs.join('\n---\n')}`,
    ).toBe(true);
    expect(mimes[12]).toEqual(['image/png']);
    expect(mimes[14]).toEqual(['application/vnd.vegalite.v5+json']);
    expect(mimes[15]).toEqual(['application/vnd.vegalite.v5+json']);
    const figures = (text: string) => ({
      loss: Number(/epoch 3\/3 .*?[^_]loss ([\d.]+)/.exec(text)?.[1]),
      accuracy: Number(/test accuracy: ([\d.]+)%/.exec(text)?.[1]),
    });
    const kernelText = kernel.join('\n');
    const pageText = outputs.join('\n');
    const [k, p] = [figures(kernelText), figures(pageText)];
    expect(Number.isFinite(k.loss) && Number.isFinite(k.accuracy), kernelText).toBe(true);
    expect(Math.abs(p.loss - k.loss), `final training loss: page ${p.loss}, kernel ${k.loss}`).toBeLessThan(
      0.05,
    );
    expect(
      Math.abs(p.accuracy - k.accuracy),
      `test accuracy: page ${p.accuracy}%, kernel ${k.accuracy}%`,
    ).toBeLessThan(6);
    // Exact figures: parameter counts.
    for (const line of [
      'parameters per layer: 608, 3216, 48120, 10164, 850',
      'dense C3: 1,883,200 parameters',
    ]) {
      expect(kernelText).toContain(line);
      expect(pageText).toContain(line);
    }
    await page.close();
  }, 900_000);

  it('takes WebGPU where navigator.gpu gives an adapter (SwiftShader here) and says so', async () => {
    const page = await browser!.newPage();
    await page.goto(`${base}${pages['00']}`);
    await page.waitForSelector('body[data-mounted=yes]');
    const statuses = await page.evaluate(async () => {
      const r = (globalThis as unknown as { courseRunner: { runCell(n: number): Promise<string> } })
        .courseRunner;
      return [await r.runCell(0), await r.runCell(1), await r.runCell(2)];
    });
    expect(statuses).toEqual(['ok', 'ok', 'ok']);
    expect(await page.$eval('.nb-run-status', (e) => e.textContent)).toMatch(
      /^backend: webgpu — why: webgpu: WebGPU adapter: google swiftshader \(a software fallback adapter\)/,
    );
    await page.close();
  });
});
