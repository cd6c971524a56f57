// Three processes find the same corrupt cached file at the same moment: one sets it
// aside, the others find it gone; all three must go on to the good mirror copy.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = mkdtempSync(join(tmpdir(), 'hub-race-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join('tests', 'lib', 'data', 'hub-race-child.ts')],
      { env: { ...process.env, ...env } },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('three processes and one corrupt cached file', () => {
  it('all three use the mirror copy; the bad file is set aside once', async () => {
    // 24 MB: hashing it takes long enough that the three processes overlap
    const good = Buffer.alloc(24_000_000);
    for (let i = 0; i < good.length; i += 4096) good[i] = (i / 4096) & 0xff;
    const bad = Buffer.from(good);
    bad[12_345_678] ^= 0xff;
    const cache = join(root, 'cache');
    const mirror = join(root, 'mirror');
    mkdirSync(join(cache, 'test'), { recursive: true });
    mkdirSync(join(mirror, 'test'), { recursive: true });
    writeFileSync(join(cache, 'test', 'race.bin'), bad);
    writeFileSync(join(mirror, 'test', 'race.bin'), good);
    const env = {
      RACE_SHA256: createHash('sha256').update(good).digest('hex'),
      RACE_SIZE: String(good.length),
      RACE_CACHE: cache,
      RACE_MIRROR: mirror,
      // the children start at once, after all three have loaded (tsx takes a second or two on a busy machine)
      RACE_START_AT: String(Date.now() + 6000),
    };
    const results = await Promise.all([run(env), run(env), run(env)]);
    for (const r of results) {
      expect(r.code, `${r.out}${r.err}`).toBe(0);
      expect(JSON.parse(r.out.trim())).toEqual({ origin: 'mirror', path: join(mirror, 'test', 'race.bin') });
    }
    const left = readdirSync(join(cache, 'test'));
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^race\.bin\.corrupt-/);
  }, 60_000);
});
