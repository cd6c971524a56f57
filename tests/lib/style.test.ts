import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectNoTensorLeaks } from '../helpers/leaks';
import {
  contentCost,
  gramMatrix,
  layerStyleCost,
  layerTap,
  styleCost,
  styleCostFromGrams,
  styleTransfer,
  totalCost,
  withInputSize,
} from '../../lib/style';

expectNoTensorLeaks();

/** [h][w][c] nested arrays of a seeded pattern. */
function volume(h: number, w: number, c: number, seed: number): number[][][] {
  return Array.from({ length: h }, (_, i) =>
    Array.from({ length: w }, (_, j) =>
      Array.from({ length: c }, (_, k) => Math.sin(seed + 1.3 * i + 0.7 * j + 2.1 * k)),
    ),
  );
}

/** Float64 references written from the notes' formulas. */
function gramRef(a: number[][][]): number[][] {
  const c = a[0]![0]!.length;
  const g = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  for (const row of a)
    for (const px of row)
      for (let k = 0; k < c; k++) for (let l = 0; l < c; l++) g[k]![l]! += px[k]! * px[l]!;
  return g;
}
function styleRef(s: number[][][], g: number[][][]): number {
  const [gs, gg] = [gramRef(s), gramRef(g)];
  const [h, w, c] = [s.length, s[0]!.length, s[0]![0]!.length];
  let sum = 0;
  gs.forEach((row, k) => row.forEach((v, l) => (sum += (v - gg[k]![l]!) ** 2)));
  return sum / (2 * h * w * c) ** 2;
}

describe('costs', () => {
  const S = volume(3, 4, 5, 0),
    G = volume(3, 4, 5, 1);

  it("Gram matrix equals the sum over positions of a_k a_k'", () => {
    const a = tf.tensor3d(S);
    const batched = tf.expandDims(a, 0);
    const g = gramMatrix(batched);
    const want = gramRef(S);
    (g.arraySync() as number[][]).forEach((row, k) =>
      row.forEach((v, l) => expect(v).toBeCloseTo(want[k]![l]!, 4)),
    );
    // Hand case: two channels over two pixels, a = [[1, 2], [3, 4]] -> [[1+9, 2+12], [2+12, 4+16]].
    const small = tf.tensor3d([
      [
        [1, 2],
        [3, 4],
      ],
    ]);
    const gs = gramMatrix(small);
    expect(gs.arraySync()).toEqual([
      [10, 14],
      [14, 20],
    ]);
    tf.dispose([a, batched, g, small, gs]);
  });

  it('content cost is ½‖a(C) − a(G)‖² (or over 4 n_H n_W n_C)', () => {
    const c = tf.tensor3d([[[1, 2]], [[3, 4]]]),
      g = tf.tensor3d([[[0, 2]], [[3, 1]]]);
    const half = contentCost(c, g),
      vol = contentCost(c, g, 'volume');
    expect(half.dataSync()[0]).toBeCloseTo(0.5 * (1 + 9), 6);
    expect(vol.dataSync()[0]).toBeCloseTo(10 / (4 * 2 * 1 * 2), 6);
    const wrong = tf.zeros([2, 2, 2]);
    expect(() => contentCost(c, wrong)).toThrow(/different shapes/);
    tf.dispose([c, g, half, vol, wrong]);
  });

  it("layer and multi-layer style costs follow the notes' normalisation 1/(2 n_H n_W n_C)²", () => {
    const s = tf.tensor3d(S),
      g = tf.tensor3d(G);
    const one = layerStyleCost(s, g);
    expect(one.dataSync()[0]).toBeCloseTo(styleRef(S, G), 6);
    const S2 = volume(2, 2, 3, 2),
      G2 = volume(2, 2, 3, 3);
    const s2 = tf.tensor3d(S2),
      g2 = tf.tensor3d(G2);
    const multi = styleCost([s, s2], [g, g2], [0.3, 0.7]);
    expect(multi.dataSync()[0]).toBeCloseTo(0.3 * styleRef(S, G) + 0.7 * styleRef(S2, G2), 6);
    expect(() => styleCost([s], [g, g2])).toThrow(/same non-zero number/);
    tf.dispose([s, g, one, s2, g2, multi]);
  });

  it('style cost from precomputed style Grams: the same weighted sum, batched activations too', () => {
    const S2 = volume(2, 2, 3, 2),
      G2 = volume(2, 2, 3, 3);
    const grams = [tf.tensor2d(gramRef(S)), tf.tensor2d(gramRef(S2))];
    // The generated activations as a network gives them: [1, h, w, c].
    const acts = [tf.tensor4d([G]), tf.tensor4d([G2])];
    const j = styleCostFromGrams(grams, acts, [0.3, 0.7]);
    expect(j.dataSync()[0]).toBeCloseTo(0.3 * styleRef(S, G) + 0.7 * styleRef(S2, G2), 6);
    expect(() => styleCostFromGrams(grams, acts, [1])).toThrow(/one weight per layer, got 2, 2 and 1/);
    expect(() => styleCostFromGrams(grams.slice(0, 1), acts.slice(1), [1])).toThrow(/different shapes/);
    tf.dispose([...grams, ...acts, j]);
  });

  it("total cost is α J_content + β J_style, with the notes' α = 10, β = 40 by default", () => {
    const [jc, js] = [tf.scalar(4.5), tf.scalar(67 / 256)];
    expect(tf.tidy(() => totalCost(jc, js).dataSync()[0])).toBeCloseTo(45 + (40 * 67) / 256, 4);
    expect(tf.tidy(() => totalCost(jc, js, 1, 1000).dataSync()[0])).toBeCloseTo(4.5 + (1000 * 67) / 256, 3);
    const vector = tf.tensor1d([1, 2]);
    expect(() => totalCost(jc, vector as unknown as tf.Scalar)).toThrow(/two scalars.*\[2\]/);
    tf.dispose([jc, js, vector]);
  });
});

