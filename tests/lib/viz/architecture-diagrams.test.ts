// Architecture diagrams: the boxes, branches and levels they draw, against counts and sizes
// worked out by hand from the papers' figures.
import { describe, expect, it } from 'vitest';
import {
  inceptionModuleDiagram,
  residualBlockDiagram,
  unetLevels,
  unetShapeDiagram,
} from '../../../lib/viz/architecture-diagrams';
import { byClass, svgElements, texts } from '../../helpers/svg-elements';

describe('residualBlockDiagram', () => {
  it('draws two layers and an identity shortcut into the addition', () => {
    const elements = svgElements(residualBlockDiagram());
    expect(byClass(elements, 'layer')).toHaveLength(2);
    expect(byClass(elements, 'add')).toHaveLength(1);
    expect(byClass(elements, 'skip')).toHaveLength(1);
    expect(byClass(elements, 'shortcut-layer')).toHaveLength(0);
    expect(texts(elements)).toEqual(expect.arrayContaining(['a[l]', 'a[l+2]']));
    // the shortcut ends on the addition's circle: its last point is straight above the centre
    const path = byClass(elements, 'skip')[0]!.attrs.d!;
    const add = byClass(elements, 'add')[0]!;
    const last = path
      .trim()
      .split(/\s+L\s+/)
      .pop()!
      .split(/\s+/)
      .map(Number);
    expect(last[0]).toBeCloseTo(Number(add.attrs.cx), 5);
  });

  it("draws ResNet-50's three-layer block with a 1×1 convolution on the shortcut", () => {
    const elements = svgElements(residualBlockDiagram({ layers: 3, shortcut: 'conv' }));
    expect(byClass(elements, 'layer')).toHaveLength(3);
    expect(byClass(elements, 'shortcut-layer')).toHaveLength(1);
    expect(texts(elements)).toContain('a[l+3]');
    expect(() => residualBlockDiagram({ layers: 5 })).toThrow(/at most 4/);
    expect(() => residualBlockDiagram({ layers: 0 })).toThrow(/layers must be an integer >= 1, got 0/);
  });
});

describe('inceptionModuleDiagram', () => {
  it("draws GoogLeNet's module 3a: four branches, seven layers, 256 channels", () => {
    const elements = svgElements(inceptionModuleDiagram());
    expect(byClass(elements, 'branch')).toHaveLength(4);
    expect(byClass(elements, 'layer')).toHaveLength(7); // 1 + 2 + 2 + 2
    const all = texts(elements);
    expect(all).toEqual(
      expect.arrayContaining([
        'input 28×28×192',
        '1×1, 64',
        '1×1, 96',
        '3×3, 128',
        '1×1, 16',
        '5×5, 32',
        'max pool 3×3',
      ]),
    );
    expect(byClass(elements, 'concat')).toHaveLength(1);
    expect(all).toContain('concatenate: 28×28×256'); // 64 + 128 + 32 + 32
  });

  it("adds up another module's branches (GoogLeNet's 4a on 14×14×480)", () => {
    const svg = inceptionModuleDiagram({
      n: 14,
      c: 480,
      b1: 192,
      b3r: 96,
      b3: 208,
      b5r: 16,
      b5: 48,
      pool: 64,
    });
    expect(texts(svgElements(svg))).toContain('concatenate: 14×14×512');
  });
});

describe('unetShapeDiagram', () => {
  it("computes the course's U-Net levels: 64 → 32 → 16, bottleneck 8", () => {
    const { down, bottleneck, up } = unetLevels({ size: 64, filters: [6, 12, 24], bottleneck: 48 });
    expect(down).toEqual([
      { side: 64, channels: 6 },
      { side: 32, channels: 12 },
      { side: 16, channels: 24 },
    ]);
    expect(bottleneck).toEqual({ side: 8, channels: 48 });
    expect(up.map((l) => l.side)).toEqual([16, 32, 64]);
  });

  it("computes the paper's levels from 512 with 64 to 512 filters", () => {
    const { down, bottleneck } = unetLevels({ size: 512, filters: [64, 128, 256, 512] });
    expect(down.map((l) => l.side)).toEqual([512, 256, 128, 64]);
    expect(bottleneck).toEqual({ side: 32, channels: 1024 }); // twice the last step's filters
  });

  it('draws a level on each side with a skip across, the bottleneck and the output', () => {
    const elements = svgElements(
      unetShapeDiagram({ size: 64, filters: [6, 12, 24], bottleneck: 48, classes: 3 }),
    );
    expect(byClass(elements, 'down-level')).toHaveLength(3);
    expect(byClass(elements, 'up-level')).toHaveLength(3);
    expect(byClass(elements, 'skip')).toHaveLength(3);
    expect(byClass(elements, 'bottleneck')).toHaveLength(1);
    const all = texts(elements);
    expect(all).toEqual(
      expect.arrayContaining([
        'input 64×64×3',
        '64×64×6',
        '32×32×12',
        '16×16×24',
        'bottleneck 8×8×48',
        '1×1 conv → 64×64×3',
      ]),
    );
    // a skip joins two levels of the same size: each level's label is on both sides
    expect(all.filter((t) => t === '32×32×12')).toHaveLength(2);
  });

  it('refuses a size the poolings cannot halve', () => {
    expect(() => unetShapeDiagram({ size: 100, filters: [8, 16, 32] })).toThrow(/divisible by 8, got 100/);
  });
});
