// The filter gradient of a 2-D convolution (NHWC, no dilation).
//
//   dw[kh][kw][ci][co] = sum over b, oh, ow of
//                         x[b][oh*sh + kh - pt][ow*sw + kw - pl][ci] * dy[b][oh][ow][co]
//
// x is [B,H,W,Ci], dy [B,OH,OW,Co], dw [KH,KW,Ci,Co] (set or added to, see below);
// Co must be a multiple of 4. Each row of dy meets each filter row once: 4 input values
// times 8 (or 4) output channels are summed in registers along the row, then added to dw,
// which stays in cache. No transposes and no repacking of x or dy, which is what the
// convolution library spends most of this gradient's time on.
//
// With stride 1 the KW taps of a filter row read KW*Ci consecutive values of x for each
// output column, so they are summed as one row of KW*Ci "channels": a layer with 3 input
// channels (an RGB image) then runs mostly in full blocks of 4 instead of its remainder.
#include "simd.h"

// dwrow[j][co] += sum over ow in [o0, o1) of xb[ow*ps + j] * dyrow[ow][co], for j < R
// (1-4 values, ps apart per column) and co in [co, co + 4*V) (V = 1 or 2 vectors).
INLINE void block(const float* xb, int ps, const float* dyrow, float* dwrow, int o0, int o1, int Co, int co, int R, int V) {
  f4 acc[4][2];
  for (int r = 0; r < R; r++) for (int v = 0; v < V; v++) acc[r][v] = ZERO;
  for (int ow = o0; ow < o1; ow++) {
    const float* xp = xb + ow * ps;
    const float* dp = dyrow + ow * Co + co;
    f4 d[2];
    for (int v = 0; v < V; v++) d[v] = LOAD(dp + 4 * v);
    for (int r = 0; r < R; r++) {
      f4 xr = SPLAT(xp + r);
      for (int v = 0; v < V; v++) acc[r][v] = MAC(acc[r][v], xr, d[v]);
    }
  }
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) {
      float* o = dwrow + r * Co + co + 4 * v;
      STORE(o, ADD(LOAD(o), acc[r][v]));
    }
}

// block() over every output channel, for R values.
INLINE void blocks(const float* xb, int ps, const float* dyrow, float* dwrow, int o0, int o1, int Co, int R) {
  int co = 0;
  for (; co + 8 <= Co; co += 8) block(xb, ps, dyrow, dwrow, o0, o1, Co, co, R, 2);
  if (co < Co) block(xb, ps, dyrow, dwrow, o0, o1, Co, co, R, 1);
}

// dwrow[j][co] += sum over ow in [o0, o1) of xb[ow*ps + j] * dyrow[ow][co], for j < n.
static void rows(const float* xb, int ps, const float* dyrow, float* dwrow, int n, int o0, int o1, int Co) {
  if (o0 >= o1) return;
  int j = 0;
  for (; j + 4 <= n; j += 4) blocks(xb + j, ps, dyrow, dwrow + j * Co, o0, o1, Co, 4);
  switch (n - j) {
    case 3: blocks(xb + j, ps, dyrow, dwrow + j * Co, o0, o1, Co, 3); break;
    case 2: blocks(xb + j, ps, dyrow, dwrow + j * Co, o0, o1, Co, 2); break;
    case 1: blocks(xb + j, ps, dyrow, dwrow + j * Co, o0, o1, Co, 1); break;
  }
}

// Rows [r0, r1) of dy (row b*OH + oh) only: two threads can share a gradient, each into its
// own dw, which the caller adds. With `zero`, dw is zeroed first (by the thread that sums into
// it, so that its cache lines need not move from another core); else the rows are added.
EXPORT(filter_grad)
void filter_grad(const float* x, const float* dy, float* dw, int H, int W, int Ci,
                 int OH, int OW, int Co, int KH, int KW, int sh, int sw, int pt, int pl, int r0, int r1, int zero) {
  if (zero)
    for (long i = 0; i < (long)KH * KW * Ci * Co; i++) dw[i] = 0.0f;
  for (int row = r0; row < r1; row++) {
    int b = row / OH, oh = row % OH;
    const float* dyrow = dy + ((long)(b * OH + oh) * OW) * Co;
    for (int kh = 0; kh < KH; kh++) {
      int ih = oh * sh + kh - pt;
      if (ih < 0 || ih >= H) continue;
      const float* xrow = x + ((long)(b * H + ih) * W) * Ci;
      float* dwkh = dw + (long)kh * KW * Ci * Co;
      // Output columns [m0, m1) see their whole filter row inside the image (stride 1 only).
      int m0 = 0, m1 = 0;
      if (sw == 1) {
        m0 = pl < OW ? pl : OW;
        m1 = W - KW + 1 + pl < OW ? W - KW + 1 + pl : OW;
        if (m1 < m0) m1 = m0;
        rows(xrow - (long)pl * Ci, Ci, dyrow, dwkh, KW * Ci, m0, m1, Co);
      }
      for (int kw = 0; kw < KW; kw++) {
        // The output columns whose input column ow*sw + kw - pl lies inside the image,
        // less [m0, m1) where the merged row above took them.
        int ow0 = 0, ow1 = OW;
        while (ow0 < OW && ow0 * sw + kw - pl < 0) ow0++;
        while (ow1 > ow0 && (ow1 - 1) * sw + kw - pl >= W) ow1--;
        const float* xb = xrow + (long)(kw - pl) * Ci;
        float* dwtap = dwkh + (long)kw * Ci * Co;
        int left = ow1 < m0 ? ow1 : m0, right = ow0 > m1 ? ow0 : m1;
        rows(xb, sw * Ci, dyrow, dwtap, Ci, ow0, left, Co);
        rows(xb, sw * Ci, dyrow, dwtap, Ci, right, ow1, Co);
      }
    }
  }
}
