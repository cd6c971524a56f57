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
  if (filter.length === 0 || !(stride >= 1) || !(pad >= 0))
    throw new Error(
      `conv1d: needs a filter, stride >= 1 and pad >= 0, got f = ${filter.length}, stride ${stride}, pad ${pad}`,
    );
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

/**
 * When a detector should ring: the time (`stepTime(t)`) of the first step of each run of steps
 * whose probability is strictly above `threshold`, so that one trigger rings once. The
 * reference for exercise 13.3.
 */
export function ringTimes(probs: number[], threshold: number, stepTime: (step: number) => number): number[] {
  const times: number[] = [];
  probs.forEach((p, t) => {
    if (p > threshold && (t === 0 || probs[t - 1]! <= threshold)) times.push(stepTime(t));
  });
  return times;
}

/** Event-level scores of a trigger-word detector (see {@link detectionScores}). */
export interface DetectionScores {
  /** Rings that fall in some trigger word's window, over all rings (NaN without rings). */
  precision: number;
  /** Trigger words with a ring in their window, over all trigger words (NaN without trigger words). */
  recall: number;
  rings: number;
  correctRings: number;
  triggers: number;
  foundTriggers: number;
}

/**
 * Precision and recall of rings against trigger words, clip by clip: a ring at time r is correct
 * when end − before < r ≤ end + after for a trigger word of the same clip ending at `end`; a
 * trigger word is found when some ring of its clip is in its window.
 *
 * @param rings ring times per clip (seconds).
 * @param triggerEnds trigger-word end times per clip (seconds), same number of clips.
 */
export function detectionScores(
  rings: number[][],
  triggerEnds: number[][],
  before: number,
  after: number,
): DetectionScores {
  if (rings.length !== triggerEnds.length)
    throw new Error(
      `detectionScores: ${rings.length} clips of rings but ${triggerEnds.length} of trigger ends`,
    );
  const near = (r: number, end: number) => r > end - before && r <= end + after;
  let correctRings = 0,
    foundTriggers = 0,
    total = 0,
    triggers = 0;
  rings.forEach((clipRings, i) => {
    const ends = triggerEnds[i]!;
    total += clipRings.length;
    triggers += ends.length;
    correctRings += clipRings.filter((r) => ends.some((e) => near(r, e))).length;
    foundTriggers += ends.filter((e) => clipRings.some((r) => near(r, e))).length;
  });
  return {
    precision: correctRings / total,
    recall: foundTriggers / triggers,
    rings: total,
    correctRings,
    triggers,
    foundTriggers,
  };
}
