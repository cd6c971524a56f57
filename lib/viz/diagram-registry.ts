/**
 * The course's diagrams by name, drawn from parameters written as text (`n=5 f=3 p=1 s=2`):
 * what a notebook's Markdown names and the site build draws. Each parameter has a kind, so
 * a misspelt name or a value that is not a number fails with a message naming both.
 */
import { inceptionModuleDiagram, residualBlockDiagram, unetShapeDiagram } from './architecture-diagrams';
import {
  convVolumeDiagram,
  depthwiseSeparableDiagram,
  poolingDiagram,
  slidingFilterDiagram,
} from './diagrams';
import { tripletDiagram, yoloGridDiagram } from './task-diagrams';

/**
 * How a parameter's text is read: `integer`, `number`, `integers` (comma-separated),
 * `numbers` (comma-separated), `shapes` (comma-separated `WxH`), or a list of the words allowed.
 */
export type ParameterKind = 'integer' | 'number' | 'integers' | 'numbers' | 'shapes' | readonly string[];

/** One diagram the registry can draw. */
export interface DiagramSpec {
  /** What it shows, for error messages and the list of diagrams. */
  summary: string;
  /** Its parameters and their kinds; all are optional unless listed in `required`. */
  parameters: Record<string, ParameterKind>;
  required?: string[];
  draw: (params: Record<string, unknown>) => string;
}

/** Every diagram by name. */
export const DIAGRAMS: Record<string, DiagramSpec> = {
  'sliding-filter': {
    summary: 'a filter sliding over an input with padding and stride',
    parameters: { n: 'integer', f: 'integer', p: 'integer', s: 'integer' },
    required: ['n', 'f'],
    draw: (o) => slidingFilterDiagram(o as never),
  },
  'conv-volume': {
    summary: 'a convolution over volume',
    parameters: { n: 'integer', c: 'integer', f: 'integer', filters: 'integer', p: 'integer', s: 'integer' },
    required: ['n', 'c', 'f', 'filters'],
    draw: (o) => convVolumeDiagram(o as never),
  },
  pooling: {
    summary: 'max or average pooling',
    parameters: { n: 'integer', f: 'integer', s: 'integer', mode: ['max', 'average'], values: 'numbers' },
    required: ['n'],
    draw: (o) => poolingDiagram(o as never),
  },
  'depthwise-separable': {
    summary: 'a depthwise-separable convolution',
    parameters: { n: 'integer', c: 'integer', f: 'integer', filters: 'integer' },
    required: ['n', 'c', 'f', 'filters'],
    draw: (o) => depthwiseSeparableDiagram(o as never),
  },
  'residual-block': {
    summary: 'a residual block',
    parameters: { layers: 'integer', shortcut: ['identity', 'conv'] },
    draw: (o) => residualBlockDiagram(o),
  },
  inception: {
    summary: 'an Inception module',
    parameters: {
      n: 'integer',
      c: 'integer',
      b1: 'integer',
      b3r: 'integer',
      b3: 'integer',
      b5r: 'integer',
      b5: 'integer',
      pool: 'integer',
    },
    draw: (o) => inceptionModuleDiagram(o),
  },
  'yolo-grid': {
    summary: "YOLO's grid with anchor boxes",
    parameters: { grid: 'integer', anchors: 'shapes', classes: 'integer', object: 'numbers' },
    draw: (o) => {
      const object = o.object as number[] | undefined;
      if (object && object.length !== 4)
        throw new Error(
          `object is x,y,width,height (4 numbers, fractions of the image), got ${object.length}`,
        );
      return yoloGridDiagram({
        ...o,
        object: object && { x: object[0]!, y: object[1]!, width: object[2]!, height: object[3]! },
      });
    },
  },
  unet: {
    summary: "U-Net's shape",
    parameters: {
      size: 'integer',
      channels: 'integer',
      filters: 'integers',
      bottleneck: 'integer',
      classes: 'integer',
    },
    draw: (o) => unetShapeDiagram(o),
  },
  triplet: {
    summary: 'a triplet for the triplet loss',
    parameters: { dAP: 'number', dAN: 'number', margin: 'number' },
    draw: (o) => tripletDiagram(o),
  },
};

function parseNumber(text: string): number {
  const value = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) throw new Error(`"${text}" is not a number`);
  return value;
}

function parseValue(kind: ParameterKind, text: string): unknown {
  if (typeof kind !== 'string') {
    if (!kind.includes(text)) throw new Error(`"${text}" is not one of ${kind.join(', ')}`);
    return text;
  }
  const list = () => text.split(',');
  switch (kind) {
    case 'integer':
    case 'number': {
      const value = parseNumber(text);
      if (kind === 'integer' && !Number.isInteger(value)) throw new Error(`"${text}" is not an integer`);
      return value;
    }
    case 'integers':
    case 'numbers':
      return list().map((t) => parseValue(kind === 'integers' ? 'integer' : 'number', t));
    case 'shapes':
      return list().map((t) => {
        const m = /^([^x×]+)[x×]([^x×]+)$/.exec(t);
        if (!m) throw new Error(`"${t}" is not a shape WxH (e.g. 1x2)`);
        return { width: parseNumber(m[1]!), height: parseNumber(m[2]!) };
      });
  }
}

/**
 * Reads `name key=value key=value …` (the text a notebook's diagram reference carries) into a
 * name and its raw parameters.
 * @throws Error when a word is not `key=value` or a key repeats
 */
export function parseDiagramCall(text: string): { name: string; params: Record<string, string> } {
  const [name = '', ...words] = text.trim().split(/\s+/);
  const params: Record<string, string> = {};
  for (const word of words) {
    const m = /^([A-Za-z][\w]*)=(.*)$/.exec(word);
    if (!m) throw new Error(`diagram ${name}: "${word}" is not key=value`);
    if (Object.prototype.hasOwnProperty.call(params, m[1]!))
      throw new Error(`diagram ${name}: ${m[1]} is given twice`);
    params[m[1]!] = m[2]!;
  }
  return { name, params };
}

/**
 * Draws the diagram `name` from parameters given as text, as SVG.
 * @throws Error naming the diagram and the parameter when the name is unknown, a parameter is
 *   unknown, missing or not of its kind, or the diagram refuses the values (a filter larger
 *   than the padded input, …)
 */
export function drawDiagram(name: string, params: Record<string, string>): string {
  const spec = Object.prototype.hasOwnProperty.call(DIAGRAMS, name) ? DIAGRAMS[name] : undefined;
  if (!spec) throw new Error(`unknown diagram "${name}" (known: ${Object.keys(DIAGRAMS).join(', ')})`);
  const known = Object.keys(spec.parameters);
  const values: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(params)) {
    const kind = Object.prototype.hasOwnProperty.call(spec.parameters, key)
      ? spec.parameters[key]
      : undefined;
    if (!kind) throw new Error(`diagram ${name}: unknown parameter ${key} (parameters: ${known.join(', ')})`);
    try {
      values[key] = parseValue(kind, text);
    } catch (error) {
      throw new Error(`diagram ${name}: ${key}: ${(error as Error).message}`);
    }
  }
  const missing = (spec.required ?? []).filter((key) => !Object.prototype.hasOwnProperty.call(values, key));
  if (missing.length) throw new Error(`diagram ${name}: missing parameter(s) ${missing.join(', ')}`);
  try {
    return spec.draw(values);
  } catch (error) {
    throw new Error(`diagram ${name}: ${(error as Error).message}`);
  }
}
