// The built course site in a real browser (Debian's Chromium through playwright-core).
// Runs after the unit and notebook tests (vitest.site.config.ts), so the notebooks'
// ci-profile runs come from nbconvert-ts's cache.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite, courseNotebooks, executeCourse } from '../../tools/site-build';
import { serveStatic } from '../../tools/static-server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`CI needs Chromium at ${CHROMIUM} (apt-get install chromium)`);
const root = process.cwd();
const screenshots = join(root, 'build', 'screenshots');

let server: Server;
let base = '';
let browser: Browser;
let pages: string[] = [];

beforeAll(async () => {
  if (!haveChromium) return;
  const executed = join(root, 'build', 'executed-ci');
  await executeCourse('ci', executed);
  const out = await buildSite(executed);
  ({ server, url: base } = await serveStatic(out));
  const sitemap = readFileSync(join(out, 'sitemap.xml'), 'utf8');
  pages = [...sitemap.matchAll(/<loc>[^<]*?(\/[^<]*)<\/loc>/g)].map((m) => new URL(m[1]!, 'http://x').pathname);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  mkdirSync(screenshots, { recursive: true });
}, 1_800_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} ${message.location().url}`);
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${base}${path}`, { waitUntil: 'networkidle' });
  return { page, errors };
}

const notebookPages = () => pages.filter((p) => p.startsWith('/notebooks/'));

describe.skipIf(!haveChromium)('course site', () => {
  it('has the home page, the setup page and one page per notebook in syllabus order', () => {
    expect(pages).toContain('/');
    expect(pages).toContain('/setup');
    const expected = courseNotebooks().map((nb) => `/notebooks/${nb.split(/[\\/]/).pop()!.replace('.ipynb', '')}`);
    expect(notebookPages().sort()).toEqual(expected.sort());
  });

  it('loads every page without console errors, with its images, and screenshots it', async () => {
    for (const path of pages) {
      const { page, errors } = await open(path);
      // Load lazy images too, then list those that fail to decode or have no width.
      type Img = { loading: string; naturalWidth: number; src: string; decode(): Promise<void> };
      const broken = await page.$$eval('img', (imgs) =>
        Promise.all((imgs as unknown as Img[]).map((img) => {
          img.loading = 'eager';
          return img.decode().then(() => (img.naturalWidth > 0 ? null : img.src), () => img.src);
        })).then((results) => results.filter((r) => r !== null)),
      );
      expect(broken, `broken images on ${path}`).toEqual([]);
      const name = path === '/' ? 'home' : path.replace(/^\//, '').replace(/\//g, '_');
      await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: false });
      await page.close();
      expect(errors, `console errors on ${path}`).toEqual([]);
    }
  });

  it('typesets math with KaTeX', async () => {
    const withMath = notebookPages().length ? notebookPages() : ['/'];
    let found = 0;
    for (const path of withMath) {
      const { page } = await open(path);
      found += await page.locator('.katex').count();
      await page.close();
    }
    expect(found).toBeGreaterThan(0);
  });

  it('makes every chart interactive: an SVG with marks and a tooltip on hover', async () => {
    let charts = 0;
    for (const path of notebookPages()) {
      const { page } = await open(path);
      const count = await page.locator('.nb-vega').count();
      for (let i = 0; i < count; i++) {
        const chart = page.locator('.nb-vega').nth(i);
        await chart.scrollIntoViewIfNeeded();
        await page.waitForSelector(`.nb-vega >> nth=${i} >> svg .role-mark`, { timeout: 20_000 });
        // Points and cells (not legend symbols) carry the tooltips.
        const marks = chart.locator('svg g.role-mark.mark-symbol:not(.role-legend *) path, svg g.role-mark.mark-rect:not(.role-legend *) path');
        expect(await marks.count(), `marks of chart ${i} on ${path}`).toBeGreaterThan(0);
        const mark = marks.nth(Math.floor((await marks.count()) / 2));
        await mark.scrollIntoViewIfNeeded();
        const box = await mark.boundingBox();
        await page.mouse.move(box!.x + box!.width / 2, box!.y + box!.height / 2);
        await page.waitForSelector('#vg-tooltip-element.visible', { timeout: 5_000 });
        await page.mouse.move(0, 0);
        charts++;
      }
      await page.close();
    }
    if (notebookPages().length) expect(charts).toBeGreaterThan(0);
  });

  it('finds a notebook term with the local search', async () => {
    const { page, errors } = await open('/search?q=convolution');
    await page.waitForSelector('article h2 a, .search-result-list a, [class*="searchResult"] a', { timeout: 20_000 });
    expect(await page.content()).toMatch(/convolution/i);
    await page.close();
    expect(errors).toEqual([]);
  });

  it('offers each notebook for download as a valid notebook', async () => {
    for (const path of notebookPages()) {
      const { page } = await open(path);
      const href = await page.locator('a.nb-download').first().getAttribute('href');
      expect(href, `download link on ${path}`).toMatch(/\.ipynb$/);
      await page.close();
      const response = await fetch(`${base}${href}`);
      expect(response.status).toBe(200);
      const nb = (await response.json()) as { nbformat: number; cells: unknown[] };
      expect(nb.nbformat).toBe(4);
      expect(nb.cells.length).toBeGreaterThan(0);
    }
  });
});
