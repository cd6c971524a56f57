// The leaky ReLU as TensorFlow.js's cpu backend computes it: y = x < 0 ? alpha * x : x, the
// product in double (alpha is a JavaScript number) rounded to float32. NaN and -0 pass as x.
#include "simd.h"

EXPORT(leaky_relu)
void leaky_relu(const float* x, float* y, int n, double alpha) {
  const d2 a = wasm_f64x2_splat(alpha);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    f4 v = LOAD(x + i);
    f4 scaled = DEMOTE(wasm_f64x2_mul(PROMOTE_LOW(v), a), wasm_f64x2_mul(PROMOTE_HIGH(v), a));
    STORE(y + i, wasm_v128_bitselect(scaled, v, wasm_f32x4_lt(v, ZERO)));
  }
  for (; i < n; i++) {
    float v = x[i];
    y[i] = v < 0 ? (float)(alpha * v) : v;
  }
}
