/**
 * Textbook diagrams of network architectures, drawn from their parameters as SVG text: the
 * residual block, the Inception module and U-Net's shape.
 */
import {
  FONT,
  INK,
  arrow,
  box,
  checkIntegers,
  label,
  labelledBox,
  svgDocument,
  textWidth,
} from './diagram-svg';

/** What {@link residualBlockDiagram} draws. */
export interface ResidualBlockOptions {
  /** Weight layers on the main path (default 2, as in a^[l+2] = g(z^[l+2] + a^[l])). */
  layers?: number;
  /** `identity` (default) or `conv`: a 1×1 convolution on the shortcut, where the shape changes. */
  shortcut?: 'identity' | 'conv';
}

/**
 * A residual block: a^[l] through `layers` weight layers (`class="layer"`, a ReLU after each
 * but the last), the shortcut (`class="skip"`, with a 1×1 convolution box
 * `class="shortcut-layer"` when `shortcut` is `conv`) joining at the addition
 * (`class="add"`), and the ReLU after the sum giving a^[l+layers].
 * @throws Error when `layers` is not between 1 and 4
 */
export function residualBlockDiagram(options: ResidualBlockOptions = {}): string {
  const layers = options.layers ?? 2;
  const shortcut = options.shortcut ?? 'identity';
  checkIntegers('residualBlockDiagram', { layers });
  if (layers > 4) throw new Error(`residualBlockDiagram: layers is ${layers}; at most 4 can be drawn`);
  if (shortcut !== 'identity' && shortcut !== 'conv')
    throw new Error(`residualBlockDiagram: shortcut is identity or conv, got ${String(shortcut)}`);
  const parts: string[] = [];
  const y = 96;
  const bw = 62;
  const bh = 40;
  const gap = 26;
  let x = 12;
  parts.push(label(x, y + 5, 'a[l]', { weight: 'bold' }));
  const start = x + 30;
  x = start + gap;
  parts.push(
    arrow([
      [start, y],
      [x - 2, y],
    ]),
  );
  for (let i = 0; i < layers; i++) {
    const lines = i < layers - 1 ? ['weights', '+ ReLU'] : ['weights'];
    parts.push(labelledBox(x, y - bh / 2, bw, bh, lines, { cls: 'layer' }));
    x += bw;
    parts.push(
      arrow([
        [x, y],
        [x + gap - 2, y],
      ]),
    );
    x += gap;
  }
  const r = 11;
  parts.push(
    `<circle class="add" cx="${x + r}" cy="${y}" r="${r}" fill="#fff" stroke="${INK.line}" stroke-width="1.5"/>`,
  );
  parts.push(label(x + r, y + 5, '+', { anchor: 'middle', size: 16 }));
  const addX = x + r;
  x += 2 * r;
  parts.push(
    arrow([
      [x, y],
      [x + gap - 2, y],
    ]),
  );
  x += gap;
  parts.push(labelledBox(x, y - bh / 2, 50, bh, ['ReLU'], { cls: 'relu' }));
  x += 50;
  parts.push(
    arrow([
      [x, y],
      [x + gap - 2, y],
    ]),
  );
  x += gap;
  parts.push(label(x + 2, y + 5, `a[l+${layers}]`, { weight: 'bold' }));
  const width = x + textWidth(`a[l+${layers}]`) + 14;
  // the shortcut goes over the main path
  const skipY = 34;
  const skipStart = start - 10;
  if (shortcut === 'conv') {
    const mid = (skipStart + addX) / 2;
    parts.push(
      `<path class="skip" d="M ${skipStart} ${y - 8} V ${skipY} H ${mid - 44}" fill="none" stroke="${INK.accent}" stroke-width="2"/>`,
    );
    parts.push(
      labelledBox(mid - 44, skipY - 14, 88, 28, ['1×1 conv Ws'], {
        cls: 'shortcut-layer',
        stroke: INK.accent,
      }),
    );
    parts.push(
      arrow(
        [
          [mid + 44, skipY],
          [addX, skipY],
          [addX, y - r - 2],
        ],
        { cls: 'skip', stroke: INK.accent },
      ),
    );
  } else {
    parts.push(
      arrow(
        [
          [skipStart, y - 8],
          [skipStart, skipY],
          [addX, skipY],
          [addX, y - r - 2],
        ],
        { cls: 'skip', stroke: INK.accent },
      ),
    );
    parts.push(
      label((skipStart + addX) / 2, skipY - 6, 'shortcut: a[l] added unchanged', {
        anchor: 'middle',
        fill: INK.accent,
      }),
    );
  }
  parts.push(label(start + gap, y + bh / 2 + 22, `main path: z[l+${layers}]`, { fill: INK.muted }));
  return svgDocument({
    width,
    height: y + bh / 2 + 36,
    title: `A residual block with ${layers} layer(s) and ${shortcut === 'conv' ? 'a 1×1 convolution' : 'an identity'} shortcut`,
    description:
      `a[l] goes through ${layers} weight layer(s) to z[l+${layers}]; the shortcut carries a[l]` +
      `${shortcut === 'conv' ? ' through a 1×1 convolution Ws' : ' unchanged'} around them to the addition; ` +
      `a ReLU of the sum gives a[l+${layers}].`,
    body: parts.join(''),
  });
}

