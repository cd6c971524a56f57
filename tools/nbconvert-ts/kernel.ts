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
import * as zmq from 'zeromq';
import type { KernelSpec } from '../jupyter/paths';
import { decode, encode, newHeader, PROTOCOL_VERSION, type ConnectionInfo, type Header, type Message } from '../jupyter/wire';

export type { Header, Message };

/** Why a kernel stopped being usable. */
export class KernelDiedError extends Error {
  constructor(detail: string) {
    super(`the kernel died: ${detail}`);
    this.name = 'KernelDiedError';
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
    super(`the cell ran past its ${seconds} s timeout and was ${killed ? 'killed with the kernel' : 'interrupted'}`);
    this.name = 'CellTimeoutError';
  }
}

async function freePort(): Promise<number> {
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
}

/** Kernels started by this process, killed if it exits first so none is left behind. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

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
    for (const child of live) signalGroup(child, 'SIGKILL');
  });
}

/** Options for {@link Kernel.start}. */
export interface KernelStartOptions {
  spec: KernelSpec;
  name: string;
  cwd: string;
  startupTimeoutSeconds: number;
  env?: Record<string, string | undefined>;
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
  private stderrTail = '';
  private closed = false;
  private sawStatus = false;
  /** The kernel_info_reply's content (language_info and the like). */
  info: Record<string, unknown> = {};

  private constructor(
    private readonly process: ChildProcess,
    private readonly connection: ConnectionInfo,
    private readonly connectionDir: string,
    readonly interruptMode: 'signal' | 'message',
  ) {}

  /** Starts a kernel from its kernelspec and waits until it answers kernel_info. */
  static async start(options: KernelStartOptions): Promise<Kernel> {
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
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
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: { ...process.env, ...options.spec.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    installExitHook();
    live.add(child);
    child.once('exit', () => live.delete(child));
    const kernel = new Kernel(child, connection, dir, options.spec.interrupt_mode ?? 'signal');
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
    this.process.on('error', (error) => this.markDead(`could not run ${this.process.spawnfile}: ${error.message}`));
    this.process.on('exit', (code, signal) => {
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      const tail = this.stderrTail.trim().split('\n').slice(-5).join('\n');
      this.markDead(`process ended with ${how}${tail ? `; its last output:\n${tail}` : ''}`);
    });
  }

  private markDead(detail: string): void {
    if (this.exited) return;
    this.exited = new KernelDiedError(detail);
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
    if (parent) this.iopubListeners.get(parent)?.(message);
  }

  private decode(frames: Buffer[]): Message | undefined {
    return decode(this.connection.key, frames); // undefined: not from our kernel
  }

  private async send(socket: zmq.Dealer, msgType: string, content: Record<string, unknown>, parent: Partial<Header> = {}): Promise<string> {
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
    throw new KernelStartError(`no ${replied ? 'iopub status' : 'kernel_info_reply'} within ${seconds} s${this.stderrTail ? `; its output:\n${this.stderrTail.trim()}` : ''}`);
  }

  /**
   * Pings the heartbeat socket. tslab answers it on its JavaScript thread, so a
   * cell that computes synchronously also delays the echo: a missing echo means
   * "busy or hung", and only the process's exit means "dead".
   */
  async heartbeat(seconds = 2): Promise<boolean> {
    const socket = new zmq.Request({ receiveTimeout: seconds * 1000, sendTimeout: seconds * 1000, linger: 0 });
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
   * execute_reply and the `idle` status have arrived.
   *
   * @param timeoutSeconds - after this, interrupt; after `graceSeconds` more, kill.
   * @throws CellTimeoutError, KernelDiedError
   */
  async execute(code: string, timeoutSeconds: number, graceSeconds = 5, onMessage?: (m: Message) => void): Promise<ExecuteOutcome> {
    if (this.exited) throw this.exited;
    const messages: Message[] = [];
    let idle = false;
    let reply: Message | undefined;
    let settle: (() => void) | undefined;
    const done = new Promise<void>((resolve) => (settle = resolve));
    let msgId = '';
    const timing: Record<string, string> = {};
    const dateOf = (message: Message) => (typeof message.header.date === 'string' && message.header.date ? message.header.date : new Date().toISOString());
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
      if (idle && reply) settle!();
    };
    msgId = randomUUID();
    this.iopubListeners.set(msgId, listener);
    const header: Header = { msg_id: msgId, msg_type: 'execute_request', session: this.session, username: 'nbconvert-ts', date: new Date().toISOString(), version: PROTOCOL_VERSION };
    const content = { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true };
    const replyPromise = new Promise<Message>((resolve) => this.pendingReplies.set(msgId, resolve));
    void replyPromise.then((message) => {
      reply = message;
      timing['shell.execute_reply'] = dateOf(message);
      if (idle) settle!();
    });
    let died: ((error: KernelDiedError) => void) | undefined;
    const death = new Promise<never>((_, reject) => {
      died = reject;
      this.deathListeners.push(reject);
    });
    try {
      await this.shell.send(encode(this.connection.key, { header, parent_header: {}, metadata: {}, content }));
      const limit = timer(timeoutSeconds * 1000);
      const timedOut = await Promise.race([done.then(() => false), death, limit.done.then(() => true)]).finally(limit.cancel);
      if (timedOut) {
        await this.interrupt();
        const grace = timer(graceSeconds * 1000);
        const stopped = await Promise.race([done.then(() => true), death, grace.done.then(() => false)]).finally(grace.cancel);
        if (!stopped) await this.kill();
        throw new CellTimeoutError(timeoutSeconds, !stopped);
      }
      const busy = timing['iopub.status.busy'] ?? timing['shell.execute_reply']!;
      timing['iopub.execute_input'] ??= busy;
      timing['iopub.status.busy'] ??= busy;
      // nbclient's key order.
      const ordered = Object.fromEntries(['iopub.execute_input', 'iopub.status.busy', 'shell.execute_reply', 'iopub.status.idle'].map((k) => [k, timing[k]!]));
      return { status: String(reply!.content.status), reply: reply!.content, messages, timing: ordered };
    } finally {
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
    live.delete(this.process);
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
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
