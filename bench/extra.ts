/**
 * Further benchmark entries: a style-transfer step on Tiny-Darknet and one
 * U-Net training step. Each returns images per second after a warm-up pass.
 */
import * as tf from '@tensorflow/tfjs';
import { loadTinyDarknet } from '../lib/data/models';
import { unet } from '../lib/models/unet';
import { contentCost, gramMatrix, layerTap, styleCostFromGrams } from '../lib/style';

/** Extra entries, by the name `--model` takes. */
export const EXTRA_MODELS = ['style224', 'unet'] as const;
export type ExtraModel = (typeof EXTRA_MODELS)[number];

/** Default steps of each extra entry (each step is slow on CPU backends). */
export const EXTRA_STEPS: Record<ExtraModel, number> = { style224: 3, unet: 3 };

/** Tiny-Darknet activations: three style layers (shallow to deep) and one content layer. */
export const STYLE_LAYERS = ['leaky_re_lu_2', 'leaky_re_lu_5', 'leaky_re_lu_9'];
export const CONTENT_LAYER = 'leaky_re_lu_10';

/** U-Net entry: 128x128 RGB, 2 classes, 4 contracting steps of 16..128 filters, batch 8. */
export const UNET = { size: 128, classes: 2, filters: [16, 32, 64, 128], batch: 8 };

async function timed(steps: number, images: number, step: () => Promise<void>): Promise<number> {
  for (let i = 0; i < steps; i++) await step();
  const start = performance.now();
  for (let i = 0; i < steps; i++) await step();
  return (steps * images) / ((performance.now() - start) / 1000);
}

/**
 * Adam steps on the pixels of a 224x224 generated image: content cost on one
 * layer plus Gram style cost on three (random content and style images; the
 * cost of the step does not depend on the pictures).
 */
async function styleStep(steps: number): Promise<number> {
  const { model } = await loadTinyDarknet();
  const tap = layerTap(model, [...STYLE_LAYERS, CONTENT_LAYER]);
  const features = (image: tf.Tensor4D) => tap.predict(image) as tf.Tensor[];
  const content = tf.randomUniform([1, 224, 224, 3]) as tf.Tensor4D;
  const style = tf.randomUniform([1, 224, 224, 3]) as tf.Tensor4D;
  // The style Gram matrices are computed once, as PyTorch's side does (and lib/style's styleTransfer).
  const targets = tf.tidy(() => {
    const s = features(style).slice(0, 3);
    return {
      content: tf.keep(features(content)[3]!),
      grams: s.map((a) => tf.keep(gramMatrix(a))),
    };
  });
  const generated = tf.variable(content.clone());
  const optimizer = tf.train.adam(0.02);
  const result = await timed(steps, 1, async () => {
    const cost = optimizer.minimize(
      () => {
        const out = features(generated as unknown as tf.Tensor4D);
        return tf.add(
          tf.mul(10, contentCost(targets.content, out[3]!)),
          tf.mul(40, styleCostFromGrams(targets.grams, out.slice(0, 3), [1 / 3, 1 / 3, 1 / 3])),
        );
      },
      true,
      [generated],
    );
    await cost!.data();
    cost!.dispose();
  });
  optimizer.dispose();
  tf.dispose([content, style, generated, targets.content, ...targets.grams]);
  model.dispose();
  return result;
}

/** Adam training steps of a U-Net on random images and per-pixel labels. */
async function unetStep(steps: number): Promise<number> {
  const net = unet({ inputShape: [UNET.size, UNET.size, 3], classes: UNET.classes, filters: UNET.filters });
  net.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const x = tf.randomUniform([UNET.batch, UNET.size, UNET.size, 3]);
  const y = tf.tidy(() =>
    tf
      .oneHot(tf.randomUniform([UNET.batch, UNET.size, UNET.size], 0, UNET.classes, 'int32'), UNET.classes)
      .toFloat(),
  );
  const result = await timed(steps, UNET.batch, async () => {
    await net.trainOnBatch(x, y);
  });
  tf.dispose([x, y]);
  net.dispose();
  return result;
}

/** Runs one extra entry: images (style: generated-image updates) per second. */
export function measureExtra(name: ExtraModel, steps: number): Promise<number> {
  return name === 'style224' ? styleStep(steps) : unetStep(steps);
}
