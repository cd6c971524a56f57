import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  VEGA_LITE_MIME, displayed, imageBundle, inKernel, liveDisplay, progressBar, progressText, showChart, showDetections, showImage, showSvg, trainingChart,
} from '../../lib/display';
import { decodeImage } from '../../lib/image';
import { projectRoot } from '../../lib/paths';
import { lineChart } from '../../lib/viz/charts';
import { expectNoTensorLeaks } from '../helpers/leaks';

expectNoTensorLeaks();
beforeEach(() => {
  displayed.length = 0;
});

describe('outside a kernel (collected, harmless)', () => {
  it('keeps MIME bundles: Vega-Lite as a JSON object with a text fallback, PNG as base64', async () => {
    expect(inKernel()).toBe(false);
    const spec = lineChart([{ name: 'a', x: [1, 2], y: [3, 4] }], { title: 'T' });
    showChart(spec);
    expect(displayed[0]!.bundle[VEGA_LITE_MIME]).toBe(spec);
    expect(VEGA_LITE_MIME).toBe('application/vnd.vegalite.v5+json');
    expect(displayed[0]!.bundle['text/plain']).toContain('T');
    const img = tf.tensor3d([[[1, 0, 0]]]);
    await showImage(img, { scale: 2 });
    const png = decodeImage(Buffer.from(displayed[1]!.bundle['image/png'] as string, 'base64'));
    expect([png.width, png.height, ...png.data.slice(0, 4)]).toEqual([2, 2, 255, 0, 0, 255]);
    // The same bundle, for redrawing in a live display; 1-channel images are grey.
    const grey = tf.tensor2d([[0, 1]]);
    const bundle = await imageBundle(grey, { scale: 1 });
    expect(Array.from(decodeImage(Buffer.from(bundle['image/png'] as string, 'base64')).data)).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
    expect(bundle['text/plain']).toBe('[image 2x1]');
    tf.dispose([img, grey]);
    expect(() => showSvg('<p>no</p>')).toThrow(/SVG document/);
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
    expect(displayed.map((d) => [d.displayId, d.update])).toEqual([[live.id, false], [live.id, true]]);
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
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1, kernelInitializer: 'zeros' })] });
    const sgd = tf.train.sgd(0.1);
    model.compile({ optimizer: sgd, loss: 'meanSquaredError' });
    const x = tf.tensor2d([[0, 1], [1, 0], [1, 1], [0, 0]]), y = tf.tensor2d([[1], [2], [3], [0]]);
    const chart = trainingChart({ epochs: 3, everyBatches: 2, title: 'fit' });
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
    tf.dispose([x, y]);
    model.dispose();
    sgd.dispose();
  });
});

describe('inside a kernel', () => {
  it('sends display_data then update_display_data with the same display id through tslab', () => {
    const kernel = createRequire(join(projectRoot(), 'package.json'))('tslab/dist/jupyter') as { lastWriteDisplayData: unknown };
    const sent: Array<{ message: { data: Record<string, unknown>; transient: Record<string, unknown> }; update: boolean }> = [];
    kernel.lastWriteDisplayData = (message: never, update: boolean) => sent.push({ message, update });
    try {
      expect(inKernel()).toBe(true);
      const live = liveDisplay();
      live.update({ 'text/plain': 'a' });
      live.update({ 'text/plain': 'b' });
      showChart(lineChart([{ name: 's', x: [0], y: [0] }]));
      expect(displayed).toHaveLength(0);
      expect(sent.map((s) => [s.message.transient.display_id, s.update])).toEqual([[live.id, false], [live.id, true], [undefined, false]]);
      expect(typeof sent[2]!.message.data[VEGA_LITE_MIME]).toBe('object');
    } finally {
      kernel.lastWriteDisplayData = null;
    }
    expect(inKernel()).toBe(false);
  });
});
