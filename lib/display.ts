/**
 * Rich output in notebooks: MIME bundles (HTML, PNG, Markdown, Vega-Lite with
 * a text fallback) sent through the tslab kernel, updatable displays, and a
 * live training chart with progress. Outside a kernel (tests, scripts) the
 * bundles are kept in {@link displayed} instead, so library code runs anywhere.
 */
import * as tf from '@tensorflow/tfjs';
import { randomUUID } from 'node:crypto';
import * as tslab from 'tslab';
import * as jupyter from 'tslab/dist/jupyter';
import { encodePng } from './image';
import { lineChart, type Series, type VegaLiteSpec } from './viz/charts';

/** The MIME type JupyterLab renders Vega-Lite v5 specs with. */
export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';

/** A MIME bundle: MIME type → data (JSON types as objects, binary as base64). */
export type MimeBundle = Record<string, unknown>;

/** Bundles shown while no kernel was listening (tests and scripts read these). */
export const displayed: Array<{ bundle: MimeBundle; displayId?: string; update: boolean }> = [];

/** True inside a running tslab kernel cell. */
export function inKernel(): boolean {
  return typeof jupyter.lastWriteDisplayData === 'function';
}

/**
 * Shows a MIME bundle. With `displayId`, a later call with the same id and
 * `update: true` replaces it in place (also from a later cell).
 */
export function showBundle(bundle: MimeBundle, options: { displayId?: string; update?: boolean } = {}): void {
  const update = options.update ?? false;
  if (!inKernel()) {
    displayed.push({ bundle, displayId: options.displayId, update });
    return;
  }
  jupyter.lastWriteDisplayData({ data: bundle, metadata: {}, transient: options.displayId ? { display_id: options.displayId } : {} } as never, update);
}

/** Shows HTML. */
export function showHtml(html: string): void {
  showBundle({ 'text/html': html, 'text/plain': html.replace(/<[^>]+>/g, '') });
}

/** Shows Markdown (math in $…$ included). */
export function showMarkdown(markdown: string): void {
  showBundle({ 'text/markdown': markdown, 'text/plain': markdown });
}

function chartBundle(spec: VegaLiteSpec): MimeBundle {
  const title = typeof spec.title === 'string' ? spec.title : 'chart';
  return { [VEGA_LITE_MIME]: spec, 'text/plain': `[Vega-Lite chart: ${title}]` };
}

/** Shows a Vega-Lite chart (interactive in JupyterLab and on the site). */
export function showChart(spec: VegaLiteSpec): void {
  showBundle(chartBundle(spec));
}

/** Options for {@link showImage}. */
export interface ShowImageOptions {
  /** Enlarge small images by this integer factor, pixels kept sharp (default: enough for ~192 px). */
  scale?: number;
  /** Value range of float images (default 0..1). */
  range?: '0-1' | '0-255';
}

/** Shows an image tensor [h, w] or [h, w, 1|3|4] as PNG. */
export async function showImage(image: tf.Tensor, options: ShowImageOptions = {}): Promise<void> {
  if (image.rank !== 2 && image.rank !== 3) throw new Error(`showImage expects [h, w] or [h, w, c], got shape [${image.shape}]`);
  const [height, width] = image.shape as [number, number];
  const scale = options.scale ?? Math.max(1, Math.floor(192 / Math.max(height, width)));
  const enlarged = tf.tidy(() => {
    const rgb = image.rank === 2 ? tf.expandDims(image, 2) : image;
    return scale > 1 ? tf.image.resizeNearestNeighbor(rgb as tf.Tensor3D, [height * scale, width * scale]) : rgb.clone();
  });
  try {
    const png = await encodePng(enlarged, options.range ?? (image.dtype === 'int32' ? '0-255' : '0-1'));
    showBundle({ 'image/png': Buffer.from(png).toString('base64'), 'text/plain': `[image ${width}x${height}]` });
  } finally {
    enlarged.dispose();
  }
}

