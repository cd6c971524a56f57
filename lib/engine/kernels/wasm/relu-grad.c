// The ReLU gradient, dx = dy * step(x) with step(x) = 1 where x > 0, NaN where x is NaN,
// else 0: TensorFlow.js's Step and Multiply in one pass, the same bits.
#include "simd.h"

EXPORT(relu_grad)
void relu_grad(const float* dy, const float* x, float* dx, int n) {
  const f4 one = wasm_f32x4_splat(1.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    f4 xi = LOAD(x + i);
    f4 step = wasm_v128_and(one, wasm_f32x4_gt(xi, ZERO));
    step = wasm_v128_bitselect(xi, step, wasm_f32x4_ne(xi, xi));  // NaN stays NaN
    STORE(dx + i, MUL(LOAD(dy + i), step));
  }
  for (; i < n; i++) {
    float xi = x[i];
    dx[i] = dy[i] * (xi != xi ? xi : xi > 0 ? 1.0f : 0.0f);
  }
}

// The leaky-ReLU gradient, dx = dy where x > 0, else slope * dy (NaN x takes the slope):
// TensorFlow.js's Greater, Multiply and Select in one pass, the same bits.
EXPORT(leaky_relu_grad)
void leaky_relu_grad(const float* dy, const float* x, float* dx, int n, float slope) {
  const f4 one = wasm_f32x4_splat(1.0f), s = wasm_f32x4_splat(slope);
  int i = 0;
  for (; i + 4 <= n; i += 4)
    STORE(dx + i, MUL(LOAD(dy + i), wasm_v128_bitselect(one, s, wasm_f32x4_gt(LOAD(x + i), ZERO))));
  for (; i < n; i++) dx[i] = dy[i] * (x[i] > 0 ? 1.0f : slope);
}
