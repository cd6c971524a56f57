// Cost calculators against the lecture notes' hand-worked figures.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  bottleneckCost,
  compoundScaling,
  convCost,
  convParams,
  denseParams,
  EFFICIENTNET_VARIANTS,
  separableCost,
  separableRatio,
} from '../../lib/costs';
import { convMultiplies } from '../../lib/conv';

describe('cost calculators', () => {
  it('the 1x1 bottleneck: 120M multiplies direct against 12.4M through 16 channels', () => {
    const c = bottleneckCost([28, 28], 192, 32, 5, 16);
    expect(c.direct).toBe(28 * 28 * 32 * 5 * 5 * 192);
    expect(c.direct).toBe(120_422_400);
    expect(c.reduce).toBe(2_408_448);
    expect(c.expand).toBe(10_035_200);
    expect(c.bottleneck).toBe(12_443_648);
    expect(c.saving).toBeCloseTo(9.677, 3);
  });

  it('normal against depthwise-separable: 2,160 against 432 + 240 = 672, ratio 1/n_c + 1/f^2', () => {
    const c = separableCost({ output: [4, 4], f: 3, channelsIn: 3, channelsOut: 5 });
    expect([c.normal, c.depthwise, c.pointwise, c.separable]).toEqual([2160, 432, 240, 672]);
    expect(c.ratio).toBeCloseTo(1 / 5 + 1 / 9, 12);
    expect(separableRatio(5, 3)).toBeCloseTo(672 / 2160, 12);
    // A MobileNet-sized layer: 512 filters of 3x3 save about 8.8x.
    expect(1 / separableRatio(512, 3)).toBeCloseTo(8.84, 2);
  });

  it('convCost agrees with the from-scratch multiply count of conv.ts', () => {
    expect(convCost({ output: [4, 4], f: 3, channelsIn: 3, channelsOut: 5 })).toBe(
      convMultiplies([6, 6, 3], 3, 5, { stride: 1, pad: 0 }),
    );
  });

  it('compound scaling: alpha 1.2, beta 1.1, gamma 1.15 roughly double FLOPs per step of phi', () => {
    const s1 = compoundScaling(1);
    expect([s1.depth, s1.width, s1.resolution]).toEqual([1.2, 1.1, 1.15]);
    expect(s1.flops).toBeCloseTo(1.2 * 1.1 ** 2 * 1.15 ** 2, 12);
    expect(s1.flops).toBeCloseTo(1.92, 2);
    const s3 = compoundScaling(3);
    expect(s3.depth).toBeCloseTo(1.728, 10);
    expect(compoundScaling(0)).toMatchObject({ depth: 1, width: 1, resolution: 1, flops: 1 });
    expect(EFFICIENTNET_VARIANTS.map((v) => v.resolution)).toEqual([224, 240, 260, 300, 380, 456, 528, 600]);
  });

  it('rejects bad sizes with the value in the message', () => {
    expect(() => convCost({ output: [4, -1], f: 3, channelsIn: 3, channelsOut: 5 })).toThrow(
      /output width .* -1/,
    );
    expect(() => bottleneckCost([28, 28], 192, 32, 5, 0)).toThrow(/bottleneck .* 0/);
    expect(() => compoundScaling(-1)).toThrow(/-1/);
    expect(() => separableRatio(5, 0)).toThrow(/f must/);
  });
});

describe('parameter counts', () => {
  it("the notes' example network: 608, 3,216, 48,120, 10,164, 850", () => {
    expect([
      convParams(5, 3, 8),
      convParams(5, 8, 16),
      denseParams(400, 120),
      denseParams(120, 84),
      denseParams(84, 10),
    ]).toEqual([608, 3216, 48120, 10164, 850]);
  });

  it("equal tfjs-layers' countParams on a non-square case", () => {
    const conv = tf.layers.conv2d({ inputShape: [9, 7, 5], filters: 4, kernelSize: 3 });
    const dense = tf.layers.dense({ inputShape: [7], units: 3 });
    const models = [tf.sequential({ layers: [conv] }), tf.sequential({ layers: [dense] })];
    expect(models.map((m) => m.countParams())).toEqual([convParams(3, 5, 4), denseParams(7, 3)]);
    models.forEach((m) => m.dispose());
  });

  it('rejects sizes that are not positive integers', () => {
    expect(() => convParams(0, 3, 8)).toThrow(/f must be/);
    expect(() => denseParams(10, 1.5)).toThrow(/units must be/);
  });
});
