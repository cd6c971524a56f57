/**
 * The data hub's command line.
 *
 *   tsx tools/data.ts list [prefix]        every asset: name, size, state (cached / mirrored / installed / missing)
 *   tsx tools/data.ts fetch-all [prefix] [--deadline-min N]
 *                                          resolve (verify, download when needed) every asset, one progress line
 *                                          each on stderr; downloads stop after N minutes (default 30) or when
 *                                          the network is plainly absent; exit 1 if any fails
 *   tsx tools/data.ts info <name>          one asset's upstream, checksum, licence and description
 *
 * Environment: COURSE_CACHE_DIR, COURSE_DATA_MIRROR (colon-separated), COURSE_DATA_OFFLINE=1.
 */
import { assetState, cacheDirectory, formatBytes, mirrorDirectories, mirrorProblems } from '../lib/data/hub';
import { assets, describeSource, getAsset } from '../lib/data/registry';
import { fetchAll as fetchEvery } from './data-fetch-all';

function selected(prefix: string | undefined): string[] {
  const names = [...assets().keys()].filter((n) => !prefix || n.startsWith(prefix)).sort();
  if (names.length === 0) throw new Error(`no registered asset starts with "${prefix}"`);
  return names;
}

function list(prefix: string | undefined): void {
  const names = selected(prefix);
  const width = Math.max(...names.map((n) => n.length));
  const totals = new Map<string, number>();
  for (const name of names) {
    const asset = getAsset(name);
    const state = assetState(name);
    totals.set(state, (totals.get(state) ?? 0) + 1);
    console.log(`${name.padEnd(width)}  ${formatBytes(asset.size).padStart(9)}  ${state}`);
  }
  console.log(`\n${names.length} assets: ${[...totals].map(([s, n]) => `${n} ${s}`).join(', ')}`);
  console.log(`cache: ${cacheDirectory()}`);
  console.log(`mirrors: ${mirrorDirectories().join(', ') || '(none found)'}`);
  for (const problem of mirrorProblems()) console.error(`warning: ${problem}`);
}

async function fetchAll(prefix: string | undefined, deadlineMin: number): Promise<number> {
  const names = selected(prefix);
  for (const problem of mirrorProblems()) console.error(`warning: ${problem}`);
  const r = await fetchEvery(names, { deadlineMs: deadlineMin * 60_000 });
  for (const name of r.skipped)
    console.log(`skipped ${name}: not needed, ${getAsset(name).alternative} is present`);
  const origins = new Map<string, number>();
  for (const origin of r.verified.values()) origins.set(origin, (origins.get(origin) ?? 0) + 1);
  console.log(
    `${r.verified.size}/${names.length} assets verified (${[...origins].map(([o, n]) => `${n} from ${o}`).join(', ') || 'none'})`,
  );
  if (r.stoppedBecause) console.log(`downloads stopped early: ${r.stoppedBecause}`);
  for (const [name, why] of r.failed) console.error(`FAILED ${name}: ${why}`);
  return r.failed.size ? 1 : 0;
}

function info(name: string | undefined): void {
  if (!name) throw new Error('info needs an asset name, e.g. photos/chelsea.png');
  const a = getAsset(name);
  console.log(
    [
      `name:        ${a.name}`,
      `size:        ${a.size} bytes (${formatBytes(a.size)})`,
      `sha256:      ${a.sha256}`,
      `source:      ${describeSource(a.source)}`,
      `licence:     ${a.licence}`,
      `description: ${a.description}`,
      `state:       ${assetState(name)}`,
    ].join('\n'),
  );
}

// `list | head` closes the pipe early: that is not an error
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

function deadlineOption(argv: string[]): { rest: string[]; minutes: number } {
  const at = argv.indexOf('--deadline-min');
  if (at === -1) return { rest: argv, minutes: 30 };
  const minutes = Number(argv[at + 1]);
  if (!Number.isFinite(minutes) || minutes < 0)
    throw new Error(`--deadline-min needs a number of minutes, got "${argv[at + 1] ?? ''}"`);
  return { rest: [...argv.slice(0, at), ...argv.slice(at + 2)], minutes };
}

async function main(argv: string[]): Promise<number> {
  const { rest, minutes } = deadlineOption(argv);
  const [command, arg] = rest;
  switch (command) {
    case 'list':
      list(arg);
      return 0;
    case 'fetch-all':
      return fetchAll(arg, minutes);
    case 'info':
      info(arg);
      return 0;
    default:
      console.error(
        'usage: tsx tools/data.ts list [prefix] | fetch-all [prefix] [--deadline-min N] | info <name>',
      );
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
