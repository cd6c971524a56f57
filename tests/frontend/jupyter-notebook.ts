// Debian's classic Jupyter Notebook 6.4 (`apt-get install jupyter-notebook`) as a real front end
// for the course kernel: started on 127.0.0.1 with a token, its Jupyter folders in a temporary
// directory (nothing read from or written to the user's), stopped when the test ends.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const JUPYTER_NOTEBOOK = process.env.JUPYTER_NOTEBOOK_PATH ?? '/usr/bin/jupyter-notebook';

/**
 * Why the front-end tests cannot run here, or undefined when they can. Outside CI
 * a missing Notebook skips them with this reason; in CI (CI=true) it is a failure.
 */
export function notebookSkipReason(): string | undefined {
  if (existsSync(JUPYTER_NOTEBOOK)) return undefined;
  const reason = `no Jupyter Notebook at ${JUPYTER_NOTEBOOK} (apt-get install jupyter-notebook, or set JUPYTER_NOTEBOOK_PATH)`;
  if (process.env.CI && process.env.CI !== 'false')
    throw new Error(`CI needs the front-end tests: ${reason}`);
  return reason;
}

/** The Jupyter folders of one test run, all under `dir`. */
export function jupyterEnv(dir: string): NodeJS.ProcessEnv {
  const data = join(dir, 'share', 'jupyter');
  for (const sub of [data, join(dir, 'config'), join(dir, 'runtime'), join(dir, 'ipython')])
    mkdirSync(sub, { recursive: true });
  return {
    ...process.env,
    JUPYTER_DATA_DIR: data,
    JUPYTER_PATH: data,
    JUPYTER_CONFIG_DIR: join(dir, 'config'),
    JUPYTER_RUNTIME_DIR: join(dir, 'runtime'),
    IPYTHONDIR: join(dir, 'ipython'),
    // Debian's Python with Debian's Jupyter packages, not a pyenv shim found first on PATH.
    PATH: `/usr/bin:${process.env.PATH ?? ''}`,
    BROWSER: 'true',
  };
}

/**
 * Registers the course kernel in `dir` the way a learner does (`npm run
 * kernel:install -- --prefix DIR`) and returns the kernelspec names it wrote.
 */
export function installCourseKernel(root: string, dir: string, env: NodeJS.ProcessEnv): string[] {
  const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const run = spawnSync(process.execPath, [tsx, join(root, 'tools', 'kernel-install.ts'), '--prefix', dir], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`kernel:install failed (${run.status}): ${run.stderr}${run.stdout}`);
  const kernels = join(dir, 'share', 'jupyter', 'kernels');
  const names = existsSync(kernels) ? readdirSync(kernels) : [];
  if (names.length === 0)
    throw new Error(`kernel:install wrote no kernelspec under ${kernels}: ${run.stdout}`);
  return names;
}

/** A port free on 127.0.0.1 now (Notebook 6 cannot be asked for port 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A running Notebook server. */
export interface NotebookServer {
  /** `http://127.0.0.1:PORT` */
  base: string;
  token: string;
  /** The server's own log (stderr), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts Notebook 6 serving `notebookDir` and waits until its API answers. */
export async function startNotebook(
  notebookDir: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
): Promise<NotebookServer> {
  const token = randomBytes(24).toString('hex');
  const port = await freePort();
  const child: ChildProcess = spawn(
    JUPYTER_NOTEBOOK,
    [
      '--no-browser',
      '--ip=127.0.0.1',
      `--port=${port}`,
      '--NotebookApp.port_retries=0',
      `--NotebookApp.token=${token}`,
      `--notebook-dir=${notebookDir}`,
      '--NotebookApp.disable_check_xsrf=False',
      '--NotebookApp.allow_remote_access=False',
      // CI containers run as root, which Notebook refuses without this.
      ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    ],
    { cwd: notebookDir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited !== undefined) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    // Notebook asks for confirmation on SIGINT only; SIGTERM shuts kernels down and exits.
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== undefined)
      throw new Error(`jupyter-notebook exited (${exited}) before answering:\n${output}`);
    try {
      const response = await fetch(`${base}/api/status?token=${token}`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`jupyter-notebook did not answer on ${base} within ${timeoutMs / 1000} s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { base, token, log: () => output, stop };
}
