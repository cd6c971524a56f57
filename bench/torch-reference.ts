/**
 * PyTorch as the reference, at its best on this machine. Debian's PyTorch uses OpenBLAS,
 * whose speed here depends on the environment (`OPENBLAS_CORETYPE`, `OPENBLAS_L2_SIZE`: the
 * container sets both; LeNet ran at ~6,300 img/s with them, ~2,500 without) and on the
 * thread count. So the reference first tries every configuration and keeps the fastest,
 * then its runs are interleaved with ours, so both sides see the same machine load.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../lib/paths';

/** One way to run PyTorch: its thread count and whether OpenBLAS's hints stay in the environment. */
export interface TorchConfig {
  threads: number;
  openblasHints: 'as set' | 'unset';
}

/** The first Python that can import torch, if any. */
export function torchPython(): string | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  return undefined;
}

/** Every configuration worth trying: 1 thread and all cores, with and without OpenBLAS's hints. */
export function torchConfigs(cores = availableParallelism()): TorchConfig[] {
  const threads = [...new Set([1, cores])];
  const hintsSet = Object.keys(process.env).some((k) => k.startsWith('OPENBLAS_'));
  const hints: TorchConfig['openblasHints'][] = hintsSet ? ['as set', 'unset'] : ['as set'];
  return threads.flatMap((t) => hints.map((h) => ({ threads: t, openblasHints: h })));
}

/** How a configuration is written in the benchmark's output. */
export function describeConfig(config: TorchConfig): string {
  return `threads=${config.threads} openblas_hints=${config.openblasHints.replace(' ', '_')}`;
}

/** One PyTorch run: images (or updates) per second and the device it ran on. */
export function runTorch(
  python: string,
  model: string,
  steps: number,
  config: TorchConfig,
): { imgPerS: number; device: string } {
  const env = { ...process.env };
  if (config.openblasHints === 'unset')
    for (const key of Object.keys(env)) if (key.startsWith('OPENBLAS_')) delete env[key];
  const script = join(projectRoot(), 'bench', 'torch_bench.py');
  const args = [script, '--model', model, '--steps', String(steps), '--threads', String(config.threads)];
  const result = spawnSync(python, args, { encoding: 'utf8', env });
  const match = /TORCH model=\S+ device=(\S+) train_img_per_s=([\d.]+)/.exec(result.stdout ?? '');
  if (result.status !== 0 || !match) {
    const tail = (result.stderr || result.stdout || '').trim().split('\n').slice(-3).join(' ');
    throw new Error(`PyTorch benchmark failed (${describeConfig(config)}): ${tail}`);
  }
  return { imgPerS: Number(match[2]), device: match[1]! };
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Best and median of one side's runs. */
export interface SideSummary {
  best: number;
  median: number;
  runs: number[];
}

/** Summarises runs (higher is better). */
export function summarise(runs: readonly number[]): SideSummary {
  return { best: Math.max(...runs), median: median(runs), runs: [...runs] };
}
