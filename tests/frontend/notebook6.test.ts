// The course in a real Jupyter front end: Debian's classic Notebook 6.4 driven in Debian's
// Chromium (playwright-core), with the course kernel registered by `npm run kernel:install`
// in a temporary Jupyter folder. Notebooks 00 and 04 (ci profile, plus a planted failing cell
// at the end of 00) are run with "Cell > Run All", as a learner would; beforeAll watches
// each run and the tests check what was seen.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectParameters } from '../../tools/nbconvert-ts/execute';
import {
  joinSource,
  readNotebook,
  serializeNotebook,
  type Notebook,
} from '../../tools/nbconvert-ts/notebook';
import { chromiumSkipReason, launchChromium } from '../site/browser';
import {
  installCourseKernel,
  jupyterEnv,
  notebookSkipReason,
  startNotebook,
  type NotebookServer,
} from './jupyter-notebook';

// The DOM as the page functions below use it (the project's TypeScript settings have no DOM types).
interface PageElement {
  textContent: string | null;
  className: string;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): PageElement[];
}
declare const document: Pick<PageElement, 'querySelector' | 'querySelectorAll'>;

const skipReason = notebookSkipReason() ?? chromiumSkipReason();
if (skipReason) console.warn(`front-end tests skipped: ${skipReason}`);

const root = process.cwd();
const PLANTED = [
  '// A planted failure: line 3 throws.',
  'const plantedValue: number = 41;',
  'throw new Error(`planted failure after ${plantedValue}`);',
].join('\n');

/** What one Run All of a notebook looked like. */
interface RunReport {
  /** Each code cell's prompt number at the end, in notebook order ('' when it never ran). */
  prompts: string[];
  /** `showChart(` calls in the notebook's code: each should draw one SVG chart. */
  chartsExpected: number;
  /** SVG charts (vega's `svg.marks`) in static outputs at the end. */
  svgCharts: number;
  /** Outputs that fell back to the text of a chart (a front end that drew nothing). */
  textCharts: number;
  /** Live chart containers at the end (one per training display if updated in place). */
  liveCharts: number;
  /** The live chart's progress bar at the end: [value, max]. */
  liveProgress: Array<[number, number]>;
  /** A moment during the run when a live chart with an SVG was on the page while a cell ran. */
  liveSeenWhileRunning: boolean;
  /** The kernel indicator said busy while the training cell (the one with the live chart) ran. */
  busyWhileTraining: boolean;
  /** Distinct live-chart progress values seen while running (updates in place). */
  liveUpdates: number;
  /** Text of the error outputs at the end, per code cell index. */
  errors: Array<{ cell: number; text: string }>;
  /** Browser console errors and page errors. */
  pageErrors: string[];
}

let workDir = '';
let jupyterDir = '';
let server: NotebookServer | undefined;
let browser: Browser | undefined;
let kernelName = '';
const runs = new Map<string, RunReport>();

/** A copy of a course notebook in the ci profile, set to the installed kernel, with optional extra cells. */
function prepare(name: string, extraCells: string[] = []): Notebook {
  const nb = readNotebook(join(root, 'notebooks', name));
  injectParameters(nb, { profile: 'ci' });
  nb.metadata = {
    ...nb.metadata,
    kernelspec: { name: kernelName, display_name: kernelName, language: 'typescript' },
  };
  for (const source of extraCells)
    nb.cells.push({
      cell_type: 'code',
      id: `planted-${nb.cells.length}`,
      metadata: {},
      source,
      execution_count: null,
      outputs: [],
    });
  writeFileSync(join(workDir, name), serializeNotebook(nb));
  return nb;
}

function chartCalls(nb: Notebook): number {
  return nb.cells
    .filter((c) => c.cell_type === 'code')
    .map((c) => joinSource(c.source).replace(/\/\/.*$/gm, ''))
    .reduce((n, code) => n + (code.match(/\bshowChart\(/g) ?? []).length, 0);
}

/** Opens a notebook, waits for its kernel, runs every cell from the menu and watches until all ran. */
async function runAll(name: string, nb: Notebook, timeoutMs: number): Promise<RunReport> {
  const page: Page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  // The server, two kernels and the browser share a busy machine.
  page.setDefaultTimeout(120_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    const text = `console: ${message.text()} ${message.location().url}`;
    // Debian's Notebook asks for the ipywidgets extension it does not ship, and its icon font for about:blank.
    if (message.type() === 'error' && !/nbextensions\/widgets\/|about:blank/.test(text))
      pageErrors.push(text);
  });
  try {
    await page.goto(`${server!.base}/notebooks/${name}?token=${server!.token}`, {
      waitUntil: 'domcontentloaded',
    });
    await page.waitForSelector('#kernel_indicator_icon.kernel_idle_icon');
    await page.click('#celllink');
    await page.click('#run_all_cells > a');
    let liveSeenWhileRunning = false;
    let busyWhileTraining = false;
    const progressSeen = new Set<string>();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await page.evaluate(() => {
        const cells = [...document.querySelectorAll('.cell.code_cell')];
        const runningCell = (c: PageElement) =>
          (c.querySelector('.input_prompt')?.textContent ?? '').includes('[*]');
        const live = [...document.querySelectorAll('.course-live-chart')];
        return {
          running: cells.some(runningCell),
          // Queued cells show [*] too; the one with a live chart in its output is the one training.
          training: cells.some((c) => runningCell(c) && c.querySelector('.course-live-chart') !== null),
          idle: document.querySelector('#kernel_indicator_icon')?.className === 'kernel_idle_icon',
          busy: document.querySelector('#kernel_indicator_icon')?.className === 'kernel_busy_icon',
          liveWithSvg: live.some((l) => l.querySelector('svg.marks') !== null),
          progress: live.map((l) => l.querySelector('progress')?.getAttribute('value') ?? '').join(','),
        };
      });
      if (state.training && state.liveWithSvg) {
        liveSeenWhileRunning = true;
        progressSeen.add(state.progress);
      }
      if (state.training && state.busy) busyWhileTraining = true;
      if (!state.running && state.idle) break;
      if (Date.now() > deadline)
        throw new Error(
          `${name}: cells still running after ${timeoutMs / 1000} s\n${server!.log().slice(-3000)}`,
        );
      await page.waitForTimeout(200);
    }
    const end = await page.evaluate(() => {
      const cells = [...document.querySelectorAll('.cell.code_cell')];
      return {
        prompts: cells.map(
          (c) => /\[(\d*)\]/.exec(c.querySelector('.input_prompt')?.textContent ?? '')?.[1] ?? '',
        ),
        svgCharts: document.querySelectorAll('.output_svg svg.marks').length,
        textCharts: [...document.querySelectorAll('.output_text')].filter((o) =>
          (o.textContent ?? '').includes('[Vega-Lite chart:'),
        ).length,
        liveCharts: document.querySelectorAll('.output_html .course-live-chart').length,
        liveProgress: [...document.querySelectorAll('.course-live-chart progress')].map(
          (p) => [Number(p.getAttribute('value')), Number(p.getAttribute('max'))] as [number, number],
        ),
        errors: cells.flatMap((c, cell) =>
          [...c.querySelectorAll('.output_error')].map((e) => ({ cell, text: e.textContent ?? '' })),
        ),
      };
    });
    return {
      ...end,
      chartsExpected: chartCalls(nb),
      liveSeenWhileRunning,
      busyWhileTraining,
      liveUpdates: progressSeen.size,
      pageErrors,
    };
  } finally {
    await page.close();
  }
}

