// The diagrams by name, from parameters written as text: every one is a well-formed,
// self-describing SVG, and a bad name or value fails with a message naming it.
import { describe, expect, it } from 'vitest';
import { DIAGRAMS, drawDiagram, parseDiagramCall } from '../../../lib/viz/diagram-registry';
import { byClass, svgElements } from '../../helpers/svg-elements';

/** One call per diagram, with the parameters a notebook would give. */
const CALLS: Record<string, string> = {
  'sliding-filter': 'sliding-filter n=5 f=3 p=1 s=2',
  'conv-volume': 'conv-volume n=6 c=3 f=3 filters=2',
  pooling: 'pooling n=4 f=2 s=2 mode=average values=1,3,2,1,2,9,1,1,1,3,2,3,5,6,1,2',
  'depthwise-separable': 'depthwise-separable n=6 c=3 f=3 filters=5',
  'residual-block': 'residual-block layers=3 shortcut=conv',
  inception: 'inception',
  'yolo-grid': 'yolo-grid grid=3 anchors=0.6x1.6,1.6x0.6 classes=3 object=0.45,0.55,0.2,0.5',
  unet: 'unet size=64 filters=6,12,24 bottleneck=48 classes=3',
  triplet: 'triplet dAP=0.5 dAN=0.51 margin=0.2',
};

const draw = (call: string) => {
  const { name, params } = parseDiagramCall(call);
  return drawDiagram(name, params);
};

describe('drawDiagram', () => {
  it('knows the nine diagrams of the course', () => {
    expect(Object.keys(DIAGRAMS).sort()).toEqual(Object.keys(CALLS).sort());
  });

  for (const [name, call] of Object.entries(CALLS)) {
    it(`draws ${name} as a well-formed SVG that scales and says what it shows`, () => {
      const elements = svgElements(draw(call));
      const root = elements[0]!;
      expect(root.name).toBe('svg');
      expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
      const [x, y, w, h] = root.attrs.viewBox!.split(' ').map(Number);
      expect([x, y, w, h]).toEqual([0, 0, Number(root.attrs.width), Number(root.attrs.height)]);
      // wide pictures shrink with the column: at a 358-pixel phone column, 12-unit text stays above 7 px
      expect(w).toBeLessThanOrEqual(600);
      expect(root.attrs.role).toBe('img');
      const title = elements.find((e) => e.name === 'title')!;
      const desc = elements.find((e) => e.name === 'desc')!;
      expect(title.text.length).toBeGreaterThan(10);
      expect(desc.text.length).toBeGreaterThan(40);
      expect(root.attrs['aria-labelledby']).toBe(`${title.attrs.id} ${desc.attrs.id}`);
      expect(byClass(elements, 'card')).toHaveLength(1); // the white card behind it, for dark pages
    });
  }

  it('reads each kind of parameter', () => {
    const yolo = svgElements(draw('yolo-grid grid=4 anchors=1x2,2x1,1x1 classes=2'));
    expect(byClass(yolo, 'anchor')).toHaveLength(3);
    expect(byClass(yolo, 'grid-cell')).toHaveLength(16);
    expect(
      svgElements(draw('unet size=32 filters=4,8')).filter((e) => e.text === 'bottleneck 8×8×16'),
    ).toHaveLength(1);
  });

  it('names the unknown diagram, parameter or value', () => {
    expect(() => draw('slidng-filter n=5 f=3')).toThrow(
      /unknown diagram "slidng-filter" \(known: sliding-filter, conv-volume, /,
    );
    expect(() => draw('sliding-filter n=5 f=3 stride=2')).toThrow(
      'diagram sliding-filter: unknown parameter stride (parameters: n, f, p, s)',
    );
    expect(() => draw('sliding-filter n=5 f=three')).toThrow(
      'diagram sliding-filter: f: "three" is not a number',
    );
    expect(() => draw('sliding-filter n=5 f=2.5')).toThrow(
      'diagram sliding-filter: f: "2.5" is not an integer',
    );
    expect(() => draw('sliding-filter n=5')).toThrow('diagram sliding-filter: missing parameter(s) f');
    expect(() => draw('sliding-filter n=3 f=5')).toThrow(
      /diagram sliding-filter: .*a 5×5 filter does not fit a 3×3 input/,
    );
    expect(() => draw('pooling n=4 mode=min')).toThrow(
      'diagram pooling: mode: "min" is not one of max, average',
    );
    expect(() => draw('yolo-grid anchors=1x2,wide')).toThrow(
      'diagram yolo-grid: anchors: "wide" is not a shape WxH',
    );
    expect(() => draw('yolo-grid object=0.5,0.5')).toThrow(/object is x,y,width,height \(4 numbers/);
    expect(() => draw('sliding-filter n=5 f')).toThrow('diagram sliding-filter: "f" is not key=value');
    expect(() => draw('sliding-filter n=5 n=6 f=3')).toThrow('diagram sliding-filter: n is given twice');
    expect(() => draw('toString')).toThrow(/unknown diagram "toString"/);
    expect(() => draw('inception constructor=1')).toThrow(/unknown parameter constructor/);
  });
});
