/**
 * Seeded data augmentations on single images ([h, w, c] tensors): a random left-right mirror
 * and the random crop with zero padding of the ResNet paper's CIFAR recipe. The seed makes
 * each draw reproducible.
 */
import * as tf from '@tensorflow/tfjs';

function checkImage(image: tf.Tensor, what: string): void {
  if (image.rank !== 3) throw new Error(`${what} expects an [h, w, c] image, got shape [${image.shape}]`);
}

/**
 * The image mirrored left-right (columns reversed) when u = `tf.randomUniform([], 0, 1,
 * 'float32', seed)` is below 0.5, else an unchanged copy. Always a new tensor.
 */
export function randomFlipLeftRight(image: tf.Tensor3D, seed: number): tf.Tensor3D {
  checkImage(image, 'randomFlipLeftRight');
  return tf.tidy(() => {
    const u = tf.randomUniform([], 0, 1, 'float32', seed).dataSync()[0]!;
    return u < 0.5 ? (tf.reverse(image, 1) as tf.Tensor3D) : image.clone();
  });
}

/**
 * An h×w window of the image padded with `pad` zeros on every side. With
 * [u, v] = `tf.randomUniform([2], 0, 1, 'float32', seed)`, its top-left corner in the padded
 * image is at row ⌊u·(2·pad + 1)⌋, column ⌊v·(2·pad + 1)⌋ (each position equally likely).
 */
export function randomCropWithPadding(image: tf.Tensor3D, pad: number, seed: number): tf.Tensor3D {
  checkImage(image, 'randomCropWithPadding');
  if (!Number.isInteger(pad) || pad < 0)
    throw new Error(`randomCropWithPadding: pad must be an integer ≥ 0, got ${pad}`);
  const [h, w, c] = image.shape;
  return tf.tidy(() => {
    const [u, v] = Array.from(tf.randomUniform([2], 0, 1, 'float32', seed).dataSync());
    const top = Math.floor(u! * (2 * pad + 1));
    const left = Math.floor(v! * (2 * pad + 1));
    return tf.slice(
      tf.pad(image, [
        [pad, pad],
        [pad, pad],
        [0, 0],
      ]),
      [top, left, 0],
      [h, w, c],
    );
  });
}
