/**
 * A Jupyter kernel driven over the messaging protocol (ZeroMQ, HMAC-SHA256
 * signed messages): start from a kernelspec, wait until it answers, execute
 * code and collect what it publishes, interrupt, shut down. No Python.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zmq from 'zeromq';
import type { KernelSpec } from '../jupyter/paths';
import {
  decode,
  encode,
  newHeader,
  PROTOCOL_VERSION,
  type ConnectionInfo,
  type Header,
  type Message,
} from '../jupyter/wire';

export type { Header, Message };

/** Why a kernel stopped being usable. */
export class KernelDiedError extends Error {
  constructor(detail: string) {
    super(`the kernel died: ${detail}`);
    this.name = 'KernelDiedError';
  }
}

/** The kernel was killed because nbconvert-ts itself was told to stop (SIGINT, SIGTERM). */
export class RunStoppedError extends KernelDiedError {
  constructor(readonly signal: NodeJS.Signals) {
    super(`stopped: nbconvert-ts received ${signal}`);
    this.message = `the run was stopped: nbconvert-ts received ${signal}`;
    this.name = 'RunStoppedError';
  }
}

/** The kernel did not answer within the startup timeout. */
export class KernelStartError extends Error {
  constructor(detail: string) {
    super(`the kernel did not start: ${detail}`);
    this.name = 'KernelStartError';
  }
}

/** A cell ran past its timeout. */
export class CellTimeoutError extends Error {
  constructor(
    readonly seconds: number,
    readonly killed: boolean,
  ) {
    super(
      `the cell ran past its ${seconds} s timeout and was ${killed ? 'killed with the kernel' : 'interrupted'}`,
    );
    this.name = 'CellTimeoutError';
  }
}

/**
 * Ports this process has handed to kernels: a port freed by one kernel is not given to the next
 * (jupyter_client keeps the same kind of record), so only other processes can race for it.
 */
const portsHandedOut = new Set<number>();

/** A free TCP port on 127.0.0.1, one this process has not handed out before. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await unusedPort();
    if (portsHandedOut.has(port)) continue;
    portsHandedOut.add(port);
    return port;
  }
}

/**
 * True for a kernel that died at startup because a port chosen for it was taken between the
 * choice and its bind (another process, or a connecting socket, took it): starting again with
 * other ports is the cure.
 */
function lostItsPorts(error: unknown): boolean {
  return error instanceof Error && namesATakenPort(error.message);
}

/** Whether a kernel's message (an error or its stderr) says it could not bind a port. */
function namesATakenPort(text: string): boolean {
  return /Address already in use|EADDRINUSE/.test(text);
}

async function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** What one execute_request produced. */
export interface ExecuteOutcome {
  /** `ok`, `error` or `abort`, from the execute_reply. */
  status: string;
  reply: Record<string, unknown>;
  /** Every iopub message whose parent is this request, in arrival order (status messages excluded). */
  messages: Message[];
  /**
   * nbclient's timing keys: the `header.date` of the busy status, execute_input
   * (tslab sends none: the busy time stands in), execute_reply and idle status.
   */
  timing: Record<string, string>;
  /**
   * True when the execute_reply came but the idle status did not within the
   * iopub wait: the kernel dropped messages (tslab does when a cell prints
   * hundreds of lines at once), so the outputs may be incomplete.
   */
  idleMissing: boolean;
}

/**
 * Kernels started by this process. The exit hook kills them and removes their
 * connection files, so none is left behind on any way out that runs JavaScript;
 * the guard ({@link GUARD}) covers the ways that do not (SIGKILL).
 */
const live = new Set<Kernel>();
let exitHookInstalled = false;
/** Set once this process was told to stop: no kernel may start after that. */
let stopSignal: NodeJS.Signals | undefined;

/** The small node script that starts each kernel and kills it when nbconvert-ts dies. */
export const GUARD = fileURLToPath(new URL('./kernel-guard.cjs', import.meta.url));

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  // The kernel runs in its own process group (a kernelspec may start it through a wrapper).
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const kernel of live) kernel.killNow();
  });
}

/**
 * Kills every kernel this process started (their pending executes fail with
 * {@link RunStoppedError}) and refuses to start new ones: what a SIGINT or
 * SIGTERM to nbconvert-ts does, so that the run ends in a moment with what it has.
 */
