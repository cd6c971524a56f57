/**
 * Runs a notebook's cells on the page, one at a time, in one shared scope (see
 * ./cells): console output, displays (lib/display through web/browser/tslab) and
 * errors go to the running cell's output area; a failing cell leaves the scope usable
 * for later cells. A cell's data assets are fetched before it runs (./data).
 */
import * as tf from '@tensorflow/tfjs';
import type * as TS from 'typescript';
import { preloadAssets } from '../browser/data-hub';
import { MNIST_ASSET } from '../browser/mnist-package';
import { setDisplayWriter } from '../browser/tslab';
import { compileCell, createScope, runCompiledCell } from './cells';
import { importModule, requireModule } from './modules';
import { appendError, appendStream, inspect, renderBundle } from './outputs';

/** Data assets a cell needs, recognised by the library call that reads them. */
const ASSETS_BY_CALL: Array<[RegExp, string]> = [[/\bloadMnist\s*\(/, MNIST_ASSET]];

let typescript: Promise<typeof TS> | undefined;

/** The TypeScript compiler, loaded on first use (it is the largest part of the runtime). */
export function loadTypescript(): Promise<typeof TS> {
  typescript ??= import('typescript').then((m) => ((m as { default?: typeof TS }).default ?? m) as typeof TS);
  return typescript;
}

/** How a cell ended. */
export type CellStatus = 'ok' | 'error' | 'stopped';

/** Thrown into a running cell's promise race when the reader presses Stop. */
class StoppedError extends Error {
  constructor() {
    super('stopped: the cell was interrupted (work it started may finish in the background)');
    this.name = 'Stopped';
  }
}

// Models training now, so Stop can end model.fit between batches.
const training = new Set<tf.LayersModel>();
let fitWrapped = false;

function wrapFit(): void {
  if (fitWrapped) return;
  fitWrapped = true;
  const fit = tf.LayersModel.prototype.fit;
  tf.LayersModel.prototype.fit = async function (this: tf.LayersModel, ...args: Parameters<typeof fit>) {
    training.add(this);
    try {
      return await fit.apply(this, args);
    } finally {
      training.delete(this);
    }
  };
}

/** One notebook's running state on the page. */
export class NotebookRunner {
  scope = createScope();
  private count = 0;
  private stopRequested: (() => void) | undefined;
  private readonly displays = new Map<string, HTMLElement>();
  /** Parameters set after the parameters cell runs (papermill's injected cell). */
  parameters: Record<string, unknown> = {};

  /** Forgets every name (a fresh kernel). */
  restart(): void {
    this.scope = createScope();
    this.count = 0;
    this.displays.clear();
  }

  /** Ends the running cell (and a model.fit in it) as soon as it yields. */
  stop(): void {
    for (const model of training) model.stopTraining = true;
    this.stopRequested?.();
  }

  /**
   * Runs `source` with its outputs written into `area` (emptied first).
   * `isParameters` marks the parameters cell, after which {@link parameters} are applied.
   */
  async run(
    source: string,
    area: HTMLElement,
    options: { isParameters?: boolean; onStatus?: (text: string) => void } = {},
  ): Promise<CellStatus> {
    wrapFit();
    area.replaceChildren();
    const n = ++this.count;
    const label = `cell [${n}]`;
    const console_ = globalThis.console;
    const originals = {
      log: console_.log,
      info: console_.info,
      warn: console_.warn,
      error: console_.error,
      debug: console_.debug,
    };
    const write =
      (name: 'stdout' | 'stderr') =>
      (...args: unknown[]) => {
        appendStream(area, name, `${args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' ')}\n`);
      };
    const pendingRenders: Promise<void>[] = [];
    setDisplayWriter(({ data, transient }, update) => {
      const id = transient.display_id;
      let el = id && update ? this.displays.get(id) : undefined;
      if (!el) {
        el = document.createElement('div');
        area.append(el);
        if (id) this.displays.set(id, el);
      }
      pendingRenders.push(renderBundle(el, data).catch((error) => appendError(area, error)));
    });
    console_.log = console_.info = console_.debug = write('stdout');
    console_.warn = console_.error = write('stderr');
    const stopped = new Promise<never>(
      (_, reject) => (this.stopRequested = () => reject(new StoppedError())),
    );
    stopped.catch(() => undefined);
    try {
      const assets = ASSETS_BY_CALL.filter(([pattern]) => pattern.test(source)).map(([, name]) => name);
      if (assets.length) await preloadAssets(assets, options.onStatus);
      const compiled = compileCell(await loadTypescript(), source, label);
      const value = await Promise.race([
        runCompiledCell(compiled, { scope: this.scope, require: requireModule, dynamicImport: importModule }),
        stopped,
      ]);
      if (options.isParameters) Object.assign(this.scope, this.parameters);
      if (value !== undefined) {
        const out = document.createElement('div');
        area.append(out);
        await renderBundle(out, { 'text/plain': inspect(value) });
      }
      await Promise.all(pendingRenders);
      return 'ok';
    } catch (error) {
      await Promise.all(pendingRenders);
      appendError(area, error);
      return error instanceof StoppedError ? 'stopped' : 'error';
    } finally {
      Object.assign(console_, originals);
      setDisplayWriter(undefined);
      this.stopRequested = undefined;
    }
  }
}
