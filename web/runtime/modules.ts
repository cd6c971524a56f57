/**
 * What cells can import on the page: the course library's modules (bundled from lib/,
 * with web/swaps.ts applied) under the paths notebooks write, and the packages they use.
 * ES-module-only packages load on first `await import(…)`.
 */
import * as tf from '@tensorflow/tfjs';
import * as assert from '../browser/assert';
import * as backend from '../browser/backend';
import * as conv from '../../lib/conv';
import * as costs from '../../lib/costs';
import * as mnist from '../../lib/data/mnist';
import * as random from '../../lib/data/random';
import * as display from '../../lib/display';
import * as exercises from '../../lib/exercises';
import * as lenet from '../../lib/models/lenet';
import * as seed from '../../lib/seed';
import * as summary from '../../lib/summary';
import * as charts from '../../lib/viz/charts';

/** Modules a cell's static `import` gets, by specifier. */
export const STATIC_MODULES: Record<string, unknown> = {
  '@tensorflow/tfjs': tf,
  'node:assert/strict': assert,
  'node:assert': assert,
  './lib/backend': backend,
  './lib/conv': conv,
  './lib/costs': costs,
  './lib/data/mnist': mnist,
  './lib/data/random': random,
  './lib/display': display,
  './lib/exercises': exercises,
  './lib/models/lenet': lenet,
  './lib/seed': seed,
  './lib/summary': summary,
  './lib/viz/charts': charts,
};

/** Packages a cell's `await import(…)` loads (the bundler splits each into its own file). */
const LAZY_MODULES: Record<string, () => Promise<unknown>> = {
  vega: () => import('vega'),
  'vega-lite': () => import('vega-lite'),
  'vega-embed': () => import('vega-embed'),
  '@tensorflow/tfjs': async () => tf,
};

/** `import … from spec` in a cell. */
export function requireModule(spec: string): unknown {
  const found = STATIC_MODULES[spec.replace(/\.ts$/, '')];
  if (found) return found;
  throw new Error(
    `'${spec}' is not available on the page yet (it runs: ${Object.keys(STATIC_MODULES).join(', ')}); run this notebook in Jupyter`,
  );
}

/** `await import(spec)` in a cell. */
export async function importModule(spec: string): Promise<unknown> {
  const lazy = LAZY_MODULES[spec];
  if (lazy) return lazy();
  return requireModule(spec);
}