describe('style transfer', () => {
  function tinyNet(): tf.LayersModel {
    const input = tf.input({ shape: [16, 16, 3] });
    const c1 = tf.layers
      .conv2d({
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        name: 'c1',
        kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }),
      })
      .apply(input) as tf.SymbolicTensor;
    const p1 = tf.layers.averagePooling2d({ poolSize: 2, name: 'p1' }).apply(c1) as tf.SymbolicTensor;
    const c2 = tf.layers
      .conv2d({
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        name: 'c2',
        kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }),
      })
      .apply(p1) as tf.SymbolicTensor;
    const c3 = tf.layers
      .conv2d({
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        name: 'c3',
        kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }),
      })
      .apply(c2) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: c3 });
  }

  it('rebuilds a conv net for a larger input with the same weights', async () => {
    const small = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [12, 12, 3],
          filters: 4,
          kernelSize: 3,
          activation: 'relu',
          name: 'a',
        }),
        tf.layers.averagePooling2d({ poolSize: 2, name: 'b' }),
        tf.layers.conv2d({ filters: 2, kernelSize: 3, name: 'c' }),
      ],
    });
    const big = await withInputSize(small, [20, 20]);
    expect(big.outputs[0]!.shape).toEqual([null, 7, 7, 2]);
    expect(big.layers.map((l) => l.name)).toContain('c');
    // Valid convolutions and pooling anchored at the top-left: the big output's top-left 3x3
    // equals the small model's output on the top-left 12x12 crop.
    const image = tf.randomNormal([1, 20, 20, 3], 0, 1, 'float32', 8);
    const diff = tf.tidy(() => {
      const fromBig = tf.slice(big.predict(image) as tf.Tensor, [0, 0, 0, 0], [1, 3, 3, 2]);
      const fromSmall = small.predict(tf.slice(image, [0, 0, 0, 0], [1, 12, 12, 3])) as tf.Tensor;
      return tf.max(tf.abs(tf.sub(fromBig, fromSmall))).dataSync()[0]!;
    });
    expect(diff).toBeLessThan(1e-5);
    const dense = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 2 })],
    });
    await expect(withInputSize(dense, [5, 5])).rejects.toThrow(/depend on its input size/);
    image.dispose();
    small.dispose();
    big.dispose();
    dense.dispose();
  });

  it('taps named layers and reports unknown ones', () => {
    const model = tinyNet();
    const tap = layerTap(model, ['c1', 'c3']);
    expect(tap.outputs.map((o) => o.shape)).toEqual([
      [null, 16, 16, 8],
      [null, 8, 8, 4],
    ]);
    expect(() => layerTap(model, ['nope'])).toThrow(/no layer "nope".*c1/);
    model.dispose();
  });

  it('accepts a layer used for both content and style, and rejects images of the wrong size', async () => {
    const model = tinyNet();
    const content = tf.randomUniform([16, 16, 3], 0, 1, 'float32', 6) as tf.Tensor3D;
    const result = await styleTransfer(content, content, {
      model,
      contentLayer: 'c2',
      styleLayers: [{ name: 'c2', weight: 1 }],
      steps: 2,
      init: content,
    });
    // Style and content are the same picture and G starts on it: J = 0.
    expect(result.costs[0]).toBeCloseTo(0, 6);
    const small = tf.zeros([8, 8, 3]) as tf.Tensor3D;
    await expect(
      styleTransfer(small, small, {
        model,
        contentLayer: 'c2',
        styleLayers: [{ name: 'c1', weight: 1 }],
        steps: 1,
      }),
    ).rejects.toThrow(/takes 16x16 images but the content image is 8x8/);
    tf.dispose([content, result.image, small]);
    model.dispose();
  });

  it('lowers J(G) on a tiny random conv net, keeps G in range, calls back every N steps', async () => {
    const model = tinyNet();
    const before = tf.memory().numTensors;
    const content = tf.randomUniform([16, 16, 3], 0, 1, 'float32', 4) as tf.Tensor3D;
    const style = tf.randomUniform([20, 20, 3], 0, 1, 'float32', 5) as tf.Tensor3D;
    const seen: number[] = [];
    const result = await styleTransfer(content, style, {
      model,
      contentLayer: 'c2',
      styleLayers: [
        { name: 'c1', weight: 0.5 },
        { name: 'c3', weight: 0.5 },
      ],
      alpha: 10,
      beta: 1000,
      variationWeight: 0.01,
      steps: 25,
      learningRate: 0.03,
      every: 10,
      onStep: ({ step, cost, image }) => {
        seen.push(step);
        expect(image.shape).toEqual([16, 16, 3]);
        expect(Number.isFinite(cost)).toBe(true);
      },
    });
    expect(seen).toEqual([10, 20, 25]);
    expect(result.costs).toHaveLength(25);
    expect(result.costs[24]!).toBeLessThan(result.costs[0]! * 0.5);
    const pixels = result.image.dataSync();
    const [mn, mx] = [Math.min(...pixels), Math.max(...pixels)];
    expect(mn).toBeGreaterThanOrEqual(0);
    expect(mx).toBeLessThanOrEqual(1);
    tf.dispose([content, style, result.image]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