/** Shows rows of values as an HTML table (with a plain-text copy). */
export function showTable(rows: Array<Record<string, unknown>>, options: { caption?: string; digits?: number } = {}): void {
  if (rows.length === 0) throw new Error('showTable needs at least one row');
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const format = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en-US') : String(Number(v.toPrecision(options.digits ?? 4)))) : String(v ?? ''));
  const escape = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
  const head = `<tr>${columns.map((c) => `<th>${escape(c)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${columns.map((c) => `<td>${escape(format(r[c]))}</td>`).join('')}</tr>`).join('');
  const caption = options.caption ? `<caption>${escape(options.caption)}</caption>` : '';
  const text = [columns.join('\t'), ...rows.map((r) => columns.map((c) => format(r[c])).join('\t'))].join('\n');
  showBundle({ 'text/html': `<table>${caption}<thead>${head}</thead><tbody>${body}</tbody></table>`, 'text/plain': text });
}

/** A display that can be redrawn in place. */
export interface LiveDisplay {
  readonly id: string;
  update(bundle: MimeBundle): void;
}

/** Creates an updatable display (first `update` shows it, later ones replace it). */
export function liveDisplay(): LiveDisplay {
  const id = randomUUID();
  let shown = false;
  return {
    id,
    update(bundle: MimeBundle) {
      showBundle(bundle, { displayId: id, update: shown });
      shown = true;
    },
  };
}

/** Options for {@link trainingChart}. */
export interface TrainingChartOptions {
  /** Metrics to plot (default: every numeric metric in the logs). */
  metrics?: string[];
  /** Redraw every N batches as well as at each epoch end (default: epochs only). */
  everyBatches?: number;
  title?: string;
  /** Total epochs, for the progress line. */
  epochs?: number;
}

/**
 * A tfjs-layers callback that redraws a live chart of the training metrics
 * after every epoch (and every N batches), with a progress line. The recorded
 * history stays available as `history`.
 */
export function trainingChart(options: TrainingChartOptions = {}): tf.CustomCallbackArgs & { history: Record<string, number[]> } {
  const display = liveDisplay();
  const history: Record<string, number[]> = {};
  let epoch = 0;
  let batchLoss: number[] = [];
  const started = Date.now();
  const draw = (progress: string) => {
    const names = (options.metrics ?? Object.keys(history)).filter((m) => history[m]?.length);
    const series: Series[] = names.map((name) => ({ name, x: history[name]!.map((_, i) => i + 1), y: history[name]! }));
    if (batchLoss.length > 1) series.push({ name: 'loss (this epoch, per batch)', x: batchLoss.map((_, i) => epoch + (i + 1) / batchLoss.length), y: batchLoss });
    const bundle: MimeBundle = { 'text/plain': progress, 'text/html': `<p><code>${progress}</code></p>` };
    if (series.length) Object.assign(bundle, chartBundle(lineChart(series, { title: options.title ?? 'Training', xTitle: 'epoch', yTitle: 'value' })));
    bundle['text/plain'] = progress;
    display.update(bundle);
  };
  return {
    history,
    onBatchEnd: async (batch, logs) => {
      if (!options.everyBatches || !logs || typeof logs.loss !== 'number') return;
      batchLoss.push(logs.loss);
      if ((batch + 1) % options.everyBatches === 0) draw(`epoch ${epoch + 1}${options.epochs ? `/${options.epochs}` : ''}, batch ${batch + 1}: loss ${logs.loss.toFixed(4)}`);
    },
    onEpochEnd: async (_epoch, logs) => {
      epoch++;
      batchLoss = [];
      for (const [key, value] of Object.entries(logs ?? {})) if (typeof value === 'number') (history[key] ??= []).push(value);
      const summary = Object.entries(logs ?? {}).map(([k, v]) => `${k} ${Number(v).toFixed(4)}`).join(', ');
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      draw(`epoch ${epoch}${options.epochs ? `/${options.epochs}` : ''} (${seconds} s): ${summary}`);
    },
  };
}

export { tslab };
