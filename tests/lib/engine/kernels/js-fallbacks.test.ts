// The JavaScript loops that the wasm kernels keep for engines that cannot load the course's
// WebAssembly SIMD module (where it loads, the SIMD functions run and the other tests cover
// them): Adam's update, bias sums and the 2x2 max-pool gradient, against TensorFlow.js's
// own ops on the cpu backend.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { adamUpdateInto } from '../../../../lib/engine/kernels/adam';
import { batchNormKernel } from '../../../../lib/engine/kernels/batch-norm';
import { leakyReluKernel } from '../../../../lib/engine/kernels/leaky-relu';
import { maxPoolGradInto } from '../../../../lib/engine/kernels/max-pool-grad';
import { sumRowsInto } from '../../../../lib/engine/kernels/sum';
import { relativeError, seeded } from '../../../helpers/numeric';

/**
 * A heap backend without the course's module (no wasm memory): the kernels take their
 * JavaScript branch on the arrays it hands out. `unused` fails the test if reached.
 */
function plainHeap() {
  const arrays = new Map<object, Float32Array>();
  const put = (values: Float32Array, shape: number[]): tf.TensorInfo => {
    const dataId = {};
    arrays.set(dataId, values);
    return { dataId, shape, dtype: 'float32' };
  };
  const backend = {
    makeOutput: (shape: number[]) => put(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(7), shape),
    typedArrayFromHeap: (info: tf.TensorInfo) => arrays.get(info.dataId)!,
  };
  const unused: tf.KernelFunc = () => {
    throw new Error('the backend kernel ran instead of the course one');
  };
  return {
    backend: backend as unknown as tf.KernelBackend,
    put,
    read: (t: tf.TensorInfo) => arrays.get(t.dataId)!,
    unused,
  };
}

afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('JavaScript fallbacks of the SIMD kernels', () => {
  it('adamUpdateInto: five steps give the same bits as tfjs AdamOptimizer on cpu', async () => {
    await tf.setBackend('cpu');
    const [lr, beta1, beta2, epsilon] = [0.01, 0.8, 0.95, 1e-6];
    const start = seeded(300, 1);
    const gradients = [0, 1, 2, 3, 4].map((step) =>
      seeded(300, 10 + step).map((v, i) => (i === 5 ? 0 : v * 10 ** (step - 2))),
    );
    // tfjs, op by op.
    const w = tf.variable(tf.tensor1d(start));
    const optimizer = tf.train.adam(lr, beta1, beta2, epsilon);
    for (const g of gradients) {
      const gt = tf.tensor1d(g);
      optimizer.applyGradients({ [w.name]: gt } as unknown as Parameters<
        tf.AdamOptimizer['applyGradients']
      >[0]);
      gt.dispose();
    }
    const expected = Float32Array.from(await w.data());
    const weights = await optimizer.getWeights();
    const [m1, v1] = [
      Float32Array.from(await weights[1]!.tensor.data()),
      Float32Array.from(await weights[2]!.tensor.data()),
    ];
    weights[0]!.tensor.dispose();
    optimizer.dispose();
    w.dispose();
    // The loop, with beta powers kept in float32 as the optimizer keeps them.
    const x = Float32Array.from(start);
    const m = new Float32Array(300);
    const v = new Float32Array(300);
    let [power1, power2] = [Math.fround(beta1), Math.fround(beta2)];
    for (const g of gradients) {
      adamUpdateInto(x, g, m, v, { learningRate: lr, beta1, beta2, epsilon }, power1, power2, x, m, v);
      power1 = Math.fround(power1 * Math.fround(beta1));
      power2 = Math.fround(power2 * Math.fround(beta2));
    }
    expect(Array.from(x)).toEqual(Array.from(expected));
    expect(Array.from(m)).toEqual(Array.from(m1));
    expect(Array.from(v)).toEqual(Array.from(v1));
  });

  it('sumRowsInto: column sums of a [rows, 37] view, as tf.sum over the leading axes', async () => {
    await tf.setBackend('cpu');
    const values = seeded(501 * 37, 3);
    const sums = tf.tidy(() => tf.sum(tf.tensor2d(values, [501, 37]), 0));
    const expected = await sums.data();
    sums.dispose();
    const out = new Float32Array(37);
    sumRowsInto(values, 501, 37, out);
    expect(relativeError(out, expected)).toBeLessThan(1e-6);
  });

  it('maxPoolGradInto: 2x2 windows with ties, NaN and -Infinity, as the cpu kernel', async () => {
    await tf.setBackend('cpu');
    const shape: [number, number, number, number] = [2, 7, 9, 5];
    const palette = [0, 0, 0, 1, 1, -Infinity, Number.NaN, 0.5, -0.25];
    const xValues = seeded(2 * 7 * 9 * 5, 31).map(
      (r) => palette[Math.floor(((r + 1) / 2) * palette.length)]!,
    );
    const info = tf.backend_util.computePool2DInfo(shape, 2, 2, 1, 'valid');
    const dyShape = [2, info.outHeight, info.outWidth, 5];
    const dyValues = seeded(
      dyShape.reduce((a, b) => a * b, 1),
      32,
    );
    const grad = tf.tidy(() => {
      const input = tf.tensor4d(xValues, shape);
      const output = tf.maxPool(input, 2, 2, 'valid');
      return tf
        .engine()
        .runKernel(
          'MaxPoolGrad',
          { dy: tf.tensor(dyValues, dyShape), input, output },
          { filterSize: 2, strides: 2, pad: 'valid' },
        ) as tf.Tensor;
    });
    const expected = await grad.data();
    grad.dispose();
    const dx = new Float32Array(xValues.length).fill(7); // overwritten, including the uncovered row and column
    maxPoolGradInto(xValues, dyValues, dx, info);
    expect(Array.from(dx)).toEqual(Array.from(expected));
  });

  it("kernels without the module (writeHeapOutput's JavaScript branch): batch norm and leaky ReLU give the cpu backend's bits", async () => {
    await tf.setBackend('cpu');
    const shape = [2, 3, 5, 3];
    const x = seeded(90, 41);
    const [mean, variance, scale, offset] = [42, 43, 44, 45].map((seed, i) =>
      seeded(3, seed).map((v) => (i === 1 ? v * v + 0.5 : v)),
    );
    const expectedBn = tf.tidy(() =>
      tf
        .batchNorm(
          tf.tensor4d(x, shape as [number, number, number, number]),
          mean!,
          variance!,
          offset!,
          scale!,
          0.001,
        )
        .dataSync(),
    );
    const expectedNoAffine = tf.tidy(() =>
      tf
        .batchNorm(
          tf.tensor4d(x, shape as [number, number, number, number]),
          mean!,
          variance!,
          undefined,
          undefined,
          0.001,
        )
        .dataSync(),
    );
    const expectedLeaky = tf.tidy(() =>
      tf.leakyRelu(tf.tensor4d(x, shape as [number, number, number, number]), 0.1).dataSync(),
    );

    const heap = plainHeap();
    const [xi, mi, vi, si, oi] = [x, mean!, variance!, scale!, offset!].map((v, i) =>
      heap.put(Float32Array.from(v), i === 0 ? shape : [3]),
    );
    const bn = batchNormKernel(heap.unused)({
      inputs: { x: xi!, mean: mi!, variance: vi!, scale: si!, offset: oi! },
      attrs: { varianceEpsilon: 0.001 },
      backend: heap.backend,
    }) as tf.TensorInfo;
    expect(bn.shape).toEqual(shape);
    expect(Array.from(heap.read(bn))).toEqual(Array.from(expectedBn));
    const plain = batchNormKernel(heap.unused)({
      inputs: { x: xi!, mean: mi!, variance: vi! },
      attrs: { varianceEpsilon: 0.001 },
      backend: heap.backend,
    }) as tf.TensorInfo;
    expect(Array.from(heap.read(plain))).toEqual(Array.from(expectedNoAffine));
    const leaky = leakyReluKernel(heap.unused)({
      inputs: { x: xi! },
      attrs: { alpha: 0.1 },
      backend: heap.backend,
    }) as tf.TensorInfo;
    expect(Array.from(heap.read(leaky))).toEqual(Array.from(expectedLeaky));
    // An empty tensor: an empty output, nothing run.
    const empty = leakyReluKernel(heap.unused)({
      inputs: { x: heap.put(new Float32Array(0), [0, 4]) },
      attrs: { alpha: 0.1 },
      backend: heap.backend,
    }) as tf.TensorInfo;
    expect(empty.shape).toEqual([0, 4]);
  });
});
