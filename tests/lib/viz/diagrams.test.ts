// Diagrams of the convolution drawn from their parameters: the geometry follows the layer's
// own arithmetic, checked against values computed by hand.
import { describe, expect, it } from 'vitest';
import {
  convOutputSize,
  convVolumeDiagram,
  depthwiseSeparableDiagram,
  poolingDiagram,
  separableCost,
  slidingFilterDiagram,
} from '../../../lib/viz/diagrams';
import { byClass, num, svgElements, texts } from '../../helpers/svg-elements';

const count = (svg: string, cls: string) => byClass(svgElements(svg), cls).length;

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
    const windows = byClass(svgElements(svg), 'window').map((w) => [num(w, 'x'), num(w, 'width')]);
    expect(windows).toEqual([
      [10, 30],
      [30, 30],
    ]); // margin 10; the second window 2 cells (20 px) on
    expect(svg).toContain('output 3×3: 9 positions');
  });

  it('has one output cell per position of the window', () => {
    // 7×7, 3×3, stride 2 (the course's strided example): (7 − 3)/2 + 1 = 3 a side, 9 positions
    expect(count(slidingFilterDiagram({ n: 7, f: 3, s: 2 }), 'out-cell')).toBe(9);
    // 6×6 padded by 1, 3×3, stride 1: same size, 36 positions; 8×8 − 36 = 28 padding cells
    const same = slidingFilterDiagram({ n: 6, f: 3, p: 1 });
    expect(count(same, 'out-cell')).toBe(36);
    expect(count(same, 'pad-cell')).toBe(28);
    // 8×8, 3×3, stride 2: ⌊5/2⌋ + 1 = 3 a side
    expect(count(slidingFilterDiagram({ n: 8, f: 3, s: 2 }), 'out-cell')).toBe(9);
  });

  it('draws one window when the output is a single cell', () => {
    const svg = slidingFilterDiagram({ n: 3, f: 3 });
    expect(count(svg, 'out-cell')).toBe(1);
    expect(count(svg, 'window')).toBe(1);
    expect(count(svg, 'pad-cell')).toBe(0);
  });

  it('keeps its captions inside the picture and names what it shows', () => {
    const elements = svgElements(slidingFilterDiagram({ n: 5, f: 3, p: 1, s: 2 }));
    const root = elements[0]!;
    expect(root.attrs.viewBox).toBe(`0 0 ${root.attrs.width} ${root.attrs.height}`);
    expect(root.attrs.role).toBe('img');
    expect(elements.find((e) => e.name === 'title')?.text).toBe('A 3×3 filter sliding over a 5×5 input');
    expect(elements.find((e) => e.name === 'desc')?.text).toContain('⌊(5 + 2·1 − 3)/2⌋ + 1 = 3');
    for (const t of elements.filter((e) => e.name === 'text'))
      expect(num(t, 'x') + t.text.length * 12 * 0.6).toBeLessThanOrEqual(num(root, 'width'));
  });
});

describe('convVolumeDiagram', () => {
  it('draws one filter as deep as the input per output channel', () => {
    const elements = svgElements(convVolumeDiagram({ n: 6, c: 3, f: 3, filters: 2 }));
    expect(byClass(elements, 'filter')).toHaveLength(2);
    expect(byClass(elements, 'out-map')).toHaveLength(2);
    expect(byClass(elements, 'input-volume')).toHaveLength(1);
    expect(texts(elements)).toEqual(expect.arrayContaining(['6×6×3', '2 filters 3×3×3', '4×4×2']));
  });

  it("labels the course's stacking example and summarises many filters", () => {
    // six 5×5 filters on 32×32×3 give 28×28×6
    expect(texts(svgElements(convVolumeDiagram({ n: 32, c: 3, f: 5, filters: 6 })))).toContain('28×28×6');
    const many = svgElements(convVolumeDiagram({ n: 7, c: 3, f: 3, filters: 10, p: 1, s: 2 }));
    expect(byClass(many, 'filter')).toHaveLength(6);
    expect(texts(many)).toEqual(expect.arrayContaining(['… 4 more', '4×4×10'])); // (7 + 2 − 3)/2 + 1 = 4
  });

  it('refuses a filter that does not fit and a fractional channel count', () => {
    expect(() => convVolumeDiagram({ n: 3, c: 3, f: 5, filters: 1 })).toThrow(/does not fit/);
    expect(() => convVolumeDiagram({ n: 6, c: 2.5, f: 3, filters: 1 })).toThrow(
      /c must be an integer >= 1, got 2.5/,
    );
  });
});

describe('poolingDiagram', () => {
  const values = [1, 3, 2, 1, 2, 9, 1, 1, 1, 3, 2, 3, 5, 6, 1, 2];
  const outputs = (svg: string) => {
    const elements = svgElements(svg);
    // each output cell's value is the text drawn after it
    return elements.flatMap((e, i) => (e.attrs.class === 'out-cell' ? [elements[i + 1]!.text] : []));
  };

  it('shows each 2×2 window’s maximum and mean', () => {
    expect(outputs(poolingDiagram({ n: 4, values }))).toEqual(['9', '2', '6', '3']);
    // (1+3+2+9)/4, (2+1+1+1)/4, (1+3+5+6)/4, (2+3+1+2)/4
    expect(outputs(poolingDiagram({ n: 4, values, mode: 'average' }))).toEqual(['3.75', '1.25', '3.75', '2']);
    expect(count(poolingDiagram({ n: 4, values }), 'in-cell')).toBe(16);
    expect(count(poolingDiagram({ n: 4, values }), 'window')).toBe(4); // they tile the input
  });

  it('draws overlapping windows a stride apart', () => {
    const svg = poolingDiagram({ n: 5, f: 3, s: 1 });
    expect(count(svg, 'out-cell')).toBe(9); // 5 − 3 + 1 = 3 a side
    const [a, b] = byClass(svgElements(svg), 'window');
    expect(num(b, 'x') - num(a, 'x')).toBe(30); // one 30-unit cell
  });

  it('refuses values that do not fill the grid', () => {
    expect(() => poolingDiagram({ n: 4, values: [1, 2, 3] })).toThrow(
      /values must be 16 numbers \(4×4\), got 3/,
    );
  });
});

describe('depthwiseSeparableDiagram', () => {
  it("counts the course's 6×6×3 example: 2,160 against 432 + 240", () => {
    expect(separableCost({ n: 6, c: 3, f: 3, filters: 5 })).toEqual({
      normal: 2160,
      depthwise: 432,
      pointwise: 240,
    });
    const elements = svgElements(depthwiseSeparableDiagram({ n: 6, c: 3, f: 3, filters: 5 }));
    expect(byClass(elements, 'depthwise-filter')).toHaveLength(3);
    expect(byClass(elements, 'dw-map')).toHaveLength(3);
    expect(byClass(elements, 'pointwise-filter')).toHaveLength(5);
    expect(texts(elements)).toEqual(expect.arrayContaining(['4×4×3', '4×4×5']));
    expect(byClass(elements, 'cost').map((e) => e.text)).toEqual([
      'normal: 3·3·3 × 4·4 × 5 = 2,160 multiplications',
      'separable: 432 + 240 = 672 (0.31 of normal)',
    ]);
  });
});
