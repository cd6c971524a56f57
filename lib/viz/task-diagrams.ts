/**
 * Textbook diagrams of what a network is asked to do, drawn from their parameters as SVG
 * text: YOLO's grid with anchor boxes, and a triplet for the triplet loss.
 */
import { FONT, INK, arrow, box, checkIntegers, label, svgDocument, textWidth } from './diagram-svg';

/** An anchor box's shape, in grid cells. */
export interface AnchorShape {
  width: number;
  height: number;
}

/** What {@link yoloGridDiagram} draws. */
export interface YoloGridOptions {
  /** Grid side S (default 3). */
  grid?: number;
  /** Anchor shapes in cells (default a tall and a wide one: 0.6×1.6 and 1.6×0.6). */
  anchors?: AnchorShape[];
  /** Object classes C (default 3). */
  classes?: number;
  /** The object's box: midpoint and size, as fractions of the image (default a tall object). */
  object?: { x: number; y: number; width: number; height: number };
}

/** The grid cell (row, column) responsible for an object whose midpoint is at (x, y), fractions of the image. */
export function responsibleCell(x: number, y: number, grid: number): { row: number; col: number } {
  if (!(x >= 0 && x < 1 && y >= 0 && y < 1))
    throw new Error(
      `responsibleCell: the midpoint must lie in the image ([0, 1) on both axes), got (${x}, ${y})`,
    );
  return { row: Math.floor(y * grid), col: Math.floor(x * grid) };
}

/**
 * YOLO's grid: the image cut into S×S cells (`class="grid-cell"`), an object's box
 * (`class="object"`) with its midpoint (`class="midpoint"`), the cell that holds the midpoint
 * highlighted (`class="responsible"`), the B anchor boxes centred on that cell
 * (`class="anchor"`), and the output volume S×S×B×(5 + C).
 * @throws Error when the grid, the classes or an anchor are not positive, or the midpoint is outside the image
 */
