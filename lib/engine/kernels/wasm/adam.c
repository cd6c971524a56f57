// Adam's update of one variable, every operation in float32 in the order TensorFlow.js's
// AdamOptimizer applies its element-wise ops, so the results are the same bits:
//
//   m' = m*b1 + g*keep1            v' = v*b2 + (g*g)*keep2
//   x' = (((m'/correct1) / (sqrt(v'/correct2) + eps)) * step) + x
//
// (step = -learning rate, keep = 1 - beta, correct = 1 - beta^t). Outputs may be the inputs.
#include "simd.h"

INLINE f4 update(f4 x, f4 g, f4* m, f4* v, f4 b1, f4 b2, f4 keep1, f4 keep2, f4 correct1, f4 correct2, f4 eps, f4 step) {
  f4 m1 = ADD(MUL(*m, b1), MUL(g, keep1));
  f4 v1 = ADD(MUL(*v, b2), MUL(MUL(g, g), keep2));
  f4 denom = ADD(wasm_f32x4_sqrt(wasm_f32x4_div(v1, correct2)), eps);
  *m = m1;
  *v = v1;
  return ADD(MUL(wasm_f32x4_div(wasm_f32x4_div(m1, correct1), denom), step), x);
}

EXPORT(adam_update)
void adam_update(const float* x, const float* g, const float* m, const float* v, float* x_out, float* m_out, float* v_out, int n,
                 float b1, float b2, float keep1, float keep2, float correct1, float correct2, float eps, float step) {
  f4 B1 = wasm_f32x4_splat(b1), B2 = wasm_f32x4_splat(b2), K1 = wasm_f32x4_splat(keep1), K2 = wasm_f32x4_splat(keep2);
  f4 C1 = wasm_f32x4_splat(correct1), C2 = wasm_f32x4_splat(correct2), E = wasm_f32x4_splat(eps), S = wasm_f32x4_splat(step);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    f4 mi = LOAD(m + i), vi = LOAD(v + i);
    f4 xi = update(LOAD(x + i), LOAD(g + i), &mi, &vi, B1, B2, K1, K2, C1, C2, E, S);
    STORE(x_out + i, xi);
    STORE(m_out + i, mi);
    STORE(v_out + i, vi);
  }
  for (; i < n; i++) {
    float m1 = m[i] * b1 + g[i] * keep1;
    float v1 = v[i] * b2 + (g[i] * g[i]) * keep2;
    x_out[i] = ((m1 / correct1) / (__builtin_sqrtf(v1 / correct2) + eps)) * step + x[i];
    m_out[i] = m1;
    v_out[i] = v1;
  }
}
