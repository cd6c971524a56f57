// The one formatting of the code (prettier, .prettierrc.json; .prettierignore lists what it
// leaves alone): `npm run format` writes it, this fails on any file written otherwise.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('every source file is formatted as npm run format writes it', () => {
  const prettier = join(process.cwd(), 'node_modules', 'prettier', 'bin', 'prettier.cjs');
  const result = spawnSync(process.execPath, [prettier, '--check', '--log-level', 'warn', '.'], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  expect(result.error).toBeUndefined();
  expect(result.status, `not formatted (run npm run format):\n${result.stderr}${result.stdout}`).toBe(0);
}, 300_000);
