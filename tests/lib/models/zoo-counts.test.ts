// The ImageNet configurations of the zoo against their published parameter
// counts (Keras Applications' model summaries), and AlexNet against a hand count.
// Each big model is built once, counted and disposed.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { alexnet } from '../../../lib/models/alexnet';
import { efficientNet } from '../../../lib/models/efficientnet';
import { mobilenetV1, mobilenetV2 } from '../../../lib/models/mobilenet';
import { resnet50 } from '../../../lib/models/resnet';
import { vgg16 } from '../../../lib/models/vgg';
import { summary } from '../../../lib/summary';

function counted(build: () => tf.LayersModel): {
  params: number;
  summary: ReturnType<typeof summary>;
  outputShape: number[];
} {
  const before = tf.memory().numTensors;
  const model = build();
  const result = {
    params: model.countParams(),
    summary: summary(model),
    outputShape: (model.outputs[0]!.shape as number[]).slice(1),
  };
  model.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

describe('published parameter counts (224x224x3, 1000 classes)', () => {
  it('VGG-16: 138,357,544', () => {
    const { params, summary: s } = counted(() => vgg16());
    expect(params).toBe(138_357_544);
    // The notes' point: most parameters are in the first FC layer (7·7·512·4096 + 4096).
    expect(s.rows.find((r) => r.name === 'fc1')!.params).toBe(102_764_544);
    expect(s.rows.find((r) => r.name === 'block5_pool')!.outputShape).toEqual([7, 7, 512]);
  }, 30_000);

  it('ResNet-50: 25,636,712', () => {
    const { params, summary: s } = counted(() => resnet50());
    expect(params).toBe(25_636_712);
    // About 3.9 billion multiply-adds, the figure usually quoted (conv and FC layers).
    expect(s.totalMultiplyAdds / 1e9).toBeGreaterThan(3.8);
    expect(s.totalMultiplyAdds / 1e9).toBeLessThan(4.2);
  }, 30_000);

  it('MobileNet v1: 4,253,864 and v2: 3,538,984', () => {
    const v1 = counted(() => mobilenetV1());
    expect(v1.params).toBe(4_253_864);
    // The MobileNet paper's 569 million multiply-adds (conv layers; +1M for the classifier).
    expect(Math.round(v1.summary.totalMultiplyAdds / 1e6)).toBe(569);
    expect(counted(() => mobilenetV2()).params).toBe(3_538_984);
  }, 30_000);

  it('EfficientNet-B0: 5,330,571; B1: 7,856,239; and the compound scaling grows B7 to 66,658,687', () => {
    expect(counted(() => efficientNet()).params).toBe(5_330_571);
    expect(counted(() => efficientNet({ variant: 'B1' })).params).toBe(7_856_239);
    expect(counted(() => efficientNet({ variant: 'B7' })).params).toBe(66_658_687);
  }, 60_000);

  it('AlexNet: 62,378,344 by hand', () => {
    const hand =
      11 * 11 * 3 * 96 +
      96 +
      (5 * 5 * 96 * 256 + 256) +
      (3 * 3 * 256 * 384 + 384) +
      (3 * 3 * 384 * 384 + 384) +
      (3 * 3 * 384 * 256 + 256) +
      (6 * 6 * 256 * 4096 + 4096) +
      (4096 * 4096 + 4096) +
      (4096 * 1000 + 1000);
    const { params, summary: s } = counted(() => alexnet());
    expect(params).toBe(hand);
    expect(s.rows.map((r) => r.outputShape.join('x')).slice(0, 8)).toEqual([
      '55x55x96',
      '27x27x96',
      '27x27x256',
      '13x13x256',
      '13x13x384',
      '13x13x384',
      '13x13x256',
      '6x6x256',
    ]);
  }, 30_000);
});
