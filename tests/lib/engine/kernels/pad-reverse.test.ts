// The wasm backend's PadV2 and Reverse, which the course replaces with run copies on the
// heap, against the cpu backend's: the same values, shapes and dtypes, exactly.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, it } from 'vitest';
import { sameAsCpu } from '../../../helpers/same-as-cpu';

afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('PadV2', () => {
  it('pads an image on height and width (runs of whole rows), as a random crop does', async () => {
    await sameAsCpu([5, 4, 3], (x) =>
      tf.pad(x, [
        [2, 2],
        [1, 3],
        [0, 0],
      ]),
    );
  });
  it('pads the last axis, every axis, one side only, with a constant', async () => {
    await sameAsCpu([2, 3, 4], (x) =>
      tf.pad(
        x,
        [
          [0, 0],
          [0, 0],
          [1, 2],
        ],
        7,
      ),
    );
    await sameAsCpu([2, 3, 2, 2], (x) =>
      tf.pad(
        x,
        [
          [1, 0],
          [0, 2],
          [1, 1],
          [2, 0],
        ],
        -1,
      ),
    );
    await sameAsCpu([6], (x) => tf.pad(x, [[0, 3]]));
    await sameAsCpu([3, 2], (x) =>
      tf.pad(x, [
        [0, 0],
        [0, 0],
      ]),
    );
  });
  it('pads an empty tensor into a tensor of the constant', async () => {
    await sameAsCpu([0, 3], (x) =>
      tf.pad(
        x,
        [
          [1, 1],
          [0, 1],
        ],
        2,
      ),
    );
  });
});

describe('Reverse', () => {
  it('mirrors an image left-right (axis 1) and upside down (axis 0)', async () => {
    await sameAsCpu([4, 5, 3], (x) => tf.reverse(x, 1));
    await sameAsCpu([4, 5, 3], (x) => tf.reverse(x, 0));
  });
  it('reverses the last axis, several axes, negative axes, none', async () => {
    await sameAsCpu([3, 4, 5], (x) => tf.reverse(x, -1));
    await sameAsCpu([2, 3, 2, 4], (x) => tf.reverse(x, [0, 2]));
    await sameAsCpu([2, 3, 2, 4], (x) => tf.reverse(x, [3, 1, 0]));
    await sameAsCpu([7], (x) => tf.reverse(x));
    await sameAsCpu([3, 2], (x) => tf.reverse(x, []));
    await sameAsCpu([2, 0, 3], (x) => tf.reverse(x, 1));
  });
});
