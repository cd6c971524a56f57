// Matrix products for small and medium sizes (a dense layer's forward pass and both of its
// gradients), reading either operand transposed in place.
//
// The convolution library behind the wasm backend packs its second operand before every
// product, and that operand is a freshly updated weight matrix at each training step; its
// transposed products take a slow path (the course transposed explicitly before). These
// loops read both operands where they are.
#include "simd.h"

// c[m][n] (V vectors of 4 columns from n) for R rows from m: sum over k of a(m, k) * b[k][n],
// where a(m, k) = a[m*ams + k*aks].
INLINE void kn_block(const float* a, int ams, int aks, const float* b, float* c, int K, int N, int m, int n, int R, int V) {
  f4 acc[4][2];
  for (int r = 0; r < R; r++) for (int v = 0; v < V; v++) acc[r][v] = ZERO;
  const float* ap = a + (long)m * ams;
  const float* bp = b + n;
  for (int k = 0; k < K; k++, ap += aks, bp += N) {
    f4 bv[2];
    for (int v = 0; v < V; v++) bv[v] = LOAD(bp + 4 * v);
    for (int r = 0; r < R; r++) {
      f4 ar = SPLAT(ap + (long)r * ams);
      for (int v = 0; v < V; v++) acc[r][v] = MAC(acc[r][v], ar, bv[v]);
    }
  }
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) STORE(c + (long)(m + r) * N + n + 4 * v, acc[r][v]);
}

// One column n of R rows from m, in scalar arithmetic (the last N % 4 columns).
INLINE void kn_column(const float* a, int ams, int aks, const float* b, float* c, int K, int N, int m, int n, int R) {
  float acc[4] = {0, 0, 0, 0};
  const float* ap = a + (long)m * ams;
  for (int k = 0; k < K; k++, ap += aks) {
    float bk = b[(long)k * N + n];
    for (int r = 0; r < R; r++) acc[r] += ap[(long)r * ams] * bk;
  }
  for (int r = 0; r < R; r++) c[(long)(m + r) * N + n] = acc[r];
}

INLINE void kn_rows(const float* a, int ams, int aks, const float* b, float* c, int K, int N, int m, int R) {
  int n = 0;
  for (; n + 8 <= N; n += 8) kn_block(a, ams, aks, b, c, K, N, m, n, R, 2);
  if (n + 4 <= N) { kn_block(a, ams, aks, b, c, K, N, m, n, R, 1); n += 4; }
  for (; n < N; n++) kn_column(a, ams, aks, b, c, K, N, m, n, R);
}

// c[M][N] = a · b with b row-major [K][N] and a(m, k) = a[m*ams + k*aks]:
// a is [M][K] with (ams, aks) = (K, 1), or [K][M] read transposed with (1, M).
// Rows [m0, m1) of c only (two threads can share a product).
EXPORT(matmul_kn)
void matmul_kn(const float* a, const float* b, float* c, int M, int K, int N, int ams, int aks, int m0, int m1) {
  int m = m0;
  for (; m + 4 <= m1; m += 4) kn_rows(a, ams, aks, b, c, K, N, m, 4);
  switch (m1 - m) {
    case 3: kn_rows(a, ams, aks, b, c, K, N, m, 3); break;
    case 2: kn_rows(a, ams, aks, b, c, K, N, m, 2); break;
    case 1: kn_rows(a, ams, aks, b, c, K, N, m, 1); break;
  }
}

INLINE float lanes_sum(f4 v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

// c[m][n] for R rows from m and S columns from n: dot products of rows of a [M][K] and
// rows of b [N][K], 4 values of k at a time.
INLINE void nt_block(const float* a, const float* b, float* c, int K, int N, int m, int n, int R, int S) {
  f4 acc[2][4];
  for (int r = 0; r < R; r++) for (int s = 0; s < S; s++) acc[r][s] = ZERO;
  int k = 0;
  for (; k + 4 <= K; k += 4) {
    f4 av[2], bv[4];
    for (int r = 0; r < R; r++) av[r] = LOAD(a + (long)(m + r) * K + k);
    for (int s = 0; s < S; s++) bv[s] = LOAD(b + (long)(n + s) * K + k);
    for (int r = 0; r < R; r++)
      for (int s = 0; s < S; s++) acc[r][s] = MAC(acc[r][s], av[r], bv[s]);
  }
  for (int r = 0; r < R; r++)
    for (int s = 0; s < S; s++) {
      float sum = lanes_sum(acc[r][s]);
      for (int kk = k; kk < K; kk++) sum += a[(long)(m + r) * K + kk] * b[(long)(n + s) * K + kk];
      c[(long)(m + r) * N + n + s] = sum;
    }
}

INLINE void nt_rows(const float* a, const float* b, float* c, int K, int N, int m, int R) {
  int n = 0;
  for (; n + 4 <= N; n += 4) nt_block(a, b, c, K, N, m, n, R, 4);
  switch (N - n) {
    case 3: nt_block(a, b, c, K, N, m, n, R, 3); break;
    case 2: nt_block(a, b, c, K, N, m, n, R, 2); break;
    case 1: nt_block(a, b, c, K, N, m, n, R, 1); break;
  }
}

// c[M][N] = a · bᵀ with a [M][K] and b [N][K] (a dense layer's input gradient, dy · Wᵀ).
// Rows [m0, m1) of c only.
EXPORT(matmul_nt)
void matmul_nt(const float* a, const float* b, float* c, int M, int K, int N, int m0, int m1) {
  int m = m0;
  for (; m + 2 <= m1; m += 2) nt_rows(a, b, c, K, N, m, 2);
  if (m < m1) nt_rows(a, b, c, K, N, m, 1);
}
