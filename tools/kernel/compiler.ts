/**
 * tslab's TypeScript converter and executor, used as a library with the
 * course's compiler settings and with source maps kept, so that a runtime
 * error's frames can be taken back to the cell's own lines.
 *
 * tslab builds its compiler options inside `createConverter` and exposes no way
 * to change them. Its TypeScript module is read through Node's module cache,
 * so before tslab's converter is first loaded, the cache entry is replaced by a
 * view of the same module whose `createWatchCompilerHost` adds the course's
 * options and whose `transpileModule` (tslab's ES-module to CommonJS step)
 * keeps a source map. Nothing of tslab is copied or modified on disk.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { takeInlineSourceMap, SourceMap } from './source-map';

/** The TypeScript options the course's cells are compiled with, on top of tslab's own. */
export interface CourseCompilerOptions {
  /** TypeScript's `strict` family (the project's tsconfig has it). */
  strict: boolean;
}

/** tslab's converter and executor interfaces, as far as the kernel uses them (typed here: tslab's own .d.ts pull in its TypeScript fork). */
export interface TslabConverter {
  convert(
    prevDecl: string,
    src: string,
  ): { output?: string; hasToplevelAwait?: boolean; diagnostics: unknown[] } & Record<string, unknown>;
  inspect(prevDecl: string, src: string, position: number): unknown;
  complete(
    prevDecl: string,
    src: string,
    position: number,
  ): { start: number; end: number; candidates: string[] };
  addModule(name: string, content: string, meta?: unknown): unknown[];
  close(): void;
}

export interface TslabExecutor {
  execute(src: string): Promise<boolean>;
  inspect(src: string, position: number): unknown;
  complete(src: string, position: number): { start: number; end: number; candidates: string[] };
  reset(): void;
  interrupt(): void;
  close(): void;
}

