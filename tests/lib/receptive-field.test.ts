// lib/receptive-field against the notebook's hand-worked values and hand cases.
import { describe, expect, it } from 'vitest';
import { mostSelectiveChannel, receptiveFields, topPatches } from '../../lib/receptive-field';

describe('receptiveFields', () => {
  it("gives the notes' first values: 3, then 4 (jump 2), 8, 10 (jump 4)", () => {
    const conv = { size: 3, stride: 1 };
    const pool = { size: 2, stride: 2 };
    expect(receptiveFields([conv, pool, conv, pool])).toEqual([{ r: 3, jump: 1 }, { r: 4, jump: 2 }, { r: 8, jump: 2 }, { r: 10, jump: 4 }]);
    expect(receptiveFields([{ size: 5, stride: 2 }, { size: 3, stride: 3 }, { size: 1, stride: 1 }])).toEqual([{ r: 5, jump: 2 }, { r: 9, jump: 6 }, { r: 9, jump: 6 }]);
  });
});

describe('topPatches', () => {
  const hits = [
    { photo: 0, y: 0, x: 3, value: 2 },
    { photo: 1, y: 4, x: 4, value: 7.5 },
    { photo: 2, y: 7, x: 7, value: 4 },
    { photo: 3, y: 2, x: 6, value: -1 },
  ];
  it('keeps the k strongest, centred on the unit and moved inside the image, without changing the input', () => {
    const before = JSON.stringify(hits);
    expect(topPatches(hits, 3, 6, 2, 16)).toEqual([
      { photo: 1, y0: 6, x0: 6, size: 6, value: 7.5 },
      { photo: 2, y0: 10, x0: 10, size: 6, value: 4 },
      { photo: 0, y0: 0, x0: 4, size: 6, value: 2 },
    ]);
    expect(JSON.stringify(hits)).toBe(before);
    expect(topPatches(hits, 1, 20, 2, 16)).toEqual([{ photo: 1, y0: 0, x0: 0, size: 16, value: 7.5 }]);
  });
});

describe('mostSelectiveChannel', () => {
  it('takes the largest peak-to-mean ratio, not the largest peak', () => {
    expect(mostSelectiveChannel([[1, 1, 1, 1], [4, 1, 1, 1], [0.1, 0, 0, 0]])).toBe(2);
  });
});