/** What {@link inceptionModuleDiagram} draws (default: GoogLeNet's module 3a). */
export interface InceptionModuleOptions {
  /** Input side (default 28). */
  n?: number;
  /** Input channels (default 192). */
  c?: number;
  /** Filters of the 1×1 branch (default 64). */
  b1?: number;
  /** 1×1 reduction before the 3×3 convolution (default 96). */
  b3r?: number;
  /** Filters of the 3×3 convolution (default 128). */
  b3?: number;
  /** 1×1 reduction before the 5×5 convolution (default 16). */
  b5r?: number;
  /** Filters of the 5×5 convolution (default 32). */
  b5?: number;
  /** 1×1 filters after the 3×3 max pooling (default 32). */
  pool?: number;
}

/**
 * An Inception module: the n×n×c input feeding four branches (`class="branch"`): 1×1; 1×1
 * then 3×3; 1×1 then 5×5; 3×3 max pooling (stride 1, same) then 1×1, every layer a box
 * (`class="layer"`) with its output channels; all outputs n×n, concatenated along the
 * channels (`class="concat"`) into n×n×(b1 + b3 + b5 + pool).
 * @throws Error when a size is not a whole number
 */
export function inceptionModuleDiagram(options: InceptionModuleOptions = {}): string {
  const o = { n: 28, c: 192, b1: 64, b3r: 96, b3: 128, b5r: 16, b5: 32, pool: 32, ...options };
  checkIntegers('inceptionModuleDiagram', o);
  const total = o.b1 + o.b3 + o.b5 + o.pool;
  const branches: string[][] = [
    [`1×1, ${o.b1}`],
    [`1×1, ${o.b3r}`, `3×3, ${o.b3}`],
    [`1×1, ${o.b5r}`, `5×5, ${o.b5}`],
    ['max pool 3×3', `1×1, ${o.pool}`],
  ];
  const bw = 92;
  const bh = 30;
  const colW = bw + 14;
  const left = 12;
  const inY = 12;
  const rowY = [inY + 70, inY + 70 + bh + 24];
  const concatY = rowY[1]! + bh + 40;
  const width = left * 2 + 4 * colW - 14;
  const mid = width / 2;
  const parts: string[] = [];
  const inLabel = `input ${o.n}×${o.n}×${o.c}`;
  parts.push(labelledBox(mid - 80, inY, 160, 30, [inLabel], { fill: '#dbe8f6', cls: 'input' }));
  branches.forEach((layers, b) => {
    const x = left + b * colW;
    // a one-layer branch sits on the second row: every branch ends at the same height
    const rows = layers.length === 1 ? [rowY[1]!] : rowY;
    parts.push(`<g class="branch">`);
    parts.push(
      arrow([
        [mid, inY + 30],
        [x + bw / 2, rows[0]! - 2],
      ]),
    );
    layers.forEach((t, i) => {
      parts.push(
        labelledBox(x, rows[i]!, bw, bh, [t], {
          cls: 'layer',
          fill: t.startsWith('max') ? INK.output : INK.layer,
        }),
      );
      if (i > 0)
        parts.push(
          arrow([
            [x + bw / 2, rows[i - 1]! + bh],
            [x + bw / 2, rows[i]! - 2],
          ]),
        );
    });
    parts.push(
      arrow([
        [x + bw / 2, rowY[1]! + bh],
        [mid, concatY - 2],
      ]),
    );
    parts.push('</g>');
  });
  const outLabel = `concatenate: ${o.n}×${o.n}×${total}`;
  parts.push(labelledBox(mid - 100, concatY, 200, 30, [outLabel], { cls: 'concat', fill: INK.filter }));
  const sum = `${o.b1} + ${o.b3} + ${o.b5} + ${o.pool} = ${total} channels, all ${o.n}×${o.n} (same padding)`;
  parts.push(label(mid, concatY + 30 + 20, sum, { anchor: 'middle', fill: INK.muted }));
  return svgDocument({
    width: Math.max(width, textWidth(sum) + 24),
    height: concatY + 30 + 32,
    title: `An Inception module on ${o.n}×${o.n}×${o.c}: four branches concatenated into ${total} channels`,
    description:
      `The input goes to four branches side by side: a 1×1 convolution with ${o.b1} filters; a 1×1 ` +
      `bottleneck to ${o.b3r} then a 3×3 convolution with ${o.b3}; a 1×1 bottleneck to ${o.b5r} then a 5×5 ` +
      `convolution with ${o.b5}; a 3×3 max pooling then a 1×1 convolution with ${o.pool}. ` +
      `Their ${o.n}×${o.n} outputs are stacked: ${o.n}×${o.n}×${total}.`,
    body: parts.join(''),
  });
}

