import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectNoTensorLeaks } from '../helpers/leaks';
import { uniform } from '../helpers/numeric';
import { FaceDatabase, euclideanDistance, identify, selectHardTriplets, verify } from '../../lib/face';
import { elbowCurve, elbowPoint, kMeans } from '../../lib/kmeans';
import { pca } from '../../lib/pca';

expectNoTensorLeaks();

describe('encoding database', () => {
  it('adds, removes, saves and loads', () => {
    const db = new FaceDatabase().add('amy', [0, 0]).add('amy', [0, 1]).add('raj', [3, 4]);
    expect(db.size).toBe(3);
    expect(db.names()).toEqual(['amy', 'raj']);
    expect(() => db.add('bob', [1, 2, 3])).toThrow(/length 3.*length 2/);
    expect(() => db.add('', [1, 2])).toThrow(/non-empty name/);
    const dir = mkdtempSync(join(tmpdir(), 'facedb-'));
    try {
      const file = join(dir, 'db.json');
      db.save(file);
      const back = FaceDatabase.load(file);
      expect(back.entries()).toEqual(db.entries());
      expect(back.remove('amy')).toBe(2);
      expect(back.names()).toEqual(['raj']);
      writeFileSync(join(dir, 'bad.json'), '{"entries": []}');
      expect(() => FaceDatabase.load(join(dir, 'bad.json'))).toThrow(/not a face-encodings database/);
      expect(() => FaceDatabase.load(join(dir, 'missing.json'))).toThrow(/cannot read face database/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('verifies with a threshold (d <= tau means the same person)', () => {
    expect(euclideanDistance([0, 0], [3, 4])).toBe(5);
    expect(verify([0, 0], [3, 4], 5)).toEqual({ distance: 5, same: true });
    expect(verify([0, 0], [3, 4], 4.99).same).toBe(false);
    expect(() => verify([0], [1, 2], 1)).toThrow(/different lengths/);
  });

  it('identifies by k nearest neighbours, or answers not recognized', () => {
    const db = new FaceDatabase()
      .add('amy', [0, 0])
      .add('amy', [0.2, 0])
      .add('raj', [0.5, 0])
      .add('raj', [0.55, 0.1])
      .add('raj', [0.6, 0]);
    expect(identify(db, [0.1, 0], { threshold: 0.6, k: 1 }).name).toBe('amy');
    // With k = 5 and everything within 0.6, raj has 3 votes against 2 at [0.3, 0].
    const five = identify(db, [0.3, 0], { threshold: 0.6, k: 5 });
    expect(five.name).toBe('raj');
    expect(five.distance).toBeCloseTo(0.2, 12);
    // Tie 1-1 at k = 2: the smaller summed distance wins.
    expect(identify(db, [0.36, 0], { threshold: 1, k: 2 }).name).toBe('raj');
    const stranger = identify(db, [5, 5], { threshold: 0.7, k: 3 });
    expect(stranger.name).toBeNull();
    expect(stranger.distance).toBeCloseTo(Math.hypot(4.45, 4.9), 12);
    expect(() => identify(new FaceDatabase(), [0, 0], { threshold: 1 })).toThrow(/non-empty/);
  });
});

describe('hard triplets', () => {
  const emb = [
    [0, 0],
    [1, 0],
    [0.2, 0],
    [3, 0],
    [1.3, 0],
  ];
  const labels = ['a', 'a', 'b', 'b', 'c'];

  it('batch-hard picks the farthest positive and nearest negative, as a brute-force search does', () => {
    const got = selectHardTriplets(emb, labels, { margin: 0.2 });
    // Brute force over all triplets: for each anchor, max over positives of d², min over negatives.
    const d2 = (i: number, j: number) => (emb[i]![0]! - emb[j]![0]!) ** 2 + (emb[i]![1]! - emb[j]![1]!) ** 2;
    const want: Array<[number, number, number, number]> = [];
    for (let a = 0; a < emb.length; a++) {
      const pos = emb.map((_, j) => j).filter((j) => j !== a && labels[j] === labels[a]);
      const neg = emb.map((_, j) => j).filter((j) => labels[j] !== labels[a]);
      if (!pos.length) continue;
      const p = pos.sort((x, y) => d2(a, y) - d2(a, x))[0]!;
      const n = neg.sort((x, y) => d2(a, x) - d2(a, y))[0]!;
      if (d2(a, p) - d2(a, n) + 0.2 > 0) want.push([a, p, n, d2(a, p) - d2(a, n) + 0.2]);
    }
    expect(got.map((t) => [t.anchor, t.positive, t.negative])).toEqual(want.map((w) => w.slice(0, 3)));
    got.forEach((t, i) => expect(t.loss).toBeCloseTo(want[i]![3], 5));
    // Anchor 0: positive 1 (d² 1), nearest negative 2 (d² 0.04): loss 1 - 0.04 + 0.2.
    expect(got[0]).toMatchObject({ anchor: 0, positive: 1, negative: 2 });
    expect(got[0]!.loss).toBeCloseTo(1.16, 5);
  });

  it('semi-hard keeps negatives farther than the positive but inside the margin', () => {
    // Anchor 0, positive 1 (d² = 1): negatives d² 0.04 (too hard), 9 (too easy), 1.69 (inside 1..1.8 with margin 0.8).
    const t = tf.tensor2d(emb);
    const got = selectHardTriplets(t, labels, { margin: 0.8, mode: 'semi-hard' });
    t.dispose();
    expect(got.find((t) => t.anchor === 0)).toMatchObject({ positive: 1, negative: 4 });
    for (const t of got) {
      expect(t.loss).toBeGreaterThan(0);
      expect(t.loss).toBeLessThan(0.8);
    }
    expect(() => selectHardTriplets(emb, ['a'], { margin: 0.2 })).toThrow(/5 embeddings but 1 labels/);
  });
});

describe('k-means', () => {
  it('matches a hand-computed clustering and inertia', () => {
    const points = [
      [0, 0],
      [0, 2],
      [10, 0],
      [10, 2],
    ];
    const r = kMeans(points, 2, { seed: 1 });
    expect(new Set(r.assignments.slice(0, 2)).size).toBe(1);
    expect(r.assignments[0]).not.toBe(r.assignments[2]);
    // Each point is 1 from its centroid: inertia 4.
    expect(r.inertia).toBeCloseTo(4, 12);
    expect(r.centroids.map((c) => c.join()).sort()).toEqual(['0,1', '10,1']);
    expect(() => kMeans(points, 5)).toThrow(/1\.\.4/);
    expect(() => kMeans([[0], [1, 2]], 1)).toThrow(/point 1 has 2 values/);
  });

  it('recovers three blobs, and the elbow of the inertia curve is at k = 3', () => {
    const rand = uniform(5);
    const centres = [
      [0, 0],
      [8, 1],
      [3, 9],
    ];
    const points = centres.flatMap((c) =>
      Array.from({ length: 30 }, () => [c[0]! + rand() - 0.5, c[1]! + rand() - 0.5]),
    );
    const r = kMeans(points, 3, { seed: 3 });
    for (let b = 0; b < 3; b++) expect(new Set(r.assignments.slice(b * 30, b * 30 + 30)).size).toBe(1);
    expect(new Set(r.assignments).size).toBe(3);
    // Inertia recomputed independently from the returned assignment.
    const means = [0, 1, 2].map((c) => {
      const m = points.filter((_, i) => r.assignments[i] === c);
      return [m.reduce((s, p) => s + p[0]!, 0) / m.length, m.reduce((s, p) => s + p[1]!, 0) / m.length];
    });
    const inertia = points.reduce(
      (s, p, i) =>
        s + (p[0]! - means[r.assignments[i]!]![0]!) ** 2 + (p[1]! - means[r.assignments[i]!]![1]!) ** 2,
      0,
    );
    expect(r.inertia).toBeCloseTo(inertia, 9);
    const curve = elbowCurve(points, [1, 2, 3, 4, 5, 6]);
    for (let i = 1; i < curve.length; i++)
      expect(curve[i]!.inertia).toBeLessThanOrEqual(curve[i - 1]!.inertia + 1e-9);
    expect(elbowPoint(curve)).toBe(3);
  });
});

describe('PCA for 2-D pictures of encodings', () => {
  it('finds the known principal axes and their variances', () => {
    // Points spread 3 along (1, 1, 0)/√2 and 1 along (0, 0, 1), symmetric so the variances are exact.
    const u = [Math.SQRT1_2, Math.SQRT1_2, 0];
    const points: number[][] = [];
    for (const s of [-3, 3]) for (const t of [-1, 1]) points.push([5 + s * u[0]!, -2 + s * u[1]!, 1 + t]);
    const r = pca(points, 2);
    expect(r.mean.map((m) => +m.toFixed(12))).toEqual([5, -2, 1]);
    r.components[0]!.forEach((c, j) => expect(Math.abs(c)).toBeCloseTo(Math.abs(u[j]!), 9));
    r.components[1]!.forEach((c, j) => expect(Math.abs(c)).toBeCloseTo([0, 0, 1][j]!, 9));
    // Sample variances (n - 1 = 3): 4 * 9 / 3 = 12 and 4 * 1 / 3.
    expect(r.variances[0]).toBeCloseTo(12, 9);
    expect(r.variances[1]).toBeCloseTo(4 / 3, 9);
    for (const p of r.projected) {
      expect(Math.abs(p[0]!)).toBeCloseTo(3, 9);
      expect(Math.abs(p[1]!)).toBeCloseTo(1, 9);
    }
    expect(() => pca([[1, 2]], 1)).toThrow(/at least 2 points/);
    expect(() => pca(points, 4)).toThrow(/1\.\.3/);
  });
});
