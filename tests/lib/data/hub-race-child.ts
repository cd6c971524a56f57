// One of several processes resolving the same asset at the same moment (hub-race.test.ts):
// registers the test asset, waits for the agreed start time, resolves, prints the result.
import { resolveAsset } from '../../../lib/data/hub';
import { registerAsset } from '../../../lib/data/registry';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`hub-race-child: ${name} is not set`);
  return value;
};
registerAsset({
  name: 'test/race.bin',
  sha256: env('RACE_SHA256'),
  size: Number(env('RACE_SIZE')),
  source: { kind: 'url', url: 'https://example.org/race.bin' },
  licence: 'test',
  description: 'race test file',
});
const startAt = Number(env('RACE_START_AT'));
await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
try {
  const r = await resolveAsset('test/race.bin', {
    cacheDir: env('RACE_CACHE'),
    mirrors: [env('RACE_MIRROR')],
    fetch: null,
    useNodeModules: false,
  });
  console.log(JSON.stringify({ origin: r.origin, path: r.path }));
} catch (error) {
  console.log(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
  process.exitCode = 1;
}
