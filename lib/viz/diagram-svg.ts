/**
 * The drawing primitives the course's diagrams share: a self-contained SVG document with a
 * title and description for screen readers, a white card behind the drawing (readable on a
 * dark page and in Jupyter's dark theme), text, boxes, arrows and isometric volumes.
 */

/** Escapes text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c as '&' | '<' | '>' | '"'],
  );
}

/** Ink colours of the diagrams (on their white card). */
export const INK = {
  text: '#222',
  line: '#555',
  input: '#dbe8f6',
  pad: '#f1f1f1',
  output: '#fff3bf',
  filter: '#ffd8a8',
  filter2: '#b2f2bb',
  accent: '#d9480f',
  accent2: '#2f9e44',
  accent3: '#1c7ed6',
  layer: '#e7f5ff',
  muted: '#868e96',
};

/** Font size of labels, in user units (a 460-unit-wide diagram keeps it above 9 px at phone width). */
export const FONT = 12;

/** A rough width of `text` at `size` in a sans-serif font: wide enough to keep labels inside the picture. */
export function textWidth(text: string, size = FONT): number {
  return Math.ceil(text.length * size * 0.6);
}

/** Options of one text label. */
export interface TextOptions {
  size?: number;
  anchor?: 'start' | 'middle' | 'end';
  fill?: string;
  weight?: 'bold';
  cls?: string;
}

/** A label at (x, y) (the baseline). */
export function label(x: number, y: number, text: string, options: TextOptions = {}): string {
  const attrs = [
    options.cls ? `class="${options.cls}"` : '',
    `x="${round(x)}"`,
    `y="${round(y)}"`,
    `font-size="${options.size ?? FONT}"`,
    options.anchor && options.anchor !== 'start' ? `text-anchor="${options.anchor}"` : '',
    options.weight ? `font-weight="${options.weight}"` : '',
    `fill="${options.fill ?? INK.text}"`,
  ].filter(Boolean);
  return `<text ${attrs.join(' ')}>${escapeXml(text)}</text>`;
}

/** Options of one rectangle. */
export interface BoxOptions {
  cls?: string;
  fill?: string;
  stroke?: string;
  strokeWidth?: number;
  dash?: string;
  radius?: number;
}

/** A rectangle. */
export function box(x: number, y: number, w: number, h: number, options: BoxOptions = {}): string {
  const attrs = [
    options.cls ? `class="${options.cls}"` : '',
    `x="${round(x)}"`,
    `y="${round(y)}"`,
    `width="${round(w)}"`,
    `height="${round(h)}"`,
    options.radius ? `rx="${options.radius}"` : '',
    `fill="${options.fill ?? 'none'}"`,
    `stroke="${options.stroke ?? INK.line}"`,
    `stroke-width="${options.strokeWidth ?? 1}"`,
    options.dash ? `stroke-dasharray="${options.dash}"` : '',
  ].filter(Boolean);
  return `<rect ${attrs.join(' ')}/>`;
}

/** A box with a centred one- or two-line label. */
export function labelledBox(
  x: number,
  y: number,
  w: number,
  h: number,
  lines: string[],
  options: BoxOptions = {},
): string {
  const mid = y + h / 2 + FONT * 0.35 - ((lines.length - 1) * (FONT + 2)) / 2;
  return (
    box(x, y, w, h, { fill: INK.layer, radius: 4, ...options }) +
    lines.map((t, i) => label(x + w / 2, mid + i * (FONT + 2), t, { anchor: 'middle' })).join('')
  );
}

/** A line with an arrow head at its end, through the points given. */
export function arrow(
  points: Array<[number, number]>,
  options: { cls?: string; stroke?: string } = {},
): string {
  const d = points.map(([x, y], i) => `${i ? 'L' : 'M'} ${round(x)} ${round(y)}`).join(' ');
  const cls = options.cls ? `class="${options.cls}" ` : '';
  return `<path ${cls}d="${d}" fill="none" stroke="${options.stroke ?? INK.line}" stroke-width="1.5" marker-end="url(#arrow)"/>`;
}

/**
 * A volume w×h×d drawn in oblique projection: the front face at (x, y) of size w×h, the
 * depth d going up and to the right (half its length on each axis).
 */
export function cuboid(
  x: number,
  y: number,
  w: number,
  h: number,
  d: number,
  fill: string,
  cls?: string,
): string {
  const dx = d * 0.5;
  const dy = -d * 0.5;
  const c = cls ? `class="${cls}" ` : '';
  const poly = (pts: Array<[number, number]>, shade: string) =>
    `<polygon points="${pts.map(([a, b]) => `${round(a)},${round(b)}`).join(' ')}" fill="${shade}" stroke="${INK.line}" stroke-width="1"/>`;
  return (
    `<g ${c}fill="${fill}">` +
    poly(
      [
        [x, y],
        [x + dx, y + dy],
        [x + w + dx, y + dy],
        [x + w, y],
      ],
      shade(fill, 0.92),
    ) +
    poly(
      [
        [x + w, y],
        [x + w + dx, y + dy],
        [x + w + dx, y + h + dy],
        [x + w, y + h],
      ],
      shade(fill, 0.8),
    ) +
    poly(
      [
        [x, y],
        [x + w, y],
        [x + w, y + h],
        [x, y + h],
      ],
      fill,
    ) +
    '</g>'
  );
}

/** A colour `#rrggbb` darkened to `factor` of its brightness. */
function shade(hex: string, factor: number): string {
  const n = parseInt(hex.slice(1), 16);
  const part = (shift: number) =>
    Math.round(((n >> shift) & 255) * factor)
      .toString(16)
      .padStart(2, '0');
  return `#${part(16)}${part(8)}${part(0)}`;
}

function round(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** What {@link svgDocument} wraps. */
export interface SvgDocument {
  width: number;
  height: number;
  /** Short name of the picture (the SVG's `<title>`, read by screen readers). */
  title: string;
  /** What the picture shows, in a sentence or two (the SVG's `<desc>`). */
  description: string;
  /** The drawing, in user units inside 0..width × 0..height. */
  body: string;
}

/**
 * A self-contained SVG: `viewBox` with the intrinsic size (so it scales down with the column
 * it sits in), `role="img"` with `<title>` and `<desc>`, a white card behind the drawing and
 * an arrow marker for {@link arrow}.
 */
export function svgDocument(doc: SvgDocument): string {
  const w = Math.ceil(doc.width);
  const h = Math.ceil(doc.height);
  const defs =
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">' +
    `<path d="M0,0 L10,5 L0,10 z" fill="${INK.line}"/></marker></defs>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-labelledby="diagram-title diagram-desc">` +
    `<title id="diagram-title">${escapeXml(doc.title)}</title><desc id="diagram-desc">${escapeXml(doc.description)}</desc>${defs}` +
    `<rect class="card" x="0" y="0" width="${w}" height="${h}" rx="6" fill="#ffffff"/>` +
    `<g font-family="sans-serif">${doc.body}</g></svg>`
  );
}

/** Checks that each named value is an integer of at least `min`. */
export function checkIntegers(where: string, values: Record<string, number>, min = 1): void {
  for (const [name, value] of Object.entries(values)) {
    if (!Number.isInteger(value) || value < min)
      throw new Error(`${where}: ${name} must be an integer >= ${min}, got ${value}`);
  }
}
