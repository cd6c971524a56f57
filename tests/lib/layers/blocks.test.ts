// Building blocks: shapes and parameter counts by hand, the residual identity
// path, FC layers as convolutions against tfjs's Dense, the custom layers, and
// the summary's multiply-adds against the cost calculators.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bottleneckCost, separableCost } from '../../../lib/costs';
import { L1Distance, L2Normalize, Normalization } from '../../../lib/layers/custom';
import { denseKernelToConv, fcAsConv, fcAsConv1x1 } from '../../../lib/layers/fc-as-conv';
import { INCEPTION_3A, inceptionModule } from '../../../lib/layers/inception';
import { mbConv } from '../../../lib/layers/mbconv';
import { depthwiseSeparableConv, invertedResidual } from '../../../lib/layers/mobilenet';
import { basicBlock, convolutionalBlock, identityBlock } from '../../../lib/layers/resnet';
import { unetBottleneck, unetDown, unetUp } from '../../../lib/layers/unet';
import { makeDivisible } from '../../../lib/models/mobilenet';
import { roundFilters } from '../../../lib/models/efficientnet';
import { unet } from '../../../lib/models/unet';
import { YoloActivation, yolo } from '../../../lib/models/yolo';
import { summary, summaryMarkdown } from '../../../lib/summary';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

/** Builds a model around a block, runs `check`, disposes it. */
function withBlock(
  shape: number[],
  block: (x: tf.SymbolicTensor) => tf.SymbolicTensor,
  check: (m: tf.LayersModel) => void,
): void {
  const x = tf.input({ shape });
  const model = tf.model({ inputs: x, outputs: block(x) });
  try {
    check(model);
  } finally {
    model.dispose();
  }
}
const outShape = (m: tf.LayersModel) => (m.outputs[0]!.shape as number[]).slice(1);

describe('residual blocks', () => {
  it('identity block: shape kept, hand-counted parameters, and the shortcut carries the input', () => {
    withBlock(
      [6, 6, 16],
      (x) => identityBlock(x, 3, [4, 4, 16]),
      (m) => {
        expect(outShape(m)).toEqual([6, 6, 16]);
        // conv 1x1 16→4 (+4 bias) + BN 4·4; 3x3 4→4 + BN; 1x1 4→16 + BN 16·4
        expect(m.countParams()).toBe(16 * 4 + 4 + 16 + (9 * 4 * 4 + 4) + 16 + (4 * 16 + 16) + 64);
        // Zero the last convolution: the main path then adds BN's beta = 0, so out = ReLU(x).
        const last = m.layers.filter((l) => l.getClassName() === 'Conv2D').at(-1)!;
        const zeros = last.getWeights().map((w) => tf.zerosLike(w));
        last.setWeights(zeros);
        tf.dispose(zeros);
        tf.tidy(() => {
          const x = tf.randomNormal([2, 6, 6, 16], 0, 1, 'float32', 1);
          const y = m.predict(x) as tf.Tensor;
          expect(tf.max(tf.abs(tf.sub(y, tf.relu(x)))).dataSync()[0]).toBeLessThan(1e-6);
        });
      },
    );
  });

  it('identity block refuses a width change; convolutional block makes it with stride', () => {
    expect(() =>
      withBlock(
        [6, 6, 8],
        (x) => identityBlock(x, 3, [4, 4, 16]),
        () => undefined,
      ),
    ).toThrow(/\[null,6,6,8\] has 8 channels.*F3 = 16/);
    withBlock(
      [8, 8, 16],
      (x) => convolutionalBlock(x, 3, [8, 8, 32], { stride: 2 }),
      (m) => expect(outShape(m)).toEqual([4, 4, 32]),
    );
  });

  it('basic block with projection, and the plain version has no Add layer', () => {
    withBlock(
      [8, 8, 8],
      (x) => basicBlock(x, 16, { stride: 2 }),
      (m) => {
        expect(outShape(m)).toEqual([4, 4, 16]);
        expect(m.layers.some((l) => l.getClassName() === 'Add')).toBe(true);
      },
    );
    withBlock(
      [8, 8, 8],
      (x) => basicBlock(x, 16, { stride: 2, residual: false }),
      (m) => {
        expect(outShape(m)).toEqual([4, 4, 16]);
        expect(m.layers.some((l) => l.getClassName() === 'Add')).toBe(false);
      },
    );
  });
});

