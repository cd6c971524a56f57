/**
 * Rich output in notebooks: MIME bundles (HTML, PNG, Markdown, Vega-Lite with
 * a static SVG and a text fallback) sent through the tslab kernel, updatable
 * displays, and a live training chart with progress. Outside a kernel (tests,
 * scripts) the bundles are kept in {@link displayed} instead, so library code
 * runs anywhere.
 *
 * Which part of a bundle a front end shows: JupyterLab and VS Code draw the
 * Vega-Lite spec (interactive), classic Notebook 6 the SVG; for the live
 * training chart, Lab and classic Notebook show its HTML (progress bar and
 * SVG), VS Code its spec, whose subtitle carries the progress.
 */
import * as tf from '@tensorflow/tfjs';
import { encodePng } from './image';
import { kernelWriter, tslab } from './platform/kernel-display';
import { lineChart, type Series, type VegaLiteSpec } from './viz/charts';
import { renderSvgSync } from './viz/svg-sync';
import { annotateSvg, type DrawOptions, type LabelledBox } from './viz/draw';

/**
 * The MIME type front ends render Vega-Lite with (JupyterLab's, VS Code's and nbconvert's
 * renderers register this one). The specs themselves say Vega-Lite v6 (lib/viz/charts),
 * the version the course's static SVG and site draw them with; their features are v5's too.
 */
export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';

/** A MIME bundle: MIME type → data (JSON types as objects, binary as base64). */
export type MimeBundle = Record<string, unknown>;

const MAX_KEPT = 1000;

/** Bundles shown while no kernel was listening (tests and scripts read these; the last 1000 are kept). */
export const displayed: Array<{ bundle: MimeBundle; displayId?: string; update: boolean }> = [];

/** True inside a running tslab kernel cell. */
export function inKernel(): boolean {
  return kernelWriter() !== undefined;
}

/**
 * Shows a MIME bundle. With `displayId`, a later call with the same id and
 * `update: true` replaces it in place (also from a later cell). A bundle with
 * a Vega-Lite spec but no `image/svg+xml` gets the SVG picture of the spec, for
 * front ends that do not draw Vega-Lite (classic Notebook).
 *
 * @throws with Vega-Lite's message when the bundle's spec is invalid.
 */
export function showBundle(bundle: MimeBundle, options: { displayId?: string; update?: boolean } = {}): void {
  if (bundle[VEGA_LITE_MIME] && !('image/svg+xml' in bundle))
    bundle = { ...bundle, 'image/svg+xml': renderSvgSync(bundle[VEGA_LITE_MIME] as VegaLiteSpec) };
  const update = options.update ?? false;
  const writer = kernelWriter();
  if (!writer) {
    displayed.push({ bundle, displayId: options.displayId, update });
    // Long scripts redraw charts thousands of times: keep only the recent bundles.
    if (displayed.length > MAX_KEPT) displayed.splice(0, displayed.length - MAX_KEPT);
    return;
  }
  writer(
    { data: bundle, metadata: {}, transient: options.displayId ? { display_id: options.displayId } : {} },
    update,
  );
}

/** Shows HTML. */
export function showHtml(html: string): void {
  showBundle({ 'text/html': html, 'text/plain': html.replace(/<[^>]+>/g, '') });
}

/** Shows Markdown (math in $…$ included). */
export function showMarkdown(markdown: string): void {
  showBundle({ 'text/markdown': markdown, 'text/plain': markdown });
}

function chartText(spec: VegaLiteSpec): string {
  const t = spec.title as string | { text?: string } | undefined;
  const title = typeof t === 'string' ? t : (t?.text ?? 'chart');
  return `[Vega-Lite chart: ${title}]`;
}

/**
 * The MIME bundle of a chart: its Vega-Lite spec (drawn interactively by
 * JupyterLab, VS Code and the site), the same chart as static SVG (drawn by
 * classic Notebook and any front end without Vega-Lite) and a text fallback.
 *
 * @throws with Vega-Lite's message when the spec is invalid.
 */
