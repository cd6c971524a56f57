/**
 * Face verification and recognition on encodings (vectors from a face
 * descriptor network): an encoding database, verify (1:1), identify (1:K with
 * k nearest neighbours and "not recognized"), hard-triplet selection for
 * training with the triplet loss. Clustering and projecting encodings: lib/kmeans, lib/pca.
 */
import * as tf from '@tensorflow/tfjs';
import { readTextFile, writeTextFile } from './platform/files';

/** An encoding: a plain vector. */
export type Encoding = ArrayLike<number>;

/** Euclidean distance ‖a − b‖₂. */
export function euclideanDistance(a: Encoding, b: Encoding): number {
  if (a.length !== b.length) throw new Error(`encodings have different lengths: ${a.length} and ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

/** One stored encoding. */
export interface FaceEntry {
  name: string;
  encoding: number[];
}

/** The JSON form of a {@link FaceDatabase}. */
export interface FaceDatabaseJson {
  format: 'face-encodings';
  version: 1;
  dimension: number;
  entries: FaceEntry[];
}

/**
 * Named face encodings (several per person allowed), searchable by distance,
 * saved as JSON.
 */
export class FaceDatabase {
  private readonly list: FaceEntry[] = [];
  private dim: number | undefined;

  /** Length of the encodings held (undefined while empty). */
  get dimension(): number | undefined {
    return this.dim;
  }

  /** Number of stored encodings. */
  get size(): number {
    return this.list.length;
  }

  /** Distinct names, in the order first added. */
  names(): string[] {
    return [...new Set(this.list.map((e) => e.name))];
  }

  /** All entries (copies). */
  entries(): FaceEntry[] {
    return this.list.map((e) => ({ name: e.name, encoding: [...e.encoding] }));
  }

  /** Adds an encoding for `name`; all encodings must have the same length. */
  add(name: string, encoding: Encoding): this {
    if (typeof name !== 'string' || name.trim() === '') throw new Error('a face needs a non-empty name');
    const values = Array.from(encoding);
    if (values.length === 0 || values.some((v) => !Number.isFinite(v)))
      throw new Error(`encoding for "${name}" must be a non-empty vector of finite numbers`);
    if (this.dim !== undefined && values.length !== this.dim)
      throw new Error(
        `encoding for "${name}" has length ${values.length}; this database holds length ${this.dim}`,
      );
    this.dim = values.length;
    this.list.push({ name, encoding: values });
    return this;
  }

  /**
   * Removes every encoding of `name`.
   *
   * @returns how many were removed.
   */
  remove(name: string): number {
    const before = this.list.length;
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i]!.name === name) this.list.splice(i, 1);
    if (this.list.length === 0) this.dim = undefined;
    return before - this.list.length;
  }

  /** Entries sorted by distance to `encoding`, nearest first. */
  nearest(encoding: Encoding, k = Infinity): Array<FaceEntry & { distance: number }> {
    if (this.dim !== undefined && encoding.length !== this.dim)
      throw new Error(`query encoding has length ${encoding.length}; this database holds length ${this.dim}`);
    return this.list
      .map((e) => ({ ...e, distance: euclideanDistance(e.encoding, encoding) }))
      .sort((a, b) => a.distance - b.distance)
      .slice(0, k);
  }

  /** The database as JSON-ready data. */
  toJSON(): FaceDatabaseJson {
    return { format: 'face-encodings', version: 1, dimension: this.dim ?? 0, entries: this.entries() };
  }

  /** Rebuilds a database from {@link toJSON}'s output, checking it. */
  static fromJSON(json: unknown): FaceDatabase {
    const data = json as Partial<FaceDatabaseJson>;
    if (!data || data.format !== 'face-encodings' || data.version !== 1 || !Array.isArray(data.entries)) {
      throw new Error(
        'not a face-encodings database (expected {format: "face-encodings", version: 1, entries: [...]})',
      );
    }
    const db = new FaceDatabase();
    data.entries.forEach((e, i) => {
      if (!e || typeof e.name !== 'string' || !Array.isArray(e.encoding))
        throw new Error(`entry ${i} must be {name, encoding}`);
      db.add(e.name, e.encoding);
    });
    return db;
  }

  /** Writes the database to a JSON file. */
  save(path: string): void {
    writeTextFile(path, JSON.stringify(this.toJSON()));
  }

  /** Reads a database written by {@link save}. */
  static load(path: string): FaceDatabase {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readTextFile(path));
    } catch (error) {
      throw new Error(
        `cannot read face database ${path}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return FaceDatabase.fromJSON(parsed);
  }
}

/** The verdict of {@link verify}. */
export interface Verification {
  distance: number;
  /** True when distance <= threshold (the notes' d(img1, img2) ≤ τ). */
  same: boolean;
}

/** Face verification (1:1): same person when the encodings are within `threshold`. */
export function verify(a: Encoding, b: Encoding, threshold: number): Verification {
  if (!(threshold >= 0)) throw new Error(`threshold must be >= 0, got ${threshold}`);
  const distance = euclideanDistance(a, b);
  return { distance, same: distance <= threshold };
}

