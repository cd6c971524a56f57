// The machine's ceiling for WebAssembly SIMD multiply-adds in the shape of the course's
// kernels: a register block of 4 x 8 outputs, each step one splat of an input value times two
// vectors of weights (f32x4 multiply, then add: WebAssembly SIMD has no fused multiply-add),
// all operands in the first-level cache. Of the block shapes tried (8x1 to 2x4 vectors), 4x2
// ran fastest here. Compiled and run by bench/step-floor.ts.
#include <wasm_simd128.h>

// n passes over len steps: x holds 4*len values, w 8*len; returns a lane so nothing is dropped.
__attribute__((export_name("peak")))
float peak(int n, const float* x, const float* w, int len) {
  v128_t acc[4][2];
  for (int r = 0; r < 4; r++)
    for (int v = 0; v < 2; v++) acc[r][v] = wasm_f32x4_splat(0.0f);
  for (int k = 0; k < n; k++)
    for (int j = 0; j < len; j++) {
      v128_t w0 = wasm_v128_load(w + 8 * j), w1 = wasm_v128_load(w + 8 * j + 4);
      for (int r = 0; r < 4; r++) {
        v128_t xr = wasm_v128_load32_splat(x + 4 * j + r);
        acc[r][0] = wasm_f32x4_add(acc[r][0], wasm_f32x4_mul(xr, w0));
        acc[r][1] = wasm_f32x4_add(acc[r][1], wasm_f32x4_mul(xr, w1));
      }
    }
  v128_t sum = wasm_f32x4_splat(0.0f);
  for (int r = 0; r < 4; r++)
    for (int v = 0; v < 2; v++) sum = wasm_f32x4_add(sum, acc[r][v]);
  return wasm_f32x4_extract_lane(sum, 0);
}
