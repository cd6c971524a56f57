/**
 * Browser implementation of lib/platform/kernel-display: the display writer is the one
 * the page's runner sets while a cell runs (./tslab), and `tslab` is the page's stand-in.
 */
import type * as NodeDisplay from '../../lib/platform/kernel-display';
import * as tslab from './tslab';

/** The running cell's writer, undefined between cells (lib/display then keeps the bundles). */
export const kernelWriter: typeof NodeDisplay.kernelWriter = () => tslab.lastWriteDisplayData;

export { tslab };
