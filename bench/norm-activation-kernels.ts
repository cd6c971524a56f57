/**
 * Per-call time of the wasm backend's LeakyRelu and FusedBatchNorm on
 * style224's (Tiny-Darknet at 224x224) activation shapes, median of repeated calls,
 * and of the x gradient of a frozen batch norm (tf.grad through tf.batchNorm, the
 * forward pass included) with TensorFlow.js's own gradient and with the course's.
 *
 *   nice -n 10 npx tsx bench/norm-activation-kernels.ts [--reps N]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import { tfjsBatchNormGradient } from '../lib/engine/kernels/batch-norm';

const SHAPES: Array<[number, number, number, number]> = [
  [1, 224, 224, 16],
  [1, 112, 112, 32],
  [1, 56, 56, 128],
  [1, 28, 28, 256],
];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

/** Median milliseconds of `reps` calls of `op` (its output disposed each time), after two warm-up calls. */
function median(op: () => tf.Tensor, reps: number): number {
  const times: number[] = [];
  for (let r = 0; r < reps + 2; r++) {
    const start = performance.now();
    const y = op();
    const ms = performance.now() - start;
    y.dispose();
    if (r >= 2) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function main(): Promise<void> {
  await initBackend();
  await tf.setBackend('wasm');
  const reps = Number(arg('--reps', '21'));
  const course = tf.getGradient(tf.FusedBatchNorm)!;
  const tfjs = tfjsBatchNormGradient()!;
  console.log(
    'shape              LeakyRelu ms (ns/elt)   FusedBatchNorm ms (ns/elt)   BN x gradient ms: tfjs, course',
  );
  for (const shape of SHAPES) {
    const channels = shape[3];
    const size = shape.reduce((a, b) => a * b, 1);
    const x = tf.randomNormal(shape);
    const [mean, variance, scale, offset] = [0, 1, 2, 3].map((k) =>
      k === 1 ? tf.randomUniform([channels], 0.1, 2) : tf.randomNormal([channels]),
    ) as tf.Tensor1D[];
    const leaky = median(() => tf.leakyRelu(x, 0.1), reps);
    const norm = median(() => tf.batchNorm(x, mean!, variance!, offset, scale, 0.001), reps);
    const dy = tf.randomNormal(shape);
    const gradient = (config: tf.GradConfig) => {
      tf.registerGradient(config);
      const f = tf.grad((input: tf.Tensor) => tf.batchNorm(input, mean!, variance!, offset, scale, 0.001));
      return median(() => f(x, dy), reps);
    };
    const [before, after] = [gradient(tfjs), gradient(course)];
    const ns = (ms: number) => ((ms * 1e6) / size).toFixed(2);
    console.log(
      `${shape.join('x').padEnd(18)} ${leaky.toFixed(3).padStart(8)} (${ns(leaky)})` +
        `        ${norm.toFixed(3).padStart(8)} (${ns(norm)})` +
        `        ${before.toFixed(3).padStart(8)} ${after.toFixed(3).padStart(8)}`,
    );
    dy.dispose();
    tf.dispose([x, mean!, variance!, scale!, offset!]);
  }
}

void main();
