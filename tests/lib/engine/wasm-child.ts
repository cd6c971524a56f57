// Run by wasm-threads.test.ts in a child process: starts the wasm backend the
// way a notebook does, checks a large and a small convolution and their
// gradients (above and below the size that runs on every thread) against the cpu backend, prints
// what it found and then simply ends (the process must exit by itself).
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../../../lib/backend';

const choice = await initBackend({ backend: 'wasm' });
// The pool the module's global points at between kernels (the threaded build's own count).
const module = (tf.backend() as unknown as { wasm: { tfjs: { getThreadsCount(): number } } }).wasm;
const idlePool = module.tfjs.getThreadsCount();

type Shape4 = [number, number, number, number];

async function maxErrorOfConv(xShape: Shape4, filterShape: Shape4, seed: number): Promise<number> {
  await tf.setBackend('wasm');
  const x = tf.randomNormal(xShape, 0, 1, 'float32', seed) as tf.Tensor4D;
  const w = tf.randomNormal(filterShape, 0, 1, 'float32', seed + 1) as tf.Tensor4D;
  // The convolution and both of its gradients (the course's backprop kernels), as one vector.
  const outputs = async (x: tf.Tensor4D, w: tf.Tensor4D) => {
    const weights = tf.randomNormal(
      [xShape[0], xShape[1], xShape[2], filterShape[3]],
      0,
      1,
      'float32',
      seed + 2,
    );
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), weights));
    const [dx, dw] = tf.grads(f)([x, w]);
    const all = [tf.conv2d(x, w, 1, 'same'), dx!, dw!];
    return Float32Array.from((await Promise.all(all.map((t) => t.data()))).flatMap((v) => [...v]));
  };
  const onWasm = await outputs(x, w);
  const [xv, wv] = [await x.data(), await w.data()];
  await tf.setBackend('cpu');
  const onCpu = await outputs(tf.tensor4d(xv, x.shape), tf.tensor4d(wv, w.shape));
  let maxError = 0;
  for (let i = 0; i < onCpu.length; i++)
    maxError = Math.max(maxError, Math.abs(onWasm[i]! - onCpu[i]!) / (1 + Math.abs(onCpu[i]!)));
  return maxError;
}

// Starting wasm again after another backend keeps the wrapped kernels.
const wrapped = ['Conv2DBackpropInput', 'BatchMatMul', 'Conv2D'].map(
  (k) => tf.getKernel(k, 'wasm')!.kernelFunc,
);
await initBackend({ backend: 'cpu' });
await initBackend({ backend: 'wasm' });
const kernelsKept = ['Conv2DBackpropInput', 'BatchMatMul', 'Conv2D'].every(
  (k, i) => tf.getKernel(k, 'wasm')!.kernelFunc === wrapped[i],
);

const large = await maxErrorOfConv([4, 32, 32, 16], [3, 3, 16, 32], 1);
const small = await maxErrorOfConv([1, 8, 8, 4], [3, 3, 4, 4], 3);
const detail = choice.probes.find((p) => p.name === 'wasm')?.detail ?? '';
console.log(
  JSON.stringify({
    threads: getThreadsCount(),
    idlePool,
    detail,
    kernelsKept,
    maxError: Math.max(large, small),
  }),
);
