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
