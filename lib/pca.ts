/**
 * Principal component analysis in float64: the way to draw high-dimensional
 * vectors (128-d face encodings) as a 2-D scatter plot.
 */
import { clusteringRandom } from './kmeans';

/** The outcome of {@link pca}. */
export interface PcaResult {
  /** Each point's coordinates on the components, [n][dims]. */
  projected: number[][];
  /** Unit principal directions, largest variance first, [dims][d]. */
  components: number[][];
  /** Variance along each component. */
  variances: number[];
  mean: number[];
}

/**
 * Principal component analysis in float64 by power iteration with deflation
 * on the covariance matrix: the way to draw 128-d face encodings as a 2-D
 * scatter plot (coloured by identity or by k-means cluster).
 */
export function pca(
  points: ReadonlyArray<ArrayLike<number>>,
  dims = 2,
  options: { iterations?: number; seed?: number } = {},
): PcaResult {
  const n = points.length;
  if (n < 2) throw new Error(`pca needs at least 2 points, got ${n}`);
  const d = points[0]!.length;
  if (!(Number.isInteger(dims) && dims >= 1 && dims <= d))
    throw new Error(`dims must be an integer in 1..${d}, got ${dims}`);
  points.forEach((p, i) => {
    if (p.length !== d) throw new Error(`point ${i} has ${p.length} values, point 0 has ${d}`);
  });
  const mean = new Array<number>(d).fill(0);
  for (const p of points) for (let j = 0; j < d; j++) mean[j]! += p[j]! / n;
  const centred = points.map((p) => Array.from({ length: d }, (_, j) => p[j]! - mean[j]!));
  const cov = Array.from({ length: d }, () => new Float64Array(d));
  for (const x of centred)
    for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[a]![b]! += (x[a]! * x[b]!) / (n - 1);
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[a]![b] = cov[b]![a]!;
  const rand = clusteringRandom(options.seed ?? 7);
  const components: number[][] = [];
  const variances: number[] = [];
  for (let k = 0; k < dims; k++) {
    let v = Array.from({ length: d }, () => rand() - 0.5);
    let lambda = 0;
    for (let it = 0; it < (options.iterations ?? 500); it++) {
      const next = cov.map((row) => row.reduce((s, c, j) => s + c * v[j]!, 0));
      const norm = Math.hypot(...next);
      if (norm === 0) break; // no variance left
      const nextV = next.map((x) => x / norm);
      const delta = Math.hypot(...nextV.map((x, j) => x - v[j]!));
      [v, lambda] = [nextV, norm];
      if (delta < 1e-12) break;
    }
    // A stable sign: the largest coordinate is positive.
    const big = v.reduce((bi, x, j) => (Math.abs(x) > Math.abs(v[bi]!) ? j : bi), 0);
    if (v[big]! < 0) v = v.map((x) => -x);
    components.push(v);
    variances.push(lambda);
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a]![b]! -= lambda * v[a]! * v[b]!;
  }
  const projected = centred.map((x) => components.map((c) => c.reduce((s, cj, j) => s + cj * x[j]!, 0)));
  return { projected, components, variances, mean };
}