/** What {@link unetShapeDiagram} draws. */
export interface UnetShapeOptions {
  /** Input side (square input; default 64). */
  size?: number;
  /** Input channels (default 3). */
  channels?: number;
  /** Filters of each contracting step, top to bottom (default [6, 12, 24], the course's U-Net). */
  filters?: number[];
  /** Filters of the bottleneck (default twice the last step's). */
  bottleneck?: number;
  /** Classes of the per-pixel output (default 3). */
  classes?: number;
}

/** One level of a U-Net: its side and channels. */
export interface UnetLevel {
  side: number;
  channels: number;
}

/**
 * The levels of a U-Net with `same` convolutions and 2×2 poolings: the contracting steps
 * (side halves after each), the bottleneck, and the expanding steps mirroring them.
 * @throws Error when `size` is not divisible by 2^steps
 */
export function unetLevels(options: UnetShapeOptions = {}): {
  down: UnetLevel[];
  bottleneck: UnetLevel;
  up: UnetLevel[];
} {
  const size = options.size ?? 64;
  const filters = options.filters ?? [6, 12, 24];
  if (filters.length === 0) throw new Error('unetShapeDiagram: filters needs at least one contracting step');
  checkIntegers('unetShapeDiagram', {
    size,
    ...Object.fromEntries(filters.map((f, i) => [`filters[${i}]`, f])),
  });
  const bottleneck = options.bottleneck ?? 2 * filters[filters.length - 1]!;
  checkIntegers('unetShapeDiagram', { bottleneck });
  if (size % 2 ** filters.length !== 0)
    throw new Error(
      `unetShapeDiagram: ${filters.length} poolings need a size divisible by ${2 ** filters.length}, got ${size}`,
    );
  const down = filters.map((f, i) => ({ side: size / 2 ** i, channels: f }));
  return {
    down,
    bottleneck: { side: size / 2 ** filters.length, channels: bottleneck },
    up: [...down].reverse(),
  };
}

/**
 * U-Net's shape: the contracting steps down the left (`class="down-level"`, each side×side×filters),
 * the bottleneck at the foot (`class="bottleneck"`), the expanding steps up the right
 * (`class="up-level"`), a skip connection across each level (`class="skip"`, concatenated),
 * and the 1×1 convolution to size×size×classes at the top right.
 * @throws Error when the size is not divisible by 2^steps or a number is not a whole one
 */
