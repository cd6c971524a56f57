// The built course site in a real browser (Debian's Chromium through playwright-core).
// Runs after the unit and notebook tests (vitest.site.config.ts), so the notebooks'
// ci-profile runs come from nbconvert-ts's cache (or COURSE_EXECUTED_DIR: see shared-site.ts).
// The site is built once per test process (shared with run-on-site.test.ts), every page is
// visited once in beforeAll, and the tests check what was seen.
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotebookReport } from '../../tools/nbconvert-ts/execute';
import { courseNotebooks, executedNotebooks } from '../../tools/site-build';
import { chromiumSkipReason, launchChromium } from './browser';
import { hasMath, notebookTitle, pageName, vegaPlaceholders } from './markdown';
import { sharedSite } from './shared-site';

const skipReason = chromiumSkipReason();
if (skipReason) console.warn(`site browser tests skipped: ${skipReason}`);

const root = process.cwd();
const screenshots = join(root, 'build', 'screenshots');
const docsDir = join(root, 'site', 'docs');
const repository = process.env.COURSE_REPOSITORY_URL ?? 'https://github.com/cnn-course-ts/cnn-course-ts';

/** What one visit of a page saw. */
interface PageReport {
  errors: string[];
  brokenImages: string[];
  images: number;
  katex: number;
  katexErrors: number;
  charts: number;
  editUrl: string | null;
  downloads: string[];
  sources: string[];
  /** The page's scroll width and the widest elements that stick out of the viewport. */
  width: PageWidth;
}

/** How wide a page is laid out, against its viewport. */
interface PageWidth {
  viewport: number;
  scrollWidth: number;
  /** Elements reaching past the viewport's right edge (outermost first), to say what to fix. */
  overflowing: string[];
}

/** What a visit at a phone's width saw. */
interface NarrowReport {
  width: PageWidth;
  /** Whether the navbar's menu button opened the sidebar menu with its links. */
  menuOpens: boolean;
  errors: string[];
}

const PHONE_WIDTH = 390;

let base = '';
let browser: Browser | undefined;
let routes: string[] = [];
let reports: NotebookReport[] = [];
const seen = new Map<string, PageReport>();
const seenNarrow = new Map<string, NarrowReport>();

const notebookRoutes = () => routes.filter((p) => p.startsWith('/notebooks/'));
const mdOf = (route: string) =>
  readFileSync(join(docsDir, `${route === '/' ? 'index' : route.slice(1)}.md`), 'utf8');

