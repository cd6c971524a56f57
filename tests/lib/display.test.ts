import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  VEGA_LITE_MIME,
  displayed,
  imageBundle,
  inKernel,
  liveDisplay,
  progressBar,
  progressText,
  showChart,
  showDetections,
  showImage,
  showSvg,
  trainingChart,
  type MimeBundle,
} from '../../lib/display';
import { decodeImage } from '../../lib/image';
import { projectRoot } from '../../lib/paths';
import { barChart, lineChart } from '../../lib/viz/charts';
import { expectNoTensorLeaks } from '../helpers/leaks';

expectNoTensorLeaks();
beforeEach(() => {
  displayed.length = 0;
});
afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * Checks an SVG document is well formed (every element closed, in order, one
 * root <svg> in the SVG namespace) and returns it.
 */
function wellFormedSvg(svg: unknown): string {
  expect(typeof svg).toBe('string');
  const text = svg as string;
  expect(text).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const open: string[] = [];
  let roots = 0;
  for (const [, closing, name, selfClosing] of text.matchAll(
    /<(\/?)([A-Za-z][\w:-]*)(?:\s[^<>]*?)?(\/?)>/g,
  )) {
    if (closing) expect(open.pop()).toBe(name);
    else {
      if (open.length === 0) roots++;
      if (!selfClosing) open.push(name!);
    }
  }
  expect(open).toEqual([]);
  expect(roots).toBe(1);
  expect(text.replace(/<[^>]*>/g, '')).not.toMatch(/[<>]/);
  return text;
}

/** The `d` attribute of each path of the first mark group of a kind ('line', 'rect'). */
function markPaths(svg: string, kind: string): string[] {
  const group = new RegExp(`<g class="mark-${kind} role-mark[^"]*"[^>]*>(.*?)</g>`).exec(svg);
  return group ? [...group[1]!.matchAll(/<path[^>]* d="([^"]+)"/g)].map((m) => m[1]!) : [];
}

