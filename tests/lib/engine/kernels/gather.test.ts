// The wasm backend's GatherV2, which the course replaces with slice copies on the heap,
// against the cpu backend's: the same values, shapes and dtypes, exactly.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { sameAsCpu } from '../../../helpers/same-as-cpu';

afterAll(async () => {
  await tf.setBackend('wasm');
});

const gather =
  (indices: number[] | number[][], axis = 0, batchDims = 0) =>
  (x: tf.Tensor) =>
    tf.tidy(() => tf.gather(x, tf.tensor(indices, undefined, 'int32'), axis, batchDims));

describe('GatherV2', () => {
  it('picks shuffled rows of a batch, with repeats, as fit does', async () => {
    await sameAsCpu([7, 4, 3, 2], gather([5, 0, 6, 2, 2, 1]));
  });
  it('picks along a middle axis and along the last (runs of one element)', async () => {
    await sameAsCpu([3, 5, 4], gather([4, 1, 1], 1));
    await sameAsCpu([3, 5, 4], gather([3, 0], -1));
    await sameAsCpu([2, 3, 70], gather([2, 0], 1)); // runs long enough for a view and set
  });
  it('takes indices of any rank and none at all', async () => {
    await sameAsCpu(
      [6, 3],
      gather([
        [1, 5],
        [0, 0],
        [4, 3],
      ]),
    );
    await sameAsCpu([6, 3], gather([]));
    await sameAsCpu([5], gather([4, 0, 3]));
  });
  it('leaves batch dimensions to the backend', async () => {
    await sameAsCpu(
      [2, 4, 3],
      gather(
        [
          [3, 0],
          [1, 1],
        ],
        1,
        1,
      ),
      ['float32'],
    );
  });
  it("refuses an index out of range with the backend's message", async () => {
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const x = tf.zeros([4, 2]);
      for (const bad of [4, -1])
        expect(() => tf.tidy(() => tf.gather(x, tf.tensor1d([0, bad], 'int32'))), backend).toThrow(
          `GatherV2: the index value ${bad} is not in [0, 3]`,
        );
      x.dispose();
    }
  });
});
