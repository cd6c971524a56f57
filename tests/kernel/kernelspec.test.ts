// The course kernelspec: what kernel:install writes, what it refuses to
// overwrite, and how the executor chooses a kernel and reports broken specs.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { findKernelSpec } from '../../tools/jupyter/paths';
import { main as kernelInstall } from '../../tools/kernel-install';
import { kernelSpecLines } from '../../tools/kernel/doctor';
import { drawLogo } from '../../tools/kernel/logo';
import {
  COURSE_KERNEL_NAME,
  courseKernelSpec,
  installKernelSpec,
  KernelSpecConflictError,
} from '../../tools/kernel/spec';
import { courseExecuteOptions } from '../../tools/course-notebooks';
import { resolveKernel } from '../../tools/nbconvert-ts/execute';

const root = process.cwd();
const temp = () => mkdtempSync(join(tmpdir(), 'kspec-'));
const specFile = (dataDir: string, name = COURSE_KERNEL_NAME) =>
  join(dataDir, 'kernels', name, 'kernel.json');
const foreign = {
  argv: ['/opt/other/tslab', 'kernel', '--config-path', '{connection_file}'],
  display_name: 'Someone else',
  language: 'typescript',
  env: { KEEP: 'me' },
};

const savedPath = process.env.JUPYTER_PATH;
const savedData = process.env.JUPYTER_DATA_DIR;
afterEach(() => {
  if (savedPath === undefined) delete process.env.JUPYTER_PATH;
  else process.env.JUPYTER_PATH = savedPath;
  if (savedData === undefined) delete process.env.JUPYTER_DATA_DIR;
  else process.env.JUPYTER_DATA_DIR = savedData;
});

describe('kernel:install', () => {
  it("writes cnn-course-ts with this checkout's files, its logos and the installer's mark", () => {
    const dataDir = temp();
    const result = installKernelSpec({ dataDir });
    expect(result).toEqual({
      dir: join(dataDir, 'kernels', 'cnn-course-ts'),
      backup: undefined,
      refreshed: false,
    });
    const spec = JSON.parse(readFileSync(specFile(dataDir), 'utf8'));
    expect(spec).toMatchObject({
      display_name: 'TypeScript (CNN course)',
      language: 'typescript',
      interrupt_mode: 'signal',
      metadata: { cnn_course_ts: { project_root: root } },
    });
    expect(spec.argv).toEqual([
      process.execPath,
      '--import',
      expect.stringMatching(/^file:.*node_modules\/tsx\/dist\/loader\.mjs$/),
      join(root, 'tools', 'kernel', 'main.ts'),
      '--connection-file',
      '{connection_file}',
    ]);
    expect(readFileSync(fileURLToPath(spec.argv[2]))).toBeTruthy();
    expect(readdirSync(result.dir).sort()).toEqual(['kernel.json', 'logo-32x32.png', 'logo-64x64.png']);
    for (const size of [32, 64]) {
      const png = PNG.sync.read(readFileSync(join(result.dir, `logo-${size}x${size}.png`)));
      expect([png.width, png.height]).toEqual([size, size]);
    }
    // Installing again refreshes its own spec.
    expect(installKernelSpec({ dataDir }).refreshed).toBe(true);
  });

  it('keeps the committed logos equal to what logo.ts draws', () => {
    for (const size of [32, 64])
      expect(
        readFileSync(join(root, 'tools', 'kernel', 'logo', `logo-${size}x${size}.png`)).equals(
          drawLogo(size),
        ),
      ).toBe(true);
  });

  it('refuses a spec it did not write, says how to replace it, and replaces it only with --replace after a backup', () => {
    const dataDir = temp();
    mkdirSync(join(dataDir, 'kernels', COURSE_KERNEL_NAME), { recursive: true });
    writeFileSync(specFile(dataDir), JSON.stringify(foreign));
    expect(() => installKernelSpec({ dataDir })).toThrow(KernelSpecConflictError);
    expect(() => installKernelSpec({ dataDir })).toThrow(
      /not written by npm run kernel:install[\s\S]*--replace/,
    );
    expect(JSON.parse(readFileSync(specFile(dataDir), 'utf8'))).toEqual(foreign);
    const result = installKernelSpec({ dataDir, replace: true });
    expect(result.backup).toMatch(/kernels-backup\/cnn-course-ts-/);
    expect(JSON.parse(readFileSync(join(result.backup!, 'kernel.json'), 'utf8'))).toEqual(foreign);
    expect(JSON.parse(readFileSync(specFile(dataDir), 'utf8')).argv[3]).toBe(
      join(root, 'tools', 'kernel', 'main.ts'),
    );
    // The backup is outside kernels/, so Jupyter does not list it as a kernel.
    expect(readdirSync(join(dataDir, 'kernels'))).toEqual([COURSE_KERNEL_NAME]);
  });

  it("refuses another checkout's spec and a corrupt kernel.json", () => {
    const dataDir = temp();
    installKernelSpec({ dataDir, root: '/somewhere/else' });
    expect(() => installKernelSpec({ dataDir })).toThrow(/belongs to the checkout at \/somewhere\/else/);
    writeFileSync(specFile(dataDir), '{"argv": [');
    expect(() => installKernelSpec({ dataDir })).toThrow(/is not valid JSON/);
  });

  it('honours --prefix and JUPYTER_DATA_DIR, and exits 1 with the fix on a conflict', () => {
    const prefix = temp();
    expect(kernelInstall(['--prefix', prefix])).toBe(0);
    expect(findKernelSpec(COURSE_KERNEL_NAME, [join(prefix, 'share', 'jupyter')])).toBeDefined();
    const dataDir = temp();
    process.env.JUPYTER_DATA_DIR = dataDir;
    expect(kernelInstall(['--name', 'course-x'])).toBe(0);
    expect(JSON.parse(readFileSync(specFile(dataDir, 'course-x'), 'utf8')).display_name).toBe(
      'TypeScript (CNN course) [course-x]',
    );
    mkdirSync(join(dataDir, 'kernels', COURSE_KERNEL_NAME), { recursive: true });
    writeFileSync(specFile(dataDir), JSON.stringify(foreign));
    expect(kernelInstall([])).toBe(1);
    expect(kernelInstall(['--bogus'])).toBe(2);
  });
});

