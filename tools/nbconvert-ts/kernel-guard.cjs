// Starts a Jupyter kernel and makes sure it does not outlive nbconvert-ts.
//
//   node kernel-guard.cjs <connection file> <kernel command...>
//
// nbconvert-ts starts this guard in a process group of its own, with a pipe on
// the guard's stdin that it never writes to. The kernel runs in the same group.
// When nbconvert-ts dies, even by SIGKILL, the pipe closes (and the guard's
// parent changes): the guard removes the connection file (it holds the key
// that signs the kernel's messages) and kills the whole group, kernel included.
// Kernels that poll JPY_PARENT_PID would stop by themselves; plain tslab does not.
//
// Plain CommonJS run by node itself, so that it starts in milliseconds.
'use strict';
const { spawn } = require('node:child_process');
const { rmSync } = require('node:fs');
const { basename, dirname } = require('node:path');

const [connectionFile, command, ...args] = process.argv.slice(2);
if (!connectionFile || !command) {
  process.stderr.write('kernel-guard: usage: node kernel-guard.cjs <connection file> <kernel command...>\n');
  process.exit(2);
}
const parent = process.ppid;

function removeConnectionFile() {
  // nbconvert-ts puts each connection file in a folder of its own (nbconvert-ts-XXXXXX).
  const dir = dirname(connectionFile);
  try {
    if (basename(dir).startsWith('nbconvert-ts-')) rmSync(dir, { recursive: true, force: true });
    else rmSync(connectionFile, { force: true });
  } catch {
    // nothing more can be done
  }
}

let stopping = false;
function stopEverything() {
  if (stopping) return;
  stopping = true;
  removeConnectionFile();
  try {
    process.kill(-process.pid, 'SIGKILL'); // the group: the kernel, what it started, and this guard
  } catch {
    if (kernel.pid !== undefined) {
      try {
        process.kill(kernel.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.exit(1);
  }
}

// Interrupts are sent to the whole group; they are for the kernel, not for the guard.
process.on('SIGINT', () => {});

const kernel = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
kernel.on('error', (error) => {
  process.stderr.write(`kernel-guard: could not run ${command}: ${error.message}\n`);
  process.exit(127);
});
kernel.on('exit', (code, signal) => {
  if (signal) {
    // Report the same death as the kernel's to nbconvert-ts.
    process.removeAllListeners('SIGINT');
    process.kill(process.pid, signal);
    setTimeout(() => process.exit(128), 100).unref();
  } else process.exit(code ?? 1);
});

// The parent's end of stdin closes when the parent dies, however it dies.
process.stdin.on('end', stopEverything);
process.stdin.on('close', stopEverything);
process.stdin.on('error', stopEverything);
process.stdin.resume();
// A second check in case stdin was not a pipe: the parent changes when the old one dies.
setInterval(() => {
  if (process.ppid !== parent) stopEverything();
}, 500).unref();
