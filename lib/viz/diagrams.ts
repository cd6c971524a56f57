/**
 * Textbook diagrams of the convolution itself, drawn from their parameters as SVG text:
 * a filter sliding with padding and stride, a convolution over volume, pooling, and the
 * depthwise-separable convolution. The geometry follows the layers' own arithmetic.
 */
import { FONT, INK, arrow, box, checkIntegers, cuboid, label, svgDocument, textWidth } from './diagram-svg';

/** Side of a convolution's (or pooling's) output: ⌊(n + 2p − f) / s⌋ + 1. */
export function convOutputSize(n: number, f: number, p: number, s: number): number {
  for (const [name, value, min] of [
    ['n', n, 1],
    ['f', f, 1],
    ['p', p, 0],
    ['s', s, 1],
  ] as const) {
    if (!Number.isInteger(value) || value < min)
      throw new Error(`convOutputSize: ${name} must be an integer >= ${min}, got ${value}`);
  }
  if (f > n + 2 * p)
    throw new Error(
      `convOutputSize: a ${f}×${f} filter does not fit a ${n}×${n} input padded by ${p} (${n + 2 * p}×${n + 2 * p})`,
    );
  return Math.floor((n + 2 * p - f) / s) + 1;
}

/** What {@link slidingFilterDiagram} draws. */
export interface SlidingFilterOptions {
  /** Input side n (a square n×n input). */
  n: number;
  /** Filter side f. */
  f: number;
  /** Padding p on every side (default 0). */
  p?: number;
  /** Stride s (default 1). */
  s?: number;
  /** Side of one cell in pixels (default 18). */
  cell?: number;
}

/** The largest grid side a diagram draws cell by cell (beyond it the cells are too small to read). */
const MAX_CELLS = 24;

function checkDrawable(where: string, name: string, side: number): void {
  if (side > MAX_CELLS)
    throw new Error(`${where}: ${name} is ${side} cells on a side; at most ${MAX_CELLS} can be drawn`);
}

/**
 * A filter sliding over an input with padding and stride: the padded input (padding cells
 * pale, `class="pad-cell"`; input cells `class="in-cell"`), the filter's window at its first
 * and second positions (`class="window"`, the second one stride s to the right), and the
 * output grid (`class="out-cell"`, ⌊(n + 2p − f)/s⌋ + 1 on a side: one cell per position of
 * the window) with the cells those two windows compute highlighted.
 * @throws Error when the filter does not fit the padded input or a size is not a whole number
 */
export function slidingFilterDiagram(options: SlidingFilterOptions): string {
  const { n, f } = options;
  const p = options.p ?? 0;
  const s = options.s ?? 1;
  const c = options.cell ?? 18;
  const out = convOutputSize(n, f, p, s);
  const side = n + 2 * p;
  checkDrawable('slidingFilterDiagram', 'the padded input', side);
  const margin = 10;
  const gap = 3 * c;
  const captions = [`input ${n}×${n}, padding ${p} → ${side}×${side}`, `filter ${f}×${f}, stride ${s}`];
  const top = margin + 2 * (FONT + 4);
  const parts: string[] = [];
  for (let r = 0; r < side; r++) {
    for (let col = 0; col < side; col++) {
      const padding = r < p || col < p || r >= p + n || col >= p + n;
      parts.push(
        box(margin + col * c, top + r * c, c, c, {
          cls: padding ? 'pad-cell' : 'in-cell',
          fill: padding ? INK.pad : INK.input,
          stroke: padding ? '#bbb' : INK.line,
        }),
      );
    }
  }
  const windows = out > 1 ? [0, s] : [0];
  const colours = [INK.accent, INK.accent2];
  windows.forEach((x, i) => {
    parts.push(
      box(margin + x * c, top, f * c, f * c, {
        cls: 'window',
        stroke: colours[i],
        strokeWidth: 3,
        dash: i ? '6 3' : undefined,
      }),
    );
  });
  const outLeft = margin + side * c + gap;
  for (let r = 0; r < out; r++) {
    for (let col = 0; col < out; col++) {
      const hit = r === 0 && col < windows.length;
      parts.push(
        box(outLeft + col * c, top + r * c, c, c, {
          cls: 'out-cell',
          fill: hit ? (col === 0 ? INK.filter : INK.filter2) : INK.output,
        }),
      );
    }
  }
  const arrowY = top + (Math.min(f, out) * c) / 2;
  parts.push(
    arrow([
      [margin + side * c + 6, arrowY],
      [outLeft - 6, arrowY],
    ]),
  );
  captions.forEach((t, i) => parts.push(label(margin, margin + FONT + i * (FONT + 4), t)));
  const outCaption = `output ${out}×${out}: ${out * out} positions`;
  parts.push(label(outLeft, top + out * c + 16, outCaption));
  const width =
    Math.max(outLeft + Math.max(out * c, textWidth(outCaption)), margin + textWidth(captions[0]!)) + margin;
  const height = top + Math.max(side * c, out * c + 20) + margin;
  return svgDocument({
    width,
    height,
    title: `A ${f}×${f} filter sliding over a ${n}×${n} input`,
    description:
      `The ${n}×${n} input padded by ${p} on every side (${side}×${side}); a ${f}×${f} filter at its first ` +
      `position and, ${s} cell(s) to the right, its second; each position gives one cell of the ` +
      `${out}×${out} output, ⌊(${n} + 2·${p} − ${f})/${s}⌋ + 1 = ${out}.`,
    body: parts.join(''),
  });
}

