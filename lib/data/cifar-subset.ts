/**
 * CIFAR-10 for the notebooks, in the shape they use (labels as plain numbers): the
 * data hub's loader reads the course mirror's balanced subset where it is present,
 * else the full dataset from its home page (one 170 MB download, then cached).
 */
import * as tf from '@tensorflow/tfjs';
import { loadCifar10, type CifarSet } from './cifar';

/** Images [n, 32, 32, 3] scaled to 0..1 and integer labels 0..9. */
export interface CifarSplit {
  images: tf.Tensor4D;
  labels: number[];
}

function labelsOf(set: CifarSet): CifarSplit {
  const labels = Array.from(set.labels.dataSync());
  set.labels.dispose();
  return { images: set.images, labels };
}

/**
 * The first `train` training and `test` test records and the class names. In the
 * mirror's subset the classes interleave, so any prefix is balanced; the full set
 * keeps its original (shuffled) order. The caller disposes the images.
 */
export async function loadCifarSubset(
  train: number,
  test: number,
): Promise<{ train: CifarSplit; test: CifarSplit; classes: string[] }> {
  const data = await loadCifar10({ train, test });
  const short = (
    [
      ['training', data.train, train],
      ['test', data.test, test],
    ] as const
  )
    .filter(([, set, count]) => set.labels.shape[0] < count)
    .map(
      ([what, set, count]) =>
        `${what} set: asked for ${count} records, the data holds ${set.labels.shape[0]}`,
    );
  if (short.length > 0) {
    tf.dispose([data.train.images, data.train.labels, data.test.images, data.test.labels]);
    throw new Error(`CIFAR-10 ${short.join('; ')}`);
  }
  return { train: labelsOf(data.train), test: labelsOf(data.test), classes: [...data.classes] };
}
