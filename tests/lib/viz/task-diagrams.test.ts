// YOLO's grid and the triplet: cells, anchors and distances against values worked by hand.
import { describe, expect, it } from 'vitest';
import {
  responsibleCell,
  tripletDiagram,
  tripletLossOf,
  yoloGridDiagram,
} from '../../../lib/viz/task-diagrams';
import { byClass, num, svgElements, texts } from '../../helpers/svg-elements';

describe('yoloGridDiagram', () => {
  it('draws S×S cells, the responsible one and B anchors centred on it', () => {
    const elements = svgElements(
      yoloGridDiagram({ grid: 3, object: { x: 0.45, y: 0.55, width: 0.2, height: 0.5 } }),
    );
    expect(byClass(elements, 'grid-cell')).toHaveLength(9);
    const responsible = byClass(elements, 'responsible');
    expect(responsible).toHaveLength(1);
    // a 240-unit image of 80-unit cells from (14, 14): the midpoint (108, 146) is in row 1, column 1
    expect([num(responsible[0], 'x'), num(responsible[0], 'y')]).toEqual([94, 94]);
    const anchors = byClass(elements, 'anchor');
    expect(anchors).toHaveLength(2);
    // 0.6×1.6 cells = 48×128, centred on the cell's centre (134, 134)
    expect([num(anchors[0], 'width'), num(anchors[0], 'height')]).toEqual([48, 128]);
    expect(num(anchors[0], 'x') + 24).toBe(134);
    expect(num(anchors[0], 'y') + 64).toBe(134);
    expect(texts(elements)).toContain('S×S×B×(5 + C) = 3×3×2×8');
  });

  it("says YOLOv2's output volume on COCO: 19×19×5×85", () => {
    const anchors = [1, 2, 3, 4, 5].map((k) => ({ width: k / 2, height: 1 }));
    const elements = svgElements(yoloGridDiagram({ grid: 19, anchors, classes: 80 }));
    expect(byClass(elements, 'grid-cell')).toHaveLength(361);
    expect(byClass(elements, 'anchor')).toHaveLength(5);
    expect(texts(elements)).toEqual(
      expect.arrayContaining(['S×S×B×(5 + C) = 19×19×5×85', '(19×19×425 stacked)']),
    );
  });

  it('finds the cell of a midpoint and refuses one outside the image', () => {
    expect(responsibleCell(0.9, 0.1, 3)).toEqual({ row: 0, col: 2 });
    expect(responsibleCell(0.5, 0.5, 2)).toEqual({ row: 1, col: 1 }); // on a border: the cell below and right
    expect(() => responsibleCell(1, 0.5, 3)).toThrow(/must lie in the image/);
    expect(() => yoloGridDiagram({ anchors: [{ width: 0, height: 1 }] })).toThrow(
      /anchor 0 must have a positive/,
    );
  });
});

describe('tripletDiagram', () => {
  it("works the notebook's example: 0.5 − 0.51 + 0.2 = 0.19, then 0 at d(A,N) = 0.7", () => {
    expect(tripletLossOf(0.5, 0.51, 0.2)).toBeCloseTo(0.19, 12);
    expect(tripletLossOf(0.5, 0.7, 0.2)).toBeCloseTo(0, 12); // 0.5 − 0.7 + 0.2 is 5.6e-17 in floats
    expect(tripletLossOf(0.5, 0.8, 0.2)).toBe(0);
    const loss = (svg: string) => byClass(svgElements(svg), 'loss')[0]!.text;
    expect(loss(tripletDiagram())).toMatch(/= 0\.19$/);
    expect(loss(tripletDiagram({ dAN: 0.7 }))).toMatch(/max\(0, 0\) = 0$/);
  });

  it('places the encodings by their distance from the anchor, the margin after the positive', () => {
    const elements = svgElements(tripletDiagram({ dAP: 0.2, dAN: 0.8, margin: 0.3 }));
    const [a, p, n] = byClass(elements, 'encoding').map((e) => num(e, 'cx'));
    expect((p! - a!) / (n! - a!)).toBeCloseTo(0.2 / 0.8, 6);
    const margin = byClass(elements, 'margin')[0]!;
    expect(num(margin, 'x')).toBeCloseTo(p!, 0);
    expect(num(margin, 'width') / (n! - a!)).toBeCloseTo(0.3 / 0.8, 2);
    expect(() => tripletDiagram({ margin: 0 })).toThrow(/margin must be > 0/);
  });
});
