// tools/data.ts on a temp cache and a temp mirror, offline.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = mkdtempSync(join(tmpdir(), 'data-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mirror = join(root, 'mirror');
mkdirSync(join(mirror, 'cifar10'), { recursive: true });
// CIFAR-10's class names, one a line: the real content of cifar10/batches.meta.txt
writeFileSync(
  join(mirror, 'cifar10', 'batches.meta.txt'),
  'airplane automobile bird cat deer dog frog horse ship truck'.split(' ').join('\n') + '\n',
);

function run(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/data.ts', ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      COURSE_CACHE_DIR: join(root, 'cache'),
      COURSE_DATA_MIRROR: mirror,
      COURSE_DATA_OFFLINE: '1',
    },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('tools/data.ts', () => {
  it('lists assets with size and state', () => {
    const r = run('list', 'cifar10/');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/cifar10\/batches\.meta\.txt\s+60 B\s+mirrored/);
    expect(r.out).toMatch(/cifar10\/cifar-10-binary\.tar\.gz\s+170\.1 MB\s+missing/);
    expect(r.out).toContain(`mirrors: ${mirror}`);
  });

  it('fetch-all verifies what it can and fails, naming what is missing', () => {
    const r = run('fetch-all', 'cifar10/batches');
    expect(r.code).toBe(0);
    expect(r.out).toContain('1/1 assets verified (1 from mirror)');
    expect(r.err).toMatch(/^\[1\/1\] cifar10\/batches\.meta\.txt: mirror \(\d+\.\d s\)$/m); // progress, one line an asset
    // the one asset no mirror holds
    const bad = run('fetch-all', 'cifar10/cifar-10-binary');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(
      /FAILED cifar10\/cifar-10-binary\.tar\.gz: .*network is off.*www\.cs\.toronto\.edu/,
    );
  });

  it('names a COURSE_DATA_MIRROR folder that does not exist', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/data.ts', 'list', 'cifar10/'], {
      encoding: 'utf8',
      env: {
        ...process.env,
        COURSE_CACHE_DIR: join(root, 'cache'),
        COURSE_DATA_MIRROR: join(root, 'no-such-folder'),
        COURSE_DATA_OFFLINE: '1',
      },
    });
    expect(r.stderr).toContain(
      `warning: COURSE_DATA_MIRROR names ${join(root, 'no-such-folder')}, which does not exist`,
    );
    expect(run('fetch-all', 'cifar10/batches', '--deadline-min', 'soon').err).toMatch(
      /--deadline-min needs a number of minutes, got "soon"/,
    );
  });

  it('info and usage', () => {
    expect(run('info', 'photos/chelsea.png').out).toMatch(
      /sha256:\s+596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb/,
    );
    expect(run('nonsense').code).toBe(2);
    expect(run('list', 'nothing/').err).toMatch(/no registered asset starts with "nothing\/"/);
  });
});
