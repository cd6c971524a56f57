// Batch normalisation: the input gradient of a batch norm over the last axis (channels).
#include "simd.h"

// dx = (dy * inv[c]) * scale[c], c the channel (i % channels), each product rounded to
// float32: TensorFlow.js's x gradient (dy times the tiled rsqrt(variance + epsilon), times
// scale) in one pass instead of a Tile and two Multiplys. scaled = 0: no scale (dy * inv[c]).
EXPORT(batch_norm_grad_x)
void batch_norm_grad_x(const float* dy, const float* inv, const float* scale, float* dx, int pixels,
                       int channels, int scaled) {
  if (channels == 1) {
    const f4 k = SPLAT(inv), s = scaled ? SPLAT(scale) : wasm_f32x4_splat(1.0f);
    int i = 0;
    for (; i + 4 <= pixels; i += 4) {
      f4 v = MUL(LOAD(dy + i), k);
      STORE(dx + i, scaled ? MUL(v, s) : v);
    }
    for (; i < pixels; i++) {
      float v = dy[i] * inv[0];
      dx[i] = scaled ? v * scale[0] : v;
    }
    return;
  }
  for (int p = 0; p < pixels; p++, dy += channels, dx += channels) {
    int c = 0;
    for (; c + 4 <= channels; c += 4) {
      f4 v = MUL(LOAD(dy + c), LOAD(inv + c));
      STORE(dx + c, scaled ? MUL(v, LOAD(scale + c)) : v);
    }
    for (; c < channels; c++) {
      float v = dy[c] * inv[c];
      dx[c] = scaled ? v * scale[c] : v;
    }
  }
}

// Batch normalisation as TensorFlow.js's cpu backend computes it, in doubles:
// y = offset[c] + (x - mean[c]) * scale[c] / sqrt(variance[c] + epsilon), rounded to float32
// (no scale: * 1; no offset: 0 + , which makes -0 +0 as there). Pixels go in blocks of about
// 4096 values, and each group of 4 channels over a block: its sqrt is taken once per block.
#define HAS_SCALE 1
#define HAS_OFFSET 2
EXPORT(batch_norm)
void batch_norm(const float* x, const float* mean, const float* variance, const float* scale,
                const float* offset, float* y, int pixels, int channels, double epsilon, int flags) {
  const int block = channels >= 4096 ? 1 : 4096 / channels;
  const d2 eps = wasm_f64x2_splat(epsilon), one = wasm_f64x2_splat(1.0), zero = wasm_f64x2_splat(0.0);
  for (int first = 0; first < pixels; first += block) {
    const int end = first + block < pixels ? first + block : pixels;
    int c = 0;
    for (; c + 4 <= channels; c += 4) {
      const f4 m4 = LOAD(mean + c), v4 = LOAD(variance + c);
      const d2 mLo = PROMOTE_LOW(m4), mHi = PROMOTE_HIGH(m4);
      const d2 dLo = wasm_f64x2_sqrt(wasm_f64x2_add(PROMOTE_LOW(v4), eps));
      const d2 dHi = wasm_f64x2_sqrt(wasm_f64x2_add(PROMOTE_HIGH(v4), eps));
      d2 sLo = one, sHi = one, oLo = zero, oHi = zero;
      if (flags & HAS_SCALE) {
        const f4 s4 = LOAD(scale + c);
        sLo = PROMOTE_LOW(s4);
        sHi = PROMOTE_HIGH(s4);
      }
      if (flags & HAS_OFFSET) {
        const f4 o4 = LOAD(offset + c);
        oLo = PROMOTE_LOW(o4);
        oHi = PROMOTE_HIGH(o4);
      }
      for (int p = first; p < end; p++) {
        const f4 v = LOAD(x + (long)p * channels + c);
        d2 lo = wasm_f64x2_div(wasm_f64x2_mul(wasm_f64x2_sub(PROMOTE_LOW(v), mLo), sLo), dLo);
        d2 hi = wasm_f64x2_div(wasm_f64x2_mul(wasm_f64x2_sub(PROMOTE_HIGH(v), mHi), sHi), dHi);
        STORE(y + (long)p * channels + c, DEMOTE(wasm_f64x2_add(oLo, lo), wasm_f64x2_add(oHi, hi)));
      }
    }
    for (; c < channels; c++) {
      const double m = mean[c], d = __builtin_sqrt((double)variance[c] + epsilon);
      const double s = flags & HAS_SCALE ? (double)scale[c] : 1.0;
      const double o = flags & HAS_OFFSET ? (double)offset[c] : 0.0;
      for (int p = first; p < end; p++) {
        const long i = (long)p * channels + c;
        y[i] = (float)(o + ((double)x[i] - m) * s / d);
      }
    }
  }
}
