// The input gradient of a 2-D convolution (NHWC, no dilation).
//
//   dx[b][oh*sh + kh - pt][ow*sw + kw - pl][ci] = sum over oh, ow, kh, kw, co of dy[b][oh][ow][co] * w[kh][kw][ci][co]
//
// dy is [B,OH,OW,Co], w [KH,KW,Ci,Co], wt the same filter as [KH,KW,Co,Ci] (the caller
// transposes it: it is small), dx [B,H,W,Ci] (set or added to, see below). Each row of
// dy is spread over the dx rows its filter taps reach: 4 columns of dx times 8 (or 4) input
// channels are summed in registers over the output channels, reading wt's rows of input
// channels. Padding is never touched (the composed route convolved a zero-inserted,
// padded dy: on a 'valid' 5x5 layer half of its multiply-adds were by zeros).
#include "simd.h"

// dx columns iw(ow) = ow*sw + off for ow in [ow, ow + R), input channels [ci, ci + 4V).
INLINE void block(const float* dyrow, const float* wtap, float* dxrow, int Ci, int Co, int sw, int off, int ow, int ci, int R, int V) {
  f4 acc[4][2];
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) acc[r][v] = LOAD(dxrow + (long)((ow + r) * sw + off) * Ci + ci + 4 * v);
  const float* g = dyrow + (long)ow * Co;
  for (int co = 0; co < Co; co++) {
    f4 w[2];
    for (int v = 0; v < V; v++) w[v] = LOAD(wtap + (long)co * Ci + ci + 4 * v);
    for (int r = 0; r < R; r++) {
      f4 d = SPLAT(g + (long)r * Co + co);
      for (int v = 0; v < V; v++) acc[r][v] = MAC(acc[r][v], d, w[v]);
    }
  }
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) STORE(dxrow + (long)((ow + r) * sw + off) * Ci + ci + 4 * v, acc[r][v]);
}

INLINE void columns(const float* dyrow, const float* wtap, float* dxrow, int Ci, int Co, int sw, int off, int o0, int o1, int ci, int V) {
  int ow = o0;
  for (; ow + 4 <= o1; ow += 4) block(dyrow, wtap, dxrow, Ci, Co, sw, off, ow, ci, 4, V);
  switch (o1 - ow) {
    case 3: block(dyrow, wtap, dxrow, Ci, Co, sw, off, ow, ci, 3, V); break;
    case 2: block(dyrow, wtap, dxrow, Ci, Co, sw, off, ow, ci, 2, V); break;
    case 1: block(dyrow, wtap, dxrow, Ci, Co, sw, off, ow, ci, 1, V); break;
  }
}

// An input channel left over after the vectors: a dot product over co with w's own rows.
static void channel(const float* dyrow, const float* wrow, float* dxrow, int Ci, int Co, int sw, int off, int o0, int o1) {
  for (int ow = o0; ow < o1; ow++) {
    const float* g = dyrow + (long)ow * Co;
    f4 acc = ZERO;
    int co = 0;
    for (; co + 4 <= Co; co += 4) acc = MAC(acc, LOAD(g + co), LOAD(wrow + co));
    float sum = (wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1)) +
                (wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3));
    for (; co < Co; co++) sum += g[co] * wrow[co];
    dxrow[(long)(ow * sw + off) * Ci] += sum;
  }
}

// Images [b0, b1) and rows [oh0, oh1) of dy only: two threads can share a gradient, writing
// different images of dx, or (one image) each into its own dx, which the caller adds. With
// `zero`, those images of dx are zeroed first (by the thread that computes them, so that
// their cache lines need not move from another core); else the rows' terms are added.
EXPORT(input_grad)
void input_grad(const float* dy, const float* w, const float* wt, float* dx, int H, int W, int Ci,
                int OH, int OW, int Co, int KH, int KW, int sh, int sw, int pt, int pl, int b0, int b1, int oh0, int oh1, int zero) {
  if (zero)
    for (long i = (long)b0 * H * W * Ci; i < (long)b1 * H * W * Ci; i++) dx[i] = 0.0f;
  for (int b = b0; b < b1; b++)
  for (int oh = oh0; oh < oh1; oh++) {
    const float* dyrow = dy + ((long)(b * OH + oh) * OW) * Co;
    for (int kh = 0; kh < KH; kh++) {
      int ih = oh * sh + kh - pt;
      if (ih < 0 || ih >= H) continue;
      float* dxrow = dx + ((long)(b * H + ih) * W) * Ci;
      for (int kw = 0; kw < KW; kw++) {
        // The output columns whose input column ow*sw + kw - pl lies inside the image.
        int o0 = 0, o1 = OW;
        while (o0 < OW && o0 * sw + kw - pl < 0) o0++;
        while (o1 > o0 && (o1 - 1) * sw + kw - pl >= W) o1--;
        if (o0 >= o1) continue;
        int off = kw - pl;
        const float* wtap = wt + (long)(kh * KW + kw) * Co * Ci;
        int ci = 0;
        for (; ci + 8 <= Ci; ci += 8) columns(dyrow, wtap, dxrow, Ci, Co, sw, off, o0, o1, ci, 2);
        if (ci + 4 <= Ci) { columns(dyrow, wtap, dxrow, Ci, Co, sw, off, o0, o1, ci, 1); ci += 4; }
        for (; ci < Ci; ci++)
          channel(dyrow, w + ((long)(kh * KW + kw) * Ci + ci) * Co, dxrow + ci, Ci, Co, sw, off, o0, o1);
      }
    }
  }
}
