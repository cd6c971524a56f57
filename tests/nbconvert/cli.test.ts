// nbconvert-ts's cache and command line, against real tslab kernels on small fixture notebooks.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../tools/nbconvert-ts/bin';
import { cacheKey, EXIT } from '../../tools/nbconvert-ts/execute';
import { courseExecuteOptions } from '../../tools/course-notebooks';
import { executeNotebook } from './course';
import { readNotebook } from '../../tools/nbconvert-ts/notebook';
import { digest, FIXTURES, fixture, read, validate } from './fixtures';

describe('cache', () => {
  it('reuses a cached run until an input changes', async () => {
    const input = fixture('params');
    const cacheDir = mkdtempSync(join(tmpdir(), 'nbc-'));
    const library = join(cacheDir, '..', `lib-${Date.now()}.ts`);
    writeFileSync(library, 'export const v = 1;');
    const out = join(mkdtempSync(join(tmpdir(), 'nbo-')), 'params.ipynb');
    const options = { outputPath: out, cacheDir, cacheInputs: [library], parameters: { profile: 'ci' } };
    expect((await executeNotebook(input, options)).cached).toBe(false);
    const hit = await executeNotebook(input, options);
    expect(hit.cached).toBe(true);
    expect(hit.seconds).toBeLessThan(1);
    expect(hit.cells.map((c) => c.status)).toEqual(['ok', 'ok', 'ok']); // injected parameters, then the notebook's two cells
    expect(existsSync(out)).toBe(true);
    expect(validate(read(out)), JSON.stringify(validate.errors)).toBe(true);
    writeFileSync(library, 'export const v = 2;');
    expect((await executeNotebook(input, options)).cached).toBe(false);
  });

  it('keys the cache on notebook source, parameters, backend, thread count, error policy and input files', () => {
    const nb = readNotebook(join(FIXTURES, 'params.ipynb'));
    const base = { parameters: { profile: 'ci' }, cacheEnv: [] };
    // The course's cacheEnv (tools/course-notebooks): the backend and the wasm thread count change results.
    const course = { ...base, cacheEnv: courseExecuteOptions().cacheEnv };
    const key = cacheKey(nb, base);
    expect(cacheKey(readNotebook(join(FIXTURES, 'params.ipynb')), base)).toBe(key); // fresh cell ids do not matter
    expect(cacheKey(nb, { ...base, parameters: { profile: 'full' } })).not.toBe(key);
    expect(cacheKey(nb, { ...base, allowErrors: true })).not.toBe(key);
    expect(cacheKey(nb, { ...base, cacheInputs: [join(FIXTURES, 'raises.ipynb')] })).not.toBe(key);
    for (const name of ['COURSE_BACKEND', 'COURSE_WASM_THREADS']) {
      const saved = process.env[name];
      try {
        delete process.env[name];
        const unset = cacheKey(nb, course);
        process.env[name] = name === 'COURSE_BACKEND' ? 'cpu' : '1';
        expect(cacheKey(nb, course), name).not.toBe(unset);
      } finally {
        if (saved === undefined) delete process.env[name];
        else process.env[name] = saved;
      }
    }
    const edited = readNotebook(join(FIXTURES, 'params.ipynb'));
    edited.cells[1]!.source = 'console.log(profile);';
    expect(cacheKey(edited, base)).not.toBe(key);
  });
});

describe('command line', () => {
  it('exits 4 on bad usage and writes JSON and JUnit reports', async () => {
    expect(await main([])).toBe(EXIT.badInput);
    expect(await main(['execute'])).toBe(EXIT.badInput);
    expect(await main(['execute', fixture('params'), '--profile', 'fast', '--inplace'])).toBe(EXIT.badInput);
    const dir = mkdtempSync(join(tmpdir(), 'nbr-'));
    const failing = fixture('failing');
    const before = digest(failing);
    const code = await main([
      'execute',
      failing,
      '--inplace',
      '--no-cache',
      '--json-report',
      join(dir, 'r.json'),
      '--junit',
      join(dir, 'r.xml'),
    ]);
    expect(code).toBe(EXIT.cellFailed);
    expect(digest(failing)).toBe(before); // --inplace never overwrites a notebook whose run failed
    expect(read(join(dir, 'r.json')).notebooks[0]).toMatchObject({ status: 'cell-failed', exitCode: 1 });
    expect(readFileSync(join(dir, 'r.xml'), 'utf8')).toMatch(
      /<failure type="cell-failed" message="RangeError: boom at cell two">/,
    );
  });

  it('check runs the ci profile, writes nothing and answers with its exit status', async () => {
    const path = fixture('profile');
    const dir = dirname(path);
    const before = readdirSync(dir);
    const digestBefore = digest(path);
    expect(await main(['check', path])).toBe(EXIT.ok);
    expect(readdirSync(dir)).toEqual(before);
    expect(digest(path)).toBe(digestBefore);
  });
});
