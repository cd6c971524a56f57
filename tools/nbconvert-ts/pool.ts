/**
 * Running notebooks a few at once: the pool that takes them in order, the order that
 * does not end on a long tail (the longest first), and each kernel's share of the threads.
 * Used by `execute --jobs N`, the course's site build and its seed audit.
 */
import { unknownEstimate } from './shard';

/** What {@link runPool} does besides running: when to stop starting, what to say as runs end. */
export interface PoolOptions<T, R> {
  /** At most this many runs at once (at least 1). */
  jobs: number;
  /** Asked before each start: once true, no further item starts (those running finish). */
  stopped?: () => boolean;
  /** Called as each run ends, in the order they end. */
  onDone?: (result: R, item: T, index: number) => void;
}

/** What {@link runPool} returns: results by item index, and the indices of the items never started. */
export interface PoolRun<R> {
  /** `results[i]` is item i's result; undefined for an item that was not started. */
  results: Array<R | undefined>;
  notStarted: number[];
}

/**
 * Runs `run` on every item with at most `jobs` at once, starting them in the given order
 * (the i-th start is item i). A run that throws stops further starts; the runs under way
 * still end, then the first error is thrown.
 */
export async function runPool<T, R>(
  items: readonly T[],
  run: (item: T, index: number) => Promise<R>,
  options: PoolOptions<T, R>,
): Promise<PoolRun<R>> {
  if (!Number.isInteger(options.jobs) || options.jobs < 1)
    throw new Error(`jobs must be a whole number >= 1, got ${options.jobs}`);
  const results: Array<R | undefined> = new Array(items.length).fill(undefined);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && !options.stopped?.() && next < items.length) {
      const index = next++;
      try {
        const result = await run(items[index]!, index);
        results[index] = result;
        options.onDone?.(result, items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.jobs, items.length) }, worker));
  if (failure) throw failure.error;
  const notStarted = Array.from({ length: items.length - next }, (_, i) => next + i);
  return { results, notStarted };
}

/**
 * `items` in the order to start them when several run at once: longest recorded time first
 * (`recorded` is keyed by `key(item)`; one without a recorded time counts as the median of the
 * recorded ones, as shards estimate it), ties in the given order. Started in this order, the
 * last to end is a short one.
 */
export function longestFirst(
  items: readonly string[],
  recorded: Record<string, number>,
  key: (item: string) => string = (item) => item,
): string[] {
  const estimate = unknownEstimate(recorded);
  const seconds = (item: string) => (Object.hasOwn(recorded, key(item)) ? recorded[key(item)]! : estimate);
  return items
    .map((item, at) => ({ item, at, seconds: seconds(item) }))
    .sort((a, b) => b.seconds - a.seconds || a.at - b.at)
    .map((entry) => entry.item);
}

/**
 * Each kernel's thread count when `jobs` run side by side: its part of `total` (at least 1),
 * so that the kernels together do not ask for more threads than the machine has.
 */
export function threadsPerKernel(total: number, jobs: number, notebooks: number): number {
  return Math.max(1, Math.floor(total / Math.max(1, Math.min(jobs, notebooks))));
}
