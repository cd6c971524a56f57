/**
 * Gradient norms per layer: how strongly one batch's loss pulls on each layer's weights,
 * from the output back to the input. Plain deep networks make these norms shrink (vanish)
 * or grow (explode) geometrically with depth; residual networks keep them level.
 */
import * as tf from '@tensorflow/tfjs';

/** The gradient norm of one weight tensor. */
export interface LayerGradientNorm {
  /** The layer that owns the weight. */
  layer: string;
  /** The weight's name, e.g. `stage1_block1_1_conv/kernel`. */
  weight: string;
  /** The L2 norm of the loss's gradient with respect to that weight. */
  norm: number;
}

/**
 * The L2 norm of the gradient of `loss(model(x), y)` with respect to each selected weight,
 * in the order of `model.trainableWeights` (input side first). The model runs in training
 * mode (batch norm uses the batch's statistics, as during `fit`); no weight changes.
 * @param model any Layers model.
 * @param x a batch of inputs.
 * @param y the targets, in the form `loss` expects.
 * @param loss maps (targets, predictions) to a scalar, e.g. `categoricalCrossEntropy` of lib/losses.
 * @param select which weights to measure (default: every weight whose name ends in `kernel`).
 */
export function layerGradientNorms(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  loss: (y: tf.Tensor, prediction: tf.Tensor) => tf.Tensor,
  select: (weightName: string) => boolean = (name) => /kernel(_\d+)?$/.test(name),
): LayerGradientNorm[] {
  const owners: Array<{ layer: string; variable: tf.Variable }> = [];
  for (const layer of model.layers) {
    for (const w of layer.trainableWeights) {
      if (select(w.originalName)) owners.push({ layer: layer.name, variable: w.read() as tf.Variable }); // read() is the variable itself
    }
  }
  if (owners.length === 0)
    throw new Error(`layerGradientNorms: no trainable weight of model ${model.name} was selected`);
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(
      () => {
        const prediction = model.apply(x, { training: true }) as tf.Tensor;
        const l = loss(y, prediction);
        if (l.rank !== 0)
          throw new Error(`layerGradientNorms: the loss must be a scalar, got shape [${l.shape}]`);
        return l as tf.Scalar;
      },
      owners.map((o) => o.variable),
    );
    value.dispose();
    return owners.map((o) => ({
      layer: o.layer,
      weight: o.variable.name,
      norm: tf.norm(grads[o.variable.name]).dataSync()[0],
    }));
  });
}
