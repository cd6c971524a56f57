// nbconvert-ts as any TypeScript notebook project would use it: no course library, no course
// kernel, no configuration unless one is given. The kernel is plain tslab, installed as a
// kernelspec in a temporary Jupyter folder.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../tools/nbconvert-ts/bin';
import { loadConfig } from '../../tools/nbconvert-ts/config';
import { EXIT } from '../../tools/nbconvert-ts/execute';
import { FIXTURES, read, text } from './fixtures';

const root = process.cwd();
const tslabArgv = [
  process.execPath,
  join(root, 'node_modules', 'tslab', 'bin', 'tslab'),
  'kernel',
  '--config-path',
  '{connection_file}',
];
const work = mkdtempSync(join(tmpdir(), 'nbx-standalone-'));
const jupyter = join(work, 'jupyter');
const saved = { JUPYTER_PATH: process.env.JUPYTER_PATH, JUPYTER_DATA_DIR: process.env.JUPYTER_DATA_DIR };

beforeAll(() => {
  // The fixtures name the kernelspec 'tslab'.
  mkdirSync(join(jupyter, 'kernels', 'tslab'), { recursive: true });
  writeFileSync(
    join(jupyter, 'kernels', 'tslab', 'kernel.json'),
    JSON.stringify({ argv: tslabArgv, display_name: 'TypeScript', language: 'typescript' }),
  );
  process.env.JUPYTER_PATH = jupyter;
  process.env.JUPYTER_DATA_DIR = jupyter;
});

afterAll(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** Every module specifier a source file imports (static, dynamic, require). */
function importsOf(source: string): string[] {
  return [...source.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|^import\s+)['"]([^'"]+)['"]/gm)].map(
    (m) => m[1]!,
  );
}

/** The printed cell outputs of an executed notebook, as one text. */
const printed = (path: string): string =>
  read(path)
    .cells.flatMap((c: { outputs?: { text?: string | string[] }[] }) =>
      (c.outputs ?? []).map((o) => text(o.text ?? '')),
    )
    .join('');

describe('nbconvert-ts without the course', () => {
  it('imports nothing from the course: no lib/, no course kernel, no course glue', () => {
    const dir = join(root, 'tools', 'nbconvert-ts');
    const files = readdirSync(dir).filter((f) => /\.(ts|cjs)$/.test(f));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      for (const spec of importsOf(readFileSync(join(dir, file), 'utf8'))) {
        // Its own modules, Jupyter's generic paths and wire format, node builtins and packages only.
        const allowed =
          /^\.\/[\w-]+$/.test(spec) || /^\.\.\/jupyter\/[\w-]+$/.test(spec) || !spec.startsWith('.');
        expect(allowed, `${file} imports ${spec}`).toBe(true);
      }
    }
  });

  it('runs a notebook from a folder without configuration on the kernel the notebook names, with any profile and no cache', () => {
    copyFileSync(join(FIXTURES, 'params.ipynb'), join(work, 'params.ipynb'));
    const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const result = spawnSync(
      process.execPath,
      [
        tsx,
        join(root, 'tools', 'nbconvert-ts', 'bin.ts'),
        'execute',
        'params.ipynb',
        '--out-dir',
        'out',
        '--profile',
        'anything',
        '-p',
        'epochs=3',
      ],
      {
        cwd: work,
        env: { ...process.env, JUPYTER_PATH: jupyter, JUPYTER_DATA_DIR: jupyter },
        encoding: 'utf8',
        timeout: 240_000,
      },
    );
    expect(result.status, result.stderr).toBe(EXIT.ok);
    expect(printed(join(work, 'out', 'params.ipynb'))).toContain('profile=anything epochs=3');
    expect(existsSync(join(work, 'build')), 'no cache without one configured').toBe(false);
  }, 300_000);

  it('takes profiles, the default kernel and the cache folder from --config', async () => {
    const project = join(work, 'project');
    mkdirSync(project, { recursive: true });
    const config = join(project, 'nbconvert-ts.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        profiles: ['quick', 'slow'],
        cacheDir: 'cache',
        defaultKernel: {
          name: 'plain-tslab',
          spec: { argv: tslabArgv, display_name: 'TypeScript', language: 'typescript' },
        },
      }),
    );
    // The notebook names a kernelspec that does not exist: the configured default runs instead.
    const nb = read(join(FIXTURES, 'params.ipynb'));
    nb.metadata.kernelspec.name = 'no-such-kernel';
    writeFileSync(join(project, 'params.ipynb'), JSON.stringify(nb));
    const out = join(project, 'out');
    const args = ['execute', join(project, 'params.ipynb'), '--out-dir', out, '--config', config];
    expect(await main([...args, '--profile', 'full'])).toBe(EXIT.badInput);
    expect(existsSync(out), 'nothing runs on a profile the project does not have').toBe(false);
    expect(await main([...args, '--profile', 'quick'])).toBe(EXIT.ok);
    expect(printed(join(out, 'params.ipynb'))).toContain('profile=quick epochs=10');
    expect(readdirSync(join(project, 'cache')).filter((f) => f.endsWith('.ipynb'))).toHaveLength(1);
  }, 300_000);

  it('converts a chart without a renderer (saying so on the page) and with the renderer given', async () => {
    const run = async (name: string, config: Parameters<typeof main>[1]) => {
      const docs = join(work, name, 'docs');
      const args = [
        'convert',
        join(FIXTURES, '05-executed.ipynb'),
        '--docs-dir',
        docs,
        '--assets-dir',
        join(work, name, 'assets'),
      ];
      expect(await main(args, config), 'a folder for the download copy is needed').toBe(EXIT.badInput);
      expect(await main([...args, '--notebooks-dir', join(work, name, 'nb')], config)).toBe(EXIT.ok);
      return readFileSync(join(docs, '05-executed.md'), 'utf8');
    };
    const bare = await run('bare', {});
    expect(bare).toMatch(
      /<div class="nb-vega" data-spec="[^"]+"><p>[^<]*\(no static picture: no chart renderer configured[^<]*<\/p><\/div>/,
    );
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="3" height="3"><rect width="3" height="3" /></svg>';
    const drawn = await run('drawn', { renderChart: async () => svg, notebooksDir: undefined });
    const img = /<div class="nb-vega" data-spec="[^"]+"><img src="\/nb-assets\/([0-9a-f]+\.svg)"/.exec(drawn);
    expect(img, 'the chart has its static picture').not.toBeNull();
    expect(readFileSync(join(work, 'drawn', 'assets', img![1]!), 'utf8')).toBe(svg);
  });

  it('names the file and the field of a wrong configuration', async () => {
    const config = join(work, 'bad.config.json');
    writeFileSync(config, JSON.stringify({ profile: ['ci'] }));
    await expect(loadConfig(config)).rejects.toThrow(`${config}: unknown field profile`);
    writeFileSync(config, JSON.stringify({ cacheInputs: 'lib' }));
    await expect(loadConfig(config)).rejects.toThrow(`${config}: cacheInputs must be a list of strings`);
    expect(await main(['check', join(FIXTURES, 'params.ipynb'), '--config', config])).toBe(EXIT.badInput);
  });
});
