// Run by reproducible-training.test.ts in a child process with the wasm thread count of its
// environment: trains one small conv net twice from the same seed and prints a digest of the
// weights of each run, the jobs the course's worker ran and the largest kernels' shapes (so the
// test can see that the split paths, not only the one-thread ones, were taken).
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { initBackend } from '../../../../lib/backend';
import { courseWorkerOn } from '../../../../lib/engine/kernels/course-wasm';
import { seedEverything, restoreNativeRandom } from '../../../../lib/seed';
import { seeded } from '../../../helpers/numeric';

await initBackend({ backend: 'wasm' });
const worker = courseWorkerOn(tf.backend());
for (let i = 0; i < 100 && worker && !worker.ready; i++)
  await new Promise((resolve) => setTimeout(resolve, 50));

/** Trains from `seed`: a SHA-256 of every weight's bytes, in the model's order, and of its predictions. */
async function trainedDigest(seed: number): Promise<string> {
  seedEverything(seed);
  const images = 32;
  // 28x28x3 images. The first layer (6 channels, not a multiple of 4) runs on XNNPACK, on its
  // full thread pool (5.6M multiply-adds at a batch of 16), and so does its filter gradient;
  // the second one's convolution and gradients (11M each) are the course's, split in chunks
  // shared with the worker; predict() runs XNNPACK's fused convolutions.
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [28, 28, 3],
        filters: 6,
        kernelSize: 5,
        padding: 'same',
        activation: 'relu',
      }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const x = tf.tensor4d(seeded(images * 28 * 28 * 3, 11), [images, 28, 28, 3]);
  const labels = Array.from(seeded(images, 12), (v) => Math.floor((v + 1) * 5));
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  await model.fit(x, y, { epochs: 3, batchSize: 16, shuffle: true, verbose: 0 });
  const hash = createHash('sha256');
  for (const w of model.getWeights()) hash.update(Buffer.from(((await w.data()) as Float32Array).buffer));
  const predicted = model.predict(x) as tf.Tensor;
  hash.update(Buffer.from(((await predicted.data()) as Float32Array).buffer));
  tf.dispose([x, y, predicted]);
  model.dispose();
  restoreNativeRandom();
  return hash.digest('hex');
}

const jobsBefore = worker?.jobs ?? 0;
const first = await trainedDigest(5);
const second = await trainedDigest(5);
const otherSeed = await trainedDigest(6);
console.log(
  JSON.stringify({
    threads: worker ? 2 : 1,
    ready: worker?.ready ?? false,
    jobs: (worker?.jobs ?? 0) - jobsBefore,
    first,
    second,
    otherSeed,
  }),
);