/** The answer of {@link identify}. */
export interface Identification {
  /** The recognised name, or null for "not recognized". */
  name: string | null;
  /** Distance to the nearest encoding of the chosen name (or of anyone, when not recognised). */
  distance: number;
  /** The k nearest entries considered. */
  neighbours: Array<{ name: string; distance: number }>;
}

/**
 * Face recognition (1:K) by k nearest neighbours: among the `k` nearest stored
 * encodings within `threshold`, the name with the most votes wins (ties go to
 * the smaller summed distance); if none is within the threshold the face is
 * "not recognized" (name null).
 */
export function identify(
  db: FaceDatabase,
  encoding: Encoding,
  options: { threshold: number; k?: number },
): Identification {
  if (db.size === 0) throw new Error('identify needs a non-empty face database');
  const k = options.k ?? 1;
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`k must be a positive integer, got ${k}`);
  const neighbours = db.nearest(encoding, k).map(({ name, distance }) => ({ name, distance }));
  const close = neighbours.filter((n) => n.distance <= options.threshold);
  if (close.length === 0) return { name: null, distance: neighbours[0]!.distance, neighbours };
  const votes = new Map<string, { count: number; total: number; best: number }>();
  for (const n of close) {
    const v = votes.get(n.name) ?? { count: 0, total: 0, best: Infinity };
    votes.set(n.name, {
      count: v.count + 1,
      total: v.total + n.distance,
      best: Math.min(v.best, n.distance),
    });
  }
  const [name, v] = [...votes.entries()].sort(
    (a, b) => b[1].count - a[1].count || a[1].total - b[1].total,
  )[0]!;
  return { name, distance: v.best, neighbours };
}

/** Indices of one training triplet in a batch. */
export interface Triplet {
  anchor: number;
  positive: number;
  negative: number;
  /** d(A, P)² − d(A, N)² + margin: the triplet loss before the max with 0. */
  loss: number;
}

/** Squared Euclidean distances between all rows of [n, d] embeddings. */
function squaredDistances(embeddings: tf.Tensor2D | number[][]): number[][] {
  const t = embeddings instanceof tf.Tensor ? embeddings : tf.tensor2d(embeddings);
  try {
    if (t.rank !== 2) throw new Error(`embeddings must be [n, d], got [${t.shape}]`);
    const d = tf.tidy(() => {
      const norms = tf.sum(tf.square(t), 1, true);
      return tf.relu(tf.add(tf.sub(norms, tf.mul(2, tf.matMul(t, t, false, true))), tf.transpose(norms)));
    });
    const values = d.arraySync() as number[][];
    d.dispose();
    return values;
  } finally {
    if (t !== embeddings) t.dispose();
  }
}

/**
 * Chooses hard triplets from a batch for the triplet loss
 * L = max(‖f(A) − f(P)‖² − ‖f(A) − f(N)‖² + α, 0) (the notes: pick triplets
 * that are hard to train on, where d(A, P) ≈ d(A, N)).
 *
 * - `'batch-hard'`: for each anchor, its farthest positive and its nearest negative.
 * - `'semi-hard'`: for each (anchor, positive) pair, the nearest negative that is
 *   still farther than the positive but within the margin
 *   (d(A, P)² < d(A, N)² < d(A, P)² + α); pairs without one are skipped.
 *
 * Only triplets with a positive loss are returned (easy ones teach nothing).
 *
 * @param embeddings - [n, d], one row per image.
 * @param labels - identity of each row.
 */
export function selectHardTriplets(
  embeddings: tf.Tensor2D | number[][],
  labels: ArrayLike<number | string>,
  options: { margin: number; mode?: 'batch-hard' | 'semi-hard' },
): Triplet[] {
  const d = squaredDistances(embeddings);
  if (d.length !== labels.length) throw new Error(`${d.length} embeddings but ${labels.length} labels`);
  const { margin, mode = 'batch-hard' } = options;
  if (!(margin >= 0)) throw new Error(`margin must be >= 0, got ${margin}`);
  const n = d.length;
  const out: Triplet[] = [];
  for (let a = 0; a < n; a++) {
    const positives: number[] = [];
    const negatives: number[] = [];
    for (let j = 0; j < n; j++) if (j !== a) (labels[j] === labels[a] ? positives : negatives).push(j);
    if (positives.length === 0 || negatives.length === 0) continue;
    if (mode === 'batch-hard') {
      const p = positives.reduce((b, j) => (d[a]![j]! > d[a]![b]! ? j : b));
      const nn = negatives.reduce((b, j) => (d[a]![j]! < d[a]![b]! ? j : b));
      const loss = d[a]![p]! - d[a]![nn]! + margin;
      if (loss > 0) out.push({ anchor: a, positive: p, negative: nn, loss });
    } else if (mode === 'semi-hard') {
      for (const p of positives) {
        const dap = d[a]![p]!;
        const candidates = negatives.filter((j) => d[a]![j]! > dap && d[a]![j]! < dap + margin);
        if (candidates.length === 0) continue;
        const nn = candidates.reduce((b, j) => (d[a]![j]! < d[a]![b]! ? j : b));
        out.push({ anchor: a, positive: p, negative: nn, loss: dap - d[a]![nn]! + margin });
      }
    } else {
      throw new Error(`unknown triplet mode "${String(mode)}": use 'batch-hard' or 'semi-hard'`);
    }
  }
  return out;
}
