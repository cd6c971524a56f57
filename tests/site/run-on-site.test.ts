// "Run in your browser" on the built Docusaurus site (the site shared with site.test.ts, see
// shared-site.ts), driven as a reader does: the button on a notebook page, the toolbar's Run
// all, Stop and profile menu, typing into a cell's editor and its Run button, an exercise
// answered wrongly and rightly, "Show solution". Also: the page says which backend runs and
// why, its outputs match the static page's, it loads nothing from other origins, and a
// notebook's data is fetched only when a cell that reads it runs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../../tools/static-server';
import { DATA_BUDGET_BYTES } from '../../web/build';
import { chromiumSkipReason, launchChromium } from './browser';
import { sharedSite, type BuiltSite } from './shared-site';

const skipReason = chromiumSkipReason();

let site: BuiltSite | undefined;
let browser: Browser | undefined;

/** A notebook page, with every request it makes and every error it reports. */
async function openNotebook(name: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()}`));
  await page.goto(`${site!.base}/notebooks/${name}`, { waitUntil: 'networkidle' });
  return { page, requests, errors };
}

/** Clicks "Run in your browser" and waits for the toolbar; returns the number of code cells. */
async function mount(page: Page): Promise<number> {
  await page.getByRole('button', { name: 'Run in your browser' }).click();
  await page.locator('.nb-run-toolbar').waitFor({ timeout: 120_000 });
  return page.locator('.nb-run-cell').count();
}

/** The statuses of the page's cells (running, ok, error, stopped; '' before the first run). */
function statuses(page: Page): Promise<string[]> {
  return page.$$eval('.nb-run-cell', (els) =>
    els.map((e) => (e as unknown as { dataset: Record<string, string> }).dataset.status ?? ''),
  );
}

/** Clicks a cell's Run button and waits for it to end; returns its status. */
async function runCell(page: Page, index: number, timeout = 120_000): Promise<string> {
  const cell = page.locator('.nb-run-cell').nth(index);
  // Forget the last run's status, so that only this run's end is waited for.
  await cell.evaluate((el) => el.removeAttribute('data-status'));
  await cell.getByRole('button', { name: 'Run', exact: true }).click();
  await expect.poll(() => cell.getAttribute('data-status'), { timeout }).toMatch(/^(ok|error|stopped)$/);
  return (await cell.getAttribute('data-status'))!;
}

/** Replaces a cell's code by typing it into its editor, as a reader does. */
async function typeInto(page: Page, index: number, code: string): Promise<void> {
  const editor = page.locator('.nb-run-cell').nth(index).locator('.cm-content');
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  // insertText: typed key by key, the editor's bracket closing and indentation would add to it.
  await page.keyboard.insertText(code);
  expect(await editorText(page, index)).toBe(code);
}

function editorText(page: Page, index: number): Promise<string> {
  return page
    .locator('.nb-run-cell')
    .nth(index)
    .locator('.cm-line')
    .evaluateAll((lines) => lines.map((l) => l.textContent ?? '').join('\n'));
}

const outputText = (page: Page, index: number) =>
  page.locator('.nb-run-cell').nth(index).locator('.nb-run-outputs').innerText();

/** The static page's outputs of each code cell (in order), read before the runner mounts. */
const STATIC_OUTPUTS = `(async () => {
  const isCell = (el) => el.matches('div[class*="codeBlockContainer"]')
    && /^\\[(\\d+| )\\]$/.test(el.querySelector('div[class*="codeBlockTitle"]')?.textContent?.trim() ?? '');
  const article = document.querySelector('.theme-doc-markdown');
  const cells = [...article.children].filter(isCell);
  return Promise.all(cells.map(async (cell) => {
    const out = { text: [], html: [], images: [], charts: 0 };
    for (let el = cell.nextElementSibling; el && !isCell(el) && !/^H\\d$/.test(el.tagName); el = el.nextElementSibling) {
      if (el.matches('div[class*="codeBlockContainer"]')) out.text.push(el.querySelector('code').innerText);
      else if (el.matches('.nb-html')) out.html.push(el.innerText);
      else if (el.matches('.nb-vega')) out.charts++;
      else for (const img of el.matches('img') ? [el] : el.querySelectorAll('img')) {
        img.loading = 'eager';
        await img.decode();
        out.images.push([img.naturalWidth, img.naturalHeight]);
      }
    }
    return out;
  }));
})()`;

interface StaticOutputs {
  text: string[];
  html: string[];
  images: Array<[number, number]>;
  charts: number;
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

describe.skipIf(skipReason)('Run in your browser on the built site (Chromium)', () => {
  beforeAll(async () => {
    site = await sharedSite();
    console.log(`site built in ${site.seconds.toFixed(0)} s (shared with site.test.ts)`);
    browser = await launchChromium();
  }, 1_800_000);

  afterAll(async () => {
    await browser?.close();
  });

  let page00: Page | undefined;

  it('runs notebook 00 from its button: every cell ok, outputs as on the static page, the backend and why', async () => {
    const { page, requests, errors } = await openNotebook('00-setup');
    page00 = page;
    const statics = (await page.evaluate(STATIC_OUTPUTS)) as StaticOutputs[];
    const cells = await mount(page);
    expect(cells).toBe(statics.length);
    // The static code blocks give way to editors holding the same code.
    expect(await page.locator('.nb-run-cell .cm-editor').count()).toBe(cells);
    expect(await editorText(page, 3)).toContain('const product = tf.matMul(a, b);');
    await page.locator('.nb-run-toolbar').getByRole('button', { name: 'Run all' }).click();
    await expect
      .poll(async () => (await statuses(page)).filter((s) => /^(ok|error|stopped)$/.test(s)).length, {
        timeout: 240_000,
      })
      .toBe(cells);
    const ended = await statuses(page);
    const texts = await page.locator('.nb-run-outputs').allInnerTexts();
    expect(
      ended.every((s) => s === 'ok'),
      `statuses ${ended.join(' ')}\n${texts.join('\n---\n')}`,
    ).toBe(true);

    // Outputs like the static page's: same text, HTML, math, image size, chart.
    expect(squash(texts[3]!)).toBe(squash(statics[3]!.text.join('\n')));
    expect(squash(texts[4]!)).toBe(squash(statics[4]!.text.join('\n')));
    expect(squash(texts[5]!)).toBe(squash(statics[5]!.html.join('\n')));
    const cell = (i: number) => page.locator('.nb-run-cell').nth(i);
    expect(await cell(5).locator('.katex').count()).toBeGreaterThan(0);
    const live = await cell(6)
      .locator('img')
      .evaluate((img) => [
        (img as unknown as { naturalWidth: number }).naturalWidth,
        (img as unknown as { naturalHeight: number }).naturalHeight,
      ]);
    expect(statics[6]!.images).toEqual([live]);
    expect(live).toEqual([192, 192]); // the 64x64 gradient at scale 3
    expect(statics[7]!.charts).toBe(1);
    expect(await cell(7).locator('svg g.role-mark.mark-line > path').count()).toBe(2);
    expect(texts[10]).toContain('exercise 00.1: not attempted yet');
    expect(texts[11]).toContain('tensors now: 0, at the start: 0');
    // The static outputs of a cell run here are hidden; the page's own table of probes is shown.
    expect(await page.locator('.theme-doc-markdown > .nb-html:visible').count()).toBe(0);
    expect(texts[2]).toMatch(/webgpu\s+no\s+/);

    // Which backend runs and why: no GPU here (Chromium runs with --disable-gpu), so wasm,
    // threaded since the static server makes the page cross-origin isolated.
    expect(await page.evaluate('crossOriginIsolated')).toBe(true);
    const status = await page.locator('.nb-run-status').innerText();
    // As in Node, the pool of threads only for large kernels (lib/engine/thread-pools).
    expect(status).toMatch(
      new RegExp(
        '^backend: wasm — why: wasm: WebAssembly \\(XNNPACK, SIMD, threaded build, (\\d) of \\d threads asked ' +
          'for \\(the page is cross-origin isolated\\), large convolutions and matrix products on \\1 threads, ' +
          "the rest on one\\) with the course's training kernels; webgpu unavailable \\(.+\\)$",
      ),
    );
    // Everything came from the site itself, and notebook 00 reads no data asset.
    // (blob: URLs of the wasm threads' workers have the page's origin.)
    const offSite = requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== site!.base);
    expect(offSite).toEqual([]);
    console.log(`status line: ${status}`);
    expect(requests.filter((url) => url.includes('/run/data/'))).toEqual([]);
    expect(errors).toEqual([]);
  }, 400_000);

  it('reruns an edited cell, checks an exercise answered wrongly and rightly, shows the solution', async () => {
    expect(page00, 'the page of the first test').toBeDefined();
    const page = page00!;
    await typeInto(
      page,
      3,
      'tf.tidy(() => tf.matMul(tf.tensor2d([[2, 0], [0, 3]]), tf.ones([2, 2])).print());',
    );
    expect(await runCell(page, 3)).toBe('ok');
    expect(squash(await outputText(page, 3))).toBe('Tensor [[2, 2], [3, 3]]');

    // The exercise shows the learner's version; its solution is behind the cell's button only.
    expect(await editorText(page, 9)).toContain('throw notImplemented');
    expect(await page.locator('details:has(> summary:text-is("Show solution"))').first().isVisible()).toBe(
      false,
    );
    const answer = (body: string) => `function relu(x: tf.Tensor): tf.Tensor {\n  return ${body};\n}`;
    // Wrong: |x| keeps the negatives' size; the check fails and names the exercise.
    await typeInto(page, 9, answer('tf.abs(x)'));
    expect(await runCell(page, 9)).toBe('ok');
    expect(await runCell(page, 10)).toBe('error');
    expect(await outputText(page, 10)).toMatch(/00\.1/);
    expect(await outputText(page, 10)).not.toContain('passed');
    // Right, though not the solution's code.
    await typeInto(page, 9, answer('tf.relu(x)'));
    expect(await runCell(page, 9)).toBe('ok');
    expect(await runCell(page, 10)).toBe('ok');
    expect(await outputText(page, 10)).toContain('✔ exercise 00.1 passed');
    // "Show solution" puts the solution in the editor; it passes too.
    await page.locator('.nb-run-cell').nth(9).getByRole('button', { name: 'Show solution' }).click();
    expect(await editorText(page, 9)).toContain('return tf.maximum(x, 0);');
    expect(await runCell(page, 9)).toBe('ok');
    expect(await runCell(page, 10)).toBe('ok');
    expect(await outputText(page, 10)).toContain('✔ exercise 00.1 passed');
  });

  it('stops a running cell with Stop, and runs the parameters cell with the profile chosen', async () => {
    expect(page00, 'the page of the first test').toBeDefined();
    const page = page00!;
    const cell = page.locator('.nb-run-cell').nth(4);
    await typeInto(page, 4, 'await new Promise((resolve) => setTimeout(resolve, 600_000));');
    await cell.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => cell.getAttribute('data-status'), { timeout: 10_000 }).toBe('running');
    await page.locator('.nb-run-toolbar').getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => cell.getAttribute('data-status'), { timeout: 10_000 }).toBe('stopped');
    expect(await outputText(page, 4)).toContain('stopped');
    // The scope still runs cells.
    await typeInto(page, 4, 'console.log(`profile ${profile}, seed ${seed}`);');
    const profileMenu = page.locator('.nb-run-toolbar select').first();
    expect(await profileMenu.inputValue()).toBe('ci');
    for (const profile of ['full', 'ci']) {
      await profileMenu.selectOption(profile);
      expect(await runCell(page, 0)).toBe('ok');
      expect(await runCell(page, 4)).toBe('ok');
      expect((await outputText(page, 4)).trim()).toBe(`profile ${profile}, seed 1`);
    }
    await page.close();
  });

  it('says the page runs wasm on one thread, and why, where the server sends no COOP/COEP headers (GitHub Pages)', async () => {
    // The same build, served without the isolation headers.
    const { server, url } = await serveStatic(site!.out, 0, { isolated: false });
    const page = await browser!.newPage();
    try {
      await page.goto(`${url}/notebooks/00-setup`, { waitUntil: 'networkidle' });
      await mount(page);
      // The first cell run starts the backend and the status line names it.
      expect(await runCell(page, 0)).toBe('ok');
      expect(await page.evaluate('crossOriginIsolated')).toBe(false);
      // (The line is written once the backend has started, just after the cell's end.)
      await expect
        .poll(() => page.locator('.nb-run-status').innerText(), { timeout: 60_000 })
        .toMatch(
          /^backend: wasm — why: wasm: WebAssembly \(XNNPACK, SIMD, 1 thread \(the page is not cross-origin isolated: its server sends no COOP\/COEP headers\)\)/,
        );
    } finally {
      await page.close();
      server.close();
    }
  });

  it('publishes at most 60 MB of data with the site, every file of it in the manifest', () => {
    const dir = join(site!.out, 'run', 'data');
    const files = readdirSync(dir).filter((f) => f !== 'manifest.json');
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      assets: Record<string, { file: string }>;
    };
    expect(files.sort()).toEqual(
      Object.values(manifest.assets)
        .map((a) => a.file)
        .sort(),
    );
    const bytes = files.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    console.log(`published data: ${(bytes / 1e6).toFixed(1)} MB of ${DATA_BUDGET_BYTES / 1e6} MB`);
    expect(bytes).toBeLessThanOrEqual(DATA_BUDGET_BYTES);
  });

  it("fetches a notebook's data only when a cell reading it runs (notebook 04: MNIST at its loadMnist cell)", async () => {
    const { page, requests, errors } = await openNotebook('04-lenet5');
    const cells = await mount(page);
    const sources = await Promise.all(Array.from({ length: cells }, (_, i) => editorText(page, i)));
    const reader = sources.findIndex((source) => /\bloadMnist\(/.test(source));
    expect(reader, 'a cell calling loadMnist(').toBeGreaterThan(0);
    // What the reading cell needs: the cells up to the imports (parameters, sizes, imports).
    const imports = sources.findIndex((source) => /^import /m.test(source));
    expect(imports, 'the imports cell, before the reading cell').toBeLessThan(reader);
    const data = () => requests.filter((url) => url.includes('/run/data/') && url.endsWith('.bin'));
    for (let i = 0; i <= imports; i++) expect(await runCell(page, i), `cell ${i}`).toBe('ok');
    expect(data(), 'data fetched before the cell that reads it').toEqual([]);
    expect(await runCell(page, reader)).toBe('ok');
    expect(data()).toEqual([`${site!.base}/run/data/mnist-digits.bin`]);
    expect(await outputText(page, reader)).toMatch(/training images: 2000, test images: 400/);
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);
});
