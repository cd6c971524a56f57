// Shorthands for the course's WebAssembly SIMD kernels (lib/engine/kernels/wasm/*.c).
//
// Every kernel is freestanding: no stack, no data segment, nothing but the memory its
// pointer arguments reach, because it runs on the memory of another module (the
// TensorFlow.js wasm backend's heap). Built by tools/build-wasm-kernels.ts.
#pragma once
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))
#define INLINE static inline __attribute__((always_inline))

typedef v128_t f4;
#define ZERO wasm_f32x4_splat(0.0f)
#define ADD wasm_f32x4_add
#define MUL wasm_f32x4_mul
#define LOAD(p) wasm_v128_load(p)
#define STORE(p, v) wasm_v128_store((p), (v))
#define SPLAT(p) wasm_v128_load32_splat(p)
// acc + a * b (two roundings: WebAssembly SIMD has no fused multiply-add).
#define MAC(acc, a, b) wasm_f32x4_add((acc), wasm_f32x4_mul((a), (b)))

// Float64 lanes, for kernels that compute as TensorFlow.js's cpu backend does (in doubles).
typedef v128_t d2;
// The low and high two lanes of a float32 vector as doubles.
#define PROMOTE_LOW(v) wasm_f64x2_promote_low_f32x4(v)
#define PROMOTE_HIGH(v) wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle((v), (v), 2, 3, 2, 3))
// Two double pairs rounded to float32 (to nearest, as a Float32Array store rounds), as one vector.
#define DEMOTE(lo, hi) \
  wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5)
