/**
 * Layer-by-layer summaries of tfjs-layers models: output shape, activation
 * size, parameters and multiply-adds, with totals; as rows for tables and as text.
 */
import * as tf from '@tensorflow/tfjs';

/** One layer of a {@link summary}. */
export interface LayerRow {
  name: string;
  type: string;
  /** Output shape without the batch dimension. */
  outputShape: number[];
  /** Number of values in the output (per example). */
  activationSize: number;
  params: number;
  /** Multiply-adds for one example. */
  multiplyAdds: number;
}

/** A whole model's summary. */
export interface ModelSummary {
  rows: LayerRow[];
  totalParams: number;
  trainableParams: number;
  totalMultiplyAdds: number;
}

function firstShape(shape: tf.Shape | tf.Shape[]): number[] {
  const s = (Array.isArray(shape[0]) ? shape[0] : shape) as Array<number | null>;
  return s.slice(1).map((d) => d ?? -1);
}

const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

/** Multiply-adds of one layer for one example (convolutions and dense layers; 0 for the rest). */
export function layerMultiplyAdds(layer: tf.layers.Layer): number {
  // A model used as a layer (the Siamese encoder): its own layers, counted once.
  if (layer instanceof tf.LayersModel)
    return layer.layers.reduce((sum, inner) => sum + layerMultiplyAdds(inner), 0);
  const config = layer.getConfig() as Record<string, unknown>;
  const out = firstShape(layer.outputShape);
  const input = Array.isArray(layer.input) ? layer.input[0]! : layer.input;
  const inShape = firstShape(input.shape);
  const kernel = (config.kernelSize as number[] | number | undefined) ?? 1;
  const [kh, kw] = Array.isArray(kernel) ? kernel : [kernel, kernel];
  const inChannels = inShape[inShape.length - 1]!;
  switch (layer.getClassName()) {
    case 'Conv2D':
      return product(out) * kh! * kw! * inChannels;
    case 'DepthwiseConv2D':
      return product(out) * kh! * kw!;
    case 'SeparableConv2D': {
      const depthMultiplier = (config.depthMultiplier as number | undefined) ?? 1;
      const spatial = out[0]! * out[1]!;
      return (
        spatial * inChannels * depthMultiplier * kh! * kw! + spatial * inChannels * depthMultiplier * out[2]!
      );
    }
    case 'Conv2DTranspose':
      return product(inShape) * kh! * kw! * out[out.length - 1]!;
    case 'Conv1D':
      return product(out) * kh! * inChannels;
    case 'Dense':
      return product(out) * inChannels;
    default:
      return 0;
  }
}

/** Summarises a built tfjs-layers model (every layer, in order). */
export function summary(model: tf.LayersModel): ModelSummary {
  const rows: LayerRow[] = model.layers
    .filter((layer) => layer.getClassName() !== 'InputLayer')
    .map((layer) => {
      const outputShape = firstShape(layer.outputShape);
      return {
        name: layer.name,
        type: layer.getClassName(),
        outputShape,
        activationSize: product(outputShape),
        params: layer.countParams(),
        multiplyAdds: layerMultiplyAdds(layer),
      };
    });
  const trainableParams = model.trainableWeights.reduce((sum, w) => sum + product(w.shape as number[]), 0);
  return {
    rows,
    totalParams: model.countParams(),
    trainableParams,
    totalMultiplyAdds: rows.reduce((sum, r) => sum + r.multiplyAdds, 0),
  };
}

/** The summary as rows of plain values, for `showTable`. */
export function summaryTable(s: ModelSummary): Array<Record<string, unknown>> {
  return [
    ...s.rows.map((r) => ({
      layer: r.name,
      type: r.type,
      'output shape': `(${r.outputShape.join(', ')})`,
      'activation size': r.activationSize,
      parameters: r.params,
      'multiply-adds': r.multiplyAdds,
    })),
    {
      layer: 'total',
      type: '',
      'output shape': '',
      'activation size': '',
      parameters: s.totalParams,
      'multiply-adds': s.totalMultiplyAdds,
    },
  ];
}

/** The summary as aligned text. */
export function summaryText(s: ModelSummary): string {
  const table = summaryTable(s).map((r) =>
    Object.values(r).map((v) => (typeof v === 'number' ? v.toLocaleString('en-US') : String(v))),
  );
  const header = ['layer', 'type', 'output shape', 'activation size', 'parameters', 'multiply-adds'];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...table.map(line)].join('\n');
}

/** The summary as a Markdown table (for notebook Markdown output and the site). */
export function summaryMarkdown(s: ModelSummary): string {
  const header = ['layer', 'type', 'output shape', 'activation size', 'parameters', 'multiply-adds'];
  const fmt = (v: unknown) =>
    (typeof v === 'number' ? v.toLocaleString('en-US') : String(v)).replace(/\|/g, '\\|');
  const rows = summaryTable(s).map((r) => `| ${Object.values(r).map(fmt).join(' | ')} |`);
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i >= 3 ? '---:' : '---')).join(' | ')} |`,
    ...rows,
  ].join('\n');
}
