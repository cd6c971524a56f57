/**
 * The k-nearest-neighbour classifier of notebook 01 on flattened images: L1 and squared L2
 * distances between every row of two matrices, and the majority vote among neighbours.
 * Nearest rows by cosine distance. The references for the notebook's exercises 01.1–01.4.
 */
import * as tf from '@tensorflow/tfjs';

function checkRows(fn: string, a: tf.Tensor, b: tf.Tensor): void {
  if (a.rank !== 2 || b.rank !== 2 || a.shape[1] !== b.shape[1]) {
    throw new Error(
      `${fn}: a and b must be [m, D] and [n, D] with the same D, got [${a.shape}] and [${b.shape}]`,
    );
  }
}

/**
 * L1 distances Σ_p |a_ip − b_jp| between the rows of `a` [m, D] and `b` [n, D]: [m, n].
 * One row of `a` at a time, since all the differences at once would take m·n·D floats.
 */
export function l1Distances(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  checkRows('l1Distances', a, b);
  const rows: tf.Tensor[] = [];
  try {
    for (let i = 0; i < a.shape[0]; i++)
      rows.push(tf.tidy(() => tf.sum(tf.abs(tf.sub(a.slice([i, 0], [1, -1]), b)), 1)));
    return tf.stack(rows) as tf.Tensor2D;
  } finally {
    tf.dispose(rows);
  }
}

/**
 * Squared L2 distances Σ_p (a_ip − b_jp)² between the rows of `a` [m, D] and `b` [n, D]:
 * [m, n], from one matrix product: ‖a‖² − 2 a·b + ‖b‖² (clamped at 0 against rounding).
 */
export function squaredL2Distances(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  checkRows('squaredL2Distances', a, b);
  return tf.tidy(() => {
    const aa = tf.sum(tf.square(a), 1, true); // [m, 1]
    const bb = tf.sum(tf.square(b), 1).expandDims(0); // [1, n]
    return tf.relu(tf.add(tf.sub(aa, tf.mul(2, tf.matMul(a, b, false, true))), bb)) as tf.Tensor2D;
  });
}

/**
 * The k-NN vote: the most frequent label among the first `k` of `neighbours` (training
 * indices, closest first); a tie goes to the tied class whose member comes first (is closest).
 */
export function knnVote(neighbours: number[], labels: number[], k: number): number {
  if (!(k >= 1) || k > neighbours.length)
    throw new Error(`knnVote: k must be in 1..${neighbours.length} (the neighbours given), got ${k}`);
  const counts = new Map<number, number>();
  for (const n of neighbours.slice(0, k)) counts.set(labels[n], (counts.get(labels[n]) || 0) + 1);
  let best = 0;
  counts.forEach((c) => (best = Math.max(best, c)));
  // The first neighbour whose class has the top count is the closest member of the tied classes.
  for (const n of neighbours.slice(0, k)) if (counts.get(labels[n]) === best) return labels[n];
  throw new Error('knnVote: unreachable');
}

/**
 * For every row of `test` [m, D], the index of the row of `train` [n, D] with the smallest
 * cosine distance 1 − a·b / (‖a‖ ‖b‖): rows scaled to unit length, then the largest dot product.
 */
export function nearestByCosine(test: tf.Tensor2D, train: tf.Tensor2D): number[] {
  checkRows('nearestByCosine', test, train);
  return tf.tidy(() => {
    const unit = (x: tf.Tensor2D) => tf.div(x, tf.norm(x, 'euclidean', 1, true));
    return Array.from(tf.argMax(tf.matMul(unit(test), unit(train), false, true), 1).dataSync());
  });
}
