/**
 * Custom tfjs layers the zoo needs and tfjs-layers lacks: |a − b| for Siamese
 * networks, L2 normalisation of embeddings, and a fixed per-channel input
 * normalisation (EfficientNet's). All are registered for serialisation.
 */
import * as tf from '@tensorflow/tfjs';

/** Element-wise |a − b| of two inputs of the same shape (the Siamese distance features). */
export class L1Distance extends tf.layers.Layer {
  static className = 'L1Distance';
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shapes = inputShape as tf.Shape[];
    if (shapes.length !== 2 || JSON.stringify(shapes[0]) !== JSON.stringify(shapes[1]))
      throw new Error(`L1Distance needs two inputs of one shape, got ${JSON.stringify(shapes)}`);
    return shapes[0]!;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [a, b] = inputs as tf.Tensor[];
    return tf.tidy(() => tf.abs(tf.sub(a!, b!)));
  }
}
tf.serialization.registerClass(L1Distance);

/** Scales each example's vector (last axis) to unit length: embeddings on the hypersphere. */
export class L2Normalize extends tf.layers.Layer {
  static className = 'L2Normalize';
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return inputShape as tf.Shape;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    // The small floor keeps the gradient finite for an all-zero vector.
    return tf.tidy(() => tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), -1, true), 1e-12))));
  }
}
tf.serialization.registerClass(L2Normalize);

/** Configuration of {@link Normalization}. */
export interface NormalizationConfig {
  mean: number[];
  variance: number[];
  name?: string;
}

/**
 * (x − mean) / √variance per channel, with fixed (non-trainable) statistics.
 * Like Keras's Normalization layer it stores mean, variance and the sample count
 * as weights (2·C + 1 values), which is why Keras's EfficientNet-B0 counts 5,330,571.
 */
export class Normalization extends tf.layers.Layer {
  static className = 'Normalization';
  private readonly meanValues: number[];
  private readonly varianceValues: number[];
  private meanWeight?: tf.LayerVariable;
  private varianceWeight?: tf.LayerVariable;

  constructor(config: NormalizationConfig) {
    super({ name: config.name });
    if (config.mean.length !== config.variance.length)
      throw new Error(`Normalization: ${config.mean.length} means but ${config.variance.length} variances`);
    if (config.variance.some((v) => !(v > 0)))
      throw new Error(`Normalization: variances must be positive, got [${config.variance}]`);
    this.meanValues = config.mean;
    this.varianceValues = config.variance;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const c = shape[shape.length - 1];
    if (c !== this.meanValues.length)
      throw new Error(
        `Normalization has ${this.meanValues.length} channel statistics, the input [${shape}] has ${c} channels`,
      );
    this.meanWeight = this.addWeight('mean', [c], 'float32', tf.initializers.zeros(), undefined, false);
    this.varianceWeight = this.addWeight(
      'variance',
      [c],
      'float32',
      tf.initializers.ones(),
      undefined,
      false,
    );
    tf.tidy(() => {
      this.meanWeight!.write(tf.tensor1d(this.meanValues));
      this.varianceWeight!.write(tf.tensor1d(this.varianceValues));
    });
    this.addWeight('count', [], 'float32', tf.initializers.zeros(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return inputShape as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => tf.div(tf.sub(x, this.meanWeight!.read()), tf.sqrt(this.varianceWeight!.read())));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mean: this.meanValues, variance: this.varianceValues };
  }
}
tf.serialization.registerClass(Normalization);

/** ImageNet's per-channel statistics on [0, 1] pixels, as Keras's EfficientNet uses them. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406];
export const IMAGENET_VARIANCE = [0.229 ** 2, 0.224 ** 2, 0.225 ** 2];
