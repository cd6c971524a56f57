// Running notebooks a few at once, with fake runs that end when the test says: how many run
// at once, in which order they start, what a failure or a stop does; the longest-first order
// and each kernel's share of the threads.
import { describe, expect, it } from 'vitest';
import { longestFirst, runPool, threadsPerKernel } from '../../tools/nbconvert-ts/pool';
import { fakeRuns, settle } from './fake-runs';

describe('the pool', () => {
  it('runs at most `jobs` at once, starting in the given order as others end; results by item', async () => {
    const fake = fakeRuns();
    const done: string[] = [];
    const pool = runPool(['a', 'b', 'c', 'd'], fake.run, { jobs: 2, onDone: (r) => done.push(r) });
    await settle();
    expect(fake.running()).toEqual(['a', 'b']);
    await fake.end('b', 'B');
    expect(fake.running()).toEqual(['a', 'c']);
    await fake.end('c', 'C');
    expect(fake.running()).toEqual(['a', 'd']);
    await fake.end('d', 'D');
    expect(fake.running()).toEqual(['a']);
    await fake.end('a', 'A');
    const { results, notStarted } = await pool;
    expect(results).toEqual(['A', 'B', 'C', 'D']);
    expect(notStarted).toEqual([]);
    expect(done).toEqual(['B', 'C', 'D', 'A']);
    expect(fake.started).toEqual(['a', 'b', 'c', 'd']);
    expect(fake.most()).toBe(2);
  });

  it('runs one after the other with one job, and all at once when jobs exceed the items', async () => {
    const one = fakeRuns();
    const serial = runPool(['a', 'b'], one.run, { jobs: 1 });
    await settle();
    expect(one.running()).toEqual(['a']);
    await one.end('a');
    expect(one.running()).toEqual(['b']);
    await one.end('b');
    expect((await serial).results).toEqual(['a done', 'b done']);
    const all = fakeRuns();
    const wide = runPool(['a', 'b'], all.run, { jobs: 5 });
    await settle();
    expect(all.running()).toEqual(['a', 'b']);
    await all.end('a');
    await all.end('b');
    expect((await wide).results).toEqual(['a done', 'b done']);
    expect(await runPool([], all.run, { jobs: 2 })).toEqual({ results: [], notStarted: [] });
  });

  it('starts nothing more once stopped; the runs under way end and the rest are named', async () => {
    const fake = fakeRuns();
    let stop = false;
    const pool = runPool(['a', 'b', 'c', 'd'], fake.run, { jobs: 2, stopped: () => stop });
    await settle();
    stop = true;
    await fake.end('a');
    expect(fake.running()).toEqual(['b']);
    await fake.end('b');
    const { results, notStarted } = await pool;
    expect(results).toEqual(['a done', 'b done', undefined, undefined]);
    expect(notStarted).toEqual([2, 3]);
  });

  it('after a run throws, starts nothing more, lets the others end, then throws its error', async () => {
    const fake = fakeRuns();
    let outcome: unknown = 'pending';
    const pool = runPool(['a', 'b', 'c'], fake.run, { jobs: 2 }).then(
      () => (outcome = 'resolved'),
      (error: Error) => (outcome = error.message),
    );
    await settle();
    await fake.fail('a', new Error('a broke'));
    expect(fake.running()).toEqual(['b']);
    expect(outcome).toBe('pending');
    await fake.end('b');
    await pool;
    expect(outcome).toBe('a broke');
    expect(fake.started).toEqual(['a', 'b']);
  });

  it('refuses a job count that is not a whole number >= 1', async () => {
    await expect(runPool(['a'], fakeRuns().run, { jobs: 0 })).rejects.toThrow(/jobs must be a whole number/);
    await expect(runPool(['a'], fakeRuns().run, { jobs: 1.5 })).rejects.toThrow(/jobs must be/);
  });
});

describe('the order notebooks start in, side by side', () => {
  it('puts the longest recorded first, an unrecorded one at the median, ties in the given order', () => {
    const recorded = { 'a.ipynb': 10, 'b.ipynb': 300, 'c.ipynb': 50, 'd.ipynb': 50, 'e.ipynb': 90 };
    // Median of 10, 50, 50, 90, 300: 50, so new.ipynb ties with c and d and keeps its place after them.
    expect(
      longestFirst(['a.ipynb', 'b.ipynb', 'c.ipynb', 'new.ipynb', 'd.ipynb', 'e.ipynb'], recorded),
    ).toEqual(['b.ipynb', 'e.ipynb', 'c.ipynb', 'new.ipynb', 'd.ipynb', 'a.ipynb']);
    expect(longestFirst(['x/a.ipynb', 'x/b.ipynb'], recorded, (p) => p.slice(2))).toEqual([
      'x/b.ipynb',
      'x/a.ipynb',
    ]);
    expect(longestFirst(['b', 'a'], {})).toEqual(['b', 'a']);
  });

  it('gives each kernel its part of the threads, at least one', () => {
    expect(threadsPerKernel(2, 2, 14)).toBe(1);
    expect(threadsPerKernel(2, 1, 14)).toBe(2);
    expect(threadsPerKernel(8, 3, 14)).toBe(2);
    expect(threadsPerKernel(8, 4, 2)).toBe(4); // two notebooks: two kernels share the eight
    expect(threadsPerKernel(1, 2, 14)).toBe(1);
  });
});
