import { afterEach, describe, expect, it } from 'vitest';
import { describeConfig, median, summarise, torchConfigs } from '../../bench/torch-reference';

describe("the PyTorch reference's configurations and summaries", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it('tries one thread and all cores, with and without OpenBLAS hints when the environment has them', () => {
    process.env.OPENBLAS_CORETYPE = 'Haswell';
    expect(torchConfigs(2).map(describeConfig)).toEqual([
      'threads=1 openblas_hints=as_set',
      'threads=1 openblas_hints=unset',
      'threads=2 openblas_hints=as_set',
      'threads=2 openblas_hints=unset',
    ]);
    for (const key of Object.keys(process.env)) if (key.startsWith('OPENBLAS_')) delete process.env[key];
    expect(torchConfigs(1).map(describeConfig)).toEqual(['threads=1 openblas_hints=as_set']);
  });

  it('takes the median of odd and even counts and the best run', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
    expect(summarise([2, 9, 4])).toEqual({ best: 9, median: 4, runs: [2, 9, 4] });
    expect(() => median([])).toThrow(/no values/);
  });
});