describe('outside a kernel (collected, harmless)', () => {
  it('keeps MIME bundles: Vega-Lite as a JSON object with a text fallback, PNG as base64', async () => {
    expect(inKernel()).toBe(false);
    const spec = lineChart([{ name: 'a', x: [1, 2], y: [3, 4] }], { title: 'T' });
    showChart(spec);
    expect(displayed[0]!.bundle[VEGA_LITE_MIME]).toBe(spec);
    wellFormedSvg(displayed[0]!.bundle['image/svg+xml']);
    expect(VEGA_LITE_MIME).toBe('application/vnd.vegalite.v5+json');
    expect(displayed[0]!.bundle['text/plain']).toContain('T');
    const img = tf.tensor3d([[[1, 0, 0]]]);
    await showImage(img, { scale: 2 });
    const png = decodeImage(Buffer.from(displayed[1]!.bundle['image/png'] as string, 'base64'));
    expect([png.width, png.height, ...png.data.slice(0, 4)]).toEqual([2, 2, 255, 0, 0, 255]);
    // The same bundle, for redrawing in a live display; 1-channel images are grey.
    const grey = tf.tensor2d([[0, 1]]);
    const bundle = await imageBundle(grey, { scale: 1 });
    expect(Array.from(decodeImage(Buffer.from(bundle['image/png'] as string, 'base64')).data)).toEqual([
      0, 0, 0, 255, 255, 255, 255, 255,
    ]);
    expect(bundle['text/plain']).toBe('[image 2x1]');
    tf.dispose([img, grey]);
    expect(() => showSvg('<p>no</p>')).toThrow(/SVG document/);
  });

  it('gives every chart a static SVG with its marks where the data puts them (for front ends without Vega-Lite)', () => {
    // 420 x 260 px plot; x 0..10 and y 0..10 map to 0..420 and 260..0.
    showChart(lineChart([{ name: 'a', x: [0, 5, 10], y: [0, 5, 10] }], { title: 'Line' }));
    const line = wellFormedSvg(displayed[0]!.bundle['image/svg+xml']);
    expect(markPaths(line, 'line')).toEqual(['M0,260L210,130L420,0']);
    expect(line).toContain('>Line</text>');
    // Bars of 1 and 2 on a 0..2 axis: 130 and 260 px tall.
    showChart(
      barChart([
        { label: 'a', value: 1 },
        { label: 'b', value: 2 },
      ]),
    );
    const bars = wellFormedSvg(displayed[1]!.bundle['image/svg+xml']);
    expect(markPaths(bars, 'rect').map((d) => Number(/v([\d.]+)/.exec(d)![1]))).toEqual([130, 260]);
    expect(displayed[1]!.bundle['text/plain']).toBe('[Vega-Lite chart: chart]');
    // A spec Vega-Lite rejects is an error that says so, and shows nothing.
    expect(() => showChart({ mark: 'no-such-mark', data: { values: [] } })).toThrow(
      /no-such-mark|Invalid|invalid/,
    );
    expect(displayed).toHaveLength(2);
    // A chart a notebook sends itself through a live display gets its picture too.
    const live = liveDisplay();
    live.update({
      [VEGA_LITE_MIME]: lineChart([{ name: 'b', x: [0, 10], y: [10, 0] }]),
      'text/plain': 'step 1',
    });
    expect(markPaths(wellFormedSvg(displayed[2]!.bundle['image/svg+xml']), 'line')).toEqual(['M0,0L420,260']);
    expect(displayed[2]!.displayId).toBe(live.id);
  });

  it('shows detections as an SVG with a text list of boxes', async () => {
    const img = tf.zeros([8, 8, 3]) as tf.Tensor3D;
    await showDetections(img, [{ box: [1, 1, 5, 5], label: 'face', score: 0.91 }]);
    const b = displayed[0]!.bundle;
    expect(b['image/svg+xml']).toMatch(/^<svg/);
    expect(b['text/plain']).toContain('face 0.91 [1, 1, 5, 5]');
    img.dispose();
  });

  it('updates a live display in place and draws progress bars', () => {
    const live = liveDisplay();
    live.update({ 'text/plain': 'one' });
    live.update({ 'text/plain': 'two' });
    expect(displayed.map((d) => [d.displayId, d.update])).toEqual([
      [live.id, false],
      [live.id, true],
    ]);
    expect(() => progressText(1, 0)).toThrow(/> 0/);
    expect(progressText(1, 4, 'epochs', 8)).toBe('[##------]  25% epochs');
    const bar = progressBar(10, 'images');
    bar.update(5);
    const last = displayed[displayed.length - 1]!;
    expect(last.bundle['text/plain']).toContain(' 50% images');
    expect(last.bundle['text/html']).toContain('<progress value="5" max="10"');
    expect(() => progressBar(0)).toThrow(/> 0/);
    // Outside a kernel only the last 1000 bundles are kept.
    displayed.length = 0;
    for (let i = 0; i < 1005; i++) live.update({ 'text/plain': String(i) });
    expect(displayed).toHaveLength(1000);
    expect(displayed[0]!.bundle['text/plain']).toBe('5');
    expect(displayed[999]!.bundle['text/plain']).toBe('1004');
  });

  it('records the curves of a real fit and redraws every epoch and every N batches', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [2], units: 1, kernelInitializer: 'zeros' })],
    });
    const sgd = tf.train.sgd(0.1);
    model.compile({ optimizer: sgd, loss: 'meanSquaredError' });
    const x = tf.tensor2d([
        [0, 1],
        [1, 0],
        [1, 1],
        [0, 0],
      ]),
      y = tf.tensor2d([[1], [2], [3], [0]]);
    const chart = trainingChart({ epochs: 3, everyBatches: 2, title: 'fit', svgEveryMs: 0 });
    const fitted = await model.fit(x, y, { epochs: 3, batchSize: 1, callbacks: chart, verbose: 0 });
    expect(chart.history.loss).toEqual(fitted.history.loss);
    expect(chart.history.loss![2]!).toBeLessThan(chart.history.loss![0]!);
    // 4 batches per epoch -> 2 batch redraws + 1 epoch redraw, x 3 epochs, all in one display.
    expect(displayed).toHaveLength(9);
    expect(new Set(displayed.map((d) => d.displayId)).size).toBe(1);
    expect(displayed.map((d) => d.update)).toEqual([false, true, true, true, true, true, true, true, true]);
    const last = displayed[8]!.bundle;
    expect(last['text/plain']).toMatch(/^\[#+\] 100% epoch 3\/3/);
    expect((last[VEGA_LITE_MIME] as { title: { subtitle: string } }).title.subtitle).toContain('epoch 3/3');
    // The picture for front ends that show HTML (JupyterLab, classic Notebook): progress above the SVG.
    const svg = wellFormedSvg(last['image/svg+xml']);
    expect(markPaths(svg, 'line').length).toBeGreaterThan(0);
    expect(last['text/html']).toContain('<progress value="3" max="3"');
    expect(last['text/html']).toContain(svg);
    tf.dispose([x, y]);
    model.dispose();
    sgd.dispose();
  });
});

