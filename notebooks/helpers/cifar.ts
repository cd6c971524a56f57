/**
 * CIFAR-10 for the notebooks, in the shape they use (labels as plain numbers): the
 * data hub's loader reads the course mirror's balanced subset where it is present,
 * else the full dataset from its home page (one 170 MB download, then cached).
 */
import * as tf from '@tensorflow/tfjs';
import { loadCifar10, type CifarSet } from '../lib/data/cifar';

/** Images [n, 32, 32, 3] scaled to 0..1 and integer labels 0..9. */
export interface CifarSplit {
  images: tf.Tensor4D;
  labels: number[];
}

function split(set: CifarSet, count: number, what: string): CifarSplit {
  const available = set.labels.shape[0];
  if (available < count) {
    tf.dispose([set.images, set.labels]);
    throw new Error(`CIFAR-10 ${what}: asked for ${count} records, the data holds ${available}`);
  }
  const labels = Array.from(set.labels.dataSync());
  set.labels.dispose();
  return { images: set.images, labels };
}

/**
 * The first `train` training and `test` test records and the class names. In the
 * mirror's subset the classes interleave, so any prefix is balanced; the full set
 * keeps its original (shuffled) order. The caller disposes the images.
 */
export async function loadCifarSubset(train: number, test: number): Promise<{ train: CifarSplit; test: CifarSplit; classes: string[] }> {
  const data = await loadCifar10({ train, test });
  return {
    train: split(data.train, train, 'training set'),
    test: split(data.test, test, 'test set'),
    classes: [...data.classes],
  };
}
