// nbconvert-ts stopped from outside, as a CI timeout or a person does it: SIGTERM and
// SIGINT must end the run in a moment, SIGKILL must not leave the kernel behind, and
// no connection file (it holds the key that signs the kernel's messages) may remain.
// The executor runs as a child process (node --import tsx, so that its pid is the
// executor's own), with TMPDIR pointed at a fresh folder where its connection files go.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, read } from './fixtures';

const BIN = join(process.cwd(), 'tools', 'nbconvert-ts', 'bin.ts');

interface Run {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
  temp: string;
  pidsFile: string;
}

function startExecutor(args: string[]): Run {
  const temp = mkdtempSync(join(tmpdir(), 'nbsig-tmp-'));
  const pidsFile = join(mkdtempSync(join(tmpdir(), 'nbsig-')), 'pids.json');
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    env: { ...process.env, TMPDIR: temp, NBCONVERT_TS_PIDS_FILE: pidsFile },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (child.pid !== undefined) started.push(child.pid);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, stderr: () => stderr, temp, pidsFile };
}

async function waitFor<T>(what: string, probe: () => T | undefined, seconds: number): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`waited ${seconds} s for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True while the process exists and is not a zombie (an exited child nobody reaped yet is gone for our purpose). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

/** Processes a test started; killed after it, so that a failing test leaves nothing running. */
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
});

const connectionFolders = (temp: string) =>
  readdirSync(temp).filter((name) => name.startsWith('nbconvert-ts-'));

/** Starts the sleeping fixture and waits until its first cell has written the kernel's pids. */
async function startSleeping(extra: string[] = []) {
  const input = fixture('signal-sleep');
  const outDir = mkdtempSync(join(tmpdir(), 'nbsig-out-'));
  const run = startExecutor([
    'execute',
    input,
    '--out-dir',
    outDir,
    '--no-cache',
    '--json-report',
    join(outDir, 'report.json'),
    ...extra,
  ]);
  const pids = await waitFor(
    'the kernel to write its pids',
    () =>
      existsSync(run.pidsFile) && readFileSync(run.pidsFile, 'utf8')
        ? (JSON.parse(readFileSync(run.pidsFile, 'utf8')) as {
            kernel: number;
            guard: number;
            argv: string[];
            jpyParentPid: string;
          })
        : undefined,
    90,
  );
  started.push(pids.guard, pids.kernel);
  expect(running(pids.kernel)).toBe(true);
  // The connection file the kernel was given lies in TMPDIR, and only there.
  // tslab takes it after --config-path, the course kernel after --connection-file.
  const flag = pids.argv.findIndex((arg) => arg === '--config-path' || arg === '--connection-file');
  expect(flag, JSON.stringify(pids.argv)).toBeGreaterThanOrEqual(0);
  const connectionFile = pids.argv[flag + 1]!;
  expect(connectionFile.startsWith(run.temp)).toBe(true);
  expect(existsSync(connectionFile)).toBe(true);
  expect(pids.jpyParentPid).toBe(String(run.child.pid)); // as jupyter_client sets it
  expect(pids.guard).not.toBe(run.child.pid); // the kernel runs under the guard
  // Let the sleeping cell start.
  await new Promise((r) => setTimeout(r, 1000));
  return { run, pids, connectionFile, input, outDir };
}

describe('stopping nbconvert-ts', () => {
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`${signal}: stops the run within seconds, kills the kernel, removes the connection file, writes what it has, exits ${code}`, async () => {
      const { run, pids, connectionFile, input, outDir } = await startSleeping();
      const signalled = Date.now();
      run.child.kill(signal);
      const { code: exitCode } = await run.exited;
      expect((Date.now() - signalled) / 1000).toBeLessThan(8);
      expect(exitCode, run.stderr()).toBe(code);
      await waitFor(
        'the kernel and its guard to be gone',
        () => (!running(pids.kernel) && !running(pids.guard) ? true : undefined),
        5,
      );
      expect(existsSync(connectionFile)).toBe(false);
      expect(connectionFolders(run.temp)).toEqual([]);
      expect(run.stderr()).toContain(
        `STOPPED ${input}: cell 1 (execution 2) was stopped: nbconvert-ts received ${signal}`,
      );
      // What ran is kept: the first cell's output, and the stopped cell marked as such.
      const executed = read(join(outDir, 'signal-sleep.ipynb'));
      expect(executed.cells[0].outputs[0].text.join('')).toBe('pids written\n');
      expect(executed.cells[1].outputs.at(-1)).toMatchObject({ output_type: 'error', ename: 'RunStopped' });
      expect(executed.cells[2].execution_count).toBeNull();
      expect(read(join(outDir, 'report.json')).notebooks[0]).toMatchObject({
        status: 'stopped',
        exitCode: code,
      });
    });
  }

  it('SIGKILL: the guard kills the kernel and removes the connection file', async () => {
    const { run, pids, connectionFile } = await startSleeping();
    run.child.kill('SIGKILL');
    await run.exited;
    await waitFor(
      'the kernel and its guard to be gone',
      () => (!running(pids.kernel) && !running(pids.guard) ? true : undefined),
      5,
    );
    expect(existsSync(connectionFile)).toBe(false);
    expect(connectionFolders(run.temp)).toEqual([]);
  });

  it('removes the connection file when a cell fails', async () => {
    const run = startExecutor([
      'execute',
      fixture('failing'),
      '--out-dir',
      mkdtempSync(join(tmpdir(), 'nbsig-out-')),
      '--no-cache',
    ]);
    expect((await run.exited).code, run.stderr()).toBe(1);
    expect(connectionFolders(run.temp)).toEqual([]);
  });
});