describe('Inception module', () => {
  it("the notes' 28x28x192 module gives 28x28x256; its 5x5 branch costs what the bottleneck calculator says", () => {
    withBlock(
      [28, 28, 192],
      (x) => inceptionModule(x, INCEPTION_3A, { name: 'i3a' }),
      (m) => {
        expect(outShape(m)).toEqual([28, 28, 256]);
        const hand =
          192 * 64 +
          64 +
          (192 * 96 + 96) +
          (9 * 96 * 128 + 128) +
          (192 * 16 + 16) +
          (25 * 16 * 32 + 32) +
          (192 * 32 + 32);
        expect(m.countParams()).toBe(hand);
        const rows = summary(m).rows;
        const cost = bottleneckCost([28, 28], 192, 32, 5, 16);
        expect(rows.find((r) => r.name === 'i3a_5x5_reduce')!.multiplyAdds).toBe(cost.reduce);
        expect(rows.find((r) => r.name === 'i3a_5x5')!.multiplyAdds).toBe(cost.expand);
      },
    );
  });
});

describe('MobileNet and EfficientNet blocks', () => {
  it('depthwise-separable conv: parameters by hand, multiply-adds as the separable cost', () => {
    withBlock(
      [6, 6, 3],
      (x) => depthwiseSeparableConv(x, 5, { name: 'ds' }),
      (m) => {
        expect(outShape(m)).toEqual([6, 6, 5]);
        expect(m.countParams()).toBe(9 * 3 + 4 * 3 + 3 * 5 + 4 * 5);
        const rows = summary(m).rows;
        const cost = separableCost({ output: [6, 6], f: 3, channelsIn: 3, channelsOut: 5 });
        expect(rows.find((r) => r.name === 'ds_dw')!.multiplyAdds).toBe(cost.depthwise);
        expect(rows.find((r) => r.name === 'ds_pw_conv')!.multiplyAdds).toBe(cost.pointwise);
      },
    );
  });

  it('inverted residual: expansion 6, residual add only at stride 1 with equal widths', () => {
    withBlock(
      [8, 8, 16],
      (x) => invertedResidual(x, 16),
      (m) => {
        expect(outShape(m)).toEqual([8, 8, 16]);
        expect(m.countParams()).toBe(16 * 96 + 4 * 96 + 9 * 96 + 4 * 96 + 96 * 16 + 4 * 16);
        expect(m.layers.some((l) => l.getClassName() === 'Add')).toBe(true);
      },
    );
    withBlock(
      [8, 8, 16],
      (x) => invertedResidual(x, 24, { stride: 2 }),
      (m) => {
        expect(outShape(m)).toEqual([4, 4, 24]);
        expect(m.layers.some((l) => l.getClassName() === 'Add')).toBe(false);
      },
    );
  });

  it('MBConv with squeeze-excite: hand-counted parameters', () => {
    withBlock(
      [8, 8, 16],
      (x) => mbConv(x, 16, { kernelSize: 3, stride: 1, expansion: 6 }),
      (m) => {
        expect(outShape(m)).toEqual([8, 8, 16]);
        // expand 16→96 + BN; depthwise 3x3 + BN; SE 96→4→96 with biases; project 96→16 + BN
        expect(m.countParams()).toBe(
          16 * 96 + 384 + 9 * 96 + 384 + (96 * 4 + 4) + (4 * 96 + 96) + 96 * 16 + 64,
        );
        expect(m.layers.some((l) => l.getClassName() === 'Multiply')).toBe(true);
      },
    );
  });

  it('channel rounding: multiples of 8, never below 90%', () => {
    expect([
      makeDivisible(32 * 0.35),
      makeDivisible(16 * 0.35),
      makeDivisible(24 * 1.4),
      makeDivisible(1280 * 1.3),
    ]).toEqual([16, 8, 32, 1664]);
    expect([roundFilters(32, 1.1), roundFilters(1280, 2.0), roundFilters(40, 1.4)]).toEqual([32, 2560, 56]);
  });
});