describe("the executor's kernel", () => {
  it("runs this checkout's kernel by default, even when a user-wide spec of the same name exists", () => {
    const dataDir = temp();
    mkdirSync(join(dataDir, 'kernels', COURSE_KERNEL_NAME), { recursive: true });
    writeFileSync(specFile(dataDir), JSON.stringify(foreign));
    process.env.JUPYTER_PATH = dataDir;
    expect(resolveKernel(courseExecuteOptions())).toEqual({
      name: COURSE_KERNEL_NAME,
      spec: courseKernelSpec(root),
    });
    // Asked for by name, the installed spec is what runs.
    expect(() => resolveKernel({ ...courseExecuteOptions(), kernelName: COURSE_KERNEL_NAME })).toThrow(
      /runs \/opt\/other\/tslab, which no longer exists \(was its checkout moved or deleted\?\)/,
    );
  });

  it('names the file, the installed kernels and the fix for unknown, corrupt and stale specs', () => {
    const dataDir = temp();
    process.env.JUPYTER_PATH = dataDir;
    installKernelSpec({ dataDir, name: 'good' });
    mkdirSync(join(dataDir, 'kernels', 'broken'), { recursive: true });
    writeFileSync(specFile(dataDir, 'broken'), '{ not json');
    mkdirSync(join(dataDir, 'kernels', 'noargv'), { recursive: true });
    writeFileSync(specFile(dataDir, 'noargv'), JSON.stringify({ display_name: 'x', language: 'typescript' }));
    expect(() => resolveKernel({ ...courseExecuteOptions(), kernelName: 'missing' })).toThrow(
      new RegExp(
        `no kernelspec named 'missing'.*installed: .*good \\(${specFile(dataDir, 'good')}\\).*npm run kernel:install`,
      ),
    );
    expect(() => resolveKernel({ kernelName: 'broken' })).toThrow(
      new RegExp(`'broken' is unusable: ${specFile(dataDir, 'broken')}: not a readable JSON file`),
    );
    expect(() => resolveKernel({ kernelName: 'noargv' })).toThrow(
      /"argv" must be a non-empty list of strings/,
    );
    expect(resolveKernel({ kernelName: 'good' }).spec.argv[3]).toBe(join(root, 'tools', 'kernel', 'main.ts'));
    // A spec whose checkout was deleted.
    installKernelSpec({ dataDir, name: 'gone', root: join(dataDir, 'deleted-checkout') });
    expect(() => resolveKernel({ kernelName: 'gone' })).toThrow(
      /deleted-checkout\/node_modules\/tsx\/dist\/loader\.mjs and .*deleted-checkout\/tools\/kernel\/main\.ts, which no longer exist/,
    );
  });
});

