/**
 * Chromium flags under which headless Chromium runs the course on WebGPU with exact results.
 *
 * Headless Chromium composites with ANGLE on GL while Dawn runs WebGPU on Vulkan (SwiftShader),
 * and cannot then share a WebGPU canvas with the 2D canvas through which tfjs reads results
 * synchronously (see web/browser/webgpu-readback.ts, which detects it and falls back to wasm).
 * Compositing on SwiftShader's Vulkan too makes those reads exact.
 */
export const WEBGPU_CHROMIUM_ARGS: readonly string[] = [
  '--enable-unsafe-webgpu',
  '--use-angle=swiftshader',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
];

/** Debian's Chromium (playwright-core ships no browser of its own); CHROMIUM_PATH names another. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
