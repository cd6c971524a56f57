// The filter gradient of a 2-D convolution (NHWC, no dilation), in WebAssembly SIMD.
//
//   dw[kh][kw][ci][co] += sum over b, oh, ow of
//                         x[b][oh*sh + kh - pt][ow*sw + kw - pl][ci] * dy[b][oh][ow][co]
//
// x is [B,H,W,Ci], dy [B,OH,OW,Co], dw [KH,KW,Ci,Co] (accumulated into: zero it first);
// Co must be a multiple of 4. Each row of dy meets each filter tap once: 4 input channels
// times 8 (or 4) output channels are summed in registers over the row, then added to dw,
// which stays in cache. No transposes and no repacking of x or dy, which is what the
// convolution library spends most of this gradient's time on.
//
// The function uses no stack and no data segment, only the memory its pointers reach, so
// it can run on the memory of another module (TensorFlow.js's wasm heap).
// Built by tools/build-wasm-kernels.ts (clang --target=wasm32 -msimd128).
#include <wasm_simd128.h>

__attribute__((export_name("filter_grad")))
void filter_grad(const float* x, const float* dy, float* dw, int B, int H, int W, int Ci,
                 int OH, int OW, int Co, int KH, int KW, int sh, int sw, int pt, int pl) {
  for (int b = 0; b < B; b++)
  for (int oh = 0; oh < OH; oh++) {
    const float* dyrow = dy + ((long)(b * OH + oh) * OW) * Co;
    for (int kh = 0; kh < KH; kh++) {
      int ih = oh * sh + kh - pt;
      if (ih < 0 || ih >= H) continue;
      const float* xrow = x + ((long)(b * H + ih) * W) * Ci;
      for (int kw = 0; kw < KW; kw++) {
        // The output columns whose input column ow*sw + kw - pl lies inside the image.
        int ow0 = 0, ow1 = OW;
        while (ow0 < OW && ow0 * sw + kw - pl < 0) ow0++;
        while (ow1 > ow0 && (ow1 - 1) * sw + kw - pl >= W) ow1--;
        float* dwtap = dw + (long)(kh * KW + kw) * Ci * Co;
        int ci = 0;
        for (; ci + 4 <= Ci; ci += 4) {
          for (int co = 0; co < Co; co += 8) {
            if (co + 8 <= Co) {
              v128_t a00 = wasm_f32x4_splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
              for (int ow = ow0; ow < ow1; ow++) {
                const float* xp = xrow + (ow * sw + kw - pl) * Ci + ci;
                const float* dp = dyrow + ow * Co + co;
                v128_t d0 = wasm_v128_load(dp), d1 = wasm_v128_load(dp + 4);
                v128_t x0 = wasm_v128_load32_splat(xp), x1 = wasm_v128_load32_splat(xp + 1), x2 = wasm_v128_load32_splat(xp + 2), x3 = wasm_v128_load32_splat(xp + 3);
                a00 = wasm_f32x4_add(a00, wasm_f32x4_mul(x0, d0)); a01 = wasm_f32x4_add(a01, wasm_f32x4_mul(x0, d1));
                a10 = wasm_f32x4_add(a10, wasm_f32x4_mul(x1, d0)); a11 = wasm_f32x4_add(a11, wasm_f32x4_mul(x1, d1));
                a20 = wasm_f32x4_add(a20, wasm_f32x4_mul(x2, d0)); a21 = wasm_f32x4_add(a21, wasm_f32x4_mul(x2, d1));
                a30 = wasm_f32x4_add(a30, wasm_f32x4_mul(x3, d0)); a31 = wasm_f32x4_add(a31, wasm_f32x4_mul(x3, d1));
              }
              float* o = dwtap + ci * Co + co;
              wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), a00)); wasm_v128_store(o + 4, wasm_f32x4_add(wasm_v128_load(o + 4), a01));
              o += Co; wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), a10)); wasm_v128_store(o + 4, wasm_f32x4_add(wasm_v128_load(o + 4), a11));
              o += Co; wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), a20)); wasm_v128_store(o + 4, wasm_f32x4_add(wasm_v128_load(o + 4), a21));
              o += Co; wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), a30)); wasm_v128_store(o + 4, wasm_f32x4_add(wasm_v128_load(o + 4), a31));
            } else {
              v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
              for (int ow = ow0; ow < ow1; ow++) {
                const float* xp = xrow + (ow * sw + kw - pl) * Ci + ci;
                v128_t d0 = wasm_v128_load(dyrow + ow * Co + co);
                a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load32_splat(xp), d0));
                a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load32_splat(xp + 1), d0));
                a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load32_splat(xp + 2), d0));
                a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load32_splat(xp + 3), d0));
              }
              float* o = dwtap + ci * Co + co;
              wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), a0)); o += Co;
              wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), a1)); o += Co;
              wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), a2)); o += Co;
              wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), a3));
            }
          }
        }
        for (; ci < Ci; ci++) {
          for (int co = 0; co < Co; co += 4) {
            v128_t a0 = wasm_f32x4_splat(0);
            for (int ow = ow0; ow < ow1; ow++)
              a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load32_splat(xrow + (ow * sw + kw - pl) * Ci + ci), wasm_v128_load(dyrow + ow * Co + co)));
            float* o = dwtap + ci * Co + co;
            wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), a0));
          }
        }
      }
    }
  }
}
