/**
 * What a project tells nbconvert-ts about itself: the tool knows no project. A
 * project puts `nbconvert-ts.config.ts` (or `.mjs`, `.js`, `.json`) in its root;
 * the command line finds it by walking up from the working directory, or takes
 * `--config FILE`. A module's default export is the configuration (it may hold
 * functions: a default kernel, a chart renderer); a JSON file holds data only.
 * Relative paths are relative to the configuration file's folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KernelSpec } from '../jupyter/paths';
import type { ParameterValue } from './execute';

/** A kernel to run: its name (for reports and the cache key) and its kernelspec. */
export interface KernelChoice {
  name: string;
  spec: KernelSpec;
}

/** A project's settings for nbconvert-ts; every field is optional. */
export interface NbconvertConfig {
  /** The values `--profile` accepts (any value when absent). */
  profiles?: string[];
  /** Parameters that `check` runs with, under those given (e.g. `{ "profile": "ci" }`). */
  checkParameters?: Record<string, ParameterValue>;
  /** The cache folder when `--cache-dir` is not given (without it: no cache unless asked). */
  cacheDir?: string;
  /** Files and folders whose contents belong in every run's cache key (the project's library, its lockfile). */
  cacheInputs?: string[];
  /** Environment variables whose values change what a notebook computes: part of the cache key. */
  cacheEnv?: string[];
  /**
   * A thread-count variable that kernels read: with `--jobs N` and the variable unset,
   * each kernel gets `total / N` threads (kernels side by side share the cores).
   */
  threadsEnv?: { name: string; total: number | (() => number) };
  /** The kernel to run without `--kernel` or `--kernel-cmd` (else the notebook's own kernelspec name). */
  defaultKernel?: KernelChoice | (() => KernelChoice);
  /** Said after a kernelspec problem: how to (re)install the project's kernel. */
  kernelHint?: string;
  /** Renders a Vega-Lite spec to SVG for a chart's static picture in `convert` (modules only). */
  renderChart?: (spec: unknown) => Promise<string>;
  /** Draws a Markdown cell's diagram reference (`diagram: NAME key=value …`) as SVG in `convert` (modules only). */
  renderDiagram?: (call: string) => string;
  /** `convert`'s folder for the download copies when `--notebooks-dir` is not given. */
  notebooksDir?: string;
}

/** The names the command line looks for, in this order, in each folder up from the working directory. */
export const CONFIG_FILES = [
  'nbconvert-ts.config.ts',
  'nbconvert-ts.config.mjs',
  'nbconvert-ts.config.js',
  'nbconvert-ts.config.json',
];

/** The configuration file nearest above `from`, if any. */
export function findConfigFile(from: string = process.cwd()): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    for (const name of CONFIG_FILES) if (existsSync(join(dir, name))) return join(dir, name);
    if (dirname(dir) === dir) return undefined;
  }
}

const KNOWN_KEYS = new Set([
  'profiles',
  'checkParameters',
  'cacheDir',
  'cacheInputs',
  'cacheEnv',
  'threadsEnv',
  'defaultKernel',
  'kernelHint',
  'renderChart',
  'renderDiagram',
  'notebooksDir',
]);

/**
 * Reads a configuration file, resolving its relative paths against its folder.
 *
 * @throws Error naming the file and the field when it is unreadable or a field has the wrong type.
 */
export async function loadConfig(file: string): Promise<NbconvertConfig> {
  const path = resolve(file);
  let raw: unknown;
  try {
    raw = path.endsWith('.json')
      ? JSON.parse(readFileSync(path, 'utf8'))
      : ((await import(pathToFileURL(path).href)) as { default?: unknown }).default;
  } catch (error) {
    throw new Error(`${file}: cannot read the nbconvert-ts configuration: ${(error as Error).message}`);
  }
  return checkConfig(raw, path);
}

/**
 * Checks a configuration object and resolves its relative paths against the folder of `source`.
 *
 * @throws Error naming `source` and the field that is wrong.
 */
export function checkConfig(raw: unknown, source: string): NbconvertConfig {
  const fail = (what: string) => new Error(`${source}: ${what}`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw fail("the configuration must be an object (a JSON object, or a module's default export)");
  const config = raw as Record<string, unknown>;
  for (const key of Object.keys(config))
    if (!KNOWN_KEYS.has(key)) throw fail(`unknown field ${key}; known: ${[...KNOWN_KEYS].join(', ')}`);
  const strings = (key: string) => {
    const value = config[key];
    if (value !== undefined && !(Array.isArray(value) && value.every((v) => typeof v === 'string')))
      throw fail(`${key} must be a list of strings`);
  };
  strings('profiles');
  strings('cacheInputs');
  strings('cacheEnv');
  for (const key of ['cacheDir', 'kernelHint', 'notebooksDir']) {
    if (config[key] !== undefined && typeof config[key] !== 'string') throw fail(`${key} must be a string`);
  }
  if (config.renderChart !== undefined && typeof config.renderChart !== 'function')
    throw fail('renderChart must be a function (from a module, not JSON)');
  if (config.renderDiagram !== undefined && typeof config.renderDiagram !== 'function')
    throw fail('renderDiagram must be a function (from a module, not JSON)');
  const kernel = config.defaultKernel;
  if (kernel !== undefined && typeof kernel !== 'function') {
    const k = kernel as Partial<KernelChoice>;
    if (
      typeof k.name !== 'string' ||
      !Array.isArray(k.spec?.argv) ||
      !k.spec.argv.every((a) => typeof a === 'string')
    ) {
      throw fail(
        'defaultKernel must be { name, spec: { argv: [...], display_name, language } } or a function returning one',
      );
    }
  }
  const threads = config.threadsEnv as NbconvertConfig['threadsEnv'] | undefined;
  if (
    threads !== undefined &&
    (typeof threads?.name !== 'string' || !['number', 'function'].includes(typeof threads.total))
  ) {
    throw fail('threadsEnv must be { name, total } (total a number, or a function from a module)');
  }
  const params = config.checkParameters;
  if (
    params !== undefined &&
    (typeof params !== 'object' ||
      params === null ||
      Object.values(params).some((v) => !['string', 'number', 'boolean'].includes(typeof v)))
  ) {
    throw fail('checkParameters must map names to strings, numbers or booleans');
  }
  const base = dirname(source);
  const at = (p: string) => (isAbsolute(p) ? p : join(base, p));
  const out = { ...config } as NbconvertConfig;
  if (out.cacheDir) out.cacheDir = at(out.cacheDir);
  if (out.notebooksDir) out.notebooksDir = at(out.notebooksDir);
  if (out.cacheInputs) out.cacheInputs = out.cacheInputs.map(at);
  return out;
}

/** The default kernel of a configuration, if it names one. */
export function configuredKernel(config: NbconvertConfig): KernelChoice | undefined {
  const kernel = config.defaultKernel;
  return typeof kernel === 'function' ? kernel() : kernel;
}
