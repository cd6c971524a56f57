/**
 * The data hub's command line.
 *
 *   tsx tools/data.ts list [prefix]        every asset: name, size, state (cached / mirrored / installed / missing)
 *   tsx tools/data.ts fetch-all [prefix]   resolve (verify, download when needed) every asset; exit 1 if any fails
 *   tsx tools/data.ts info <name>          one asset's upstream, checksum, licence and description
 *
 * Environment: COURSE_CACHE_DIR, COURSE_DATA_MIRROR (colon-separated), COURSE_DATA_OFFLINE=1.
 */
import { assetState, cacheDirectory, formatBytes, mirrorDirectories, resolveAsset } from '../lib/data/hub';
import { assets, describeSource, getAsset } from '../lib/data/registry';

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
}

async function fetchAll(prefix: string | undefined): Promise<number> {
  const names = selected(prefix);
  const failed = new Map<string, string>();
  const origins = new Map<string, number>();
  const ordered = names;
  const ok = new Set<string>();
  for (const name of ordered) {
    try {
      const r = await resolveAsset(name);
      ok.add(name);
      origins.set(r.origin, (origins.get(r.origin) ?? 0) + 1);
    } catch (error) {
      failed.set(name, error instanceof Error ? error.message : String(error));
    }
  }
  for (const name of [...failed.keys()]) {
    const alternative = getAsset(name).alternative;
    if (alternative && ok.has(alternative)) {
      failed.delete(name);
      console.log(`skipped ${name}: not needed, ${alternative} is present`);
    }
  }
  console.log(`${ok.size}/${names.length} assets verified (${[...origins].map(([o, n]) => `${n} from ${o}`).join(', ') || 'none'})`);
  for (const [name, why] of failed) console.error(`FAILED ${name}: ${why}`);
  return failed.size ? 1 : 0;
}

function info(name: string | undefined): void {
  if (!name) throw new Error('info needs an asset name, e.g. photos/chelsea.png');
  const a = getAsset(name);
  console.log([`name:        ${a.name}`, `size:        ${a.size} bytes (${formatBytes(a.size)})`, `sha256:      ${a.sha256}`,
    `source:      ${describeSource(a.source)}`, `licence:     ${a.licence}`, `description: ${a.description}`, `state:       ${assetState(name)}`].join('\n'));
}

// `list | head` closes the pipe early: that is not an error
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

async function main(argv: string[]): Promise<number> {
  const [command, arg] = argv;
  switch (command) {
    case 'list': list(arg); return 0;
    case 'fetch-all': return fetchAll(arg);
    case 'info': info(arg); return 0;
    default:
      console.error('usage: tsx tools/data.ts list [prefix] | fetch-all [prefix] | info <name>');
      return 2;
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
