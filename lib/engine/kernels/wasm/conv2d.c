// A 2-D convolution (NHWC, no dilation), the forward pass of a training step.
//
//   y[b][oh][ow][co] = sum over kh, kw, ci of x[b][oh*sh + kh - pt][ow*sw + kw - pl][ci] * w[kh][kw][ci][co]
//
// x is [B,H,W,Ci], w [KH,KW,Ci,Co] (Co a multiple of 4), y [B,OH,OW,Co]. The taps of a filter
// row read KW*Ci consecutive values of x for each output column (whatever the stride), so
// 4 output columns times 8 (or 4) output channels are summed in registers over those values
// and the filter rows: no packing of the filter, which the convolution library redoes on
// every call (in training the filter changes at every step). Columns whose window crosses
// the left or right border go one at a time, tap by tap.
#include "simd.h"

// Output columns [ow, ow + R), channels [co, co + 4V): every tap inside the image's width.
INLINE void inner(const float* x, const float* w, float* yrow, int b, int oh, int ow, int co, int H, int W, int Ci,
                  int Co, int KH, int KW, int sh, int sw, int pt, int pl, int R, int V) {
  f4 acc[4][2];
  for (int r = 0; r < R; r++) for (int v = 0; v < V; v++) acc[r][v] = ZERO;
  int n = KW * Ci;
  for (int kh = 0; kh < KH; kh++) {
    int ih = oh * sh + kh - pt;
    if (ih < 0 || ih >= H) continue;
    const float* xrow = x + ((long)(b * H + ih) * W) * Ci;
    const float* wrow = w + (long)kh * n * Co + co;
    const float* xp[4];
    for (int r = 0; r < R; r++) xp[r] = xrow + (long)((ow + r) * sw - pl) * Ci;
    for (int j = 0; j < n; j++) {
      f4 wv[2];
      for (int v = 0; v < V; v++) wv[v] = LOAD(wrow + (long)j * Co + 4 * v);
      for (int r = 0; r < R; r++) {
        f4 s = SPLAT(xp[r] + j);
        for (int v = 0; v < V; v++) acc[r][v] = MAC(acc[r][v], s, wv[v]);
      }
    }
  }
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) STORE(yrow + (long)(ow + r) * Co + co + 4 * v, acc[r][v]);
}

// One output column whose window crosses a border: the taps inside the image only.
INLINE void edge(const float* x, const float* w, float* yrow, int b, int oh, int ow, int co, int H, int W, int Ci,
                 int Co, int KH, int KW, int sh, int sw, int pt, int pl, int V) {
  f4 acc[2] = {ZERO, ZERO};
  for (int kh = 0; kh < KH; kh++) {
    int ih = oh * sh + kh - pt;
    if (ih < 0 || ih >= H) continue;
    for (int kw = 0; kw < KW; kw++) {
      int iw = ow * sw + kw - pl;
      if (iw < 0 || iw >= W) continue;
      const float* xp = x + ((long)(b * H + ih) * W + iw) * Ci;
      const float* wp = w + (long)(kh * KW + kw) * Ci * Co + co;
      for (int ci = 0; ci < Ci; ci++) {
        f4 s = SPLAT(xp + ci);
        for (int v = 0; v < V; v++) acc[v] = MAC(acc[v], s, LOAD(wp + (long)ci * Co + 4 * v));
      }
    }
  }
  for (int v = 0; v < V; v++) STORE(yrow + (long)ow * Co + co + 4 * v, acc[v]);
}

INLINE void row(const float* x, const float* w, float* yrow, int b, int oh, int co, int H, int W, int Ci, int OW,
                int Co, int KH, int KW, int sh, int sw, int pt, int pl, int m0, int m1, int V) {
  for (int ow = 0; ow < m0; ow++) edge(x, w, yrow, b, oh, ow, co, H, W, Ci, Co, KH, KW, sh, sw, pt, pl, V);
  int ow = m0;
  for (; ow + 4 <= m1; ow += 4) inner(x, w, yrow, b, oh, ow, co, H, W, Ci, Co, KH, KW, sh, sw, pt, pl, 4, V);
  switch (m1 - ow) {
    case 3: inner(x, w, yrow, b, oh, ow, co, H, W, Ci, Co, KH, KW, sh, sw, pt, pl, 3, V); break;
    case 2: inner(x, w, yrow, b, oh, ow, co, H, W, Ci, Co, KH, KW, sh, sw, pt, pl, 2, V); break;
    case 1: inner(x, w, yrow, b, oh, ow, co, H, W, Ci, Co, KH, KW, sh, sw, pt, pl, 1, V); break;
  }
  for (ow = m1; ow < OW; ow++) edge(x, w, yrow, b, oh, ow, co, H, W, Ci, Co, KH, KW, sh, sw, pt, pl, V);
}

// Images [b0, b1) and output rows [oh0, oh1) only: two threads can share a convolution.
EXPORT(conv2d)
void conv2d(const float* x, const float* w, float* y, int H, int W, int Ci, int OH, int OW, int Co,
            int KH, int KW, int sh, int sw, int pt, int pl, int b0, int b1, int oh0, int oh1) {
  // Columns [m0, m1) have their whole window inside the width: ow*sw - pl >= 0, ow*sw - pl + KW <= W.
  int m0 = 0;
  while (m0 < OW && m0 * sw - pl < 0) m0++;
  int m1 = m0;
  while (m1 < OW && m1 * sw - pl + KW <= W) m1++;
  for (int b = b0; b < b1; b++)
    for (int oh = oh0; oh < oh1; oh++) {
      float* yrow = y + ((long)(b * OH + oh) * OW) * Co;
      int co = 0;
      for (; co + 8 <= Co; co += 8) row(x, w, yrow, b, oh, co, H, W, Ci, OW, Co, KH, KW, sh, sw, pt, pl, m0, m1, 2);
      if (co < Co) row(x, w, yrow, b, oh, co, H, W, Ci, OW, Co, KH, KW, sh, sw, pt, pl, m0, m1, 1);
    }
}
