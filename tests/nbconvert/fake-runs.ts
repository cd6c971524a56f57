// Fake runs for the pool's tests: each ends when the test says, so that order and concurrency
// are seen without timers or kernels.

/** Runs that end when `end(item, result)` or `fail(item, error)` is called. */
export function fakeRuns<R = string>() {
  const started: string[] = [];
  const running = new Map<string, { resolve: (v: R) => void; reject: (e: Error) => void }>();
  let most = 0;
  return {
    started,
    running: () => [...running.keys()],
    most: () => most,
    run: (item: string) =>
      new Promise<R>((resolve, reject) => {
        started.push(item);
        running.set(item, { resolve, reject });
        most = Math.max(most, running.size);
      }),
    end: async (item: string, result: R = `${item} done` as unknown as R) => {
      const r = running.get(item);
      if (!r) throw new Error(`${item} is not running`);
      running.delete(item);
      r.resolve(result);
      await settle();
    },
    fail: async (item: string, error: Error) => {
      running.get(item)!.reject(error);
      running.delete(item);
      await settle();
    },
  };
}

/** Lets every pending promise callback run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));
