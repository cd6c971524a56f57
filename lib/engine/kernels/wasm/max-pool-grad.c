// The gradient of a 2x2 max pool of stride 2 whose windows lie inside the image (NHWC).
//
// Each window's dy goes to its first (row-major) largest input; a window whose inputs are
// all NaN or -Infinity passes nothing on; inputs outside every window (the last row or
// column of an odd size) get 0. Same values as the cpu backend, bit for bit: every output
// is 0 + dy or 0 (so -0 comes out as +0, as there). Four channels are compared at once,
// with masks instead of branches (random inputs would mispredict half of them).
#include "simd.h"

// One channel (the channels left over after the vectors), same arithmetic in scalars.
INLINE void window_scalar(const float* x0, const float* x1, float* d0, float* d1, int C, float g) {
  const float* at = x0;
  float best = *x0;
  if (x0[C] > best || best != best) { at = x0 + C; best = *at; }
  if (x1[0] > best || best != best) { at = x1; best = *at; }
  if (x1[C] > best || best != best) { at = x1 + C; best = *at; }
  d0[0] = 0.0f; d0[C] = 0.0f; d1[0] = 0.0f; d1[C] = 0.0f;
  if (best == best && best != -__builtin_inff()) {
    float* out = at == x0 ? d0 : at == x0 + C ? d0 + C : at == x1 ? d1 : d1 + C;
    *out = 0.0f + g;
  }
}

EXPORT(max_pool_grad_2x2)
void max_pool_grad_2x2(const float* x, const float* dy, float* dx, int B, int H, int W, int C, int OH, int OW) {
  const f4 one = wasm_i32x4_splat(1), two = wasm_i32x4_splat(2), three = wasm_i32x4_splat(3);
  const f4 minus_inf = wasm_f32x4_splat(-__builtin_inff());
  long row = (long)W * C;
  for (int b = 0; b < B; b++) {
    for (int oh = 0; oh < OH; oh++) {
      const float* x0 = x + ((long)b * H + 2 * oh) * row;
      const float* x1 = x0 + row;
      float* d0 = dx + ((long)b * H + 2 * oh) * row;
      float* d1 = d0 + row;
      const float* g = dy + ((long)b * OH + oh) * OW * C;
      for (int ow = 0; ow < OW; ow++, x0 += 2 * C, x1 += 2 * C, d0 += 2 * C, d1 += 2 * C, g += C) {
        int c = 0;
        for (; c + 4 <= C; c += 4) {
          f4 v1 = LOAD(x0 + C + c), v2 = LOAD(x1 + c), v3 = LOAD(x1 + C + c);
          f4 best = LOAD(x0 + c), at = wasm_i32x4_splat(0);
          // The next input wins when larger, or when the best so far is NaN.
          f4 m = wasm_v128_or(wasm_f32x4_gt(v1, best), wasm_f32x4_ne(best, best));
          best = wasm_v128_bitselect(v1, best, m); at = wasm_v128_bitselect(one, at, m);
          m = wasm_v128_or(wasm_f32x4_gt(v2, best), wasm_f32x4_ne(best, best));
          best = wasm_v128_bitselect(v2, best, m); at = wasm_v128_bitselect(two, at, m);
          m = wasm_v128_or(wasm_f32x4_gt(v3, best), wasm_f32x4_ne(best, best));
          best = wasm_v128_bitselect(v3, best, m); at = wasm_v128_bitselect(three, at, m);
          f4 live = wasm_v128_and(wasm_f32x4_eq(best, best), wasm_f32x4_ne(best, minus_inf));
          f4 grad = wasm_v128_and(LOAD(g + c), live);
          STORE(d0 + c, ADD(ZERO, wasm_v128_and(grad, wasm_i32x4_eq(at, wasm_i32x4_splat(0)))));
          STORE(d0 + C + c, ADD(ZERO, wasm_v128_and(grad, wasm_i32x4_eq(at, one))));
          STORE(d1 + c, ADD(ZERO, wasm_v128_and(grad, wasm_i32x4_eq(at, two))));
          STORE(d1 + C + c, ADD(ZERO, wasm_v128_and(grad, wasm_i32x4_eq(at, three))));
        }
        for (; c < C; c++) window_scalar(x0 + c, x1 + c, d0 + c, d1 + c, C, g[c]);
      }
      // A last odd column is in no window.
      for (long i = 2L * OW * C; i < row; i++) { dx[((long)b * H + 2 * oh) * row + i] = 0.0f; dx[((long)b * H + 2 * oh + 1) * row + i] = 0.0f; }
    }
    // Rows below the last window (an odd height).
    for (long i = 2L * OH * row; i < (long)H * row; i++) dx[(long)b * H * row + i] = 0.0f;
  }
}
