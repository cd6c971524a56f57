/**
 * Jupyter's data directories and kernelspecs, found the way jupyter_core does
 * (JUPYTER_DATA_DIR / JUPYTER_PATH, the user's data dir, then system dirs),
 * without needing Python.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The user's Jupyter data directory, where `kernel:install` writes. */
export function userJupyterDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Jupyter');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'jupyter');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'jupyter');
}

/** Every Jupyter data directory, highest priority first. */
export function jupyterDataDirs(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string[] {
  const dirs: string[] = [];
  if (env.JUPYTER_PATH) dirs.push(...env.JUPYTER_PATH.split(delimiter).filter(Boolean));
  dirs.push(userJupyterDataDir(env, platform));
  if (env.VIRTUAL_ENV) dirs.push(join(env.VIRTUAL_ENV, 'share', 'jupyter'));
  if (platform === 'win32') dirs.push(join(env.PROGRAMDATA ?? 'C:\\ProgramData', 'jupyter'));
  else dirs.push('/usr/local/share/jupyter', '/usr/share/jupyter');
  return [...new Set(dirs)];
}

/** A kernelspec as Jupyter stores it in `kernels/<name>/kernel.json`. */
export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode?: 'signal' | 'message';
  env?: Record<string, string>;
  metadata?: Record<string, unknown>;
}

/** A kernelspec found on disk. */
export interface FoundKernelSpec {
  name: string;
  dir: string;
  spec: KernelSpec;
}

/** Finds the kernelspec `name` in the Jupyter data directories, or undefined. */
export function findKernelSpec(name: string, dirs: string[] = jupyterDataDirs()): FoundKernelSpec | undefined {
  for (const base of dirs) {
    const dir = join(base, 'kernels', name);
    const file = join(dir, 'kernel.json');
    if (!existsSync(file)) continue;
    const spec = JSON.parse(readFileSync(file, 'utf8')) as KernelSpec;
    return { name, dir, spec };
  }
  return undefined;
}

/** Names of every kernelspec installed, for messages. */
export function listKernelSpecs(dirs: string[] = jupyterDataDirs()): string[] {
  const names = new Set<string>();
  for (const base of dirs) {
    const kernels = join(base, 'kernels');
    if (!existsSync(kernels)) continue;
    for (const entry of readdirSync(kernels)) if (existsSync(join(kernels, entry, 'kernel.json'))) names.add(entry);
  }
  return [...names].sort();
}

/** Finds an executable on PATH, or undefined. */
export function which(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const extensions = process.platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    for (const ext of extensions) {
      const candidate = join(dir, command + ext);
      if (dir && existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}