/** What {@link convVolumeDiagram} draws. */
export interface ConvVolumeOptions {
  /** Input side n (n×n×c). */
  n: number;
  /** Input channels c (3 for RGB). */
  c: number;
  /** Filter side f (each filter is f×f×c). */
  f: number;
  /** Number of filters, the output's channels. */
  filters: number;
  /** Padding (default 0). */
  p?: number;
  /** Stride (default 1). */
  s?: number;
}

/** How many filters (or channel maps) a volume diagram draws one by one before it summarises. */
const MAX_DRAWN = 6;

/**
 * A convolution over volume: the n×n×c input (`class="input-volume"`), the filters f×f×c
 * (`class="filter"`, one drawn per filter up to 6), and the output volume
 * (`class="output-volume"`) of n_out×n_out×filters, one map per filter (`class="out-map"`,
 * up to 6 drawn), where n_out = ⌊(n + 2p − f)/s⌋ + 1.
 * @throws Error when a size is not a whole number or the filter does not fit
 */
export function convVolumeDiagram(options: ConvVolumeOptions): string {
  const { n, c, f, filters } = options;
  const p = options.p ?? 0;
  const s = options.s ?? 1;
  checkIntegers('convVolumeDiagram', { c, filters });
  const out = convOutputSize(n, f, p, s);
  const unit = 90 / Math.max(n, 1);
  const depth = (channels: number) => Math.min(10 + channels * 4, 40);
  const top = 30;
  const base = top + 70;
  const parts: string[] = [];
  // input
  const inSide = n * unit;
  parts.push(
    cuboid(14, base + 20 - inSide / 2 + depth(c) / 2, inSide, inSide, depth(c), INK.input, 'input-volume'),
  );
  parts.push(label(14, base + 20 + inSide / 2 + depth(c) / 2 + 18, `${n}×${n}×${c}`));
  // filters
  const drawn = Math.min(filters, MAX_DRAWN);
  const fSide = Math.max(f * unit, 14);
  const fx = 14 + inSide + depth(c) / 2 + 34;
  parts.push(label(fx, top - 8, `${filters} filter${filters > 1 ? 's' : ''} ${f}×${f}×${c}`));
  const fStep = Math.min(fSide + depth(c) / 2 + 6, 150 / drawn);
  const fColours = [INK.filter, INK.filter2, '#d0bfff', '#ffc9c9', '#c5f6fa', '#ffec99'];
  for (let i = 0; i < drawn; i++) {
    const y = top + depth(c) / 2 + i * fStep;
    parts.push(cuboid(fx, y, fSide, fSide, depth(c), fColours[i]!, 'filter'));
  }
  if (filters > drawn)
    parts.push(label(fx, top + depth(c) / 2 + drawn * fStep + 12, `… ${filters - drawn} more`));
  // output
  const oSide = out * unit;
  const ox = fx + Math.max(fSide + depth(c) / 2, 70) + 40;
  const mapStep = Math.min(8, 40 / Math.max(drawn, 1));
  const oy = base + 20 - oSide / 2;
  for (let i = drawn - 1; i >= 0; i--) {
    parts.push(box(ox + i * mapStep, oy - i * mapStep, oSide, oSide, { cls: 'out-map', fill: fColours[i] }));
  }
  parts.push(box(ox, oy, oSide, oSide, { cls: 'output-volume', strokeWidth: 1.5 }));
  parts.push(label(ox, oy + oSide + 18, `${out}×${out}×${filters}`));
  parts.push(
    arrow([
      [14 + inSide + depth(c) / 2 + 6, base + 20],
      [fx - 6, base + 20],
    ]),
  );
  parts.push(
    arrow([
      [fx + fSide + depth(c) / 2 + 6, base + 20],
      [ox - 6, base + 20],
    ]),
  );
  const caption = `padding ${p}, stride ${s}: ⌊(${n} + 2·${p} − ${f})/${s}⌋ + 1 = ${out}`;
  const width = Math.max(ox + oSide + drawn * mapStep + 30, textWidth(caption) + 28);
  const height =
    Math.max(base + 20 + inSide / 2 + depth(c) + 30, top + drawn * fStep + 70, oy + oSide + 30) + 20;
  parts.push(label(14, height - 12, caption, { fill: INK.muted }));
  return svgDocument({
    width,
    height,
    title: `A convolution over volume: ${n}×${n}×${c} with ${filters} filters of ${f}×${f}×${c}`,
    description:
      `An ${n}×${n}×${c} input; ${filters} filter(s), each ${f}×${f}×${c} (as deep as the input); ` +
      `each filter gives one ${out}×${out} map, and the maps stack into an ${out}×${out}×${filters} output.`,
    body: parts.join(''),
  });
}

