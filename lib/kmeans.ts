/**
 * k-means clustering (Lloyd's algorithm with a k-means++ start) and the elbow
 * curve that suggests k: used to group face encodings, but for any vectors.
 */
import { createRng } from './data/random';

/**
 * A seeded uniform generator in [0, 1) (so clustering runs are reproducible):
 * lib/data/random's mulberry32, started where earlier versions of this module
 * started their own copy (state = seed), so a seed gives the same clusters as before.
 */
export function clusteringRandom(seed: number): () => number {
  return createRng((seed >>> 0) ^ 0x9e3779b9).next;
}

const sq = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
};

/** Options of {@link kMeans}. */
export interface KMeansOptions {
  /** 'kmeans++' (default) spreads the starting centroids; 'random' picks k distinct points. */
  init?: 'kmeans++' | 'random';
  maxIterations?: number;
  seed?: number;
  /** Independent starts; the lowest inertia wins (default 1). */
  restarts?: number;
}

/** A clustering. */
export interface KMeansResult {
  centroids: number[][];
  /** Cluster of each point. */
  assignments: number[];
  /** Sum of squared distances of points to their centroid. */
  inertia: number;
  iterations: number;
}

/**
 * k-means (Lloyd's algorithm) with a k-means++ start: each next starting
 * centroid is a point drawn with probability proportional to its squared
 * distance to the nearest centroid chosen so far.
 */
export function kMeans(
  points: ReadonlyArray<ArrayLike<number>>,
  k: number,
  options: KMeansOptions = {},
): KMeansResult {
  const n = points.length;
  if (!(Number.isInteger(k) && k >= 1 && k <= n))
    throw new Error(`k must be an integer in 1..${n} (the number of points), got ${k}`);
  const dim = points[0]!.length;
  points.forEach((p, i) => {
    if (p.length !== dim) throw new Error(`point ${i} has ${p.length} values, point 0 has ${dim}`);
  });
  const rand = clusteringRandom(options.seed ?? 42);
  let best: KMeansResult | undefined;
  for (let r = 0; r < (options.restarts ?? 1); r++) {
    const result = lloyd(points, k, options, rand);
    if (!best || result.inertia < best.inertia) best = result;
  }
  return best!;
}

function initialCentroids(
  points: ReadonlyArray<ArrayLike<number>>,
  k: number,
  init: 'kmeans++' | 'random',
  rand: () => number,
): number[][] {
  const n = points.length;
  if (init === 'random') {
    const idx = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    return idx.slice(0, k).map((i) => Array.from(points[i]!));
  }
  const centroids = [Array.from(points[Math.floor(rand() * n)]!)];
  const nearest = points.map((p) => sq(p, centroids[0]!));
  while (centroids.length < k) {
    const total = nearest.reduce((a, b) => a + b, 0);
    let pick = 0;
    if (total > 0) {
      let u = rand() * total;
      for (pick = 0; pick < n - 1; pick++) if ((u -= nearest[pick]!) < 0) break;
    } else {
      pick = Math.floor(rand() * n); // all points coincide with centroids
    }
    const c = Array.from(points[pick]!);
    centroids.push(c);
    points.forEach((p, i) => (nearest[i] = Math.min(nearest[i]!, sq(p, c))));
  }
  return centroids;
}

function lloyd(
  points: ReadonlyArray<ArrayLike<number>>,
  k: number,
  options: KMeansOptions,
  rand: () => number,
): KMeansResult {
  const centroids = initialCentroids(points, k, options.init ?? 'kmeans++', rand);
  const assignments = new Array<number>(points.length).fill(-1);
  const maxIterations = options.maxIterations ?? 100;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let changed = false;
    points.forEach((p, i) => {
      let bestC = 0;
      for (let c = 1; c < k; c++) if (sq(p, centroids[c]!) < sq(p, centroids[bestC]!)) bestC = c;
      if (assignments[i] !== bestC) [assignments[i], changed] = [bestC, true];
    });
    if (!changed) break;
    for (let c = 0; c < k; c++) {
      const members = points.filter((_, i) => assignments[i] === c);
      if (members.length === 0) continue; // an empty cluster keeps its centroid
      centroids[c] = centroids[c]!.map((_, j) => members.reduce((s, m) => s + m[j]!, 0) / members.length);
    }
  }
  const inertia = points.reduce((s, p, i) => s + sq(p, centroids[assignments[i]!]!), 0);
  return { centroids, assignments, inertia, iterations };
}

/** Inertia for each k (the elbow curve), with `restarts` starts per k. */
export function elbowCurve(
  points: ReadonlyArray<ArrayLike<number>>,
  ks: number[],
  options: KMeansOptions = {},
): Array<{ k: number; inertia: number }> {
  return ks.map((k) => ({ k, inertia: kMeans(points, k, { restarts: 5, ...options }).inertia }));
}

/**
 * The elbow of a curve: the point farthest from the straight line joining its
 * first and last points (after scaling both axes to [0, 1]).
 */
export function elbowPoint(curve: Array<{ k: number; inertia: number }>): number {
  if (curve.length < 3) throw new Error('an elbow needs at least 3 points on the curve');
  const xs = curve.map((c) => c.k),
    ys = curve.map((c) => c.inertia);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)],
    [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const nx = (x: number) => (x - x0) / (x1 - x0 || 1),
    ny = (y: number) => (y - y0) / (y1 - y0 || 1);
  const [ax, ay, bx, by] = [nx(xs[0]!), ny(ys[0]!), nx(xs[xs.length - 1]!), ny(ys[ys.length - 1]!)];
  const len = Math.hypot(bx - ax, by - ay) || 1;
  let bestK = curve[0]!.k,
    bestD = -1;
  curve.forEach((c) => {
    const d = Math.abs((bx - ax) * (ay - ny(c.inertia)) - (ax - nx(c.k)) * (by - ay)) / len;
    if (d > bestD) [bestK, bestD] = [c.k, d];
  });
  return bestK;
}