describe('U-Net steps and model', () => {
  it('down keeps the skip at full size, up doubles and concatenates', () => {
    withBlock(
      [16, 16, 3],
      (x) => {
        const { skip, down } = unetDown(x, 8);
        expect(skip.shape.slice(1)).toEqual([16, 16, 8]);
        expect(down.shape.slice(1)).toEqual([8, 8, 8]);
        return unetUp(unetBottleneck(down, 16), skip, 8);
      },
      (m) => expect(outShape(m)).toEqual([16, 16, 8]),
    );
    expect(() =>
      withBlock(
        [15, 16, 3],
        (x) => unetDown(x, 8).down,
        () => undefined,
      ),
    ).toThrow(/even.*\[null,15,16,3\]/);
  });

  it('the model outputs a per-pixel softmax of the input size; bad sizes are refused', () => {
    const m = unet({ inputShape: [32, 32, 1], filters: [4, 8, 16], classes: 3 });
    expect(outShape(m)).toEqual([32, 32, 3]);
    tf.tidy(() => {
      const y = m.predict(tf.ones([1, 32, 32, 1])) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(tf.sum(y, -1), 1))).dataSync()[0]).toBeLessThan(1e-5);
    });
    m.dispose();
    expect(() => unet({ inputShape: [36, 36, 1], filters: [4, 8, 16] })).toThrow(
      /divisible by 8.*\[36,36,1\]/,
    );
    expect(() => unet({ filters: [4, -8] })).toThrow(/filters\[1\] .* -8/);
  });
});

