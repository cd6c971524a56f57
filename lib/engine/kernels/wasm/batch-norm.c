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
