/**
 * The notebook kernel's display channel: the writer tslab installs while a cell runs,
 * through which lib/display sends its MIME bundles. Node-only: the page replaces this
 * module with its runner's writer (web/browser/kernel-display.ts, listed in web/swaps.ts).
 */
import * as tslab from 'tslab';
import * as jupyter from 'tslab/dist/jupyter';
import { projectRequire } from '../paths';

/** Sends one display message; `update` replaces the display with the same `display_id`. */
export type DisplayWriter = (
  message: {
    data: Record<string, unknown>;
    metadata: Record<string, unknown>;
    transient: { display_id?: string };
  },
  update: boolean,
) => void;

let jupyterModule: { lastWriteDisplayData: unknown } | undefined;

/**
 * tslab's kernel module, read through its CommonJS exports object so the
 * writer it installs while a cell runs is seen live (an ES-module namespace
 * of a CommonJS module is a snapshot taken at import time).
 */
function kernelModule(): { lastWriteDisplayData: unknown } {
  if (!jupyterModule) {
    try {
      jupyterModule = projectRequire()('tslab/dist/jupyter') as { lastWriteDisplayData: unknown };
    } catch {
      jupyterModule = jupyter as unknown as { lastWriteDisplayData: unknown };
    }
  }
  return jupyterModule;
}

/** The writer of the running kernel cell; undefined outside a kernel (tests, scripts). */
export function kernelWriter(): DisplayWriter | undefined {
  const writer = kernelModule().lastWriteDisplayData;
  return typeof writer === 'function' ? (writer as DisplayWriter) : undefined;
}

/** tslab's own API (`tslab.display`), which lib/display re-exports for notebooks. */
export { tslab };
