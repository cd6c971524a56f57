/**
 * Jupyter's data directories and kernelspecs, found the way jupyter_core does
 * (JUPYTER_DATA_DIR / JUPYTER_PATH, the user's data dir, then system dirs),
 * without needing Python.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The user's Jupyter data directory, where `kernel:install` writes. */
export function userJupyterDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): string {
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

/** A kernel.json that cannot be used: the message names the file and what is wrong with it. */
export class KernelSpecFileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'KernelSpecFileError';
  }
}

/** Reads and checks a kernel.json (argv a non-empty list of strings, display_name and language strings). */
export function readKernelSpecFile(file: string): KernelSpec {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new KernelSpecFileError(file, `not a readable JSON file (${(error as Error).message})`);
  }
  const spec = parsed as Partial<KernelSpec> | null;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec))
    throw new KernelSpecFileError(file, 'not a JSON object');
  if (!Array.isArray(spec.argv) || spec.argv.length === 0 || !spec.argv.every((a) => typeof a === 'string')) {
    throw new KernelSpecFileError(
      file,
      '"argv" must be a non-empty list of strings (the kernel\'s command line)',
    );
  }
  if (
    spec.env !== undefined &&
    (typeof spec.env !== 'object' ||
      spec.env === null ||
      Object.values(spec.env).some((v) => typeof v !== 'string'))
  ) {
    throw new KernelSpecFileError(file, '"env" must map names to strings');
  }
  if (
    spec.interrupt_mode !== undefined &&
    spec.interrupt_mode !== 'signal' &&
    spec.interrupt_mode !== 'message'
  ) {
    throw new KernelSpecFileError(
      file,
      `"interrupt_mode" is "signal" or "message", not ${JSON.stringify(spec.interrupt_mode)}`,
    );
  }
  return {
    ...spec,
    display_name: String(spec.display_name ?? ''),
    language: String(spec.language ?? ''),
  } as KernelSpec;
}

/**
 * Finds the kernelspec `name` in the Jupyter data directories, or undefined.
 *
 * @throws KernelSpecFileError when the first kernel.json found for the name is unusable.
 */
export function findKernelSpec(
  name: string,
  dirs: string[] = jupyterDataDirs(),
): FoundKernelSpec | undefined {
  for (const base of dirs) {
    const dir = join(base, 'kernels', name);
    const file = join(dir, 'kernel.json');
    if (!existsSync(file)) continue;
    return { name, dir, spec: readKernelSpecFile(file) };
  }
  return undefined;
}

/** Names of every kernelspec installed, for messages. */
export function listKernelSpecs(dirs: string[] = jupyterDataDirs()): string[] {
  return [...new Set(listKernelSpecFiles(dirs).map((k) => k.name))].sort();
}

/** Every kernel.json in the data directories (highest priority first), with its name. */
export function listKernelSpecFiles(
  dirs: string[] = jupyterDataDirs(),
): Array<{ name: string; file: string }> {
  const found: Array<{ name: string; file: string }> = [];
  for (const base of dirs) {
    const kernels = join(base, 'kernels');
    let entries: string[];
    try {
      entries = readdirSync(kernels);
    } catch {
      continue; // missing or unreadable: nothing there for us
    }
    for (const entry of entries.sort()) {
      const file = join(kernels, entry, 'kernel.json');
      if (existsSync(file)) found.push({ name: entry, file });
    }
  }
  return found;
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

/**
 * What is wrong with a kernelspec's command, or undefined: an argv whose
 * program or script files (absolute paths) are gone, as after a checkout was
 * deleted or moved.
 */
export function missingSpecFiles(spec: KernelSpec): string[] {
  const files = spec.argv.flatMap((arg, i) => {
    if (arg.startsWith('file://')) return [fileURLToPath(arg)];
    return arg.startsWith('/') && (i === 0 || /\.(?:[cm]?[jt]s)$/.test(arg)) ? [arg] : [];
  });
  return files.filter((file) => !existsSync(file));
}
