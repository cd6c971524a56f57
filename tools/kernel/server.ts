/**
 * The course kernel's Jupyter protocol server (messaging spec 5.3) over
 * ZeroMQ. tslab compiles and runs the cells (through {@link CourseCompiler});
 * this layer owns the protocol: replies, the iopub messages a front end
 * expects (status around every request, execute_input, execute_result,
 * error), streams, displays, interrupts and shutdown.
 *
 * Shell requests are handled one at a time in arrival order, as ipykernel
 * does, so the kernel is `busy` from the start of a request to its end and a
 * request queued behind a running cell waits; control requests (interrupt,
 * shutdown, kernel_info) are answered at once.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { inspect } from 'node:util';
import * as zmq from 'zeromq';
import {
  decode,
  encode,
  newHeader,
  PROTOCOL_VERSION,
  type ConnectionInfo,
  type Header,
  type RoutedMessage,
} from '../jupyter/wire';
import { CourseCompiler, type CourseCompilerOptions } from './compiler';
import {
  diagnosticFromConsole,
  diagnosticsContent,
  errorContent,
  type CellDiagnostic,
  type ErrorContent,
} from './errors';

/** Everything the server needs to start. */
export interface KernelServerOptions {
  connection: ConnectionInfo;
  /** The project root (where tslab is installed). */
  root: string;
  /** The folder cells run in (their relative imports start here). */
  cwd: string;
  compiler: CourseCompilerOptions;
  /** Shown in kernel_info_reply. */
  implementationVersion: string;
  /** Called once the server has closed after a shutdown_request. */
  onShutdown?: () => void;
}

/** What the kernel publishes to a cell's output area, for the library (clear_output has no tslab API). */
export interface KernelHooks {
  clearOutput(wait?: boolean): void;
}

/** Where the kernel's hooks are found by library code running in a cell. */
export const KERNEL_HOOKS = Symbol.for('cnn-course-ts.kernel');

type DisplayContent = {
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  transient?: Record<string, unknown>;
};

const STREAM_FLUSH_MS = 50;
const STREAM_FLUSH_BYTES = 64 * 1024;

/** Serializes sends on one socket (zeromq.js allows one send in flight per socket). */
class Sender {
  private chain: Promise<void> = Promise.resolve();
  constructor(
    readonly socket: zmq.Publisher | zmq.Router,
    private readonly onError: (error: Error) => void,
  ) {}
  send(frames: Array<Buffer | string>): Promise<void> {
    this.chain = this.chain.then(() => this.socket.send(frames)).catch(this.onError);
    return this.chain;
  }
  /** Resolves once every send so far has been handed to ZeroMQ. */
  drained(): Promise<void> {
    return this.chain;
  }
}

export class KernelServer {
  private readonly session = randomUUID();
  private readonly iopub = new zmq.Publisher();
  private readonly shell = new zmq.Router();
  private readonly control = new zmq.Router();
  private readonly stdin = new zmq.Router();
  private readonly hb = new zmq.Reply();
  private readonly senders: { iopub: Sender; shell: Sender; control: Sender; stdin: Sender };
  private readonly compiler: CourseCompiler;
  private readonly queue: RoutedMessage[] = [];
  private wakeWorker: (() => void) | undefined;
  private executionCount = 0;
  /** The request whose cell output belongs to (also after it ended: callbacks of a cell write to it, as in ipykernel). */
  private outputParent: Header | undefined;
  private streams = new Map<'stdout' | 'stderr', string>();
  private streamTimer: NodeJS.Timeout | undefined;
  private cellRun:
    | {
        diagnostics: CellDiagnostic[];
        thrown: { value: unknown } | undefined;
        last: { value: unknown } | undefined;
      }
    | undefined;
  private closed = false;
  private readonly realWrite = {
    stdout: process.stdout.write.bind(process.stdout),
    stderr: process.stderr.write.bind(process.stderr),
  };
  private readonly tslabInspect: { printQuickInfo(info: unknown): string };
  private readonly isCompleteCode: (code: string) => { completed: boolean; indent?: string };
  private readonly tslabJupyter: { lastWriteDisplayData: unknown };
  private readonly typescriptVersion: string;
  private readonly internalRoots: string[];

