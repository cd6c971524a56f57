/**
 * node:module's createRequire, done for the page: web/browser/paths.ts builds lib's
 * `projectRequire` on it. (The other Node builtins lib used are behind lib/platform/,
 * whose browser implementations web/swaps.ts lists.)
 */
import { mnistPackage } from './mnist-package';
import * as tslab from './tslab';

/**
 * node:module's createRequire: library modules require two packages at run time, which
 * the page provides: `mnist` (lib/data/mnist, from the data hub) and `tslab/dist/jupyter`
 * (tslab's display writer). Any other is an error naming it.
 */
export function createRequire(_from: string): (id: string) => unknown {
  return (id: string) => {
    if (id === 'mnist') return mnistPackage();
    if (id === 'tslab/dist/jupyter') return tslab;
    throw new Error(`require('${id}') is not available in the browser`);
  };
}
