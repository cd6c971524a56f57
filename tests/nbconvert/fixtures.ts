// Shared by the nbconvert-ts tests: fixture notebooks (always copied), and the nbformat schema.
import Ajv from 'ajv';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

export const FIXTURES = join(process.cwd(), 'tests', 'fixtures', 'notebooks');

const schema = JSON.parse(
  readFileSync(join(process.cwd(), 'tests', 'nbconvert', 'nbformat-4.5.schema.json'), 'utf8'),
);
/** The official nbformat 4.5 JSON schema, compiled. */
export const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

/** A fresh copy of a fixture notebook in its own temporary folder, so a bug can never touch the fixtures themselves. */
export function fixture(name: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'nbx-')), `${name}.ipynb`);
  copyFileSync(join(FIXTURES, `${name}.ipynb`), path);
  return path;
}

export const digest = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const read = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));
export const text = (value: string | string[]): string => (Array.isArray(value) ? value.join('') : value);

/** Fails unless the file at `path` is a valid nbformat 4.5 notebook. */
export function expectValid(path: string): void {
  const ok = validate(read(path));
  expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
  expect(ok).toBe(true);
}