export function stopAllKernels(signal: NodeJS.Signals): void {
  stopSignal ??= signal;
  for (const kernel of live) kernel.stopFor(signal);
}

/** The signal that stopped this process's run, if one did. */
export function stoppedBy(): NodeJS.Signals | undefined {
  return stopSignal;
}

/** Options for {@link Kernel.start}. */
export interface KernelStartOptions {
  spec: KernelSpec;
  name: string;
  cwd: string;
  startupTimeoutSeconds: number;
  env?: Record<string, string | undefined>;
  /**
   * Seconds to wait for the idle status after the execute_reply when no iopub
   * message comes (nbclient's `iopub_timeout`; default 4).
   */
  iopubSeconds?: number;
}

/** A running kernel process and its five sockets. */
export class Kernel {
  private readonly session = randomUUID();
  private readonly shell = new zmq.Dealer();
  private readonly control = new zmq.Dealer();
  private readonly iopub = new zmq.Subscriber();
  private readonly stdin = new zmq.Dealer();
  private readonly pendingReplies = new Map<string, (message: Message) => void>();
  private readonly iopubListeners = new Map<string, (message: Message) => void>();
  private deathListeners: Array<(error: KernelDiedError) => void> = [];
  private exited: KernelDiedError | undefined;
  private stopReason: RunStoppedError | undefined;
  /**
   * Receives iopub messages (status excepted) whose request is no longer being
   * executed: output published after a cell finished, such as an error thrown
   * in a timer callback (tslab sends it with the last cell's header).
   */
  onLateMessage: ((message: Message) => void) | undefined;
  private stderrTail = '';
  private closed = false;
  private sawStatus = false;
  /** The msg_id of the latest execute_request, so that later messages can be traced to their cell. */
  lastExecuteId = '';
  /** The kernel_info_reply's content (language_info and the like). */
  info: Record<string, unknown> = {};

  private constructor(
    private readonly process: ChildProcess,
    private readonly connection: ConnectionInfo,
    private readonly connectionDir: string,
    readonly interruptMode: 'signal' | 'message',
    private readonly iopubSeconds: number,
  ) {}

