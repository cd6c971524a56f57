/**
 * The CNN course's Jupyter kernel: `node --import tsx tools/kernel/main.ts
 * --connection-file FILE` (what the `cnn-course-ts` kernelspec runs). Cells run
 * in the current folder, compiled by tslab with the course's settings.
 *
 * Exits with its parent: Jupyter's launcher sets JPY_PARENT_PID, and the kernel
 * stops when that process is gone (as ipykernel's parent poller does).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../../lib/paths';
import type { ConnectionInfo } from '../jupyter/wire';
import { KernelServer } from './server';

const PARENT_POLL_MS = 1000;

function usage(message: string): never {
  process.stderr.write(
    `cnn-course-ts kernel: ${message}\nusage: node --import tsx tools/kernel/main.ts --connection-file FILE\n`,
  );
  process.exit(2);
}

function connectionFile(argv: string[]): string {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--connection-file' || argv[i] === '-f')
      return argv[i + 1] ?? usage(`${argv[i]} needs a file`);
    if (argv[i]!.startsWith('--connection-file=')) return argv[i]!.slice('--connection-file='.length);
  }
  return usage('no connection file given');
}

function readConnection(file: string): ConnectionInfo {
  let info: ConnectionInfo;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as ConnectionInfo;
  } catch (error) {
    return usage(`cannot read the connection file ${file}: ${(error as Error).message}`);
  }
  if (info.signature_scheme && info.signature_scheme !== 'hmac-sha256')
    usage(`${file}: signature scheme ${info.signature_scheme} is not supported (hmac-sha256 is)`);
  return info;
}

/** Exits when the process named by JPY_PARENT_PID is gone, or when this process is re-parented. */
function watchParent(): void {
  const pid = Number(process.env.JPY_PARENT_PID);
  if (!Number.isInteger(pid) || pid <= 1) return;
  const originalParent = process.ppid;
  const timer = setInterval(() => {
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (error) {
      alive = (error as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (!alive || (originalParent === pid && process.ppid !== pid)) process.exit(1);
  }, PARENT_POLL_MS);
  timer.unref();
}

async function main(): Promise<void> {
  const connection = readConnection(connectionFile(process.argv.slice(2)));
  // The checkout this file belongs to, wherever the notebook (the working folder) is.
  const root = projectRoot(dirname(fileURLToPath(import.meta.url)));
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string })
    .version;
  watchParent();
  const server = new KernelServer({
    connection,
    root,
    cwd: process.cwd(),
    compiler: { strict: process.env.COURSE_KERNEL_STRICT !== '0' },
    implementationVersion: version,
    onShutdown: () => process.exit(0),
  });
  // SIGINT stops synchronous code by itself (tslab runs cells with breakOnSigint); this stops awaited work.
  process.on('SIGINT', () => server.interrupt());
  process.on('uncaughtException', (error) =>
    server.reportUncaught(error, 'uncaught exception in a callback'),
  );
  process.on('unhandledRejection', (reason) => server.reportUncaught(reason, 'unhandled promise rejection'));
  await server.start();
}

await main();