export function yoloGridDiagram(options: YoloGridOptions = {}): string {
  const grid = options.grid ?? 3;
  const classes = options.classes ?? 3;
  const anchors = options.anchors ?? [
    { width: 0.6, height: 1.6 },
    { width: 1.6, height: 0.6 },
  ];
  const object = options.object ?? { x: 0.45, y: 0.55, width: 0.22, height: 0.6 };
  checkIntegers('yoloGridDiagram', { grid, classes });
  if (grid > 19) throw new Error(`yoloGridDiagram: grid is ${grid}; at most 19 can be drawn`);
  if (anchors.length === 0) throw new Error('yoloGridDiagram: anchors needs at least one shape');
  anchors.forEach((a, i) => {
    if (!(a.width > 0 && a.height > 0))
      throw new Error(
        `yoloGridDiagram: anchor ${i} must have a positive width and height, got ${a.width}×${a.height}`,
      );
  });
  if (!(object.width > 0 && object.height > 0))
    throw new Error(`yoloGridDiagram: the object's width and height must be positive`);
  const { row, col } = responsibleCell(object.x, object.y, grid);
  const side = 240;
  const cell = side / grid;
  const left = 14;
  const top = 14;
  const parts: string[] = [];
  parts.push(
    `<clipPath id="image-clip"><rect x="${left}" y="${top}" width="${side}" height="${side}"/></clipPath>`,
  );
  for (let r = 0; r < grid; r++)
    for (let c = 0; c < grid; c++) {
      const responsible = r === row && c === col;
      parts.push(
        box(left + c * cell, top + r * cell, cell, cell, {
          cls: responsible ? 'grid-cell responsible' : 'grid-cell',
          fill: responsible ? INK.output : '#f8f9fa',
          stroke: '#adb5bd',
        }),
      );
    }
  const ox = left + object.x * side;
  const oy = top + object.y * side;
  const cx = left + (col + 0.5) * cell;
  const cy = top + (row + 0.5) * cell;
  const anchorColours = [INK.accent3, INK.accent2, '#ae3ec9', '#f59f00', '#0ca678'];
  const anchorParts = anchors.map((a, i) =>
    box(cx - (a.width * cell) / 2, cy - (a.height * cell) / 2, a.width * cell, a.height * cell, {
      cls: 'anchor',
      stroke: anchorColours[i % anchorColours.length],
      strokeWidth: 2,
      dash: '5 3',
    }),
  );
  parts.push(`<g clip-path="url(#image-clip)">${anchorParts.join('')}</g>`);
  parts.push(
    box(
      ox - (object.width * side) / 2,
      oy - (object.height * side) / 2,
      object.width * side,
      object.height * side,
      {
        cls: 'object',
        stroke: INK.accent,
        strokeWidth: 2.5,
      },
    ),
  );
  parts.push(`<circle class="midpoint" cx="${ox}" cy="${oy}" r="4" fill="${INK.accent}"/>`);
  // legend and output size
  const lx = left + side + 18;
  const per = 5 + classes;
  const lines: Array<[string, string | undefined]> = [
    [`${grid}×${grid} grid`, undefined],
    ['object and its midpoint', INK.accent],
    [`cell (${row + 1}, ${col + 1}) is responsible`, undefined],
    ...anchors.map((a, i): [string, string] => [
      `anchor ${i + 1}: ${a.width}×${a.height} cells`,
      anchorColours[i % anchorColours.length]!,
    ]),
    ['', undefined],
    ['output volume', undefined],
    [`S×S×B×(5 + C) = ${grid}×${grid}×${anchors.length}×${per}`, undefined],
    [`(${grid}×${grid}×${anchors.length * per} stacked)`, undefined],
  ];
  lines.forEach(([t, colour], i) => {
    const y = top + 14 + i * (FONT + 8);
    if (colour)
      parts.push(
        `<line x1="${lx}" y1="${y - 4}" x2="${lx + 16}" y2="${y - 4}" stroke="${colour}" stroke-width="2.5"/>`,
      );
    parts.push(label(lx + (colour ? 22 : 0), y, t, { cls: i === lines.length - 2 ? 'volume' : undefined }));
  });
  const width = lx + Math.max(...lines.map(([t, c]) => textWidth(t) + (c ? 22 : 0))) + 12;
  const height = Math.max(top + side, top + 14 + lines.length * (FONT + 8)) + 14;
  return svgDocument({
    width,
    height,
    title: `YOLO's ${grid}×${grid} grid with ${anchors.length} anchor box(es) per cell`,
    description:
      `The image is cut into ${grid}×${grid} cells. The object's midpoint falls in the cell of row ${row + 1}, ` +
      `column ${col + 1}, which is responsible for it; ${anchors.length} anchor shape(s) are centred on that cell ` +
      `(${anchors.map((a) => `${a.width}×${a.height}`).join(', ')} cells). Each cell predicts ${anchors.length} ` +
      `slot(s) of 5 + ${classes} numbers: the output is ${grid}×${grid}×${anchors.length}×${per}.`,
    body: parts.join(''),
  });
}

/** What {@link tripletDiagram} draws. */
export interface TripletOptions {
  /** Squared distance of the encodings of anchor and positive, d(A, P) (default 0.5). */
  dAP?: number;
  /** Squared distance of anchor and negative, d(A, N) (default 0.51). */
  dAN?: number;
  /** The margin α (default 0.2). */
  margin?: number;
}

/** The triplet loss of one triplet: max(d(A, P) − d(A, N) + α, 0). */
export function tripletLossOf(dAP: number, dAN: number, margin: number): number {
  return Math.max(dAP - dAN + margin, 0);
}

/**
 * A triplet: anchor, positive and negative images (`class="triplet-image"`) mapped by the
 * same network f to encodings, placed on a line by their squared distance from the anchor's
 * (`class="encoding"`, 0, d(A, P), d(A, N)), with the margin α after d(A, P)
 * (`class="margin"`) and the loss max(d(A, P) − d(A, N) + α, 0).
 * @throws Error when a distance is negative or the margin is not positive
 */