  constructor(private readonly options: KernelServerOptions) {
    const report = (error: Error) => this.log(`send failed: ${error.message}`);
    this.senders = {
      iopub: new Sender(this.iopub, report),
      shell: new Sender(this.shell, report),
      control: new Sender(this.control, report),
      stdin: new Sender(this.stdin, report),
    };
    this.compiler = new CourseCompiler(options.root, options.cwd, options.compiler, {
      log: (...args) => {
        // tslab's executor logs only the value of the cell's last expression.
        if (this.cellRun) this.cellRun.last = { value: args[0] };
      },
      error: (...args) => {
        const diagnostic = diagnosticFromConsole(args);
        if (diagnostic && this.cellRun) this.cellRun.diagnostics.push(diagnostic);
        else if (this.cellRun && !this.cellRun.thrown) this.cellRun.thrown = { value: args[0] };
        else
          this.writeStream(
            'stderr',
            `${args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' ')}\n`,
          );
      },
    });
    const req = createRequire(join(options.root, 'package.json'));
    this.tslabInspect = req('tslab/dist/inspect') as KernelServer['tslabInspect'];
    this.isCompleteCode = (
      req('tslab/dist/converter') as { isCompleteCode: KernelServer['isCompleteCode'] }
    ).isCompleteCode;
    this.tslabJupyter = req('tslab/dist/jupyter') as KernelServer['tslabJupyter'];
    this.typescriptVersion = (
      req(
        req.resolve('@tslab/typescript-for-tslab/package.json', {
          paths: [req.resolve('tslab/package.json')],
        }),
      ) as { version: string }
    ).version;
    this.internalRoots = [join(options.root, 'tools') + '/', join(options.root, 'node_modules', 'tsx') + '/'];
  }

  /** Binds the five sockets and starts answering. */
  async start(): Promise<void> {
    const c = this.options.connection;
    const address = (port: number) =>
      c.transport === 'ipc' ? `ipc://${c.ip}-${port}` : `tcp://${c.ip}:${port}`;
    await Promise.all([
      this.iopub.bind(address(c.iopub_port)),
      this.shell.bind(address(c.shell_port)),
      this.control.bind(address(c.control_port)),
      this.stdin.bind(address(c.stdin_port)),
      this.hb.bind(address(c.hb_port)),
    ]);
    this.captureStreams();
    this.tslabJupyter.lastWriteDisplayData = (content: DisplayContent, update: boolean) =>
      this.display(content, update);
    const hooks: KernelHooks = { clearOutput: (wait = false) => this.clearOutput(wait) };
    (globalThis as Record<symbol, unknown>)[KERNEL_HOOKS] = hooks;
    void this.receive(this.shell, (m) => this.enqueue(m));
    void this.receive(this.control, (m) => void this.handleControl(m));
    void this.echoHeartbeats();
    void this.work();
    await this.publishStatus('starting', undefined);
  }

  /** Interrupts the running cell's asynchronous work (synchronous code is stopped by SIGINT itself). */
  interrupt(): void {
    this.compiler.executor.interrupt();
  }

  /**
   * An error thrown in a callback or an unhandled rejection, after its cell
   * returned: shown in the output of the cell that ran last, mapped like any error.
   */
  reportUncaught(thrown: unknown, kind: string): void {
    const mapPosition = (file: string, line: number, column: number) => {
      const where = this.compiler.scriptFor(file)?.toCell(line, column);
      return where && { cell: cellLabel(file), ...where };
    };
    const error = errorContent(thrown, mapPosition, this.internalRoots);
    if (!this.outputParent) return this.log(`${kind}: ${error.traceback.join('\n')}`);
    this.flushStreams();
    // ename and evalue stay the error's own; what kind of late error it was heads the traceback.
    void this.publish('error', { ...error, traceback: [`${kind}:`, ...error.traceback] }, this.outputParent);
  }

  private log(text: string): void {
    this.realWrite.stderr(`[cnn-course-ts kernel] ${text}\n`);
  }