describe('fully connected layers as convolutions', () => {
  it('an h×w convolution with the Dense kernel reshaped equals Flatten + Dense; on a bigger input it slides', () => {
    const kernel = tf.randomNormal([5 * 5 * 4, 6], 0, 0.1, 'float32', 3) as tf.Tensor2D;
    const bias = tf.randomNormal([6], 0, 0.1, 'float32', 4);
    const dense = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [5, 5, 4] }), tf.layers.dense({ units: 6 })],
    });
    dense.layers[1]!.setWeights([kernel, bias]);
    const input = tf.input({ shape: [null, null, 4] as unknown as number[] });
    const conv = tf.model({ inputs: input, outputs: fcAsConv(input, 6, { window: [5, 5] }) });
    const convKernel = denseKernelToConv(kernel, [5, 5, 4]);
    conv.layers[1]!.setWeights([convKernel, bias]);
    tf.tidy(() => {
      const x = tf.randomUniform([2, 7, 7, 4], 0, 1, 'float32', 5);
      const slid = conv.predict(x) as tf.Tensor;
      expect(slid.shape).toEqual([2, 3, 3, 6]);
      // Position (1, 2) of the output is the Dense layer on the window at rows 1-5, columns 2-6.
      const window = tf.slice(x, [0, 1, 2, 0], [-1, 5, 5, -1]);
      const reference = dense.predict(window) as tf.Tensor;
      const got = tf.reshape(tf.slice(slid, [0, 1, 2, 0], [-1, 1, 1, -1]), [2, 6]);
      expect(tf.max(tf.abs(tf.sub(got, reference))).dataSync()[0]).toBeLessThan(1e-5);
    });
    expect(() => tf.tidy(() => denseKernelToConv(tf.zeros([99, 6]) as tf.Tensor2D, [5, 5, 4]))).toThrow(
      /\[99,6\].*\[5,5,4\].*100/,
    );
    tf.dispose([kernel, bias, convKernel]);
    dense.dispose();
    conv.dispose();
  });

  it('1×1 convolutions act as the later FC layers', () => {
    withBlock(
      [1, 1, 8],
      (x) => fcAsConv1x1(x, 3),
      (m) => expect(m.countParams()).toBe(8 * 3 + 3),
    );
    // a Dense layer without bias stays without bias; a classifier's softmax is kept
    withBlock(
      [1, 1, 8],
      (x) => fcAsConv1x1(x, 3, { useBias: false, activation: 'softmax' }),
      (m) => {
        expect(m.countParams()).toBe(8 * 3);
        const sums = tf.tidy(() =>
          tf.sum(m.predict(tf.randomNormal([2, 1, 1, 8])) as tf.Tensor, -1).dataSync(),
        );
        for (const s of sums) expect(s).toBeCloseTo(1, 5);
      },
    );
  });

  it('the small YOLO predicts [S, S, B, 5 + C]: sigmoid p_c and midpoints, sizes in cell units up to S, softmax classes', () => {
    const m = yolo({ inputShape: [32, 32, 3], gridSize: 4, anchors: 2, classes: 3, baseFilters: 4 });
    expect(outShape(m)).toEqual([4, 4, 2, 8]);
    tf.tidy(() => {
      const y = m.predict(tf.randomUniform([1, 32, 32, 3])) as tf.Tensor;
      const [position, size, cls] = tf.split(y, [3, 2, 3], -1);
      expect(tf.min(position!).dataSync()[0]).toBeGreaterThanOrEqual(0);
      expect(tf.max(position!).dataSync()[0]).toBeLessThanOrEqual(1);
      expect(tf.min(size!).dataSync()[0]).toBeGreaterThanOrEqual(0);
      expect(tf.max(size!).dataSync()[0]).toBeLessThanOrEqual(4);
      // A raw head output of 0 gives the middle: 0.5 for p_c, b_x, b_y and S/2 cells for b_h, b_w.
      const head = new YoloActivation({ gridSize: 4 });
      expect(Array.from((head.apply(tf.zeros([1, 6])) as tf.Tensor).dataSync())).toEqual([
        0.5, 0.5, 0.5, 2, 2, 1,
      ]);
      expect(tf.max(tf.abs(tf.sub(tf.sum(cls!, -1), 1))).dataSync()[0]).toBeLessThan(1e-5);
    });
    m.dispose();
    expect(() => yolo({ inputShape: [48, 48, 3], gridSize: 5 })).toThrow(/gridSize·2\^k.*\[48,48,3\].*S = 5/);
  });
});

describe('custom layers', () => {
  it('L1Distance, L2Normalize and Normalization compute what they say', () => {
    tf.tidy(() => {
      const d = new L1Distance({}).apply([tf.tensor2d([[1, -2]]), tf.tensor2d([[3, 1]])]) as tf.Tensor;
      expect(Array.from(d.dataSync())).toEqual([2, 3]);
      const n = new L2Normalize({}).apply(
        tf.tensor2d([
          [3, 4],
          [0, 0],
        ]),
      ) as tf.Tensor;
      Array.from(n.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([0.6, 0.8, 0, 0][i]!, 6));
      const norm = new Normalization({ mean: [1, 2], variance: [4, 16] });
      const y = norm.apply(tf.tensor4d([3, 10], [1, 1, 1, 2])) as tf.Tensor;
      expect(Array.from(y.dataSync())).toEqual([1, 2]);
      expect(norm.countParams()).toBe(5);
      expect(norm.trainableWeights).toHaveLength(0);
      norm.dispose();
    });
    expect(() => new Normalization({ mean: [0], variance: [0] })).toThrow(/positive/);
  });
});

