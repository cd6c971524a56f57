/**
 * Siamese networks for face verification: an encoder f(x) that maps an image
 * to an embedding (trained with the triplet loss), and a verifier that runs the
 * same encoder on two images and predicts "same person" by logistic regression
 * on |f(x_i) − f(x_j)| (the notes' binary-classification form).
 */
import * as tf from '@tensorflow/tfjs';
import { apply, convBn } from '../layers/common';
import { L1Distance, L2Normalize } from '../layers/custom';
import { checkDownsampling, input, positive } from './common';

/** Options of {@link siameseEncoder}. */
export interface SiameseEncoderOptions {
  inputShape?: [number, number, number];
  /** Length of the embedding f(x). */
  embeddingSize?: number;
  /** Filters of the convolutional stages (each followed by a 2×2 max pool). */
  filters?: number[];
  /** Scale embeddings to unit length (FaceNet does; the triplet margin is then on the unit sphere). */
  normalize?: boolean;
  name?: string;
}

/** A convolutional encoder image → embedding. */
export function siameseEncoder(options: SiameseEncoderOptions = {}): tf.LayersModel {
  const shape = options.inputShape ?? [64, 64, 3];
  const filters = options.filters ?? [32, 64, 128];
  filters.forEach((f, i) => positive(`filters[${i}]`, f));
  const size = positive('embeddingSize', options.embeddingSize ?? 128);
  checkDownsampling(shape, filters.length, 'siameseEncoder');
  const x0 = input(shape);
  let x = x0;
  filters.forEach((f, i) => {
    x = convBn(x, { filters: f, kernelSize: 3, name: `enc_conv${i + 1}` });
    x = apply(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `enc_pool${i + 1}` }), x);
  });
  x = apply(tf.layers.globalAveragePooling2d({ name: 'enc_avg_pool' }), x);
  x = apply(tf.layers.dense({ units: size, name: 'embedding' }), x);
  if (options.normalize ?? true) x = apply(new L2Normalize({ name: 'l2_normalize' }), x);
  return tf.model({ inputs: x0, outputs: x, name: options.name ?? 'siamese_encoder' });
}

/**
 * The verifier: ŷ = σ(Σ_k w_k |f(x_i)_k − f(x_j)_k| + b), with the encoder's
 * weights shared between the two branches. Inputs [x_i, x_j], output [1].
 */
export function siameseVerifier(encoder: tf.LayersModel, options: { name?: string } = {}): tf.LayersModel {
  const shape = encoder.inputs[0]!.shape.slice(1) as [number, number, number];
  const a = tf.input({ shape, name: 'image_a' });
  const b = tf.input({ shape, name: 'image_b' });
  const fa = apply(encoder, a);
  const fb = apply(encoder, b);
  const d = apply(new L1Distance({ name: 'l1_distance' }), [fa, fb]);
  const y = apply(tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'same_person' }), d);
  return tf.model({ inputs: [a, b], outputs: y, name: options.name ?? 'siamese_verifier' });
}
