/**
 * The shallow day/night classifier of notebook 07 (the lecture's warm-up): two
 * 3×3 convolutions (8 and 16 filters, same padding, ReLU), each followed by a
 * 4×4 max pooling, then one sigmoid unit: ŷ = P(day).
 */
import * as tf from '@tensorflow/tfjs';
import { checkInputShape } from './common';

/**
 * Builds the classifier, uncompiled. At 64×64×3 it has 1,649 parameters (a
 * pooling by 4 drops the last rows and columns when the size is not a multiple of 4).
 */
export function dayNightNet(inputShape: [number, number, number] = [64, 64, 3]): tf.Sequential {
  checkInputShape(inputShape);
  const model = tf.sequential({ name: 'day_night' });
  model.add(tf.layers.conv2d({ inputShape, filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 4 }));
  model.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 4 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  return model;
}
