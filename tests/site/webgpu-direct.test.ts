// The course's direct WebGPU shaders (lib/engine/kernels/webgpu-direct), which the page runs on
// a software adapter, checked in Chromium on SwiftShader's WebGPU against tfjs's cpu backend and
// hand-computed values: convolutions forward (plain and fused with bias and ReLU), their input
// and filter gradients, over strides, paddings, batches and channel counts, and matrix products
// with every transpose (tests/site/webgpu-direct.page.ts runs the cases on the page).
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../../tools/static-server';
import { swapPlugin } from '../../web/build';
import { WEBGPU_CHROMIUM_ARGS } from '../../web/chromium';
import { CHROMIUM, chromiumSkipReason } from './browser';

const skipReason = chromiumSkipReason();
const dir = join(process.cwd(), 'build', 'webgpu-direct-test');

interface Check {
  name: string;
  error: number;
  tolerance: number;
  shaders: string[];
}

describe.skipIf(skipReason)('direct WebGPU shaders on SwiftShader', () => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let url = '';

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    await esbuild.build({
      entryPoints: [join(process.cwd(), 'tests', 'site', 'webgpu-direct.page.ts')],
      outfile: join(dir, 'page.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'chrome113',
      define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
      logLevel: 'warning',
      inject: [join(process.cwd(), 'web', 'browser', 'buffer-global.ts')],
      plugins: [swapPlugin()], // lib's Node-only modules swapped for the page's, as in the runtime
    });
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><meta charset="utf-8"><title>direct shaders</title>' +
        '<body><script type="module" src="page.js"></script></body>',
    );
    writeFileSync(join(dir, '404.html'), '<!doctype html><title>not found</title>');
    ({ server, url } = await serveStatic(dir, 0));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--no-first-run', ...WEBGPU_CHROMIUM_ARGS],
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it('match the cpu backend and hand-computed values within float32 tolerance', async () => {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}/index.html`);
    await page.waitForSelector('body[data-ready=yes]', { state: 'attached', timeout: 120_000 });
    const result = (await page.evaluate('runChecks()')) as {
      adapter: string;
      fallback: boolean;
      checks: Check[];
    };
    await page.close();
    expect(errors).toEqual([]);
    expect(result.adapter).toContain('swiftshader');
    expect(result.fallback).toBe(true);
    const bad = result.checks.filter((c) => !(c.error <= c.tolerance));
    expect(bad, bad.map((c) => `${c.name}: error ${c.error}, tolerance ${c.tolerance}`).join('\n')).toEqual(
      [],
    );
    // Each case ran the course's shaders, not tfjs's (which would pass the comparison too).
    const ran = (prefix: string) => result.checks.filter((c) => c.name.startsWith(prefix))[0]!.shaders;
    expect(result.checks.length).toBeGreaterThan(30);
    for (const c of result.checks.filter((c) => c.name.includes('forward, dx, dw')))
      expect(c.shaders, c.name).toEqual(expect.arrayContaining(['conv-dw', 'conv-dx', 'conv-forward']));
    // C1's filter gradient sums slices of the batch apart (25 invocations alone would use one thread).
    expect(ran("LeNet-5's C1")).toContain('sum-slices');
    expect(ran('by hand')).toEqual(expect.arrayContaining(['conv-dw', 'conv-dx', 'conv-forward']));
    expect(ran('dilation 2')).toEqual(['conv-forward']);
    for (const c of result.checks.filter(
      (c) => c.name.startsWith('matMul') || c.name.startsWith('fused matMul'),
    ))
      expect(c.shaders, c.name).toEqual(['matmul']);
    for (const c of result.checks.filter((c) => c.name.includes('fused with bias')))
      expect(c.shaders, c.name).toEqual(['conv-forward']);
  }, 600_000);
});