export function unetShapeDiagram(options: UnetShapeOptions = {}): string {
  const size = options.size ?? 64;
  const channels = options.channels ?? 3;
  const classes = options.classes ?? 3;
  checkIntegers('unetShapeDiagram', { channels, classes });
  const { down, bottleneck, up } = unetLevels(options);
  const steps = down.length;
  if (steps > 5) throw new Error(`unetShapeDiagram: ${steps} steps; at most 5 can be drawn`);
  const rowH = 46;
  const top = 30;
  const barW = 16;
  const width = 460;
  const parts: string[] = [];
  const shift = 40; // each level moves this far inwards
  const leftX = (i: number) => 20 + i * shift;
  const rightX = (i: number) => width - 20 - barW - i * shift;
  const barH = (side: number) => Math.max(10, (side / size) * 34);
  const levelLabel = (l: UnetLevel) => `${l.side}×${l.side}×${l.channels}`;
  down.forEach((l, i) => {
    const y = top + i * rowH;
    const h = barH(l.side);
    parts.push(box(leftX(i), y, barW, h, { cls: 'down-level', fill: INK.input }));
    parts.push(label(leftX(i) + barW + 6, y + FONT, levelLabel(l)));
    const u = up[steps - 1 - i]!; // the expanding step of the same size
    parts.push(box(rightX(i), y, barW, h, { cls: 'up-level', fill: INK.output }));
    parts.push(label(rightX(i) - 6, y + FONT, levelLabel(u), { anchor: 'end' }));
    parts.push(
      arrow(
        [
          [leftX(i) + barW + 6 + textWidth(levelLabel(l)) + 6, y + h / 2],
          [rightX(i) - textWidth(levelLabel(u)) - 16, y + h / 2],
        ],
        {
          cls: 'skip',
          stroke: INK.accent3,
        },
      ),
    );
    const next = i + 1 < steps ? leftX(i + 1) : width / 2 - 30;
    parts.push(
      arrow(
        [
          [leftX(i) + barW / 2, y + h + 2],
          [leftX(i) + barW / 2, y + rowH - 2],
          [next - 2, y + rowH - 2],
        ],
        { stroke: INK.accent },
      ),
    );
    const nextR = i + 1 < steps ? rightX(i + 1) + barW : width / 2 + 30;
    parts.push(
      arrow(
        [
          [nextR + 2, y + rowH - 2],
          [rightX(i) + barW / 2, y + rowH - 2],
          [rightX(i) + barW / 2, y + h + 2],
        ],
        { stroke: INK.accent2 },
      ),
    );
  });
  const by = top + steps * rowH;
  parts.push(
    box(width / 2 - 30, by - 8, 60, barH(bottleneck.side) + 4, { cls: 'bottleneck', fill: INK.filter }),
  );
  parts.push(
    label(width / 2, by + barH(bottleneck.side) + 14, `bottleneck ${levelLabel(bottleneck)}`, {
      anchor: 'middle',
    }),
  );
  parts.push(label(14, top - 12, `input ${size}×${size}×${channels}`));
  parts.push(label(width - 14, top - 12, `1×1 conv → ${size}×${size}×${classes}`, { anchor: 'end' }));
  const legendY = by + barH(bottleneck.side) + 36;
  const legend: Array<[string, string]> = [
    [INK.accent, '2 convs, 2×2 max pool'],
    [INK.accent2, '2×2 transposed conv, 2 convs'],
    [INK.accent3, 'skip: concatenate'],
  ];
  legend.forEach(([colour, text], i) => {
    const y = legendY + i * 16;
    parts.push(`<line x1="14" y1="${y - 4}" x2="32" y2="${y - 4}" stroke="${colour}" stroke-width="2"/>`);
    parts.push(label(36, y, text));
  });
  return svgDocument({
    width,
    height: legendY + legend.length * 16,
    title: `U-Net's shape: ${size}×${size}×${channels} down ${steps} steps to ${levelLabel(bottleneck)} and back`,
    description:
      `Contracting path: ${down.map(levelLabel).join(', ')}, each followed by 2×2 max pooling; bottleneck ` +
      `${levelLabel(bottleneck)}; expanding path: ${up.map(levelLabel).join(', ')}, each after a transposed convolution that doubles the side and a concatenation ` +
      `with the contracting step of the same size; a 1×1 convolution gives ${size}×${size}×${classes} class scores.`,
    body: parts.join(''),
  });
}