  /**
   * Starts a kernel from its kernelspec and waits until it answers kernel_info. A kernel that
   * could not bind its ports (taken by another process meanwhile) is started again with
   * other ports, up to three times in all.
   */
  static async start(options: KernelStartOptions): Promise<Kernel> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await Kernel.startOnce(options);
      } catch (error) {
        if (attempt >= 3 || !lostItsPorts(error)) throw error;
      }
    }
  }

  private static async startOnce(options: KernelStartOptions): Promise<Kernel> {
    if (stopSignal) throw new RunStoppedError(stopSignal);
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    if (stopSignal) throw new RunStoppedError(stopSignal); // told to stop while the ports were found
    const connection: ConnectionInfo = {
      transport: 'tcp',
      ip: '127.0.0.1',
      shell_port: ports[0]!,
      iopub_port: ports[1]!,
      stdin_port: ports[2]!,
      control_port: ports[3]!,
      hb_port: ports[4]!,
      key: randomBytes(32).toString('hex'),
      signature_scheme: 'hmac-sha256',
      kernel_name: options.name,
    };
    const dir = mkdtempSync(join(tmpdir(), 'nbconvert-ts-'));
    const file = join(dir, 'kernel.json');
    writeFileSync(file, JSON.stringify(connection), { mode: 0o600 });
    const argv = options.spec.argv.map((arg) => arg.replace('{connection_file}', file));
    // The guard runs the kernel in its own process group and kills that group when this
    // process dies; its stdin is a pipe whose end closes then. JPY_PARENT_PID is what
    // jupyter_client sets, for kernels that watch their parent themselves.
    const child = spawn(process.execPath, [GUARD, file, ...argv], {
      cwd: options.cwd,
      env: { ...process.env, ...options.spec.env, ...options.env, JPY_PARENT_PID: String(process.pid) },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    // Nothing is ever written to the guard's stdin; a write error cannot happen, a closed pipe is expected.
    child.stdin?.on('error', () => undefined);
    installExitHook();
    const kernel = new Kernel(
      child,
      connection,
      dir,
      options.spec.interrupt_mode ?? 'signal',
      options.iopubSeconds ?? 4,
    );
    live.add(kernel);
    kernel.watchProcess();
    try {
      await kernel.connect();
      await kernel.waitUntilReady(options.startupTimeoutSeconds);
    } catch (error) {
      await kernel.kill();
      throw error;
    }
    return kernel;
  }

  private watchProcess(): void {
    const keepTail = (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4000);
    };
    this.process.stdout?.on('data', keepTail);
    this.process.stderr?.on('data', keepTail);
    this.process.on('error', (error) =>
      this.markDead(`could not run ${this.process.spawnfile}: ${error.message}`),
    );
    this.process.on('exit', (code, signal) => {
      if (this.stopReason) return this.markDead(this.stopReason);
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      const tail = this.stderrTail.trim().split('\n').slice(-5).join('\n');
      this.markDead(`process ended with ${how}${tail ? `; its last output:\n${tail}` : ''}`);
    });
  }

  private markDead(detail: string | KernelDiedError): void {
    if (this.exited) return;
    this.exited = typeof detail === 'string' ? new KernelDiedError(detail) : detail;
    for (const listener of this.deathListeners) listener(this.exited);
    this.deathListeners = [];
  }

  /** Why the kernel stopped, once it has. */
  get death(): KernelDiedError | undefined {
    return this.exited;
  }

  /** True while the kernel process runs. */
  get alive(): boolean {
    return !this.exited;
  }

  private address(port: number): string {
    return `tcp://${this.connection.ip}:${port}`;
  }

  private async connect(): Promise<void> {
    this.shell.connect(this.address(this.connection.shell_port));
    this.control.connect(this.address(this.connection.control_port));
    this.iopub.connect(this.address(this.connection.iopub_port));
    this.iopub.subscribe();
    this.stdin.connect(this.address(this.connection.stdin_port));
    void this.pump(this.stdin, (m) => void this.answerInput(m));
    void this.pump(this.shell, (m) => this.routeReply(m));
    void this.pump(this.control, (m) => this.routeReply(m));
    void this.pump(this.iopub, (m) => this.routeIopub(m));
  }

  private async pump(socket: zmq.Dealer | zmq.Subscriber, handle: (message: Message) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        const message = this.decode(frames as Buffer[]);
        if (message) handle(message);
      }
    } catch (error) {
      if (!this.closed) this.markDead(`socket failed: ${(error as Error).message}`);
    }
  }

  /**
   * Requests carry `allow_stdin: false`, so a well-behaved kernel never asks;
   * if one does anyway, an empty answer keeps it from waiting forever.
   */
  private async answerInput(message: Message): Promise<void> {
    if (message.header.msg_type !== 'input_request' || this.closed) return;
    await this.send(this.stdin, 'input_reply', { value: '' }, message.header).catch(() => undefined);
  }

  private routeReply(message: Message): void {
    const parent = message.parent_header.msg_id;
    const resolve = parent ? this.pendingReplies.get(parent) : undefined;
    if (resolve) {
      this.pendingReplies.delete(parent!);
      resolve(message);
    }
  }

  private routeIopub(message: Message): void {
    if (message.header.msg_type === 'status') this.sawStatus = true;
    const parent = message.parent_header.msg_id;
    const listener = parent ? this.iopubListeners.get(parent) : undefined;
    if (listener) listener(message);
    else if (message.header.msg_type !== 'status') this.onLateMessage?.(message);
  }

  private decode(frames: Buffer[]): Message | undefined {
    return decode(this.connection.key, frames); // undefined: not from our kernel
  }

  private async send(
    socket: zmq.Dealer,
    msgType: string,
    content: Record<string, unknown>,
    parent: Partial<Header> = {},
  ): Promise<string> {
    const header = newHeader(msgType, this.session, 'nbconvert-ts');
    await socket.send(encode(this.connection.key, { header, parent_header: parent, metadata: {}, content }));
    return header.msg_id;
  }

  /** Resolves with the reply to a request, or rejects when the kernel dies or the time runs out. */
  private waitReply(msgId: string, seconds: number): Promise<Message | undefined> {
    return new Promise((resolve, reject) => {
      if (this.exited) return reject(this.exited);
      const timer = setTimeout(() => {
        this.pendingReplies.delete(msgId);
        resolve(undefined);
      }, seconds * 1000);
      this.pendingReplies.set(msgId, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      this.deathListeners.push((error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /**
   * Repeats kernel_info_request (every 0.5 s) until a reply to any of them has
   * come AND iopub has delivered a status message, so that no early output is
   * lost to the subscription's slow join.
   */
  private async waitUntilReady(seconds: number): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    let replied = false;
    let nextRequest = 0;
    const sent: string[] = [];
    const onReply = (message: Message) => {
      replied = true;
      this.info = message.content;
    };
    try {
      while (Date.now() < deadline) {
        if (this.exited) throw new KernelStartError(this.exited.message);
        // tslab reports a port it could not bind and then waits forever: fail now, so the start is retried.
        if (namesATakenPort(this.stderrTail))
          throw new KernelStartError(
            `a port was taken before it could bind it; its output:\n${this.stderrTail.trim()}`,
          );
        if (replied && this.sawStatus) return;
        if (Date.now() >= nextRequest) {
          const id = await this.send(this.shell, 'kernel_info_request', {});
          sent.push(id);
          this.pendingReplies.set(id, onReply);
          nextRequest = Date.now() + 500;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      for (const id of sent) this.pendingReplies.delete(id);
    }
    throw new KernelStartError(
      `no ${replied ? 'iopub status' : 'kernel_info_reply'} within ${seconds} s${this.stderrTail ? `; its output:\n${this.stderrTail.trim()}` : ''}`,
    );
  }

  /**
   * Pings the heartbeat socket. tslab answers it on its JavaScript thread, so a
   * cell that computes synchronously also delays the echo: a missing echo means
   * "busy or hung", and only the process's exit means "dead".
   */
  async heartbeat(seconds = 2): Promise<boolean> {
    const socket = new zmq.Request({
      receiveTimeout: seconds * 1000,
      sendTimeout: seconds * 1000,
      linger: 0,
    });
    try {
      socket.connect(this.address(this.connection.hb_port));
      await socket.send('ping');
      const [echo] = await socket.receive();
      return echo?.toString() === 'ping';
    } catch {
      return false;
    } finally {
      socket.close();
    }
  }

  /** Sends SIGINT (or an interrupt_request when the kernelspec asks for messages). */
  async interrupt(): Promise<void> {
    if (this.interruptMode === 'message') await this.send(this.control, 'interrupt_request', {});
    else signalGroup(this.process, 'SIGINT');
  }

  /**
   * Executes code and collects the iopub messages it causes until both the
   * execute_reply and the `idle` status have arrived, or, once the reply has
   * come, until no message has come for the iopub wait (a kernel that drops
   * messages under load may never send its idle status).
   *
   * @param timeoutSeconds - after this, interrupt; after `graceSeconds` more, kill.
   * @throws CellTimeoutError, KernelDiedError
   */
  async execute(
    code: string,
    timeoutSeconds: number,
    graceSeconds = 5,
    onMessage?: (m: Message) => void,
  ): Promise<ExecuteOutcome> {
    if (this.exited) throw this.exited;
    const messages: Message[] = [];
    let idle = false;
    let idleMissing = false;
    let reply: Message | undefined;
    let settle: (() => void) | undefined;
    const done = new Promise<void>((resolve) => (settle = resolve));
    // After the reply: the time the idle status has left, restarted by each message.
    let quiet: NodeJS.Timeout | undefined;
    const waitForIdle = () => {
      clearTimeout(quiet);
      quiet = setTimeout(() => {
        idleMissing = true;
        settle!();
      }, this.iopubSeconds * 1000);
    };
    let msgId = '';
    const timing: Record<string, string> = {};
    const dateOf = (message: Message) =>
      typeof message.header.date === 'string' && message.header.date
        ? message.header.date
        : new Date().toISOString();
    const listener = (message: Message) => {
      if (message.header.msg_type === 'status') {
        if (message.content.execution_state === 'busy') timing['iopub.status.busy'] ??= dateOf(message);
        if (message.content.execution_state === 'idle') {
          idle = true;
          timing['iopub.status.idle'] = dateOf(message);
        }
      } else {
        if (message.header.msg_type === 'execute_input') timing['iopub.execute_input'] ??= dateOf(message);
        messages.push(message);
        onMessage?.(message);
      }
      if (idle && reply) {
        clearTimeout(quiet);
        settle!();
      } else if (reply) waitForIdle();
    };
    msgId = randomUUID();
    this.lastExecuteId = msgId;
    this.iopubListeners.set(msgId, listener);
    const header: Header = {
      msg_id: msgId,
      msg_type: 'execute_request',
      session: this.session,
      username: 'nbconvert-ts',
      date: new Date().toISOString(),
      version: PROTOCOL_VERSION,
    };
    const content = {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: true,
    };
    const replyPromise = new Promise<Message>((resolve) => this.pendingReplies.set(msgId, resolve));
    void replyPromise.then((message) => {
      reply = message;
      timing['shell.execute_reply'] = dateOf(message);
      if (idle) settle!();
      else waitForIdle();
    });
    let died: ((error: KernelDiedError) => void) | undefined;
    const death = new Promise<never>((_, reject) => {
      died = reject;
      this.deathListeners.push(reject);
    });
    try {
      await this.shell.send(
        encode(this.connection.key, { header, parent_header: {}, metadata: {}, content }),
      );
      const limit = timer(timeoutSeconds * 1000);
      const timedOut = await Promise.race([
        done.then(() => false),
        death,
        limit.done.then(() => true),
      ]).finally(limit.cancel);
      if (timedOut) {
        await this.interrupt();
        const grace = timer(graceSeconds * 1000);
        const stopped = await Promise.race([
          done.then(() => true),
          death,
          grace.done.then(() => false),
        ]).finally(grace.cancel);
        if (!stopped) await this.kill();
        throw new CellTimeoutError(timeoutSeconds, !stopped);
      }
      const busy = timing['iopub.status.busy'] ?? timing['shell.execute_reply']!;
      timing['iopub.execute_input'] ??= busy;
      timing['iopub.status.busy'] ??= busy;
      // nbclient's key order.
      const ordered = Object.fromEntries(
        ['iopub.execute_input', 'iopub.status.busy', 'shell.execute_reply', 'iopub.status.idle'].map((k) => [
          k,
          timing[k]!,
        ]),
      );
      if (idleMissing) delete ordered['iopub.status.idle'];
      return {
        status: String(reply!.content.status),
        reply: reply!.content,
        messages,
        timing: ordered,
        idleMissing,
      };
    } finally {
      clearTimeout(quiet);
      this.iopubListeners.delete(msgId);
      this.pendingReplies.delete(msgId);
      this.deathListeners = this.deathListeners.filter((l) => l !== died);
      death.catch(() => undefined);
    }
  }

  /** Asks the kernel to shut down, then makes sure the process is gone. */
  async shutdown(): Promise<void> {
    if (this.alive) {
      try {
        const id = await this.send(this.control, 'shutdown_request', { restart: false });
        await this.waitReply(id, 2).catch(() => undefined);
        await Promise.race([new Promise((r) => this.process.once('exit', r)), sleep(2000)]);
      } catch {
        // the kill below is the fallback
      }
    }
    await this.kill();
  }

  /** Kills the process group (SIGKILL) and closes the sockets. */
  async kill(): Promise<void> {
    if (this.alive) {
      const gone = new Promise((r) => this.process.once('exit', r));
      signalGroup(this.process, 'SIGKILL');
      await Promise.race([gone, sleep(3000)]);
    } else {
      // A wrapper may have exited and left the real kernel behind in its group.
      signalGroup(this.process, 'SIGKILL');
    }
    this.close();
  }

  /** Kills the process group and removes the connection file at once (for exit paths: nothing awaited). */
  killNow(): void {
    signalGroup(this.process, 'SIGKILL');
    rmSync(this.connectionDir, { recursive: true, force: true });
  }

  /** Kills the kernel because the run was told to stop; whoever waits on it gets a {@link RunStoppedError}. */
  stopFor(signal: NodeJS.Signals): void {
    this.stopReason ??= new RunStoppedError(signal);
    if (this.alive) {
      signalGroup(this.process, 'SIGKILL');
      // Do not wait for the exit event: the executor may be blocked on this kernel right now.
      this.markDead(this.stopReason);
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    live.delete(this);
    this.shell.close();
    this.control.close();
    this.iopub.close();
    this.stdin.close();
    rmSync(this.connectionDir, { recursive: true, force: true });
  }
}

/** A timer that can be cancelled, so no stray timeout keeps the process alive. */
function timer(ms: number): { done: Promise<void>; cancel: () => void } {
  let handle: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => (handle = setTimeout(resolve, ms)));
  return { done, cancel: () => clearTimeout(handle) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