export function tripletDiagram(options: TripletOptions = {}): string {
  const dAP = options.dAP ?? 0.5;
  const dAN = options.dAN ?? 0.51;
  const margin = options.margin ?? 0.2;
  for (const [name, v] of [
    ['dAP', dAP],
    ['dAN', dAN],
  ] as const)
    if (!(v >= 0)) throw new Error(`tripletDiagram: ${name} must be a distance >= 0, got ${v}`);
  if (!(margin > 0)) throw new Error(`tripletDiagram: margin must be > 0, got ${margin}`);
  const loss = tripletLossOf(dAP, dAN, margin);
  const width = 440;
  const left = 24;
  const lineW = width - 2 * left - 10;
  const maxD = Math.max(dAP + margin, dAN) * 1.1;
  const scale = lineW / maxD;
  const parts: string[] = [];
  const names: Array<[string, string, string, number]> = [
    ['A', 'anchor', INK.accent3, 0],
    ['P', 'positive (same person)', INK.accent2, dAP],
    ['N', 'negative (someone else)', INK.accent, dAN],
  ];
  const imgY = 12;
  const lineY = 150;
  names.forEach(([short, long, colour, d], i) => {
    const x = left + i * 140;
    parts.push(
      box(x, imgY, 40, 40, { cls: 'triplet-image', fill: '#f1f3f5', stroke: colour, strokeWidth: 2 }),
    );
    parts.push(label(x + 20, imgY + 26, short, { anchor: 'middle', weight: 'bold', fill: colour }));
    parts.push(label(x + 46, imgY + 18, long.split(' (')[0]!, { size: 11 }));
    if (long.includes('('))
      parts.push(label(x + 46, imgY + 32, `(${long.split(' (')[1]}`, { size: 10, fill: INK.muted }));
    const px = left + d * scale;
    parts.push(
      arrow(
        [
          [x + 20, imgY + 42],
          [px, lineY - 10],
        ],
        { stroke: colour },
      ),
    );
    parts.push(`<circle class="encoding" cx="${px}" cy="${lineY}" r="6" fill="${colour}"/>`);
  });
  parts.push(label(left + 150, imgY + 70, 'the same network f', { fill: INK.muted, size: 11 }));
  parts.push(
    `<line x1="${left}" y1="${lineY}" x2="${left + lineW}" y2="${lineY}" stroke="${INK.line}" stroke-width="1.5"/>`,
  );
  // the margin: where N would have to be at least
  const mx0 = left + dAP * scale;
  const mx1 = left + (dAP + margin) * scale;
  parts.push(box(mx0, lineY + 12, mx1 - mx0, 10, { cls: 'margin', fill: '#ffe3e3', stroke: INK.accent }));
  parts.push(label((mx0 + mx1) / 2, lineY + 38, `α = ${margin}`, { anchor: 'middle' }));
  parts.push(label(left, lineY + 24, '0', { anchor: 'middle', size: 11 }));
  const lines = [
    `d = squared distance from f(A): d(A,P) = ${dAP}, d(A,N) = ${dAN}`,
    `loss = max(d(A,P) − d(A,N) + α, 0) = max(${round3(dAP - dAN + margin)}, 0) = ${round3(loss)}`,
  ];
  lines.forEach((t, i) =>
    parts.push(label(left - 10, lineY + 62 + i * 18, t, { cls: i ? 'loss' : undefined })),
  );
  return svgDocument({
    width: Math.max(width, left + Math.max(...lines.map((t) => textWidth(t)))),
    height: lineY + 62 + lines.length * 18,
    title: `A triplet: anchor, positive and negative, margin ${margin}`,
    description:
      `The anchor, positive and negative images go through the same network. On a line of squared distances ` +
      `from the anchor's encoding, the positive is at ${dAP} and the negative at ${dAN}; the loss wants the ` +
      `negative at least α = ${margin} beyond the positive, so it is max(${dAP} − ${dAN} + ${margin}, 0) = ${round3(loss)}.`,
    body: parts.join(''),
  });
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