export function chartBundle(spec: VegaLiteSpec): MimeBundle {
  return { [VEGA_LITE_MIME]: spec, 'image/svg+xml': renderSvgSync(spec), 'text/plain': chartText(spec) };
}

/**
 * Shows a Vega-Lite chart: interactive where the front end draws Vega-Lite
 * (JupyterLab, VS Code, the site), a static SVG elsewhere (classic Notebook).
 * The SVG is drawn before this returns (the first chart of a session takes
 * about two seconds, loading vega), so it needs no `await`.
 *
 * @throws with Vega-Lite's message when the spec is invalid.
 */
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

/**
 * The MIME bundle of an image tensor [h, w] or [h, w, 1|3|4]: a PNG (small
 * images enlarged with sharp pixels) and a text fallback. Pass it to a
 * {@link liveDisplay} to redraw an image in place (e.g. every N steps of
 * style transfer).
 */
export async function imageBundle(image: tf.Tensor, options: ShowImageOptions = {}): Promise<MimeBundle> {
  if (image.rank !== 2 && image.rank !== 3)
    throw new Error(`showImage expects [h, w] or [h, w, c], got shape [${image.shape}]`);
  const [height, width] = image.shape as [number, number];
  const scale = options.scale ?? Math.max(1, Math.floor(192 / Math.max(height, width)));
  const enlarged = tf.tidy(() => {
    const rgb = image.rank === 2 ? tf.expandDims(image, 2) : image;
    return scale > 1
      ? tf.image.resizeNearestNeighbor(rgb as tf.Tensor3D, [height * scale, width * scale])
      : rgb.clone();
  });
  try {
    const png = await encodePng(enlarged, options.range ?? (image.dtype === 'int32' ? '0-255' : '0-1'));
    return { 'image/png': Buffer.from(png).toString('base64'), 'text/plain': `[image ${width}x${height}]` };
  } finally {
    enlarged.dispose();
  }
}

/** Shows an image tensor [h, w] or [h, w, 1|3|4] as PNG. */
export async function showImage(image: tf.Tensor, options: ShowImageOptions = {}): Promise<void> {
  showBundle(await imageBundle(image, options));
}

/** Shows an SVG document (e.g. from `renderSvg` or `annotateSvg`). */
export function showSvg(svg: string, description = 'SVG picture'): void {
  if (!svg.trimStart().startsWith('<svg'))
    throw new Error('showSvg expects an SVG document starting with <svg');
  showBundle({ 'image/svg+xml': svg, 'text/plain': `[${description}]` });
}

/**
 * Shows an image with boxes and labels drawn over it (an SVG overlay, so
 * labels stay sharp); the plain-text fallback lists the boxes.
 */
export async function showDetections(
  image: tf.Tensor3D,
  boxes: readonly LabelledBox[],
  options: DrawOptions & { displayWidth?: number } = {},
): Promise<void> {
  const svg = await annotateSvg(image, boxes, options);
  const lines = boxes.map(
    (b) =>
      `${b.label ?? (b.classId !== undefined ? `class ${b.classId}` : 'box')}${b.score !== undefined ? ` ${b.score.toFixed(2)}` : ''} [${b.box.map((v) => +v.toFixed(3)).join(', ')}]`,
  );
  showBundle({
    'image/svg+xml': svg,
    'text/plain': [`[image ${image.shape[1]}x${image.shape[0]} with ${boxes.length} boxes]`, ...lines].join(
      '\n',
    ),
  });
}

