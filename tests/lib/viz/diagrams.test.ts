// Diagrams drawn from their parameters: the geometry follows the layer's own arithmetic.
import { describe, expect, it } from 'vitest';
import { convOutputSize, slidingFilterDiagram } from '../../../lib/viz/diagrams';

const count = (svg: string, cls: string) => (svg.match(new RegExp(`class="${cls}"`, 'g')) ?? []).length;

describe('slidingFilterDiagram', () => {
  it('computes the output side as the course does by hand', () => {
    expect(convOutputSize(6, 3, 0, 1)).toBe(4); // 6×6 * 3×3 → 4×4
    expect(convOutputSize(7, 3, 0, 2)).toBe(3); // (7 − 3)/2 + 1
    expect(convOutputSize(5, 3, 1, 2)).toBe(3); // (5 + 2 − 3)/2 + 1
    expect(convOutputSize(6, 3, 1, 1)).toBe(6); // same padding
    expect(convOutputSize(8, 3, 0, 2)).toBe(3); // ⌊5/2⌋ + 1: the last column is not reached
    expect(() => convOutputSize(3, 5, 0, 1)).toThrow(/does not fit a 3×3 input padded by 0/);
    expect(() => convOutputSize(5, 3, 0, 0)).toThrow(/s must be an integer >= 1, got 0/);
  });

  it('draws the padded input, two windows a stride apart and the output grid', () => {
    const svg = slidingFilterDiagram({ n: 5, f: 3, p: 1, s: 2, cell: 10 });
    expect(count(svg, 'in-cell')).toBe(25);
    expect(count(svg, 'pad-cell')).toBe(7 * 7 - 25);
    expect(count(svg, 'out-cell')).toBe(9);
    const windows = [...svg.matchAll(/class="window" x="(\d+)" y="\d+" width="(\d+)"/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    expect(windows).toEqual([
      [10, 30],
      [30, 30],
    ]); // margin 10; the second window 2 cells (20 px) on
    expect(svg).toContain('output 3×3');
  });

  it('draws one window when the output is a single cell', () => {
    const svg = slidingFilterDiagram({ n: 3, f: 3 });
    expect(count(svg, 'out-cell')).toBe(1);
    expect(count(svg, 'window')).toBe(1);
    expect(count(svg, 'pad-cell')).toBe(0);
  });
});