/** The console the executor reports through: diagnostics and thrown values to `error`, the last expression's value to `log`. */
export interface ExecutorConsole {
  log(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** Where a cell's generated code came from: its name in stack traces and how to map positions back. */
export interface CellScript {
  /** The script name V8 shows in the cell's frames (from its `sourceURL` comment). */
  scriptName: string;
  /** Maps a one-based line and column of the running script to the cell's one-based line and column. */
  toCell(line: number, column: number): { line: number; column: number } | undefined;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- tslab's TypeScript fork is reached untyped (its .d.ts is a separate copy of TypeScript's). */
interface TypeScriptModule {
  createWatchCompilerHost: (...args: unknown[]) => unknown;
  transpileModule: (
    input: string,
    options: {
      compilerOptions?: Record<string, unknown>;
      transformers?: { before?: unknown[] };
      [key: string]: unknown;
    },
  ) => { outputText: string; sourceMapText?: string };
  ModuleKind: { CommonJS: number };
  ModuleResolutionKind: { Bundler: number };
  SyntaxKind: { ImportKeyword: number };
  isCallExpression(node: any): boolean;
  visitEachChild(node: any, visitor: (node: any) => any, context: any): any;
  visitNode(node: any, visitor: (node: any) => any): any;
  setTextRange<T>(node: T, range: any): T;
}

/** The parts of the system object tslab hands TypeScript's watch program that {@link calmWatchSystem} changes. */
interface WatchSystem {
  setTimeout(callback: (...args: unknown[]) => void, ms: number, ...args: unknown[]): unknown;
  clearTimeout(handle: unknown): void;
  watchFile(path: string, callback: (...args: unknown[]) => void, ...rest: unknown[]): unknown;
  watchDirectory(path: string, callback: (...args: unknown[]) => void, ...rest: unknown[]): unknown;
}

/** The watch program's own callback that rebuilds the program; tslab fires it itself after each cell. */
const PROGRAM_UPDATE = 'updateProgramWithWatchStatus';

/**
 * tslab's converter holds one pending timer and throws ("Unexpected pending rebuildTimer")
 * when TypeScript asks for a second. TypeScript asks for two kinds: the program update and,
 * when a watched folder changes (a file saved, created or removed beside the notebook, a
 * `git checkout`), the invalidation of failed module lookups. The second, thrown from inside
 * a file-system event, killed the kernel. Here only the program update reaches tslab's timer;
 * other timers run at once (which only schedules a program update), and an error inside a
 * file-system event is reported on stderr instead of ending the process.
 */
function calmWatchSystem(system: WatchSystem): WatchSystem {
  const immediate = new WeakSet<object>();
  const calm: WatchSystem = Object.create(system);
  calm.setTimeout = (callback, ms, ...args) => {
    if (callback.name === PROGRAM_UPDATE) return system.setTimeout(callback, ms, ...args);
    const handle = {};
    immediate.add(handle);
    callback(...args);
    return handle;
  };
  calm.clearTimeout = (handle) => {
    if (typeof handle === 'object' && handle !== null && immediate.delete(handle)) return;
    system.clearTimeout(handle);
  };
  const guarded =
    (path: string, callback: (...args: unknown[]) => void) =>
    (...event: unknown[]) => {
      try {
        callback(...event);
      } catch (error) {
        process.stderr.write(
          `course kernel: ignored an error while reacting to a change of ${path}: ${String(error)}\n`,
        );
      }
    };
  calm.watchFile = (path, callback, ...rest) => system.watchFile(path, guarded(path, callback), ...rest);
  calm.watchDirectory = (path, callback, ...rest) =>
    system.watchDirectory(path, guarded(path, callback), ...rest);
  return calm;
}

/** The global through which cells' `import()` reaches Node's own loader (see {@link nativeImportTransformer}). */
export const NATIVE_IMPORT = '__cnnCourseImport';

/**
 * Keeps a cell's `import(x)` an ES-module import: TypeScript's CommonJS output
 * would turn it into `require(x)`, which cannot load ES-module-only packages
 * (vega-lite, whose modules use top-level await). The call goes to a function
 * built with `new Function`, whose `import()` is Node's own, resolving bare
 * names from the working folder up.
 */
function nativeImportTransformer(ts: TypeScriptModule) {
  return (context: any) => {
    const visit = (node: any): any => {
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const f = context.factory;
        const callee = f.createPropertyAccessExpression(f.createIdentifier('globalThis'), NATIVE_IMPORT);
        return ts.setTextRange(
          f.createCallExpression(
            callee,
            undefined,
            node.arguments.map((a: any) => ts.visitNode(a, visit)),
          ),
          node,
        );
      }
      return ts.visitEachChild(node, visit, context);
    };
    return (file: any) => ts.visitNode(file, visit);
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** What tslab's ES-module to CommonJS step produced last: the code it returned and the two maps behind it. */
interface Conversion {
  output: string;
  /** Generated CommonJS → the ES-module JavaScript TypeScript emitted. */
  toEsm: SourceMap | undefined;
  /** The ES-module JavaScript → the TypeScript source (undefined when it had no inline map). */
  toSource: SourceMap | undefined;
}

const recent: Conversion[] = [];
let installedOptions: CourseCompilerOptions | undefined;

function projectRequire(root: string): NodeJS.Require {
  return createRequire(join(root, 'package.json'));
}

/**
 * Puts the view of tslab's TypeScript in Node's module cache. Must run before
 * tslab's converter is loaded; a second call with other options is an error
 * (the converter reads them once).
 */
function installTypeScriptView(root: string, options: CourseCompilerOptions): void {
  if (installedOptions) {
    if (installedOptions.strict !== options.strict)
      throw new Error('the course compiler was already set up with other options in this process');
    return;
  }
  const req = projectRequire(root);
  const tslabDir = dirname(req.resolve('tslab/package.json'));
  const tsPath = createRequire(join(tslabDir, 'dist', 'converter.js')).resolve('@tslab/typescript-for-tslab');
  if (req.cache[req.resolve('tslab/dist/converter')])
    throw new Error("tslab's converter was loaded before the course compiler could set its options");
  const ts = req(tsPath) as TypeScriptModule;
  const entry = req.cache[tsPath];
  if (!entry) throw new Error(`tslab's TypeScript (${tsPath}) is not in the module cache`);
  const createWatchCompilerHost = (...args: unknown[]) => {
    const compilerOptions = args[1] as Record<string, unknown>;
    // The cell's own code keeps an inline map; tslab drops other emitted files it does not know.
    // Bundler resolution reads packages' `exports` maps, so ES-module-only packages have types.
    args[1] = {
      ...compilerOptions,
      strict: options.strict,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      inlineSourceMap: true,
      inlineSources: false,
    };
    args[2] = calmWatchSystem(args[2] as WatchSystem);
    return ts.createWatchCompilerHost(...args);
  };
  const transpileModule: TypeScriptModule['transpileModule'] = (input, transpileOptions) => {
    const compilerOptions = transpileOptions.compilerOptions ?? {};
    if (compilerOptions.module !== ts.ModuleKind.CommonJS) return ts.transpileModule(input, transpileOptions);
    const { code, map: toSource } = takeInlineSourceMap(input);
    const before = [...(transpileOptions.transformers?.before ?? []), nativeImportTransformer(ts)];
    const result = ts.transpileModule(code, {
      ...transpileOptions,
      transformers: { ...transpileOptions.transformers, before },
      compilerOptions: { ...compilerOptions, sourceMap: true, inlineSourceMap: false },
    });
    const output = result.outputText.replace(/\n?\/\/# sourceMappingURL=\S*\s*$/, '');
    const toEsm = result.sourceMapText ? SourceMap.fromJson(result.sourceMapText) : undefined;
    recent.push({ output, toEsm, toSource });
    if (recent.length > 64) recent.shift();
    return { ...result, outputText: output };
  };
  const overrides: Record<string, unknown> = { createWatchCompilerHost, transpileModule };
  entry.exports = new Proxy(ts, {
    get: (target, key, receiver) =>
      typeof key === 'string' && key in overrides ? overrides[key] : Reflect.get(target, key, receiver),
  });
  (globalThis as Record<string, unknown>)[NATIVE_IMPORT] ??= new Function(
    'specifier',
    'return import(specifier)',
  );
  installedOptions = options;
}

/**
 * tslab's converter alone, with the course's compiler settings: compiles cells
 * (`convert(prevDecl, src)`, feeding each result's `declOutput` to the next) without
 * running them. The type check of notebooks and learner versions uses it.
 */
export function createCourseConverter(root: string, options: CourseCompilerOptions): TslabConverter {
  installTypeScriptView(root, options);
  const { createConverter } = projectRequire(root)('tslab/dist/converter') as {
    createConverter: (o: { isJS: boolean; isBrowser: boolean }) => TslabConverter;
  };
  return createConverter({ isJS: false, isBrowser: false });
}

/** The line of the cell's source that TypeScript sees as line 0 ("export {};", tslab's module marker). */
const SOURCE_PREFIX_LINES = 1;
/** What tslab's executor puts before the generated code on its first line. */
const WRAPPER = { sync: '(function(exports, require) { ', async: '(async function(exports, require) { ' };

/**
 * tslab's executor over the course's compiler. Each cell gets a script name
 * (`nameNextCell`) and a position map (`scriptFor`).
 */
export class CourseCompiler {
  readonly executor: TslabExecutor;
  private readonly scripts = new Map<string, CellScript>();
  private nextName = '<cell>';
  private readonly node: TslabConverter;

  constructor(root: string, cwd: string, options: CourseCompilerOptions, console: ExecutorConsole) {
    installTypeScriptView(root, options);
    const req = projectRequire(root);
    const { createConverter } = req('tslab/dist/converter') as {
      createConverter: (o: { isJS: boolean; isBrowser: boolean }) => TslabConverter;
    };
    const { createExecutor } = req('tslab/dist/executor') as {
      createExecutor: (rootDir: string, convs: unknown, console: ExecutorConsole) => TslabExecutor;
    };
    this.node = createConverter({ isJS: false, isBrowser: false });
    const node = this.wrap(this.node);
    let browser: TslabConverter | undefined;
    const convs = {
      node,
      get browser() {
        browser ??= createConverter({ isJS: false, isBrowser: true });
        return browser;
      },
      close: () => {
        this.node.close();
        browser?.close();
      },
    };
    this.executor = createExecutor(cwd, convs, console);
  }

  /** Names the script of the next cell converted (as V8 will show it in stack frames). */
  nameNextCell(name: string): void {
    this.nextName = name;
  }

  /** The position map of a cell's script, by the name its frames carry. */
  scriptFor(name: string): CellScript | undefined {
    return this.scripts.get(name);
  }

  private wrap(converter: TslabConverter): TslabConverter {
    return {
      convert: (prevDecl, src) => {
        recent.length = 0;
        const result = converter.convert(prevDecl, src);
        if (!result.output) return result;
        const conversion = [...recent].reverse().find((c) => c.output === result.output);
        const name = this.nextName;
        const wrapperLength = (result.hasToplevelAwait ? WRAPPER.async : WRAPPER.sync).length;
        this.scripts.set(name, {
          scriptName: name,
          toCell: (line, column) => {
            if (!conversion?.toEsm || !conversion.toSource) return undefined;
            const generatedColumn = line === 1 ? column - 1 - wrapperLength : column - 1;
            const esm = conversion.toEsm.lookup(line - 1, Math.max(0, generatedColumn));
            const source = esm && conversion.toSource.lookup(esm.line, esm.column);
            if (!source || source.line < SOURCE_PREFIX_LINES) return undefined;
            return { line: source.line - SOURCE_PREFIX_LINES + 1, column: source.column + 1 };
          },
        });
        // V8 names the script after its last sourceURL comment; a line of its own after the code.
        return { ...result, output: `${result.output}\n//# sourceURL=${name}\n` };
      },
      inspect: (prevDecl, src, position) => converter.inspect(prevDecl, src, position),
      complete: (prevDecl, src, position) => converter.complete(prevDecl, src, position),
      addModule: (name, content, meta) => converter.addModule(name, content, meta),
      close: () => converter.close(),
    };
  }
}
