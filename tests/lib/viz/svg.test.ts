import { describe, expect, it } from 'vitest';
import {
  barChart,
  confusionMatrixChart,
  heatmap,
  histogram,
  lineChart,
  scatterPlot,
} from '../../../lib/viz/charts';
import { renderSvg } from '../../../lib/viz/svg';

/** The SVG elements inside the first group of marks of a kind (e.g. 'symbol', 'rect'). */
function marks(svg: string, kind: string): number {
  const group = new RegExp(`<g class="mark-${kind} role-mark[^"]*"[^>]*>(.*?)</g>`).exec(svg);
  return group ? (group[1]!.match(/<(path|text|line)\b/g) ?? []).length : 0;
}

describe('static SVG of every spec builder', () => {
  it('renders line charts with a point per value and one line per series', async () => {
    const single = await renderSvg(
      lineChart([{ name: 'loss', x: [1, 2, 3, 4], y: [1, 0.5, 0.3, 0.2] }], { title: 'Loss' }),
    );
    expect(single.startsWith('<svg')).toBe(true);
    expect(single).toContain('Loss');
    expect(marks(single, 'line')).toBe(1);
    expect(marks(single, 'symbol')).toBe(4);
    const multi = await renderSvg(
      lineChart([
        { name: 'train', x: [1, 2], y: [1, 2] },
        { name: 'test', x: [1, 2, 3], y: [2, 1, 0] },
      ]),
    );
    expect((multi.match(/class="mark-line role-mark/g) ?? []).length).toBe(2); // vega draws one line group per series
    expect(marks(multi, 'symbol')).toBe(5);
    expect(multi).toContain('train');
    expect(multi).toContain('test'); // legend
  });

  it('renders bars, grouped bars and histograms as rectangles', async () => {
    expect(
      marks(
        await renderSvg(
          barChart([
            { label: 'a', value: 1 },
            { label: 'b', value: 3 },
            { label: 'c', value: 2 },
          ]),
        ),
        'rect',
      ),
    ).toBe(3);
    const grouped = await renderSvg(
      barChart([
        { label: 'a', value: 1, group: 'x' },
        { label: 'a', value: 2, group: 'y' },
        { label: 'b', value: 3, group: 'x' },
      ]),
    );
    expect(marks(grouped, 'rect')).toBe(3);
    // 0..9 in 10 bins of width 1: ten bars.
    const hist = await renderSvg(
      histogram(
        Array.from({ length: 100 }, (_, i) => (i % 10) + 0.5),
        { bins: 10 },
      ),
    );
    expect(marks(hist, 'rect')).toBe(10);
  });

  it('draws bars on a log axis from a power of ten below the smallest, heights in proportion to the logs', async () => {
    const svg = await renderSvg(
      barChart(
        [
          { label: 'a', value: 608 },
          { label: 'b', value: 48120 },
          { label: 'c', value: 6080 },
        ],
        { logY: true, height: 300 },
      ),
    );
    const heights = [
      ...svg.matchAll(/aria-roledescription="bar"[^>]*d="M[\d.]+,[\d.]+h[\d.]+v([\d.]+)/g),
    ].map((m) => Number(m[1]));
    // Axis from 100 (the power of ten below 608) to 48120: a bar is log10(v / 100) / log10(481.2) of 300 px.
    const expected = [608, 48120, 6080].map((v) => (300 * Math.log10(v / 100)) / Math.log10(48120 / 100));
    expect(heights).toHaveLength(3);
    heights.forEach((h, i) => expect(h).toBeCloseTo(expected[i]!, 3));
    expect(() => barChart([{ label: 'a', value: 0 }], { logY: true })).toThrow(/above 0, got 0/);
  });

  it('renders a heatmap cell and a value per matrix entry, and scatter points', async () => {
    const svg = await renderSvg(
      heatmap(
        [
          [5, 1, 0],
          [2, 7, 1],
        ],
        { rowLabels: ['cat', 'dog'], columnLabels: ['cat', 'dog', 'bird'] },
      ),
    );
    expect(marks(svg, 'rect')).toBe(6);
    expect(marks(svg, 'text')).toBe(6);
    expect(svg).toContain('bird');
    // Values on dark cells (above 2/3 of the scale: 5 and 7) are written in white.
    expect((svg.match(/<text[^>]*fill="white"[^>]*>[^<]*/g) ?? []).map((t) => t.slice(-1))).toEqual([
      '5',
      '7',
    ]);
    const scatter = await renderSvg(
      scatterPlot([
        { x: 0, y: 1, group: 'a' },
        { x: 1, y: 0, group: 'b' },
        { x: 2, y: 2, group: 'a' },
      ]),
    );
    expect(marks(scatter, 'symbol')).toBe(3);
  });

  it('renders a confusion matrix with per-row fractions', async () => {
    const spec = confusionMatrixChart(
      [
        [3, 1],
        [0, 4],
      ],
      ['day', 'night'],
      { normalize: true },
    );
    const svg = await renderSvg(spec);
    expect(marks(svg, 'rect')).toBe(4);
    expect(svg).toContain('predicted');
    expect(svg).toContain('0.75');
    expect(() => confusionMatrixChart([[1]], ['a', 'b'])).toThrow(/2x2/);
  });

  it('reports invalid specs', async () => {
    await expect(renderSvg({ mark: 'nonsense', data: { values: [] } })).rejects.toThrow(
      /invalid Vega-Lite spec/,
    );
  });
});