beforeAll(async () => {
  if (skipReason) return;
  // Inside the project (build/ is ignored), so the notebooks' `./lib` link and packages resolve as in notebooks/.
  mkdirSync(join(root, 'build'), { recursive: true });
  workDir = mkdtempSync(join(root, 'build', 'frontend-'));
  symlinkSync(join(root, 'lib'), join(workDir, 'lib'), 'dir');
  jupyterDir = mkdtempSync(join(tmpdir(), 'cnn-course-jupyter-'));
  const env = jupyterEnv(jupyterDir);
  // One wasm thread per kernel: the test shares a busy machine with the browser and the server.
  env.COURSE_WASM_THREADS = process.env.COURSE_WASM_THREADS ?? '1';
  const names = installCourseKernel(root, jupyterDir, env);
  kernelName = names.includes('cnn-course-ts') ? 'cnn-course-ts' : names[0]!;
  const setup = prepare('00-setup.ipynb', [PLANTED]);
  const lenet = prepare('04-lenet5.ipynb');
  server = await startNotebook(workDir, env);
  browser = await launchChromium();
  // Both at once, each kernel on one core: about half the time of one after the other.
  const started = Date.now();
  const [setupRun, lenetRun] = await Promise.all([
    runAll('00-setup.ipynb', setup, 240_000),
    runAll('04-lenet5.ipynb', lenet, 240_000),
  ]);
  console.log(`front-end run of 00 and 04: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  runs.set('00', setupRun);
  runs.set('04', lenetRun);
}, 420_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  if (jupyterDir) rmSync(jupyterDir, { recursive: true, force: true });
});

describe.skipIf(Boolean(skipReason))('classic Jupyter Notebook 6.4 in Chromium, course kernel', () => {
  it('runs every cell of 00 and 04 from Cell > Run All, in order', () => {
    for (const [name, run] of runs) {
      expect(run.prompts.length, name).toBeGreaterThan(5);
      // Execution counts 1, 2, 3, ... in notebook order: every cell ran, none twice.
      expect(run.prompts, name).toEqual(run.prompts.map((_, i) => String(i + 1)));
    }
  });

  it('draws every chart as SVG (no text fallback)', () => {
    for (const [name, run] of runs) {
      expect(run.chartsExpected, name).toBeGreaterThan(0);
      // The live training chart's SVG sits in its HTML, not in an SVG output.
      expect(run.svgCharts, name).toBe(run.chartsExpected);
      expect(run.textCharts, name).toBe(0);
    }
  });

  it('shows the live training chart while 04 trains, updated in place, complete at the end', () => {
    const run = runs.get('04')!;
    expect(run.liveSeenWhileRunning).toBe(true);
    expect(run.liveUpdates).toBeGreaterThan(1);
    expect(run.liveCharts).toBe(1);
    expect(run.liveProgress).toEqual([[3, 3]]); // ci profile: 3 epochs
  });

  it('shows the kernel busy while 04 trains', () => {
    expect(runs.get('04')!.busyWhileTraining).toBe(true);
  });

  it("shows the planted failure as an error output naming the cell's line", () => {
    const run = runs.get('00')!;
    expect(run.errors.map((e) => e.cell)).toEqual([run.prompts.length - 1]);
    const text = run.errors[0]!.text;
    expect(text).toContain('Error: planted failure after 41');
    // A frame at the cell's line 3 (the throw), none inside tslab or Node.
    expect(text).toMatch(/:3:\d+/);
    expect(text).not.toMatch(/executor\.js|node:internal|node_modules/);
  });

  it('has no errors in the page', () => {
    for (const [name, run] of runs) expect(run.pageErrors, name).toEqual([]);
  });
});
