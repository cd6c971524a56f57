/**
 * One epoch of notebook 06's augmented training (its cell "A fresh augmented copy of a batch"):
 * a fresh augmented copy of 1000 CIFAR-sized images (a crop with padding 4 and a mirror per image,
 * lib/augment), then one epoch of fit, batch 32, shuffled. Prints wall and CPU seconds per epoch
 * (CPU of all threads: on a shared machine the steadier of the two).
 *
 *   npx tsx bench/nb06-epoch.ts
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import { randomCropWithPadding, randomFlipLeftRight } from '../lib/augment';
import { createRng } from '../lib/data/random';
await initBackend();
const net = tf.sequential({
  layers: [
    tf.layers.conv2d({
      inputShape: [32, 32, 3],
      filters: 16,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
    }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }),
    tf.layers.globalAveragePooling2d({}),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
net.compile({ optimizer: tf.train.adam(2e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
const x = tf.randomUniform([1000, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
const y = tf.tensor1d(
  Array.from({ length: 1000 }, (_, i) => i % 10),
  'float32',
);
const rng = createRng(5);
const epoch = async () => {
  const augmentOne = (image: tf.Tensor3D) =>
    randomFlipLeftRight(randomCropWithPadding(image, 4, rng.int(1, 2 ** 30)), rng.int(1, 2 ** 30));
  const aug = tf.tidy(() => tf.stack(tf.unstack(x).map((im) => augmentOne(im as tf.Tensor3D))));
  await net.fit(aug, y, { epochs: 1, batchSize: 32, shuffle: true, verbose: 0 });
  aug.dispose();
};
await epoch();
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const t = performance.now();
const c = cpu();
for (let e = 0; e < 4; e++) await epoch();
const [wall, cpuSeconds] = [(performance.now() - t) / 4000, (cpu() - c) / 4];
console.log(`RESULT nb06-augmented-epoch wall_s=${wall.toFixed(2)} cpu_s=${cpuSeconds.toFixed(2)}`);
