/**
 * Vega-Lite to SVG without awaiting: notebook display functions such as
 * `showChart` are called without `await`, and a picture sent after the cell
 * ended would land in no cell. {@link renderSvg} (the site build's renderer)
 * runs in a worker thread that loads `svg.ts` through tsx, and the caller
 * waits for its answer on a shared flag. The worker starts on the first call
 * (about 2 s, loading vega); later charts take tens of milliseconds.
 */
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRequire, projectRoot } from '../paths';
import type { VegaLiteSpec } from './charts';

// Plain JavaScript run by the worker: it imports lib/viz/svg.ts with tsx's
// loader and answers each request on the port it came with, then raises the flag.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const loaded = import(workerData.tsxApi).then((api) => api.tsImport(workerData.module, workerData.parent));
loaded.catch(() => {});
parentPort.on('message', async ({ spec, flag, port }) => {
  let reply;
  try {
    reply = { svg: await (await loaded).renderSvg(spec) };
  } catch (error) {
    reply = { error: error && error.message ? error.message : String(error) };
  }
  port.postMessage(reply);
  port.close();
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

/** How long a call waits for the worker (its first call loads vega: seconds on a busy machine). */
const TIMEOUT_MS = 120_000;

let worker: Worker | undefined;

/** tsx's ES-module API file, as its package's export map names it (require() would get the CommonJS one, which cannot register in a worker). */
function tsxEsmApi(): string {
  const manifestPath = projectRequire().resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports?: Record<string, { import?: { default?: string } }>;
  };
  const file = manifest.exports?.['./esm/api']?.import?.default;
  if (!file)
    throw new Error(`tsx at ${dirname(manifestPath)} has no ES-module API (./esm/api): charts need tsx 4`);
  return join(dirname(manifestPath), file);
}

function renderer(): Worker {
  if (worker) return worker;
  const root = projectRoot();
  const started = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      tsxApi: pathToFileURL(tsxEsmApi()).href,
      module: join(root, 'lib', 'viz', 'svg.ts'),
      parent: pathToFileURL(join(root, 'package.json')).href,
    },
  });
  // Scripts and tests end when their own work does, whether or not a chart was drawn.
  started.unref();
  started.on('error', () => {
    if (worker === started) worker = undefined;
  });
  started.on('exit', () => {
    if (worker === started) worker = undefined;
  });
  worker = started;
  return started;
}

/**
 * Renders a Vega-Lite specification to an SVG document (text), blocking until
 * it is drawn: the same picture as {@link renderSvg}, for callers that cannot
 * await.
 *
 * @throws with Vega-Lite's message when the spec is invalid, or when the
 *   renderer gives no answer within two minutes.
 */
export function renderSvgSync(spec: VegaLiteSpec): string {
  if (!spec || typeof spec !== 'object')
    throw new Error('renderSvgSync expects a Vega-Lite specification object');
  const thread = renderer();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  try {
    thread.postMessage({ spec, flag, port: port2 }, [port2]);
    const waited = Atomics.wait(flag, 0, 0, TIMEOUT_MS);
    const answer = receiveMessageOnPort(port1)?.message as { svg?: string; error?: string } | undefined;
    if (!answer) {
      // A renderer that stopped answering is replaced on the next call.
      if (worker === thread) worker = undefined;
      void thread.terminate();
      throw new Error(
        `the SVG renderer gave no answer (${waited === 'timed-out' ? `timed out after ${TIMEOUT_MS / 1000} s` : 'it stopped'})`,
      );
    }
    if (answer.error !== undefined) throw new Error(answer.error);
    return answer.svg!;
  } finally {
    port1.close();
  }
}
