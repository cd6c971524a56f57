/**
 * LeNet-style networks: the lecture's example network (CONV-POOL-CONV-POOL-FC-FC-softmax
 * on 32×32×3) and LeNet-5 for 28×28 greyscale digits.
 */
import * as tf from '@tensorflow/tfjs';

/** Options shared by the builders. */
export interface LeNetOptions {
  /** Hidden activation (LeCun used tanh/sigmoid; ReLU trains faster). */
  activation?: 'relu' | 'tanh' | 'sigmoid';
  /** Max pooling (modern) or average pooling (LeCun's subsampling). */
  pooling?: 'max' | 'average';
}

function pool(kind: 'max' | 'average', name: string): tf.layers.Layer {
  return kind === 'max'
    ? tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name })
    : tf.layers.averagePooling2d({ poolSize: 2, strides: 2, name });
}

/**
 * The lecture notes' example network: input 32×32×3; CONV1 8 filters 5×5; POOL1;
 * CONV2 16 filters 5×5; POOL2; FC3 120; FC4 84; softmax 10.
 * Parameters per layer: 608, 3,216, 48,120, 10,164, 850.
 */
export function notesExampleNetwork(options: LeNetOptions = {}): tf.Sequential {
  const activation = options.activation ?? 'relu';
  const pooling = options.pooling ?? 'max';
  return tf.sequential({
    name: 'notes_example',
    layers: [
      tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 5, activation, name: 'conv1' }),
      pool(pooling, 'pool1'),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, activation, name: 'conv2' }),
      pool(pooling, 'pool2'),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 120, activation, name: 'fc3' }),
      tf.layers.dense({ units: 84, activation, name: 'fc4' }),
      tf.layers.dense({ units: 10, activation: 'softmax', name: 'softmax' }),
    ],
  });
}

/**
 * LeNet-5 for 28×28×1 digits: the first convolution pads by 2 ('same') so the
 * feature maps are LeNet's 28×28×6, then 14×14×6, 10×10×16, 5×5×16, 120, 84, 10.
 */
export function lenet5(
  options: LeNetOptions & { inputShape?: [number, number, number]; classes?: number } = {},
): tf.Sequential {
  const activation = options.activation ?? 'relu';
  const pooling = options.pooling ?? 'max';
  return tf.sequential({
    name: 'lenet5',
    layers: [
      tf.layers.conv2d({
        inputShape: options.inputShape ?? [28, 28, 1],
        filters: 6,
        kernelSize: 5,
        padding: 'same',
        activation,
        name: 'c1',
      }),
      pool(pooling, 's2'),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, activation, name: 'c3' }),
      pool(pooling, 's4'),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 120, activation, name: 'c5' }),
      tf.layers.dense({ units: 84, activation, name: 'f6' }),
      tf.layers.dense({ units: options.classes ?? 10, activation: 'softmax', name: 'output' }),
    ],
  });
}
