/**
 * Notebook 13's pieces on plain arrays: a 1D convolution (cross-correlation, as deep-learning
 * libraries compute it) with stride and zero padding, and the trigger-word labels per output
 * step. The references for the notebook's exercises 13.1 and 13.2.
 */

/**
 * out[i] = Σ_k x[i·stride + k] · filter[k] over the signal padded with `pad` zeros on both
 * sides: ⌊(n + 2·pad − f) / stride⌋ + 1 outputs.
 */
export function conv1d(signal: number[], filter: number[], stride = 1, pad = 0): number[] {
  if (filter.length === 0 || !(stride >= 1) || !(pad >= 0)) throw new Error(`conv1d: needs a filter, stride >= 1 and pad >= 0, got f = ${filter.length}, stride ${stride}, pad ${pad}`);
  const padded = [...new Array(pad).fill(0), ...signal, ...new Array(pad).fill(0)];
  const out: number[] = [];
  for (let i = 0; i + filter.length <= padded.length; i += stride) {
    let sum = 0;
    for (let k = 0; k < filter.length; k++) sum += padded[i + k] * filter[k];
    out.push(sum);
  }
  return out;
}

/**
 * One label per output step: 1 when the step's end time lies in (end, end + window] for some
 * trigger word's end time, else 0.
 */
export function triggerLabels(triggerEnds: number[], stepEnds: number[], window: number): number[] {
  return stepEnds.map((time) => (triggerEnds.some((end) => time > end && time <= end + window) ? 1 : 0));
}