describe('summary rendering', () => {
  it('renders a Markdown table with totals', () => {
    withBlock(
      [4, 4, 2],
      (x) => tf.layers.conv2d({ filters: 3, kernelSize: 3, name: 'c' }).apply(x) as tf.SymbolicTensor,
      (m) => {
        const md = summaryMarkdown(summary(m)).split('\n');
        expect(md[0]).toBe('| layer | type | output shape | activation size | parameters | multiply-adds |');
        expect(md[2]).toBe('| c | Conv2D | (2, 2, 3) | 12 | 57 | 216 |');
        expect(md[3]).toBe('| total |  |  |  | 57 | 216 |');
      },
    );
  });
});

describe('model options are checked before anything is built', () => {
  it('names the bad size or value', async () => {
    const { vgg16 } = await import('../../../lib/models/vgg');
    const { alexnet } = await import('../../../lib/models/alexnet');
    const { mobilenetV1 } = await import('../../../lib/models/mobilenet');
    const { efficientNet } = await import('../../../lib/models/efficientnet');
    const { smallResNet } = await import('../../../lib/models/resnet');
    const { siameseEncoder } = await import('../../../lib/models/siamese');
    expect(() => vgg16({ inputShape: [16, 16, 3] })).toThrow(/halves the input 5 times.*\[16,16,3\].*32x32/);
    expect(() => vgg16({ inputShape: [32, -32, 3] })).toThrow(/positive integers, got \[32,-32,3\]/);
    expect(() => alexnet({ inputShape: [64, 64, 3] })).toThrow(/at least 67x67.*\[64,64,3\]/);
    expect(() => mobilenetV1({ alpha: -1 })).toThrow(/alpha .* -1/);
    expect(() => efficientNet({ variant: 'B9' })).toThrow(/unknown EfficientNet variant B9/);
    expect(() => smallResNet({ blocksPerStage: 0 })).toThrow(/blocksPerStage .* 0/);
    expect(() => siameseEncoder({ embeddingSize: 2.5 })).toThrow(/embeddingSize .* 2.5/);
  });
});

describe('serialisation and nested summaries', () => {
  it('models with custom layers (EfficientNet normalisation, YOLO head) survive a save and load', async () => {
    const { efficientNet } = await import('../../../lib/models/efficientnet');
    for (const build of [
      () =>
        efficientNet({
          variant: { name: 'tiny', width: 0.25, depth: 0.25, resolution: 32, dropout: 0 },
          classes: 3,
        }),
      () => yolo({ inputShape: [16, 16, 3], gridSize: 2, anchors: 1, classes: 2, baseFilters: 4 }),
    ]) {
      const model = build();
      let artifacts: tf.io.ModelArtifacts | undefined;
      await model.save(
        tf.io.withSaveHandler(async (a) => {
          artifacts = a;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
      tf.tidy(() => {
        const x = tf.randomUniform(
          [2, ...(model.inputs[0]!.shape.slice(1) as number[])],
          0,
          255,
          'float32',
          9,
        );
        const diff = tf
          .max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor)))
          .dataSync()[0]!;
        expect(diff).toBeLessThan(1e-6);
      });
      expect(loaded.countParams()).toBe(model.countParams());
      model.dispose();
      loaded.dispose();
    }
  });

  it("a model used as a layer (the Siamese encoder) contributes its layers' multiply-adds", async () => {
    const { siameseEncoder, siameseVerifier } = await import('../../../lib/models/siamese');
    const encoder = siameseEncoder({ inputShape: [16, 16, 3], filters: [4, 8], embeddingSize: 8 });
    const verifier = siameseVerifier(encoder);
    const e = summary(encoder);
    const v = summary(verifier);
    // The verifier's own layers: the encoder (shared by both branches), |a - b| and a Dense 8 → 1.
    expect(v.totalMultiplyAdds).toBe(e.totalMultiplyAdds + 8);
    expect(v.totalParams).toBe(e.totalParams + 9);
    expect(e.rows.find((r) => r.name === 'enc_conv1_conv')!.multiplyAdds).toBe(16 * 16 * 4 * 3 * 3 * 3);
    verifier.dispose();
    encoder.dispose();
  });
});
