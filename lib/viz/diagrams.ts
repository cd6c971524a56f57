/**
 * Textbook diagrams drawn from their parameters, as SVG text: what a notebook's prose
 * explains, with the geometry computed by the same rules the layers follow.
 */

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

function rect(x: number, y: number, size: number, cls: string, fill: string, stroke = '#555'): string {
  return `<rect class="${cls}" x="${x}" y="${y}" width="${size}" height="${size}" fill="${fill}" stroke="${stroke}" stroke-width="1"/>`;
}

/**
 * A filter sliding over an input with padding and stride: the padded input (padding cells
 * pale, `class="pad-cell"`; input cells `class="in-cell"`), the filter's window at its first
 * and second positions (`class="window"`, the second one stride s to the right), and the
 * output grid (`class="out-cell"`, ⌊(n + 2p − f)/s⌋ + 1 on a side) with the cells those two
 * windows compute highlighted.
 * @throws Error when the filter does not fit the padded input or a size is not a whole number
 */
export function slidingFilterDiagram(options: SlidingFilterOptions): string {
  const { n, f } = options;
  const p = options.p ?? 0;
  const s = options.s ?? 1;
  const c = options.cell ?? 18;
  const out = convOutputSize(n, f, p, s);
  const side = n + 2 * p;
  const margin = 10;
  const gap = 3 * c;
  const top = margin + 20;
  const parts: string[] = [];
  for (let r = 0; r < side; r++) {
    for (let col = 0; col < side; col++) {
      const padding = r < p || col < p || r >= p + n || col >= p + n;
      parts.push(
        rect(
          margin + col * c,
          top + r * c,
          c,
          padding ? 'pad-cell' : 'in-cell',
          padding ? '#f1f1f1' : '#dbe8f6',
          padding ? '#bbb' : '#555',
        ),
      );
    }
  }
  const windows = out > 1 ? [0, s] : [0];
  const colours = ['#d9480f', '#2f9e44'];
  windows.forEach((x, i) => {
    parts.push(
      `<rect class="window" x="${margin + x * c}" y="${top}" width="${f * c}" height="${f * c}" fill="none" stroke="${colours[i]}" stroke-width="3"${i ? ' stroke-dasharray="6 3"' : ''}/>`,
    );
  });
  const outLeft = margin + side * c + gap;
  for (let r = 0; r < out; r++) {
    for (let col = 0; col < out; col++) {
      const hit = r === 0 && col < windows.length;
      parts.push(
        rect(
          outLeft + col * c,
          top + r * c,
          c,
          'out-cell',
          hit ? (col === 0 ? '#ffd8a8' : '#b2f2bb') : '#fff3bf',
        ),
      );
    }
  }
  const arrowY = top + (f * c) / 2;
  parts.push(
    `<path d="M ${margin + side * c + 6} ${arrowY} H ${outLeft - 6}" stroke="#333" stroke-width="1.5" marker-end="url(#arrow)"/>`,
  );
  const text = (x: number, y: number, t: string) =>
    `<text x="${x}" y="${y}" font-family="sans-serif" font-size="12" fill="#222">${t}</text>`;
  parts.push(
    text(
      margin,
      margin + 8,
      `input ${n}×${n}, padding ${p} → ${side}×${side}; filter ${f}×${f}, stride ${s}`,
    ),
  );
  parts.push(text(outLeft, top + out * c + 16, `output ${out}×${out}`));
  const width = outLeft + Math.max(out * c, 80) + margin;
  const height = top + Math.max(side, out) * c + 24;
  const defs =
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>';
  const title = `<title>A ${f}×${f} filter sliding with stride ${s} over a ${n}×${n} input padded by ${p}: a ${out}×${out} output</title>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">${title}${defs}${parts.join('')}</svg>`;
}
