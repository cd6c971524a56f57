import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectNoTensorLeaks } from '../../helpers/leaks';
import { decodeImage } from '../../../lib/image';
import { annotateSvg, drawBoxes } from '../../../lib/viz/draw';
import { featureMaps, firstLayerFilters, imageGrid, scaleTo01, tensorToPng } from '../../../lib/viz/images';

expectNoTensorLeaks();

const close = (got: number[], want: number[], digits = 5) => {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, digits));
};

describe('tensor pictures', () => {
  it('scales values to [0, 1]', () => {
    const x = tf.tensor1d([-2, 0, 2, 6]);
    const four = tf.fill([3], 4);
    const mm = scaleTo01(x, 'minmax'),
      sym = scaleTo01(x, 'symmetric'),
      flat = scaleTo01(four, 'minmax');
    close(Array.from(mm.dataSync()), [0, 0.25, 0.5, 1]);
    close(Array.from(sym.dataSync()), [1 / 3, 0.5, 2 / 3, 1]);
    close(Array.from(flat.dataSync()), [0.5, 0.5, 0.5]);
    tf.dispose([x, four, mm, sym, flat]);
  });

  it('encodes a tensor as a PNG that decodes to the same pixels', async () => {
    const img = tf.tensor3d([
      [
        [0, 0.5, 1],
        [1, 0, 0],
      ],
    ]); // 1x2 RGB
    const png = decodeImage(await tensorToPng(img));
    expect([png.width, png.height]).toEqual([2, 1]);
    expect(Array.from(png.data)).toEqual([0, 128, 255, 255, 255, 0, 0, 255]);
    const grey = tf.tensor2d([[-1, 3]]);
    const g = decodeImage(await tensorToPng(grey, 'minmax'));
    expect(Array.from(g.data)).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
    tf.dispose([img, grey]);
  });

  it('tiles images into a grid with padding and fills missing tiles', () => {
    const images = [1, 2, 3].map((v) => tf.fill([2, 2, 1], v / 10) as tf.Tensor3D);
    const grid = imageGrid(images, { columns: 2, padding: 1, background: 1 });
    expect(grid.shape).toEqual([5, 5, 1]);
    const g = (grid.arraySync() as number[][][]).map((row) => row.map((px) => +px[0]!.toFixed(3)));
    expect(g).toEqual([
      [0.1, 0.1, 1, 0.2, 0.2],
      [0.1, 0.1, 1, 0.2, 0.2],
      [1, 1, 1, 1, 1],
      [0.3, 0.3, 1, 1, 1],
      [0.3, 0.3, 1, 1, 1],
    ]);
    const odd = [tf.zeros([2, 2, 1]) as tf.Tensor3D, tf.zeros([3, 2, 1]) as tf.Tensor3D];
    expect(() => imageGrid(odd)).toThrow(/one shape/);
    tf.dispose([...images, grid, ...odd]);
  });

  it("shows a layer's feature maps, each channel scaled on its own", () => {
    const input = tf.input({ shape: [2, 2, 1] });
    const conv = tf.layers.conv2d({ filters: 2, kernelSize: 1, useBias: false, name: 'c' });
    const model = tf.model({ inputs: input, outputs: conv.apply(input) as tf.SymbolicTensor });
    const w = tf.tensor4d([1, -1], [1, 1, 1, 2]);
    conv.setWeights([w]);
    const image = tf.tensor3d([
      [[0], [1]],
      [[2], [4]],
    ]);
    const grid = featureMaps(model, 'c', image, { padding: 0, columns: 2 });
    // Channel 0 = x scaled: 0, .25, .5, 1; channel 1 = -x scaled: 1, .75, .5, 0.
    close((grid.arraySync() as number[][][]).flat(2), [0, 0.25, 1, 0.75, 0.5, 1, 0.5, 0]);
    expect(() => featureMaps(model, 'missing', image)).toThrow(/no layer "missing"/);
    tf.dispose([w, image, grid]);
    model.dispose();
  });

  it('draws first-layer RGB filters around grey = 0', () => {
    const model = tf.sequential({
      layers: [tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 2, kernelSize: 2, useBias: false })],
    });
    const values = Array.from({ length: 2 * 2 * 3 * 2 }, (_, i) => (i % 5) - 2);
    const kernel = tf.tensor4d(values, [2, 2, 3, 2]);
    model.layers[0]!.setWeights([kernel]);
    const grid = firstLayerFilters(model, { upscale: 3 });
    expect(grid.shape).toEqual([6, 6 + 2 + 6, 3]);
    // Filter 0 at kernel position (0, 0): channels = values[0], values[2], values[4] = -2, 0, 2; max |w| of filter 0 is 2.
    close((grid.arraySync() as number[][][])[0]![0]!, [0, 0.5, 1]);
    tf.dispose([kernel, grid]);
    model.dispose();
  });
});

describe('boxes on images', () => {
  it('draws outlines into the pixels, clipped to the image', () => {
    const image = tf.zeros([10, 10, 3]) as tf.Tensor3D;
    const out = drawBoxes(
      image,
      [
        { box: [2, 2, 6, 6], colour: '#ff0000' },
        { box: [8, 8, 14, 14], colour: '#00ff00' },
      ],
      { lineWidth: 1 },
    );
    const px = out.arraySync() as number[][][];
    expect(px[2]![2]).toEqual([1, 0, 0]);
    expect(px[5]![3]).toEqual([1, 0, 0]); // bottom edge row y2 - 1
    expect(px[4]![4]).toEqual([0, 0, 0]); // inside stays
    expect(px[8]![9]).toEqual([0, 1, 0]); // top edge of the clipped box
    expect(px[9]![9]).toEqual([0, 0, 0]);
    expect(() => drawBoxes(image, [{ box: [5, 5, 1, 1] }])).toThrow(/box 0: .*negative width/);
    // Relative centre-format boxes: [0.5, 0.5, 0.2, 0.2] of 10 px = pixels 4..6.
    const rel = drawBoxes(image, [{ box: [0.5, 0.5, 0.2, 0.2], colour: '#0000ff' }], {
      relative: true,
      format: 'center',
      lineWidth: 1,
    });
    expect((rel.arraySync() as number[][][])[4]![5]).toEqual([0, 0, 1]);
    tf.dispose([image, out, rel]);
  });

  it('writes an SVG overlay with boxes and escaped labels', async () => {
    const image = tf.fill([20, 40, 3], 0.5) as tf.Tensor3D;
    const svg = await annotateSvg(image, [
      { box: [1, 5, 11, 15], label: 'cat<dog>', score: 0.934, classId: 0 },
      { box: [20, 0, 30, 10], classId: 3 },
    ]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('href="data:image/png;base64,');
    expect(svg).toContain('cat&lt;dog&gt; 0.93');
    expect(svg).toContain('class 3');
    expect((svg.match(/stroke="#/g) ?? []).length).toBe(2);
    expect(svg).toContain('viewBox="0 0 40 20"');
    image.dispose();
  });
});