describe('npm run doctor', () => {
  it('says whether the course kernelspec is installed and whether it runs this checkout', () => {
    const dataDir = temp();
    expect(kernelSpecLines(root, [dataDir])).toEqual([
      expect.stringMatching(/^kernelspec: 'cnn-course-ts' not installed \(npm run kernel:install/),
    ]);
    installKernelSpec({ dataDir });
    expect(kernelSpecLines(root, [dataDir])).toEqual([
      `kernelspec: 'cnn-course-ts' in ${specFile(dataDir)} runs this checkout's course kernel`,
    ]);
    installKernelSpec({ dataDir, root: process.execPath.replace(/\/bin\/node$/, ''), replace: true });
    expect(kernelSpecLines(root, [dataDir])[0]).toMatch(/runs .*, which no longer exist .*--replace/);
    writeFileSync(specFile(dataDir), JSON.stringify({ ...foreign, argv: [process.execPath] }));
    expect(kernelSpecLines(root, [dataDir])[0]).toMatch(
      /was not written by kernel:install \(it runs .*node; npm run kernel:install -- --replace/,
    );
    writeFileSync(specFile(dataDir), '[');
    expect(kernelSpecLines(root, [dataDir])[0]).toMatch(
      /^kernelspec: 'cnn-course-ts' is broken: .*kernel\.json: not a readable JSON file/,
    );
    mkdirSync(join(dataDir, 'kernels', 'tslab'), { recursive: true });
    writeFileSync(specFile(dataDir, 'tslab'), JSON.stringify(foreign));
    expect(kernelSpecLines(root, [dataDir])).toHaveLength(1); // a broken course spec is the one fact that matters
    // Another checkout that exists.
    const checkout = temp();
    for (const file of [
      ['node_modules', 'tsx', 'dist', 'loader.mjs'],
      ['tools', 'kernel', 'main.ts'],
    ]) {
      mkdirSync(join(checkout, ...file.slice(0, -1)), { recursive: true });
      writeFileSync(join(checkout, ...file), '');
    }
    const third = temp();
    installKernelSpec({ dataDir: third, root: checkout });
    expect(kernelSpecLines(root, [third])).toEqual([
      `kernelspec: 'cnn-course-ts' in ${specFile(third)} runs the checkout at ${checkout}, not this one (npm run kernel:install -- --replace points it here; --name NAME installs this one beside it)`,
    ]);
    const other = temp();
    installKernelSpec({ dataDir: other, root: '/elsewhere' });
    mkdirSync(join(other, 'kernels', 'tslab'), { recursive: true });
    writeFileSync(specFile(other, 'tslab'), JSON.stringify(foreign));
    expect(kernelSpecLines(root, [other])).toEqual([
      expect.stringMatching(
        /^kernelspec: 'cnn-course-ts' in .* runs \/elsewhere\/node_modules\/tsx\/dist\/loader\.mjs and \/elsewhere\/tools\/kernel\/main\.ts, which no longer exist/,
      ),
      expect.stringMatching(/^kernelspec: 'tslab' also installed in .* \(plain tslab/),
    ]);
  });
});
