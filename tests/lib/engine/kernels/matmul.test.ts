// BatchMatMul on wasm through the course's SIMD loops (lib/engine/kernels/wasm/matmul.c), against a
// float64 product computed here: sizes that end in every kind of partial block, either
// operand transposed, batches broadcast from 1, and the route back to the backend's kernel.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { SIMD_MATMUL_MAX_WORK } from '../../../../lib/engine/thresholds';
import { relativeError, seeded, size } from '../../../helpers/numeric';

afterAll(async () => {
  await tf.setBackend('wasm');
});

/** out[b, i, j] = Σk A(b, i, k) · B(b, k, j) in float64, from the stored (possibly transposed) layouts. */
function reference(
  a: Float32Array,
  b: Float32Array,
  aBatch: number,
  bBatch: number,
  m: number,
  k: number,
  n: number,
  ta: boolean,
  tb: boolean,
): Float64Array {
  const batch = Math.max(aBatch, bBatch);
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    const aBase = (aBatch === 1 ? 0 : t) * m * k;
    const bBase = (bBatch === 1 ? 0 : t) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++)
          sum += a[aBase + (ta ? p * m + i : i * k + p)]! * b[bBase + (tb ? j * k + p : p * n + j)]!;
        out[(t * m + i) * n + j] = sum;
      }
    }
  }
  return out;
}

async function product(
  aShape: number[],
  bShape: number[],
  ta: boolean,
  tb: boolean,
): Promise<{ values: Float32Array; a: Float32Array; b: Float32Array; kernels: string[] }> {
  await tf.setBackend('wasm');
  const before = tf.memory().numTensors;
  const a = seeded(size(aShape), 61);
  const b = seeded(size(bShape), 62);
  const at = tf.tensor(a, aShape);
  const bt = tf.tensor(b, bShape);
  let y: tf.Tensor | undefined;
  const profile = await tf.profile(() => {
    y = tf.matMul(at, bt, ta, tb);
  });
  const values = (await y!.data()) as Float32Array;
  tf.dispose([at, bt, y!]);
  expect(tf.memory().numTensors).toBe(before);
  return { values, a, b, kernels: profile.kernels.map((k) => k.name) };
}

describe('BatchMatMul through the course SIMD loops', () => {
  // m = 9: two blocks of 4 rows and one row; n = 21: two of 8 columns, one of 4, one single;
  // k = 13: three vectors of 4 and one value (the dot-product form's remainder).
  const [m, k, n] = [9, 13, 21];
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
  ] as const) {
    it(`${ta ? 'aᵀ' : 'a'} · ${tb ? 'bᵀ' : 'b'}: partial blocks, a batch of 3 against a batch of 1`, async () => {
      const aShape = [1, ...(ta ? [k, m] : [m, k])];
      const bShape = [3, ...(tb ? [n, k] : [k, n])];
      const { values, a, b, kernels } = await product(aShape, bShape, ta, tb);
      expect(kernels).toEqual(['BatchMatMul']); // no transposes around it
      expect(relativeError(values, reference(a, b, 1, 3, m, k, n, ta, tb))).toBeLessThan(1e-6);
    });
  }

  it('a dense layer input gradient (64 x 120 · (400 x 120)ᵀ) and every row of 2 and 3 rows', async () => {
    for (const [rows, inner, cols] of [
      [64, 120, 400],
      [2, 7, 3],
      [3, 5, 2],
    ] as const) {
      const { values, a, b } = await product([rows, inner], [cols, inner], false, true);
      expect(
        relativeError(values, reference(a, b, 1, 1, rows, inner, cols, false, true)),
        `${rows}x${inner}x${cols}`,
      ).toBeLessThan(1e-6);
    }
  });

  it('leaves a large product with b as it is to XNNPACK, and both transposed to the transposes', async () => {
    const side = Math.ceil(Math.cbrt(SIMD_MATMUL_MAX_WORK)) + 1;
    const large = await product([side, side], [side, side], false, false);
    expect(
      relativeError(large.values, reference(large.a, large.b, 1, 1, side, side, side, false, false)),
    ).toBeLessThan(1e-6);
    const both = await product([2, 5, 3], [2, 7, 5], true, true);
    expect(both.kernels).toContain('Transpose');
    expect(relativeError(both.values, reference(both.a, both.b, 2, 2, 3, 5, 7, true, true))).toBeLessThan(
      1e-6,
    );
  });
});