async function open(
  path: string,
  colorScheme: 'light' | 'dark' = 'light',
  width = 1280,
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser!.newPage({ viewport: { width, height: 900 }, colorScheme });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()} ${message.location().url}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) =>
    errors.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`),
  );
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await page.goto(`${base}${path}`, { waitUntil: 'networkidle' });
  return { page, errors };
}

/**
 * The page's layout width, and the outermost elements reaching past the viewport (not those
 * inside a box that scrolls or clips). A script string: the tests compile without DOM types.
 */
const MEASURE_WIDTH = `(() => {
  const viewport = document.documentElement.clientWidth;
  const clipped = (el) => {
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(e).overflowX)) return true;
    }
    return false;
  };
  const past = (el) => el && el.getBoundingClientRect().right > viewport + 1;
  const overflowing = [...document.querySelectorAll('body *')]
    .filter((el) => past(el) && !past(el.parentElement) && !clipped(el))
    .slice(0, 5)
    .map((el) => el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
      + ' (right edge ' + Math.round(el.getBoundingClientRect().right) + ' px)');
  return { viewport, scrollWidth: document.documentElement.scrollWidth, overflowing };
})()`;

function measureWidth(page: Page): Promise<PageWidth> {
  return page.evaluate(MEASURE_WIDTH) as Promise<PageWidth>;
}

/** A notebook page at a phone's width: its layout width, and whether its menu opens. */
async function visitNarrow(path: string): Promise<NarrowReport> {
  const { page, errors } = await open(path, 'light', PHONE_WIDTH);
  const width = await measureWidth(page);
  let menuOpens = false;
  try {
    await page.locator('button.navbar__toggle').click({ timeout: 5_000 });
    await page
      .locator('.navbar-sidebar .menu__link[href^="/notebooks/"]')
      .first()
      .waitFor({ state: 'visible', timeout: 5_000 });
    menuOpens = true;
  } catch {
    menuOpens = false;
  }
  const name = path.replace(/^\//, '').replace(/\//g, '_');
  await page.screenshot({ path: join(screenshots, `phone_${name}.png`) });
  await page.close();
  return { width, menuOpens, errors };
}

async function visit(path: string): Promise<PageReport> {
  const { page, errors } = await open(path);
  // Load lazy images too, then list those that fail to decode or have no width.
  type Img = { loading: string; naturalWidth: number; src: string; decode(): Promise<void> };
  const brokenImages = await page.$$eval('img', (imgs) =>
    Promise.all(
      (imgs as unknown as Img[]).map((img) => {
        img.loading = 'eager';
        return img.decode().then(
          () => (img.naturalWidth > 0 ? null : img.src),
          () => img.src,
        );
      }),
    ).then((results) => results.filter((r): r is string => r !== null)),
  );
  const hrefs = (selector: string) =>
    page.$$eval(selector, (as) => as.map((a) => a.getAttribute('href') ?? ''));
  const report: PageReport = {
    errors,
    brokenImages,
    images: await page.locator('img').count(),
    katex: await page.locator('.theme-doc-markdown .katex').count(),
    katexErrors: await page.locator('.katex-error').count(),
    charts: await page.locator('.nb-vega').count(),
    editUrl: await page.$eval('a.theme-edit-this-page', (a) => a.getAttribute('href')).catch(() => null),
    downloads: await hrefs('a.nb-download, a.nb-footer-download'),
    sources: await hrefs('a.nb-source, a.nb-footer-source'),
    width: await measureWidth(page),
  };
  const name = path === '/' ? 'home' : path.replace(/^\//, '').replace(/\//g, '_');
  await page.screenshot({ path: join(screenshots, `${name}.png`) });
  await page.close();
  return report;
}

beforeAll(async () => {
  if (skipReason) return;
  const site = await sharedSite();
  ({ reports, base } = site);
  const out = site.out;
  const sitemap = readFileSync(join(out, 'sitemap.xml'), 'utf8');
  routes = [...sitemap.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => new URL(m[1]!).pathname);
  browser = await launchChromium();
  mkdirSync(screenshots, { recursive: true });
  for (const route of routes) seen.set(route, await visit(route));
  for (const route of notebookRoutes()) seenNarrow.set(route, await visitNarrow(route));
}, 1_800_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(skipReason !== undefined)('course site', () => {
  it('publishes every course notebook: none failed to execute, one page each', () => {
    const failed = reports.filter((r) => r.status !== 'ok').map((r) => r.message ?? r.notebook);
    expect(failed, 'notebooks that failed to execute (no page for them)').toEqual([]);
    expect(routes).toContain('/');
    expect(routes).toContain('/setup');
    const expected = courseNotebooks().map((nb) => `/notebooks/${basename(nb, '.ipynb')}`);
    expect(notebookRoutes().sort()).toEqual(expected.sort());
    expect(
      routes.some((r) => r.startsWith('/api/')),
      'library reference pages',
    ).toBe(true);
  });

  it('lists the notebooks in the sidebar in syllabus order, titled by their first heading', async () => {
    const published = new Set(executedNotebooks(reports, '').map((nb) => basename(nb, '.ipynb')));
    const expected = courseNotebooks()
      .filter((nb) => published.has(basename(nb, '.ipynb')))
      .map((nb) => ({
        href: `/notebooks/${basename(nb, '.ipynb')}`,
        label: notebookTitle(readFileSync(nb, 'utf8')),
      }));
    const { page } = await open('/setup');
    const category = page
      .locator('.theme-doc-sidebar-item-category')
      .filter({ hasText: 'Notebooks' })
      .first();
    const links = await category
      .locator('.menu__list a.menu__link[href^="/notebooks/"]')
      .evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), label: a.textContent?.trim() })));
    await page.close();
    expect(links).toEqual(expected);
  });

  it('loads every page without console errors or failed requests', () => {
    expect(routes.length).toBeGreaterThan(3);
    const problems = routes.flatMap((route) => seen.get(route)!.errors.map((e) => `${route}: ${e}`));
    expect(problems).toEqual([]);
  });

  it('fits every notebook page in the window at 1280 and 390 px: wide math, code and outputs scroll in their own box', () => {
    const tooWide = (route: string, w: PageWidth) =>
      w.scrollWidth > w.viewport
        ? [`${route} at ${w.viewport} px is ${w.scrollWidth} px wide: ${w.overflowing.join('; ')}`]
        : [];
    const problems = notebookRoutes().flatMap((route) => [
      ...tooWide(route, seen.get(route)!.width),
      ...tooWide(route, seenNarrow.get(route)!.width),
    ]);
    expect(problems).toEqual([]);
    expect(seenNarrow.size).toBe(notebookRoutes().length);
  });

  it('opens the menu on every notebook page at 390 px, without errors', () => {
    expect(
      notebookRoutes().filter((route) => !seenNarrow.get(route)!.menuOpens),
      'pages whose menu does not open',
    ).toEqual([]);
    expect(
      notebookRoutes().flatMap((route) =>
        seenNarrow.get(route)!.errors.map((e) => `${route} at 390 px: ${e}`),
      ),
    ).toEqual([]);
  });

  it('loads every image (natural width > 0)', () => {
    const broken = routes.flatMap((route) => seen.get(route)!.brokenImages.map((src) => `${route}: ${src}`));
    expect(broken).toEqual([]);
    // The notebooks do show pictures: at least one page has images beyond the navbar logo.
    expect(notebookRoutes().some((r) => seen.get(r)!.images > 0)).toBe(true);
  });

  it('typesets the math of every page that has some with KaTeX, without errors', () => {
    const mathPages = ['/', '/setup', ...notebookRoutes()].filter((route) => hasMath(mdOf(route)));
    expect(mathPages.length, 'pages with math').toBeGreaterThan(0);
    for (const route of mathPages) {
      expect(seen.get(route)!.katex, `KaTeX elements on ${route}`).toBeGreaterThan(0);
    }
    expect(routes.filter((r) => seen.get(r)!.katexErrors > 0)).toEqual([]);
  });

  it('shows each chart the converter wrote, interactive: an SVG with marks and a tooltip on hover', async () => {
    let total = 0;
    for (const route of notebookRoutes()) {
      const expected = vegaPlaceholders(mdOf(route)).length;
      expect(seen.get(route)!.charts, `charts on ${route}`).toBe(expected);
      if (expected === 0) continue;
      const { page, errors } = await open(route);
      for (let i = 0; i < expected; i++) {
        const chart = page.locator('.nb-vega').nth(i);
        await chart.scrollIntoViewIfNeeded();
        // vega-embed has replaced the static SVG once the container says which mode it drew.
        await expect.poll(() => chart.getAttribute('data-rendered'), { timeout: 20_000 }).toBe('light');
        // Data marks (points, bars, cells, text, lines) that take up room: not legend symbols or axes.
        const marks = chart.locator(
          ['symbol', 'rect', 'text', 'line', 'area']
            .map((m) => `svg g.role-mark.mark-${m} > :is(path, text)`)
            .join(', '),
        );
        const drawn = await marks.evaluateAll((els) =>
          els.flatMap((el, index) => {
            const box = el.getBoundingClientRect();
            const stroke = /mark-(line|area)/.test(el.parentElement?.getAttribute('class') ?? '');
            // A flat curve may have no height; a point, bar or cell must have both sides.
            const drawn = stroke ? box.width > 0 || box.height > 0 : box.width > 0 && box.height > 0;
            return drawn ? [{ index, stroke }] : [];
          }),
        );
        expect(drawn.length, `marks of chart ${i} on ${route}`).toBeGreaterThan(0);
        // The centre of a point, bar or cell is on the mark; the centre of a curve's box may not be.
        const solid = drawn.filter((m) => !m.stroke);
        const pool = solid.length > 0 ? solid : drawn;
        const mark = marks.nth(pool[Math.floor(pool.length / 2)]!.index);
        await mark.scrollIntoViewIfNeeded();
        await mark.hover({ force: true });
        await page.locator('#vg-tooltip-element.visible').waitFor({ timeout: 5_000 });
        expect(
          (await page.locator('#vg-tooltip-element').textContent())?.trim(),
          `tooltip of chart ${i} on ${route}`,
        ).not.toBe('');
        await page.mouse.move(0, 0);
        total++;
      }
      await page.close();
      expect(errors, `errors while using the charts on ${route}`).toEqual([]);
    }
    expect(total, 'charts on the notebook pages').toBeGreaterThan(0);
  });

  it('redraws the charts in the dark colour mode when the reader switches to it', async () => {
    const route = notebookRoutes().find((r) => seen.get(r)!.charts > 0);
    expect(route, 'a notebook page with a chart').toBeDefined();
    const { page, errors } = await open(route!);
    const chart = page.locator('.nb-vega').first();
    await chart.scrollIntoViewIfNeeded();
    await page.locator('.nb-vega[data-rendered="light"]').first().waitFor({ timeout: 20_000 });
    const labelFill = () => chart.locator('svg .role-axis-label text').first().getAttribute('fill');
    const lightFill = await labelFill();
    // Docusaurus's own toggle (it cycles through the modes it offers).
    for (let i = 0; i < 3 && (await page.locator('html').getAttribute('data-theme')) !== 'dark'; i++) {
      await page.locator('button[aria-label*="dark and light mode"]').first().click();
    }
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.locator('.nb-vega[data-rendered="dark"]').first().waitFor({ timeout: 20_000 });
    const darkFill = await labelFill();
    expect(darkFill).not.toBe(lightFill);
    expect(luminance(darkFill ?? '')).toBeGreaterThan(0.6);
    await page.screenshot({ path: join(screenshots, `dark_${route!.slice(1).replace(/\//g, '_')}.png`) });
    await page.close();
    expect(errors).toEqual([]);
  });

  it('finds a term from a notebook with the local search, linking to that notebook', async () => {
    const route = notebookRoutes()[notebookRoutes().length - 1]!;
    // A heading of the notebook, searched for by its longest word.
    const heading = [...mdOf(route).matchAll(/^## (.+)$/gm)]
      .map((m) => m[1]!)
      .find((h) => /[a-z]{6,}/i.test(h));
    expect(heading, `an h2 heading on ${route}`).toBeDefined();
    const term = heading!.split(/[^A-Za-z-]+/).sort((a, b) => b.length - a.length)[0]!;
    const { page, errors } = await open(`/search?q=${encodeURIComponent(term)}`);
    const results = page.locator('article a[href*="/notebooks/"]');
    await results.first().waitFor({ timeout: 20_000 });
    const hrefs = await results.evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    await page.close();
    expect(
      hrefs.some((h) => h.startsWith(route)),
      `results for "${term}" link to ${route}: ${hrefs.join(', ')}`,
    ).toBe(true);
    expect(errors).toEqual([]);
  });

  it('offers each notebook for download as a valid notebook, and links to its source', async () => {
    for (const route of notebookRoutes()) {
      const name = pageName(route);
      const { downloads, sources } = seen.get(route)!;
      expect(downloads.length, `download links on ${route}`).toBeGreaterThan(0);
      for (const href of new Set(downloads)) {
        expect(href).toBe(`/notebooks/${name}.ipynb`);
        const response = await fetch(`${base}${href}`);
        expect(response.status).toBe(200);
        const text = await response.text();
        const nb = JSON.parse(text) as { nbformat: number; cells: unknown[] };
        expect(nb.nbformat).toBe(4);
        expect(nb.cells.length).toBeGreaterThan(0);
        // The course's notebook, not some other file: the same title as its source.
        expect(notebookTitle(text)).toBe(
          notebookTitle(readFileSync(join(root, 'notebooks', `${name}.ipynb`), 'utf8')),
        );
      }
      expect(sources.length, `source links on ${route}`).toBeGreaterThan(0);
      for (const href of new Set(sources))
        expect(href).toBe(`${repository}/blob/main/notebooks/${name}.ipynb`);
    }
  });

  it('has edit links to the sources: the .ipynb of a notebook, the Markdown of a page, none on generated pages', () => {
    for (const route of notebookRoutes()) {
      expect(seen.get(route)!.editUrl).toBe(`${repository}/edit/main/notebooks/${pageName(route)}.ipynb`);
    }
    expect(seen.get('/setup')!.editUrl).toBe(`${repository}/edit/main/site/docs/setup.md`);
    for (const route of routes.filter((r) => r.startsWith('/api')))
      expect(seen.get(route)!.editUrl, route).toBeNull();
  });
});

/** Relative luminance (0 black … 1 white) of a #rgb / #rrggbb colour. */
function luminance(color: string): number {
  const hex = color.replace('#', '');
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  if (!/^[0-9a-f]{6}$/i.test(full)) throw new Error(`not a hex colour: ${color}`);
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16) / 255);
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
