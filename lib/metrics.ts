/**
 * Classification metrics the notebooks share: the fraction of correct predictions, and a
 * model's predicted classes (the arg-max of its outputs) as plain numbers.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * The fraction of `predicted` labels equal to `truth` at the same index (0 to 1).
 * Both must have the same, non-zero length: a mismatch is an error, not a silent partial count.
 */
export function accuracyOf(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  if (predicted.length !== truth.length)
    throw new Error(`accuracyOf: ${predicted.length} predictions for ${truth.length} true labels`);
  if (truth.length === 0) throw new Error('accuracyOf: no labels to compare');
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) correct++;
  return correct / truth.length;
}

/**
 * The class a model predicts for each example of `x`: the index of the largest of its
 * outputs (logits or probabilities alike), one number per example. Leaks no tensor.
 */
export function predictClasses(model: tf.LayersModel, x: tf.Tensor): number[] {
  return tf.tidy(() => {
    const output = model.predict(x);
    if (Array.isArray(output)) throw new Error('predictClasses: the model has several outputs; pick one');
    if (output.rank !== 2)
      throw new Error(`predictClasses: expected outputs [examples, classes], got [${output.shape}]`);
    return Array.from(tf.argMax(output, 1).dataSync());
  });
}