/** Shows rows of values as an HTML table (with a plain-text copy). */
export function showTable(
  rows: Array<Record<string, unknown>>,
  options: { caption?: string; digits?: number } = {},
): void {
  if (rows.length === 0) throw new Error('showTable needs at least one row');
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const format = (v: unknown) =>
    typeof v === 'number'
      ? Number.isInteger(v)
        ? v.toLocaleString('en-US')
        : String(Number(v.toPrecision(options.digits ?? 4)))
      : String(v ?? '');
  const escape = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
  const head = `<tr>${columns.map((c) => `<th>${escape(c)}</th>`).join('')}</tr>`;
  const body = rows
    .map((r) => `<tr>${columns.map((c) => `<td>${escape(format(r[c]))}</td>`).join('')}</tr>`)
    .join('');
  const caption = options.caption ? `<caption>${escape(options.caption)}</caption>` : '';
  const text = [columns.join('\t'), ...rows.map((r) => columns.map((c) => format(r[c])).join('\t'))].join(
    '\n',
  );
  showBundle({
    'text/html': `<table>${caption}<thead>${head}</thead><tbody>${body}</tbody></table>`,
    'text/plain': text,
  });
}

/** A display that can be redrawn in place. */
export interface LiveDisplay {
  readonly id: string;
  update(bundle: MimeBundle): void;
}

/** A random id (crypto.randomUUID: a global in Node ≥ 19 and in browsers). */
function newDisplayId(): string {
  return (globalThis as unknown as { crypto: { randomUUID(): string } }).crypto.randomUUID();
}

/** Creates an updatable display (first `update` shows it, later ones replace it). */
export function liveDisplay(): LiveDisplay {
  const id = newDisplayId();
  let shown = false;
  return {
    id,
    update(bundle: MimeBundle) {
      showBundle(bundle, { displayId: id, update: shown });
      shown = true;
    },
  };
}