describe('the live training chart', () => {
  /** Epoch logs as tfjs hands them to a callback. */
  const logs = (loss: number, acc: number) => ({ loss, acc });

  it('redraws its SVG at most every svgEveryMs, always at the end, in one display', async () => {
    let now = 1_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const chart = trainingChart({ epochs: 6, svgEveryMs: 1000, title: 'throttled' });
    const times = [0, 300, 900, 1000, 1200, 2500];
    for (let e = 0; e < 6; e++) {
      now = 1_000_000 + times[e]!;
      await chart.onEpochEnd!(e, logs(1 / (e + 1), e / 10));
    }
    await chart.onTrainEnd!();
    // One bundle per epoch; the last picture (2500 ms) was fresh, so the end adds none.
    const bundles: MimeBundle[] = displayed.map((d) => d.bundle);
    expect(new Set(displayed.map((d) => d.displayId)).size).toBe(1);
    expect(displayed.map((d) => d.update)).toEqual([false, ...Array(bundles.length - 1).fill(true)]);
    const svgs = bundles.map((b) => b['image/svg+xml'] as string);
    // New pictures at 0, 1000 and 2500 ms; 300, 900 and 1200 reuse the one before.
    const fresh = svgs.map((svg, i) => i === 0 || svg !== svgs[i - 1]);
    expect(fresh).toEqual([true, false, false, true, false, true]);
    // Every update still carries the new spec and progress.
    expect(bundles.map((b) => (b['text/plain'] as string).match(/epoch (\d)\/6/)![1])).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
    ]);
    expect(bundles.every((b) => (b['text/html'] as string).includes(b['image/svg+xml'] as string))).toBe(
      true,
    );
  });

  it('draws the skipped picture when training ends', async () => {
    let now = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const chart = trainingChart({ epochs: 2, svgEveryMs: 1000 });
    await chart.onEpochEnd!(0, logs(0.9, 0.1));
    now = 10;
    await chart.onEpochEnd!(1, logs(0.5, 0.6));
    expect(displayed[1]!.bundle['image/svg+xml']).toBe(displayed[0]!.bundle['image/svg+xml']);
    await chart.onTrainEnd!();
    expect(displayed).toHaveLength(3);
    const last = displayed[2]!;
    expect([last.displayId, last.update]).toEqual([displayed[0]!.displayId, true]);
    // The final picture has both epochs: two points on each of the loss and accuracy lines.
    const svg = wellFormedSvg(last.bundle['image/svg+xml']);
    expect(svg).not.toBe(displayed[1]!.bundle['image/svg+xml']);
    expect((svg.match(/aria-roledescription="point"/g) ?? []).length).toBe(4);
    await chart.onTrainEnd!();
    expect(displayed).toHaveLength(3); // nothing stale: no redraw
  });

  it('puts loss and accuracy on their own axes', async () => {
    const chart = trainingChart({ epochs: 2 });
    await chart.onEpochEnd!(0, logs(2.5, 0.2));
    await chart.onEpochEnd!(1, logs(1.5, 0.4));
    const spec = displayed[1]!.bundle[VEGA_LITE_MIME] as {
      vconcat: Array<{ encoding: { y: { title: string } }; data: { values: Array<{ series: string }> } }>;
    };
    expect(spec.vconcat.map((p) => p.encoding.y.title)).toEqual(['loss', 'accuracy']);
    expect(spec.vconcat.map((p) => [...new Set(p.data.values.map((v) => v.series))])).toEqual([
      ['loss'],
      ['acc'],
    ]);
    const svg = wellFormedSvg(displayed[1]!.bundle['image/svg+xml']);
    expect(svg).toContain("Y-axis titled 'loss'");
    expect(svg).toContain("Y-axis titled 'accuracy'");
  });
});

describe('inside a kernel', () => {
  it('sends display_data then update_display_data with the same display id through tslab', () => {
    const kernel = createRequire(join(projectRoot(), 'package.json'))('tslab/dist/jupyter') as {
      lastWriteDisplayData: unknown;
    };
    const sent: Array<{
      message: { data: Record<string, unknown>; transient: Record<string, unknown> };
      update: boolean;
    }> = [];
    kernel.lastWriteDisplayData = (message: never, update: boolean) => sent.push({ message, update });
    try {
      expect(inKernel()).toBe(true);
      const live = liveDisplay();
      live.update({ 'text/plain': 'a' });
      live.update({ 'text/plain': 'b' });
      showChart(lineChart([{ name: 's', x: [0], y: [0] }]));
      expect(displayed).toHaveLength(0);
      expect(sent.map((s) => [s.message.transient.display_id, s.update])).toEqual([
        [live.id, false],
        [live.id, true],
        [undefined, false],
      ]);
      expect(typeof sent[2]!.message.data[VEGA_LITE_MIME]).toBe('object');
    } finally {
      kernel.lastWriteDisplayData = null;
    }
    expect(inKernel()).toBe(false);
  });
});
