/**
 * Cost calculators for the architecture lectures: multiplications of a
 * convolution, the 1×1 bottleneck saving, normal versus depthwise-separable
 * convolution, and EfficientNet's compound scaling.
 */

function checkPositive(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got ${value}`);
}

/** A convolution described by its output volume and its filters. */
export interface ConvCostSpec {
  /** Output height and width, [h, w]. */
  output: [number, number];
  /** Filter side f. */
  f: number;
  /** Input channels n_c. */
  channelsIn: number;
  /** Output channels (number of filters). */
  channelsOut: number;
}

/**
 * Multiplications of a normal convolution: every output value (h·w·C_out of them)
 * costs f·f·C_in products.
 */
export function convCost(spec: ConvCostSpec): number {
  const {
    output: [h, w],
    f,
    channelsIn,
    channelsOut,
  } = spec;
  [
    ['output height', h],
    ['output width', w],
    ['f', f],
    ['channelsIn', channelsIn],
    ['channelsOut', channelsOut],
  ].forEach(([n, v]) => checkPositive(n as string, v as number));
  return h * w * channelsOut * f * f * channelsIn;
}

/** The two ways of getting from n_c input channels to C_out channels with an f×f filter. */
export interface BottleneckCost {
  /** One f×f convolution straight to C_out. */
  direct: number;
  /** The 1×1 reduction to the bottleneck width. */
  reduce: number;
  /** The f×f convolution from the bottleneck to C_out. */
  expand: number;
  /** reduce + expand. */
  bottleneck: number;
  /** direct / bottleneck. */
  saving: number;
}

/**
 * The 1×1 bottleneck of the Inception lecture: a same-padded f×f convolution from
 * h×w×C_in to h×w×C_out, directly or through a 1×1 convolution to `bottleneck`
 * channels first. The notes' example (28×28×192 → 28×28×32, f = 5, bottleneck 16)
 * gives 120,422,400 against 2,408,448 + 10,035,200 = 12,443,648 multiplications.
 */
export function bottleneckCost(
  size: [number, number],
  channelsIn: number,
  channelsOut: number,
  f: number,
  bottleneck: number,
): BottleneckCost {
  checkPositive('bottleneck', bottleneck);
  const direct = convCost({ output: size, f, channelsIn, channelsOut });
  const reduce = convCost({ output: size, f: 1, channelsIn, channelsOut: bottleneck });
  const expand = convCost({ output: size, f, channelsIn: bottleneck, channelsOut });
  return { direct, reduce, expand, bottleneck: reduce + expand, saving: direct / (reduce + expand) };
}

/** Normal against depthwise-separable convolution for one layer. */
export interface SeparableCost {
  normal: number;
  /** f·f products per output position and input channel. */
  depthwise: number;
  /** 1×1×n_c products per output position and output channel. */
  pointwise: number;
  separable: number;
  /** separable / normal, which equals 1/C_out + 1/f². */
  ratio: number;
}

/**
 * Cost of a normal convolution against a depthwise-separable one with the same
 * input and output shapes. The MobileNet lecture's example (6×6×3 input, 3×3
 * filters, 5 output channels, 4×4 output) gives 2,160 against 432 + 240 = 672.
 */
export function separableCost(spec: ConvCostSpec): SeparableCost {
  const normal = convCost(spec);
  const {
    output: [h, w],
    f,
    channelsIn,
    channelsOut,
  } = spec;
  const depthwise = h * w * channelsIn * f * f;
  const pointwise = h * w * channelsOut * channelsIn;
  const separable = depthwise + pointwise;
  return { normal, depthwise, pointwise, separable, ratio: separable / normal };
}

/** The closed form of {@link SeparableCost.ratio}: 1/C_out + 1/f². */
export function separableRatio(channelsOut: number, f: number): number {
  checkPositive('channelsOut', channelsOut);
  checkPositive('f', f);
  return 1 / channelsOut + 1 / (f * f);
}

/** EfficientNet's grid-searched base: depth α = 1.2, width β = 1.1, resolution γ = 1.15. */
export const EFFICIENTNET_BASE = { alpha: 1.2, beta: 1.1, gamma: 1.15 } as const;

/** Depth, width and resolution multipliers for compound coefficient φ. */
export interface CompoundScale {
  phi: number;
  depth: number;
  width: number;
  resolution: number;
  /** α·β²·γ² raised to φ: the factor by which FLOPs grow (about 2^φ). */
  flops: number;
}

/**
 * Compound scaling: depth α^φ, width β^φ, resolution γ^φ, chosen so that
 * α·β²·γ² ≈ 2 and each step of φ roughly doubles the FLOPs.
 */
export function compoundScaling(
  phi: number,
  base: { alpha: number; beta: number; gamma: number } = EFFICIENTNET_BASE,
): CompoundScale {
  if (!Number.isFinite(phi) || phi < 0)
    throw new Error(`the compound coefficient φ must be a finite number ≥ 0, got ${phi}`);
  const { alpha, beta, gamma } = base;
  return {
    phi,
    depth: alpha ** phi,
    width: beta ** phi,
    resolution: gamma ** phi,
    flops: (alpha * beta * beta * gamma * gamma) ** phi,
  };
}

/** One EfficientNet variant's published multipliers and input size. */
export interface EfficientNetVariant {
  name: string;
  width: number;
  depth: number;
  resolution: number;
  dropout: number;
}

/**
 * The published B0–B7 configurations (the paper's reference code rounds the
 * compound-scaling multipliers to these values).
 */
export const EFFICIENTNET_VARIANTS: readonly EfficientNetVariant[] = [
  { name: 'B0', width: 1.0, depth: 1.0, resolution: 224, dropout: 0.2 },
  { name: 'B1', width: 1.0, depth: 1.1, resolution: 240, dropout: 0.2 },
  { name: 'B2', width: 1.1, depth: 1.2, resolution: 260, dropout: 0.3 },
  { name: 'B3', width: 1.2, depth: 1.4, resolution: 300, dropout: 0.3 },
  { name: 'B4', width: 1.4, depth: 1.8, resolution: 380, dropout: 0.4 },
  { name: 'B5', width: 1.6, depth: 2.2, resolution: 456, dropout: 0.4 },
  { name: 'B6', width: 1.8, depth: 2.6, resolution: 528, dropout: 0.5 },
  { name: 'B7', width: 2.0, depth: 3.1, resolution: 600, dropout: 0.5 },
];

/**
 * Parameters of a convolution layer with `filters` filters of f×f×`channelsIn`: each filter
 * has f·f·n_c weights and one bias, (f·f·n_c + 1)·filters in all, whatever the image size.
 * The notes' CONV1 (8 filters 5×5 on 3 channels) has 608.
 */
export function convParams(f: number, channelsIn: number, filters: number): number {
  checkPositive('f', f);
  checkPositive('channelsIn', channelsIn);
  checkPositive('filters', filters);
  return (f * f * channelsIn + 1) * filters;
}

/** Parameters of a dense layer: a weight per input and unit, plus a bias per unit. The notes' FC3 (400 → 120) has 48,120. */
export function denseParams(inputs: number, units: number): number {
  checkPositive('inputs', inputs);
  checkPositive('units', units);
  return inputs * units + units;
}