  private async receive(socket: zmq.Router, handle: (message: RoutedMessage) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        const message = decode(this.options.connection.key, frames as Buffer[]);
        if (message) handle(message);
        else this.log('dropped a message with a bad signature or format');
      }
    } catch (error) {
      if (!this.closed) this.log(`socket failed: ${(error as Error).message}`);
    }
  }

  private async echoHeartbeats(): Promise<void> {
    try {
      for await (const frames of this.hb) await this.hb.send(frames as Buffer[]);
    } catch (error) {
      if (!this.closed) this.log(`heartbeat socket failed: ${(error as Error).message}`);
    }
  }

  private enqueue(message: RoutedMessage): void {
    this.queue.push(message);
    this.wakeWorker?.();
  }

  /** Handles shell requests one after the other. */
  private async work(): Promise<void> {
    while (!this.closed) {
      const message = this.queue.shift();
      if (!message) {
        await new Promise<void>((resolve) => (this.wakeWorker = resolve));
        this.wakeWorker = undefined;
        continue;
      }
      await this.publishStatus('busy', message.header);
      try {
        await this.handleShell(message);
      } catch (error) {
        this.log(`${message.header.msg_type} failed: ${(error as Error).stack ?? String(error)}`);
      }
      this.flushStreams();
      await this.publishStatus('idle', message.header);
    }
  }

  private reply(
    sender: Sender,
    request: RoutedMessage,
    msgType: string,
    content: Record<string, unknown>,
  ): Promise<void> {
    const header = newHeader(msgType, this.session, request.header.username ?? 'kernel');
    return sender.send(
      encode(
        this.options.connection.key,
        { header, parent_header: request.header, metadata: {}, content },
        request.identities,
      ),
    );
  }

  private publish(
    msgType: string,
    content: Record<string, unknown>,
    parent: Partial<Header> | undefined,
  ): Promise<void> {
    const header = newHeader(msgType, this.session, parent?.username ?? 'kernel');
    // The topic frame names the message type, as ipykernel's does.
    return this.senders.iopub.send([
      `kernel.${this.session}.${msgType}`,
      ...encode(this.options.connection.key, { header, parent_header: parent ?? {}, metadata: {}, content }),
    ]);
  }

  private publishStatus(state: 'starting' | 'busy' | 'idle', parent: Header | undefined): Promise<void> {
    return this.publish('status', { execution_state: state }, parent);
  }

  private async handleShell(message: RoutedMessage): Promise<void> {
    const content = message.content;
    switch (message.header.msg_type) {
      case 'kernel_info_request':
        return this.reply(this.senders.shell, message, 'kernel_info_reply', this.kernelInfo());
      case 'execute_request':
        return this.execute(message);
      case 'complete_request': {
        const code = String(content.code ?? '');
        const info = this.compiler.executor.complete(code, cursor(content, code));
        return this.reply(this.senders.shell, message, 'complete_reply', {
          status: 'ok',
          matches: info.candidates,
          cursor_start: info.start,
          cursor_end: info.end,
          metadata: {},
        });
      }
      case 'inspect_request': {
        const code = String(content.code ?? '');
        const info = this.compiler.executor.inspect(code, cursor(content, code));
        const text = info ? this.tslabInspect.printQuickInfo(info) : '';
        return this.reply(this.senders.shell, message, 'inspect_reply', {
          status: 'ok',
          found: Boolean(info),
          data: info ? { 'text/plain': text } : {},
          metadata: {},
        });
      }
      case 'is_complete_request': {
        const result = this.isCompleteCode(String(content.code ?? ''));
        return this.reply(
          this.senders.shell,
          message,
          'is_complete_reply',
          result.completed ? { status: 'complete' } : { status: 'incomplete', indent: result.indent ?? '' },
        );
      }
      case 'comm_info_request':
        return this.reply(this.senders.shell, message, 'comm_info_reply', { status: 'ok', comms: {} });
      case 'history_request':
        // No history is kept: an empty list is a valid answer.
        return this.reply(this.senders.shell, message, 'history_reply', { status: 'ok', history: [] });
      case 'shutdown_request':
        return this.shutdown(this.senders.shell, message);
      case 'comm_open':
      case 'comm_msg':
      case 'comm_close':
        return; // no comm targets
      default:
        this.log(`unsupported shell request ${message.header.msg_type}`);
    }
  }

  private async handleControl(message: RoutedMessage): Promise<void> {
    switch (message.header.msg_type) {
      case 'interrupt_request':
        this.interrupt();
        return this.reply(this.senders.control, message, 'interrupt_reply', { status: 'ok' });
      case 'shutdown_request':
        return this.shutdown(this.senders.control, message);
      case 'kernel_info_request':
        return this.reply(this.senders.control, message, 'kernel_info_reply', this.kernelInfo());
      default:
        this.log(`unsupported control request ${message.header.msg_type}`);
    }
  }

  private kernelInfo(): Record<string, unknown> {
    return {
      status: 'ok',
      protocol_version: PROTOCOL_VERSION,
      implementation: 'cnn-course-ts',
      implementation_version: this.options.implementationVersion,
      language_info: {
        name: 'typescript',
        version: this.typescriptVersion,
        mimetype: 'text/typescript',
        file_extension: '.ts',
        // JupyterLab reads `mode`; classic Notebook's CodeMirror 5 takes the javascript mode with its typescript flag.
        codemirror_mode: { name: 'javascript', mode: 'typescript', typescript: true },
        pygments_lexer: 'typescript',
      },
      banner: `TypeScript ${this.typescriptVersion} on Node ${process.versions.node}: the CNN course kernel (tslab engine, strict type checks)`,
      help_links: [
        { text: 'TypeScript handbook', url: 'https://www.typescriptlang.org/docs/handbook/intro.html' },
        { text: 'TensorFlow.js API', url: 'https://js.tensorflow.org/api/latest/' },
        { text: 'tslab', url: 'https://github.com/yunabe/tslab' },
      ],
      debugger: false,
    };
  }

  private async execute(message: RoutedMessage): Promise<void> {
    const content = message.content;
    const code = String(content.code ?? '');
    const silent = content.silent === true;
    const storeHistory = content.store_history !== false && !silent;
    if (storeHistory) this.executionCount++;
    const count = this.executionCount;
    if (!silent) await this.publish('execute_input', { code, execution_count: count }, message.header);
    this.outputParent = message.header;
    // V8 cuts a sourceURL at whitespace: the script is named without spaces, shown as `<cell [N]>`.
    const scriptName = `${silent ? 'silent' : `cell-${count}`}-${randomUUID().slice(0, 8)}`;
    const cellName = cellLabel(scriptName);
    this.compiler.nameNextCell(scriptName);
    const run = (this.cellRun = {
      diagnostics: [] as CellDiagnostic[],
      thrown: undefined as { value: unknown } | undefined,
      last: undefined as { value: unknown } | undefined,
    });
    let ok: boolean;
    try {
      ok = await this.compiler.executor.execute(code);
    } catch (error) {
      ok = false;
      run.thrown ??= { value: error };
    } finally {
      this.cellRun = undefined;
    }
    this.flushStreams();
    const mapPosition = (file: string, line: number, column: number) => {
      const script = this.compiler.scriptFor(file);
      const where = script?.toCell(line, column);
      return where && { cell: cellLabel(file), ...where };
    };
    if (ok) {
      if (run.last && !silent) {
        await this.publish(
          'execute_result',
          {
            execution_count: count,
            data: { 'text/plain': inspect(run.last.value, { colors: false, depth: 4 }) },
            metadata: {},
          },
          message.header,
        );
      }
      return this.reply(this.senders.shell, message, 'execute_reply', {
        status: 'ok',
        execution_count: count,
        user_expressions: {},
        payload: [],
      });
    }
    let error: ErrorContent;
    if (run.diagnostics.length > 0) error = diagnosticsContent(run.diagnostics, cellName, code);
    else if (run.thrown) error = errorContent(run.thrown.value, mapPosition, this.internalRoots);
    else error = { ename: 'Error', evalue: 'the cell failed without an error value', traceback: [] };
    await this.publish('error', { ...error }, message.header);
    await this.reply(this.senders.shell, message, 'execute_reply', {
      status: 'error',
      execution_count: count,
      ...error,
    });
    if (content.stop_on_error !== false) await this.abortQueuedExecutions();
  }

  /**
   * After a failed cell, the cells already sent behind it are answered
   * `aborted` without running (a front end's "run all" stops at the error).
   */
  private async abortQueuedExecutions(): Promise<void> {
    // Let the requests that are already in ZeroMQ's buffers reach the queue.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const queued = this.queue.filter((m) => m.header.msg_type === 'execute_request');
    this.queue.splice(
      0,
      this.queue.length,
      ...this.queue.filter((m) => m.header.msg_type !== 'execute_request'),
    );
    for (const message of queued) {
      await this.publishStatus('busy', message.header);
      await this.reply(this.senders.shell, message, 'execute_reply', {
        status: 'aborted',
        execution_count: null,
      });
      await this.publishStatus('idle', message.header);
    }
  }

  private display(content: DisplayContent, update: boolean): void {
    this.flushStreams();
    void this.publish(
      update ? 'update_display_data' : 'display_data',
      { data: content.data, metadata: content.metadata ?? {}, transient: content.transient ?? {} },
      this.outputParent,
    );
  }

  private clearOutput(wait: boolean): void {
    this.flushStreams();
    void this.publish('clear_output', { wait }, this.outputParent);
  }

  /** Sends what cells write to stdout and stderr as stream messages, batched (a loop of thousands of lines becomes a few messages). */
  private captureStreams(): void {
    const capture = (name: 'stdout' | 'stderr') =>
      ((
        chunk: string | Uint8Array,
        encoding?: BufferEncoding | ((error?: Error | null) => void),
        callback?: (error?: Error | null) => void,
      ) => {
        const text =
          typeof chunk === 'string'
            ? chunk
            : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
        this.writeStream(name, text);
        const done = typeof encoding === 'function' ? encoding : callback;
        done?.(null);
        return true;
      }) as typeof process.stdout.write;
    process.stdout.write = capture('stdout');
    process.stderr.write = capture('stderr');
  }

  private writeStream(name: 'stdout' | 'stderr', text: string): void {
    if (!this.outputParent) {
      this.realWrite[name](text);
      return;
    }
    const pending = (this.streams.get(name) ?? '') + text;
    this.streams.set(name, pending);
    if (pending.length >= STREAM_FLUSH_BYTES) this.flushStreams();
    else this.streamTimer ??= setTimeout(() => this.flushStreams(), STREAM_FLUSH_MS);
  }

  private flushStreams(): void {
    if (this.streamTimer) clearTimeout(this.streamTimer);
    this.streamTimer = undefined;
    for (const [name, text] of this.streams)
      if (text) void this.publish('stream', { name, text }, this.outputParent);
    this.streams.clear();
  }

  private async shutdown(sender: Sender, message: RoutedMessage): Promise<void> {
    const restart = message.content.restart === true;
    this.flushStreams();
    await this.reply(sender, message, 'shutdown_reply', { status: 'ok', restart });
    await this.close();
    this.options.onShutdown?.();
  }

  /** Closes the sockets (after the messages in flight are sent) and tslab's compiler. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeWorker?.();
    await Promise.all(Object.values(this.senders).map((s) => s.drained()));
    this.compiler.executor.close();
    for (const socket of [this.iopub, this.shell, this.control, this.stdin, this.hb]) socket.close();
  }
}

/** A cell's label from its script name (`cell-3-…` → `<cell [3]>`). */
function cellLabel(scriptName: string): string {
  if (scriptName.startsWith('silent-')) return '<silent>';
  const count = /^cell-(\d+)-/.exec(scriptName)?.[1];
  return count ? `<cell [${count}]>` : scriptName;
}

/** The cursor position as a UTF-16 index (the protocol counts Unicode code points). */
function cursor(content: Record<string, unknown>, code: string): number {
  const points = Number(content.cursor_pos ?? code.length);
  return [...code].slice(0, Math.max(0, points)).join('').length;
}
