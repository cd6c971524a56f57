// out[c] = sum over r of x[r][c] (a bias gradient: dy summed over batch, height, width),
// accumulated in float64 row after row and rounded once: the same bits as the course's
// JavaScript loop. Columns go 16 at a time (a 64-byte cache line per row), so however many
// stripes a wide row needs, each byte of x is read from memory once.
#include "simd.h"

#define PROMOTE_LOW(v) wasm_f64x2_promote_low_f32x4(v)
#define PROMOTE_HIGH(v) wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle((v), (v), 2, 3, 2, 3))

// S vectors of 4 columns from c.
INLINE void stripe(const float* x, float* out, int rows, int cols, int c, int S) {
  v128_t acc[4][2];
  for (int s = 0; s < S; s++) acc[s][0] = acc[s][1] = wasm_f64x2_splat(0.0);
  const float* p = x + c;
  for (int r = 0; r < rows; r++, p += cols)
    for (int s = 0; s < S; s++) {
      f4 v = LOAD(p + 4 * s);
      acc[s][0] = wasm_f64x2_add(acc[s][0], PROMOTE_LOW(v));
      acc[s][1] = wasm_f64x2_add(acc[s][1], PROMOTE_HIGH(v));
    }
  for (int s = 0; s < S; s++) {
    f4 lo = wasm_f32x4_demote_f64x2_zero(acc[s][0]), hi = wasm_f32x4_demote_f64x2_zero(acc[s][1]);
    STORE(out + c + 4 * s, wasm_i32x4_shuffle(lo, hi, 0, 1, 4, 5));
  }
}

EXPORT(sum_rows)
void sum_rows(const float* x, float* out, int rows, int cols) {
  int c = 0;
  for (; c + 16 <= cols; c += 16) stripe(x, out, rows, cols, c, 4);
  switch ((cols - c) / 4) {
    case 3: stripe(x, out, rows, cols, c, 3); break;
    case 2: stripe(x, out, rows, cols, c, 2); break;
    case 1: stripe(x, out, rows, cols, c, 1); break;
  }
  c += (cols - c) / 4 * 4;
  for (; c < cols; c++) {
    double acc = 0;
    for (int r = 0; r < rows; r++) acc += x[(long)r * cols + c];
    out[c] = (float)acc;
  }
}
