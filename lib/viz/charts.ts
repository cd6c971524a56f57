/**
 * Vega-Lite specifications for the charts the course draws: curves, bars,
 * heatmaps and scatter plots. Specs are plain data: notebooks display them,
 * the site renders them interactively and as static SVG.
 */

/** A Vega-Lite specification (kept loose: it is JSON handed to Vega-Lite). */
export type VegaLiteSpec = Record<string, unknown>;

/**
 * The Vega-Lite version that draws these specs everywhere the course draws them: the
 * static SVG (lib/viz/svg) and the site (vega-embed) both run vega-lite 6 (package.json);
 * a spec saying v5 makes vega-embed warn on every chart. Front ends still receive it
 * under the v5 MIME type (lib/display's VEGA_LITE_MIME), the key their renderers dispatch on.
 */
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** One named series of (x, y) points. */
export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** Common options of the chart builders. */
export interface ChartOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  width?: number;
  height?: number;
  /** Logarithmic y axis. */
  logY?: boolean;
}

function frame(options: ChartOptions): VegaLiteSpec {
  return {
    $schema: SCHEMA,
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? 420,
    height: options.height ?? 260,
  };
}

function checkSeries(series: Series[]): void {
  if (series.length === 0) throw new Error('a chart needs at least one series');
  for (const s of series) {
    if (s.x.length !== s.y.length)
      throw new Error(`series "${s.name}" has ${s.x.length} x values but ${s.y.length} y values`);
  }
}

/** Lines, one per series, with points, a legend when there are several, and tooltips. */
export function lineChart(series: Series[], options: ChartOptions = {}): VegaLiteSpec {
  checkSeries(series);
  const values = series.flatMap((s) => Array.from(s.x, (x, i) => ({ series: s.name, x, y: s.y[i] })));
  return {
    ...frame(options),
    data: { values },
    // Points carry the tooltips; on long series they shrink to dots.
    mark: { type: 'line', point: series.every((s) => s.x.length <= 60) ? true : { size: 8 }, tooltip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: options.xTitle ?? 'x' },
      y: {
        field: 'y',
        type: 'quantitative',
        title: options.yTitle ?? 'y',
        ...(options.logY ? { scale: { type: 'log' } } : {}),
      },
      color: { field: 'series', type: 'nominal', title: null, legend: series.length > 1 ? {} : null },
      tooltip: [
        { field: 'series', type: 'nominal' },
        { field: 'x', type: 'quantitative', title: options.xTitle ?? 'x' },
        { field: 'y', type: 'quantitative', title: options.yTitle ?? 'y', format: '.4~g' },
      ],
    },
  };
}

/**
 * The power of ten at or below the smallest value: where bars start on a log axis
 * (zero, a bar's usual base, has no place on one).
 */
function logBaseline(values: number[]): number {
  const bad = values.find((v) => !(v > 0));
  if (bad !== undefined) throw new Error(`a logarithmic axis needs values above 0, got ${bad}`);
  return 10 ** Math.floor(Math.log10(Math.min(...values)));
}

/** Bars for labelled values, optionally grouped by colour. With `logY`, bars rise from a power of ten below the smallest. */
export function barChart(
  bars: Array<{ label: string; value: number; group?: string }>,
  options: ChartOptions = {},
): VegaLiteSpec {
  if (bars.length === 0) throw new Error('a bar chart needs at least one bar');
  const grouped = bars.some((b) => b.group !== undefined);
  const baseline = options.logY ? logBaseline(bars.map((b) => b.value)) : undefined;
  return {
    ...frame(options),
    data: { values: bars },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: {
        field: 'label',
        type: 'nominal',
        sort: null,
        title: options.xTitle ?? null,
        axis: { labelAngle: -30 },
      },
      y: {
        field: 'value',
        type: 'quantitative',
        title: options.yTitle ?? 'value',
        ...(baseline !== undefined ? { scale: { type: 'log', domainMin: baseline } } : {}),
      },
      ...(baseline !== undefined ? { y2: { datum: baseline } } : {}),
      ...(grouped
        ? { color: { field: 'group', type: 'nominal', title: null }, xOffset: { field: 'group' } }
        : {}),
      tooltip: [
        { field: 'label' },
        { field: 'value', type: 'quantitative', format: ',.4~g' },
        ...(grouped ? [{ field: 'group' }] : []),
      ],
    },
  };
}