/** A text progress bar: `[########------------]  40% label`. */
export function progressText(done: number, total: number, label = '', width = 24): string {
  if (!(total > 0)) throw new Error(`progress total must be > 0, got ${total}`);
  const f = Math.max(0, Math.min(1, done / total));
  const filled = Math.round(f * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(100 * f).toFixed(0).padStart(3)}%${label ? ` ${label}` : ''}`;
}

function progressHtml(done: number, total: number, label: string): string {
  return `<div><progress value="${Math.min(done, total)}" max="${total}" style="width: 24em"></progress> <code>${escapeHtml(label)}</code></div>`;
}

/** A progress bar redrawn in place (HTML `<progress>` with a text fallback). */
export interface ProgressBar {
  /** Sets the amount done (out of `total`) and an optional status text. */
  update(done: number, label?: string): void;
  readonly display: LiveDisplay;
}

/** Creates a progress bar for `total` units of work (steps, images, epochs). */
export function progressBar(total: number, label = ''): ProgressBar {
  if (!(total > 0)) throw new Error(`progress total must be > 0, got ${total}`);
  const display = liveDisplay();
  const bar: ProgressBar = {
    display,
    update(done: number, text = label) {
      display.update({
        'text/html': progressHtml(done, total, `${done}/${total} ${text}`.trim()),
        'text/plain': progressText(done, total, text),
      });
    },
  };
  bar.update(0);
  return bar;
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
  /**
   * Least time between two static (SVG) pictures, in milliseconds (default
   * 1000). Every redraw sends the new spec and progress; the picture, which
   * costs tens of milliseconds to draw, is redrawn at most this often and when
   * training ends.
   */
  svgEveryMs?: number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

/** Accuracy-like metrics (0..1, higher is better) get their own axis, apart from losses. */
function isAccuracy(metric: string): boolean {
  return /acc/i.test(metric);
}

/**
 * The live chart's spec: losses and accuracies on their own axes (two panels
 * when both are there), the progress in the subtitle, where a front end that
 * draws the spec itself (VS Code) shows it.
 */
function trainingSpec(series: Series[], title: string, subtitle: string): VegaLiteSpec {
  const accuracies = series.filter((s) => isAccuracy(s.name));
  const others = series.filter((s) => !isAccuracy(s.name));
  const yTitle = (group: Series[]) =>
    group === accuracies ? 'accuracy' : group.every((s) => /loss/i.test(s.name)) ? 'loss' : 'value';
  const heading = { text: title, subtitle };
  if (accuracies.length === 0 || others.length === 0) {
    return {
      ...lineChart(series, { xTitle: 'epoch', yTitle: yTitle(accuracies.length ? accuracies : others) }),
      title: heading,
    };
  }
  const panel = (group: Series[]) => {
    const { $schema: _schema, ...spec } = lineChart(group, {
      xTitle: 'epoch',
      yTitle: yTitle(group),
      height: 150,
    });
    return spec;
  };
  return {
    $schema: lineChart(series).$schema,
    title: heading,
    vconcat: [panel(others), panel(accuracies)],
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
  };
}

/**
 * A tfjs-layers callback that redraws a live chart of the training metrics
 * after every epoch (and every N batches), with a progress line, in place in
 * one display: its bundle carries the Vega-Lite spec, a static SVG of it and
 * HTML with the progress bar above the SVG (what JupyterLab and classic
 * Notebook show). The recorded history stays available as `history`.
 */
export function trainingChart(
  options: TrainingChartOptions = {},
): tf.CustomCallbackArgs & { history: Record<string, number[]> } {
  const display = liveDisplay();
  const history: Record<string, number[]> = {};
  const title = options.title ?? 'Training';
  const svgEveryMs = options.svgEveryMs ?? 1000;
  let epoch = 0;
  let batchLoss: number[] = [];
  const started = Date.now();
  let svg: string | undefined;
  let svgDrawnAt = -Infinity;
  let lastProgress: string | undefined;
  let svgStale = false;
  const draw = (progress: string, final: boolean) => {
    lastProgress = progress;
    const names = (options.metrics ?? Object.keys(history)).filter((m) => history[m]?.length);
    const series: Series[] = names.map((name) => ({
      name,
      x: history[name]!.map((_, i) => i + 1),
      y: history[name]!,
    }));
    if (batchLoss.length > 1)
      series.push({
        name: 'loss (this epoch, per batch)',
        x: batchLoss.map((_, i) => epoch + (i + 1) / batchLoss.length),
        y: batchLoss,
      });
    const status = (options.epochs ? progressText(epoch, options.epochs) + ' ' : '') + progress;
    const bundle: MimeBundle = {};
    if (series.length) {
      const spec = trainingSpec(series, title, status);
      const now = Date.now();
      svgStale = !final && svg !== undefined && now - svgDrawnAt < svgEveryMs;
      if (!svgStale) {
        svg = renderSvgSync(spec);
        svgDrawnAt = now;
      }
      bundle[VEGA_LITE_MIME] = spec;
      bundle['image/svg+xml'] = svg;
    }
    const progressLine = options.epochs
      ? progressHtml(epoch, options.epochs, progress)
      : `<div><code>${escapeHtml(progress)}</code></div>`;
    bundle['text/html'] =
      `<div class="course-live-chart">${progressLine}${svg ? `<div>${svg}</div>` : ''}</div>`;
    bundle['text/plain'] = status;
    display.update(bundle);
  };
  return {
    history,
    onBatchEnd: async (batch, logs) => {
      if (!options.everyBatches || !logs || typeof logs.loss !== 'number') return;
      batchLoss.push(logs.loss);
      if ((batch + 1) % options.everyBatches === 0)
        draw(
          `epoch ${epoch + 1}${options.epochs ? `/${options.epochs}` : ''}, batch ${batch + 1}: loss ${logs.loss.toFixed(4)}`,
          false,
        );
    },
    onEpochEnd: async (_epoch, logs) => {
      epoch++;
      batchLoss = [];
      for (const [key, value] of Object.entries(logs ?? {}))
        if (typeof value === 'number') (history[key] ??= []).push(value);
      const summary = Object.entries(logs ?? {})
        .map(([k, v]) => `${k} ${Number(v).toFixed(4)}`)
        .join(', ');
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      draw(`epoch ${epoch}${options.epochs ? `/${options.epochs}` : ''} (${seconds} s): ${summary}`, false);
    },
    // The last picture skipped by the throttle is drawn when training ends.
    onTrainEnd: async () => {
      if (svgStale && lastProgress !== undefined) draw(lastProgress, true);
    },
  };
}

/** The same callback as {@link trainingChart}, under the name the notebooks' prose uses. */
export const liveChart = trainingChart;

export { tslab };
