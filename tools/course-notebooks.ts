/**
 * The course's glue to nbconvert-ts, which knows no course: the profiles its
 * notebooks take, what a cached run depends on, the environment that changes
 * results, the kernel, and the chart renderer. The command line gets it through
 * `nbconvert-ts.config.ts` in the project root; the site build and the tests
 * that execute course notebooks take the same options from here.
 */
import { join } from 'node:path';
import { WASM_THREADS_ENV_VAR, wantedWasmThreads } from '../lib/engine/wasm-threads';
import { projectRoot } from '../lib/paths';
import { drawDiagram, parseDiagramCall } from '../lib/viz/diagram-registry';
import { renderSvg } from '../lib/viz/svg';
import { COURSE_KERNEL_NAME, courseKernelSpec } from './kernel/spec';
import type { KernelChoice, NbconvertConfig } from './nbconvert-ts/config';
import type { ConvertOptions } from './nbconvert-ts/convert';
import type { ExecuteOptions } from './nbconvert-ts/execute';

/** The values of a course notebook's `profile` parameter: `full` (what a learner runs) or `ci` (quick). */
export const COURSE_PROFILES = ['ci', 'full'] as const;

/** A course notebook profile. */
export type CourseProfile = (typeof COURSE_PROFILES)[number];

/**
 * Environment variables that change what a course notebook computes: the backend
 * (`COURSE_BACKEND`, read by lib/engine/backend) and the wasm thread count
 * (`COURSE_WASM_THREADS`): XNNPACK splits some sums differently on more threads, so
 * the last bits of a training run, and the numbers it prints, depend on it.
 */
export const COURSE_CACHE_ENV = ['COURSE_BACKEND', WASM_THREADS_ENV_VAR];

/** How to (re)install the course kernel, said after a kernelspec problem. */
export const COURSE_KERNEL_HINT = `for the course kernel '${COURSE_KERNEL_NAME}': npm run kernel:install, with --replace to replace a broken one`;

/**
 * What a course notebook's run depends on besides its own cells: the library and the
 * locked dependencies. A change to any of them
 * makes cached runs stale.
 */
export function projectCacheInputs(): string[] {
  const root = projectRoot();
  return [join(root, 'lib'), join(root, 'package-lock.json')];
}

/** This checkout's course kernel, whatever kernelspecs are installed. */
export function courseKernel(): KernelChoice {
  return { name: COURSE_KERNEL_NAME, spec: courseKernelSpec(projectRoot()) };
}

/** The course's part of every notebook run's options: its kernel, cache inputs and environment. */
export function courseExecuteOptions(): Pick<
  ExecuteOptions,
  'defaultKernel' | 'kernelHint' | 'cacheInputs' | 'cacheEnv'
> {
  return {
    defaultKernel: courseKernel(),
    kernelHint: COURSE_KERNEL_HINT,
    cacheInputs: projectCacheInputs(),
    cacheEnv: COURSE_CACHE_ENV,
  };
}

/** Draws a notebook's diagram reference `NAME key=value …` with the library's diagrams (lib/viz/diagram-registry). */
export function courseDiagram(call: string): string {
  const { name, params } = parseDiagramCall(call);
  return drawDiagram(name, params);
}

/** The course's part of every conversion's options: the chart and diagram renderers. */
export function courseConvertOptions(): Pick<ConvertOptions, 'renderChart' | 'renderDiagram'> {
  return {
    renderChart: (spec) => renderSvg(spec as Parameters<typeof renderSvg>[0]),
    renderDiagram: courseDiagram,
  };
}

/** The whole course configuration for the nbconvert-ts command line. */
export function courseNbconvertConfig(): NbconvertConfig {
  const root = projectRoot();
  return {
    profiles: [...COURSE_PROFILES],
    checkParameters: { profile: 'ci' },
    cacheDir: join(root, 'build', '.nbcache'),
    cacheInputs: projectCacheInputs(),
    cacheEnv: COURSE_CACHE_ENV,
    // Kernels running side by side share the cores (the wasm backend's threads wait for each other).
    threadsEnv: { name: WASM_THREADS_ENV_VAR, total: () => wantedWasmThreads() },
    defaultKernel: courseKernel,
    kernelHint: COURSE_KERNEL_HINT,
    renderChart: courseConvertOptions().renderChart,
    renderDiagram: courseDiagram,
    notebooksDir: join(root, 'site', 'static', 'notebooks'),
  };
}