/** What {@link poolingDiagram} draws. */
export interface PoolingOptions {
  /** Input side n. */
  n: number;
  /** Window side f (default 2). */
  f?: number;
  /** Stride s (default f). */
  s?: number;
  /** `max` (default) or `average`. */
  mode?: 'max' | 'average';
  /** The input's n·n values, row by row (default: a fixed example pattern of small integers). */
  values?: number[];
}

/** The pooled values of an n×n grid (row-major), as the layer computes them. */
export function poolValues(
  values: number[],
  n: number,
  f: number,
  s: number,
  mode: 'max' | 'average',
): number[][] {
  const out = convOutputSize(n, f, 0, s);
  const result: number[][] = [];
  for (let r = 0; r < out; r++) {
    const row: number[] = [];
    for (let c = 0; c < out; c++) {
      const window: number[] = [];
      for (let i = 0; i < f; i++)
        for (let j = 0; j < f; j++) window.push(values[(r * s + i) * n + c * s + j]!);
      row.push(mode === 'max' ? Math.max(...window) : window.reduce((a, b) => a + b, 0) / window.length);
    }
    result.push(row);
  }
  return result;
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/0$/, '');
}

/**
 * Pooling: the n×n input with its values (`class="in-cell"`), the f×f windows a stride s
 * apart (`class="window"`; when they tile the input, each cell is tinted with its window's
 * colour), and the ⌊(n − f)/s⌋ + 1 square output (`class="out-cell"`) with each window's
 * maximum or mean.
 * @throws Error when the window does not fit, or `values` does not hold n·n numbers
 */
