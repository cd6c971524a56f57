/**
 * Transfer learning helpers: choosing which layers of a pretrained model train.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Fine-tuning's freeze: every layer of `model.layers` before the layer named `layerName` gets
 * `trainable = false`, that layer and all after it `trainable = true`.
 * @throws Error naming `layerName` (and changing nothing) when the model has no such layer.
 */
export function unfreezeFrom(model: tf.LayersModel, layerName: string): void {
  const first = model.layers.findIndex((layer) => layer.name === layerName);
  if (first < 0) throw new Error(`unfreezeFrom: the model has no layer named '${layerName}' (its layers: ${model.layers.map((l) => l.name).join(', ')})`);
  model.layers.forEach((layer, i) => {
    layer.trainable = i >= first;
  });
}