/** A histogram of values in `bins` bins. */
export function histogram(
  values: ArrayLike<number>,
  options: ChartOptions & { bins?: number } = {},
): VegaLiteSpec {
  return {
    ...frame(options),
    data: { values: Array.from(values, (v) => ({ v })) },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: {
        field: 'v',
        type: 'quantitative',
        bin: { maxbins: options.bins ?? 30 },
        title: options.xTitle ?? 'value',
      },
      y: { aggregate: 'count', type: 'quantitative', title: options.yTitle ?? 'count' },
    },
  };
}

/**
 * A heatmap of a matrix (rows × columns), e.g. a confusion matrix or a filter,
 * with the value written in each cell when the matrix is small.
 */
export function heatmap(
  matrix: number[][],
  options: ChartOptions & { rowLabels?: string[]; columnLabels?: string[]; scheme?: string } = {},
): VegaLiteSpec {
  if (matrix.length === 0 || matrix.some((row) => row.length !== matrix[0]!.length))
    throw new Error('heatmap expects a non-empty rectangular matrix');
  const rows = options.rowLabels ?? matrix.map((_, i) => String(i));
  const columns = options.columnLabels ?? matrix[0]!.map((_, j) => String(j));
  const values = matrix.flatMap((row, i) => row.map((v, j) => ({ row: rows[i], column: columns[j], v })));
  const small = matrix.length * matrix[0]!.length <= 144;
  const encoding = {
    x: { field: 'column', type: 'ordinal', sort: columns, title: options.xTitle ?? null },
    y: { field: 'row', type: 'ordinal', sort: rows, title: options.yTitle ?? null },
  };
  return {
    ...frame({
      width: Math.min(420, 36 * columns.length),
      height: Math.min(420, 36 * rows.length),
      ...options,
    }),
    data: { values },
    layer: [
      {
        mark: { type: 'rect', tooltip: true },
        encoding: {
          ...encoding,
          color: {
            field: 'v',
            type: 'quantitative',
            title: null,
            scale: { scheme: options.scheme ?? 'blues' },
          },
        },
      },
      // Light text on the dark end of the scale keeps every value readable.
      ...(small
        ? [
            {
              mark: { type: 'text', fontSize: 11, tooltip: true },
              encoding: {
                ...encoding,
                text: { field: 'v', type: 'quantitative', format: '.3~g' },
                color: {
                  condition: { test: `datum.v > ${textThreshold(matrix)}`, value: 'white' },
                  value: 'black',
                },
              },
            },
          ]
        : []),
    ],
  };
}

/** The value above which heatmap cells are dark (two thirds up the colour scale). */
function textThreshold(matrix: number[][]): number {
  const flat = matrix.flat();
  const lo = Math.min(...flat),
    hi = Math.max(...flat);
  return lo + (2 / 3) * (hi - lo);
}

/** Points coloured by a category (e.g. 2-D embeddings by identity). */
export function scatterPlot(
  points: Array<{ x: number; y: number; group?: string; label?: string }>,
  options: ChartOptions = {},
): VegaLiteSpec {
  if (points.length === 0) throw new Error('a scatter plot needs at least one point');
  return {
    ...frame(options),
    data: { values: points },
    mark: { type: 'point', filled: true, size: 60, tooltip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: options.xTitle ?? 'x' },
      y: { field: 'y', type: 'quantitative', title: options.yTitle ?? 'y' },
      ...(points.some((p) => p.group !== undefined)
        ? { color: { field: 'group', type: 'nominal', title: null } }
        : {}),
    },
  };
}

/**
 * A confusion matrix (rows = true class, columns = predicted class) as a
 * heatmap with counts in the cells; `normalize` shows each row as fractions.
 */
export function confusionMatrixChart(
  matrix: number[][],
  labels: string[],
  options: ChartOptions & { normalize?: boolean } = {},
): VegaLiteSpec {
  if (matrix.length !== labels.length || matrix.some((row) => row.length !== labels.length)) {
    throw new Error(
      `confusion matrix must be ${labels.length}x${labels.length} (one row and column per label), got ${matrix.length}x${matrix[0]?.length ?? 0}`,
    );
  }
  const values = options.normalize
    ? matrix.map((row) => {
        const total = row.reduce((a, b) => a + b, 0);
        return row.map((v) => (total ? v / total : 0));
      })
    : matrix;
  return heatmap(values, {
    xTitle: 'predicted',
    yTitle: 'true',
    ...options,
    rowLabels: labels,
    columnLabels: labels,
  });
}