export function poolingDiagram(options: PoolingOptions): string {
  const n = options.n;
  const f = options.f ?? 2;
  const s = options.s ?? f;
  const mode = options.mode ?? 'max';
  if (mode !== 'max' && mode !== 'average')
    throw new Error(`poolingDiagram: mode is max or average, got ${String(mode)}`);
  const out = convOutputSize(n, f, 0, s);
  checkDrawable('poolingDiagram', 'the input', n);
  const values =
    options.values ?? Array.from({ length: n * n }, (_, i) => ((i * 7 + Math.floor(i / n) * 3) % 9) + 1);
  if (values.length !== n * n || values.some((v) => !Number.isFinite(v)))
    throw new Error(`poolingDiagram: values must be ${n * n} numbers (${n}×${n}), got ${values.length}`);
  const pooled = poolValues(values, n, f, s, mode);
  const c = 30;
  const margin = 12;
  const top = margin + FONT + 12;
  const tiles = s === f;
  const colours = [INK.filter, INK.filter2, '#d0bfff', '#c5f6fa', '#ffc9c9', '#ffec99'];
  const colourOf = (r: number, col: number) => colours[(r * out + col) % colours.length]!;
  const parts: string[] = [];
  for (let r = 0; r < n; r++) {
    for (let col = 0; col < n; col++) {
      const wr = Math.floor(r / f);
      const wc = Math.floor(col / f);
      const tinted = tiles && wr < out && wc < out;
      parts.push(
        box(margin + col * c, top + r * c, c, c, {
          cls: 'in-cell',
          fill: tinted ? colourOf(wr, wc) : INK.input,
        }),
      );
      parts.push(
        label(margin + col * c + c / 2, top + r * c + c / 2 + 4, formatValue(values[r * n + col]!), {
          anchor: 'middle',
        }),
      );
    }
  }
  const drawnWindows = tiles ? [] : out > 1 ? [0, s] : [0];
  drawnWindows.forEach((x, i) =>
    parts.push(
      box(margin + x * c, top, f * c, f * c, {
        cls: 'window',
        stroke: i ? INK.accent2 : INK.accent,
        strokeWidth: 3,
        dash: i ? '6 3' : undefined,
      }),
    ),
  );
  if (tiles)
    for (let r = 0; r < out; r++)
      for (let col = 0; col < out; col++)
        parts.push(
          box(margin + col * f * c, top + r * f * c, f * c, f * c, { cls: 'window', strokeWidth: 2.5 }),
        );
  const outLeft = margin + n * c + 50;
  const outTop = top + ((n - out) * c) / 2;
  for (let r = 0; r < out; r++)
    for (let col = 0; col < out; col++) {
      parts.push(
        box(outLeft + col * c, outTop + r * c, c, c, {
          cls: 'out-cell',
          fill: tiles
            ? colourOf(r, col)
            : r === 0 && col < drawnWindows.length
              ? col
                ? INK.filter2
                : INK.filter
              : INK.output,
        }),
      );
      parts.push(
        label(outLeft + col * c + c / 2, outTop + r * c + c / 2 + 4, formatValue(pooled[r]![col]!), {
          anchor: 'middle',
        }),
      );
    }
  parts.push(
    arrow([
      [margin + n * c + 8, top + (n * c) / 2],
      [outLeft - 8, top + (n * c) / 2],
    ]),
  );
  const caption = `${mode} pooling ${f}×${f}, stride ${s}: ${n}×${n} → ${out}×${out}`;
  parts.push(label(margin, margin + FONT, caption));
  const width = Math.max(outLeft + out * c, margin + textWidth(caption)) + margin;
  const height = top + n * c + margin;
  return svgDocument({
    width,
    height,
    title: `${mode === 'max' ? 'Max' : 'Average'} pooling, ${f}×${f} windows with stride ${s}`,
    description:
      `A ${n}×${n} grid of numbers cut into ${f}×${f} windows ${s} apart; each window gives one cell of the ` +
      `${out}×${out} output: its ${mode === 'max' ? 'largest value' : 'mean'}.`,
    body: parts.join(''),
  });
}

/** What {@link depthwiseSeparableDiagram} draws. */
export interface DepthwiseSeparableOptions {
  /** Input side n (n×n×c). */
  n: number;
  /** Input channels c. */
  c: number;
  /** Filter side f of the depthwise step. */
  f: number;
  /** Output channels (the pointwise step's filters). */
  filters: number;
}

/** Multiplications of a normal convolution and of its depthwise-separable replacement (no padding, stride 1). */
export function separableCost(options: DepthwiseSeparableOptions): {
  normal: number;
  depthwise: number;
  pointwise: number;
} {
  const { n, c, f, filters } = options;
  checkIntegers('separableCost', { c, filters });
  const out = convOutputSize(n, f, 0, 1);
  return {
    normal: f * f * c * out * out * filters,
    depthwise: f * f * out * out * c,
    pointwise: c * out * out * filters,
  };
}

/**
 * A depthwise-separable convolution: the n×n×c input, the depthwise step (c filters of
 * f×f×1, `class="depthwise-filter"`, one per channel) giving n_out×n_out×c (one map per
 * channel, `class="dw-map"`), then the pointwise step (`filters` filters of 1×1×c,
 * `class="pointwise-filter"`, up to 6 drawn) giving n_out×n_out×filters; below, the
 * multiplications of both against a normal convolution (stride 1, no padding).
 * @throws Error when a size is not a whole number or the filter does not fit
 */
