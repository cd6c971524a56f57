// The course kernel over the Jupyter protocol: Jupyter's own kernel test suite
// (Debian's python3-jupyter-kernel-test) with the course's samples and checks
// (tests/kernel/test_course_kernel.py), against the kernelspec installed in a
// temporary JUPYTER_PATH; and the kernel's exit when its parent (JPY_PARENT_PID) dies.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { courseKernelSpec, installKernelSpec } from '../../tools/kernel/spec';

const PYTHON = '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import jupyter_kernel_test, jupyter_client'], { encoding: 'utf8' });
const suiteMissing = probe.status !== 0;
const why = suiteMissing
  ? `skipped: Debian's python3-jupyter-kernel-test is not installed (apt-get install python3-jupyter-kernel-test; .ci/run does) — ${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()}`
  : '';

describe.skipIf(suiteMissing)(`jupyter_kernel_test against cnn-course-ts ${why}`, () => {
  it('passes the suite and the course kernel tests', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kproto-'));
    installKernelSpec({ dataDir });
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(PYTHON, [join(process.cwd(), 'tests', 'kernel', 'test_course_kernel.py')], {
        cwd: process.cwd(),
        // Only the temporary folder: never the user's kernels or runtime files.
        env: {
          ...process.env,
          JUPYTER_PATH: dataDir,
          JUPYTER_DATA_DIR: dataDir,
          JUPYTER_RUNTIME_DIR: join(dataDir, 'runtime'),
          JUPYTER_CONFIG_DIR: join(dataDir, 'config'),
          JUPYTER_PLATFORM_DIRS: '1',
          PYTHONDONTWRITEBYTECODE: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('close', (code) => resolve({ code, output }));
    });
    expect(result.output).toMatch(/^Ran \d+ tests/m);
    expect(result.output, result.output).toMatch(/^OK/m);
    expect(result.code, result.output).toBe(0);
    // Each sample the course fills in ran (skips are only the history and pager samples it leaves empty).
    for (const name of [
      'test_kernel_info',
      'test_execute_stdout',
      'test_execute_stderr',
      'test_execute_result',
      'test_display_data',
      'test_clear_output',
      'test_error',
      'test_completion',
      'test_inspect',
      'test_is_complete',
      'test_course_error_names_cell_line',
      'test_course_imports_es_module_only_package',
      'test_course_print_flood_arrives_whole_and_ends_idle',
      'test_course_busy_while_queued_request_waits',
      'test_course_interrupt_stops_awaited_work',
    ]) {
      expect(result.output).toMatch(new RegExp(`^${name} .* \\.\\.\\. ok$`, 'm'));
    }
  }, 300_000);
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('the kernel process', () => {
  it('exits when the process named by JPY_PARENT_PID dies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kparent-'));
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const file = join(dir, 'connection.json');
    writeFileSync(
      file,
      JSON.stringify({
        transport: 'tcp',
        ip: '127.0.0.1',
        shell_port: ports[0],
        iopub_port: ports[1],
        stdin_port: ports[2],
        control_port: ports[3],
        hb_port: ports[4],
        key: randomBytes(16).toString('hex'),
        signature_scheme: 'hmac-sha256',
      }),
      { mode: 0o600 },
    );
    const parent = spawn('sleep', ['300'], { stdio: 'ignore' });
    const argv = courseKernelSpec().argv.map((a) => a.replace('{connection_file}', file));
    const kernel = spawn(argv[0]!, argv.slice(1), {
      cwd: dir,
      env: { ...process.env, JPY_PARENT_PID: String(parent.pid) },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => kernel.on('exit', (code) => resolve(code)));
    try {
      // Still running while its parent lives.
      const early = await Promise.race([
        exited.then(() => 'exited'),
        new Promise((r) => setTimeout(() => r('running'), 3000)),
      ]);
      expect(early).toBe('running');
      parent.kill('SIGKILL');
      const started = Date.now();
      const gone = await Promise.race([
        exited.then(() => 'exited'),
        new Promise((r) => setTimeout(() => r('still running'), 20_000)),
      ]);
      expect(gone).toBe('exited');
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      parent.kill('SIGKILL');
      kernel.kill('SIGKILL');
    }
  }, 60_000);
});
