/**
 * Notebook cells → functions the page can run, with the course kernel's semantics:
 * every cell sees the top-level names of the cells run before it (tslab keeps one
 * program), imports resolve to the bundled library and packages, the last expression is
 * the cell's value, and top-level `await` works.
 *
 * Design: a cell is transpiled from TypeScript (types dropped, no type check), then each
 * top-level declaration becomes an assignment to a property of one shared scope object, and
 * the cell's statements run inside `with (scope) { … }` in a sloppy-mode async function, so
 * every name the cell reads or assigns resolves to that object (a later cell sees it, a
 * redeclaration replaces it, as in the kernel). Function declarations are hoisted to the
 * top of their cell, as JavaScript does. Names a cell declares are created on the scope
 * before it runs, so `with` finds them.
 */
import type * as TS from 'typescript';

/** A cell ready to run: its JavaScript body and the top-level names it declares. */
export interface CompiledCell {
  /** Body of `async function (__scope, __require, __import)`; returns the last expression's value. */
  body: string;
  /** Top-level names the cell declares (imports, variables, functions, classes). */
  declared: string[];
}

/** Thrown for cell code the page cannot run; the message says what to change. */
export class CellSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CellSyntaxError';
  }
}

/** Names bound by a binding pattern (`{ a, b: [c, ...d] }` → a, c, d). */
function boundNames(ts: typeof TS, name: TS.BindingName, into: string[]): void {
  if (ts.isIdentifier(name)) into.push(name.text);
  else
    for (const element of name.elements)
      if (!ts.isOmittedExpression(element)) boundNames(ts, element.name, into);
}

/** Replaces every dynamic `import(…)` by `__import(…)`, which resolves bundled packages. */
function dynamicImports(ts: typeof TS, file: TS.SourceFile): number[] {
  const positions: number[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      positions.push(node.expression.getStart(file));
    ts.forEachChild(node, visit);
  };
  visit(file);
  return positions;
}

/**
 * Compiles one cell. `ts` is the TypeScript compiler (loaded lazily in the browser).
 *
 * @throws CellSyntaxError for syntax errors and for `export`, which a cell cannot use.
 */
export function compileCell(ts: typeof TS, source: string, label = 'cell'): CompiledCell {
  const transpiled = ts.transpileModule(source, {
    fileName: `${label}.ts`,
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      // Keeps imports whose names only later cells use (the default would drop them).
      verbatimModuleSyntax: true,
      useDefineForClassFields: true,
    },
  });
  const problems = (transpiled.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (problems.length) {
    const first = problems[0]!;
    const where =
      first.file && first.start !== undefined
        ? first.file.getLineAndCharacterOfPosition(first.start)
        : undefined;
    const at = where ? `${label}:${where.line + 1}:${where.character + 1}: ` : '';
    throw new CellSyntaxError(`${at}${ts.flattenDiagnosticMessageText(first.messageText, '\n')}`);
  }
  let js = transpiled.outputText.replace(/\n\/\/# sourceMappingURL=.*$/, '');
  const parse = () => ts.createSourceFile(`${label}.js`, js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  // First pass: dynamic imports (they may sit inside declarations the second pass rewrites).
  for (const at of dynamicImports(ts, parse()).reverse())
    js = `${js.slice(0, at)}__import${js.slice(at + 'import'.length)}`;
  const file = parse();
  // Text edits on the JavaScript, applied from the end so earlier positions stay valid.
  const edits: Array<{ start: number; end: number; text: string }> = [];
  const declared: string[] = [];
  const hoisted: string[] = [];
  const text = (node: TS.Node) => js.slice(node.getStart(file), node.end);
  const statements = file.statements;
  statements.forEach((statement, index) => {
    const start = statement.getStart(file);
    const replace = (replacement: string) => edits.push({ start, end: statement.end, text: replacement });
    const modifiers = ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : [];
    if (modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      throw new CellSyntaxError(
        `${label}: a notebook cell cannot export; declare the name at the top level instead`,
      );
    }
    if (ts.isImportDeclaration(statement)) {
      const spec = JSON.stringify((statement.moduleSpecifier as TS.StringLiteral).text);
      const clause = statement.importClause;
      const parts: string[] = [];
      if (clause?.name) {
        declared.push(clause.name.text);
        parts.push(`${clause.name.text} = __require(${spec}).default;`);
      }
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) {
        declared.push(bindings.name.text);
        parts.push(`${bindings.name.text} = __require(${spec});`);
      } else if (bindings) {
        for (const element of bindings.elements) {
          declared.push(element.name.text);
          parts.push(
            `${element.name.text} = __require(${spec})[${JSON.stringify((element.propertyName ?? element.name).text)}];`,
          );
        }
      }
      if (!clause) parts.push(`__require(${spec});`);
      replace(parts.join(' '));
    } else if (ts.isVariableStatement(statement)) {
      const parts: string[] = [];
      for (const declaration of statement.declarationList.declarations) {
        boundNames(ts, declaration.name, declared);
        if (!declaration.initializer) continue;
        const target = text(declaration.name);
        const assignment = `${target} = ${text(declaration.initializer)}`;
        parts.push(ts.isIdentifier(declaration.name) ? `${assignment};` : `(${assignment});`);
      }
      replace(parts.join(' '));
    } else if (ts.isFunctionDeclaration(statement) && statement.name) {
      declared.push(statement.name.text);
      hoisted.push(`${statement.name.text} = ${text(statement)};`);
      replace('');
    } else if (ts.isClassDeclaration(statement) && statement.name) {
      declared.push(statement.name.text);
      replace(`${statement.name.text} = ${text(statement)};`);
    } else if (ts.isExportDeclaration(statement) || ts.isExportAssignment(statement)) {
      throw new CellSyntaxError(
        `${label}: a notebook cell cannot export; declare the name at the top level instead`,
      );
    } else if (index === statements.length - 1 && ts.isExpressionStatement(statement)) {
      // The cell's value (Out[n] in the kernel).
      replace(`return (${text(statement.expression)});`);
    }
  });
  let body = js;
  for (const edit of edits.sort((a, b) => b.start - a.start))
    body = body.slice(0, edit.start) + edit.text + body.slice(edit.end);
  const unique = [...new Set(declared)];
  return { body: `with (__scope) {\n${hoisted.join('\n')}\n${body}\n}`, declared: unique };
}

/** The constructor of async functions (not a global name). */
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
  ...args: string[]
) => (
  scope: Record<string, unknown>,
  require: (specifier: string) => unknown,
  dynamicImport: (specifier: string) => Promise<unknown>,
) => Promise<unknown>;

/** What a cell needs to run: the shared scope and the module resolvers. */
export interface CellContext {
  scope: Record<string, unknown>;
  require: (specifier: string) => unknown;
  dynamicImport: (specifier: string) => Promise<unknown>;
}

/** A fresh scope shared by a notebook's cells (no prototype, so no inherited names shadow globals). */
export function createScope(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

/** Runs a compiled cell in `context`; resolves to the cell's value (undefined when it has none). */
export function runCompiledCell(cell: CompiledCell, context: CellContext): Promise<unknown> {
  for (const name of cell.declared) if (!(name in context.scope)) context.scope[name] = undefined;
  const run = new AsyncFunction('__scope', '__require', '__import', cell.body);
  return run(context.scope, context.require, context.dynamicImport);
}