export function depthwiseSeparableDiagram(options: DepthwiseSeparableOptions): string {
  const { n, c, f, filters } = options;
  const cost = separableCost(options);
  const out = convOutputSize(n, f, 0, 1);
  if (c > 12)
    throw new Error(`depthwiseSeparableDiagram: c is ${c}; at most 12 channels can be drawn one by one`);
  const unit = 60 / n;
  const step = 7;
  const top = 40;
  const parts: string[] = [];
  const fColours = ['#ffc9c9', '#b2f2bb', '#a5d8ff', '#ffec99', '#d0bfff', '#c5f6fa'];
  const colour = (i: number) => fColours[i % fColours.length]!;
  // input: one slice per channel, back to front
  const stack = (x: number, side: number, count: number, cls: string, fillOf: (i: number) => string) => {
    for (let i = count - 1; i >= 0; i--)
      parts.push(
        box(x + i * step, top + 20 + (c - 1) * step - i * step, side, side, { cls, fill: fillOf(i) }),
      );
  };
  const x0 = 12;
  stack(x0, n * unit, c, 'in-map', colour);
  const yLabel = top + 20 + (c - 1) * step + n * unit + 18;
  parts.push(label(x0, yLabel, `${n}×${n}×${c}`));
  // depthwise filters
  const x1 = x0 + n * unit + c * step + 30;
  const fs = Math.max(f * unit, 12);
  for (let i = 0; i < c; i++)
    parts.push(box(x1, top + 20 + i * (fs + 4), fs, fs, { cls: 'depthwise-filter', fill: colour(i) }));
  parts.push(label(x1 - 4, top + 4, `depthwise: ${c} × ${f}×${f}×1`));
  const x2 = x1 + fs + 30;
  stack(x2, out * unit, c, 'dw-map', colour);
  parts.push(label(x2, yLabel, `${out}×${out}×${c}`));
  // pointwise filters
  const x3 = x2 + out * unit + c * step + 30;
  const drawn = Math.min(filters, MAX_DRAWN);
  for (let i = 0; i < drawn; i++)
    parts.push(
      `<g class="pointwise-filter">${Array.from({ length: c }, (_, k) => box(x3 + k * 5, top + 20 + i * 16, 10, 10, { fill: colour(k) })).join('')}</g>`,
    );
  if (filters > drawn) parts.push(label(x3, top + 20 + drawn * 16 + 10, `… ${filters - drawn} more`));
  parts.push(
    label(x3 - 4, top + 18 + Math.max(drawn * 16, c * (fs + 4)) + 26, `pointwise: ${filters} × 1×1×${c}`),
  );
  const x4 = x3 + (c - 1) * 5 + 10 + 30;
  const outStack = Math.min(filters, MAX_DRAWN);
  for (let i = outStack - 1; i >= 0; i--)
    parts.push(
      box(x4 + i * step, top + 20 + (outStack - 1) * step - i * step, out * unit, out * unit, {
        cls: 'out-map',
        fill: INK.output,
      }),
    );
  parts.push(label(x4, yLabel, `${out}×${out}×${filters}`));
  const mid = top + 20 + (c - 1) * step + (n * unit) / 2;
  parts.push(
    arrow([
      [x0 + n * unit + c * step + 2, mid],
      [x1 - 4, mid],
    ]),
  );
  parts.push(
    arrow([
      [x3 + (c - 1) * 5 + 14, mid],
      [x4 - 4, mid],
    ]),
  );
  const fmt = (v: number) => v.toLocaleString('en-US');
  const lines = [
    `normal: ${f}·${f}·${c} × ${out}·${out} × ${filters} = ${fmt(cost.normal)} multiplications`,
    `separable: ${fmt(cost.depthwise)} + ${fmt(cost.pointwise)} = ${fmt(cost.depthwise + cost.pointwise)}` +
      ` (${((cost.depthwise + cost.pointwise) / cost.normal).toFixed(2)} of normal)`,
  ];
  const bodyBottom = Math.max(yLabel, top + 18 + Math.max(drawn * 16, c * (fs + 4)) + 26) + 10;
  lines.forEach((t, i) => parts.push(label(x0, bodyBottom + 16 + i * 18, t, { cls: 'cost' })));
  const width = Math.max(
    x4 + out * unit + outStack * step + 40,
    x0 + Math.max(...lines.map((t) => textWidth(t))) + 12,
  );
  const height = bodyBottom + 16 + lines.length * 18;
  return svgDocument({
    width,
    height,
    title: `A depthwise-separable convolution: ${n}×${n}×${c} to ${out}×${out}×${filters}`,
    description:
      `Depthwise: each of the ${c} input channels gets its own ${f}×${f} filter, giving ${out}×${out}×${c}. ` +
      `Pointwise: ${filters} filters of 1×1×${c} mix the channels, giving ${out}×${out}×${filters}. ` +
      `${cost.depthwise + cost.pointwise} multiplications instead of ${cost.normal}.`,
    body: parts.join(''),
  });
}
