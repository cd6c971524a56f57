/**
 * One seed for everything random in a notebook run: weight initialisers, dropout masks,
 * `model.fit`'s shuffling, tfjs's random ops and the course's data generators.
 *
 * TensorFlow.js draws a fresh seed from `Math.random()` whenever an op or initialiser is
 * called without one, so replacing `Math.random` with a seeded generator makes a whole run
 * repeatable. Same seed and same thread count give the same run; a different seed gives a
 * different one (the course's asserts must hold for every seed).
 */
import { createRng, type Rng } from './data/random';

const nativeRandom = Math.random;
let currentSeed: number | undefined;

/**
 * Seeds `Math.random` (and with it every unseeded tfjs random op, initialiser and shuffle).
 * Call it once at the start of a notebook, after the parameters cell.
 * @param seed an integer; `-p seed=N` sets it from the command line.
 * @returns a generator for the notebook's own draws, independent of `Math.random`'s stream.
 */
export function seedEverything(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  const global = createRng(seed);
  Math.random = global.next;
  currentSeed = seed;
  // A separate stream, so that code drawing from it does not shift tfjs's draws.
  return createRng(seed ^ 0x5bd1e995);
}

/** The seed last passed to {@link seedEverything}, or undefined when `Math.random` is native. */
export function activeSeed(): number | undefined {
  return currentSeed;
}

/**
 * Derives a sub-seed for one purpose (a data split, a generator, one model of an ensemble), so
 * that each part's draws depend on the run's seed but not on how much other parts drew.
 * @param seed the run's seed.
 * @param purpose a short label such as `'scenes'` or `'ensemble-2'`.
 */
export function subSeed(seed: number, purpose: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193);
  return (h >>> 0) & 0x7fffffff;
}

/** Gives `Math.random` back its native, unseeded generator. */
export function restoreNativeRandom(): void {
  Math.random = nativeRandom;
  currentSeed = undefined;
}
