/**
 * `data fetch-all`: resolves many assets in a row, saying how each went as it goes.
 * Downloads stop (cache and mirrors are still read) when the network is plainly
 * absent, that is after a few connection failures of the same kind in a row, and
 * when the total deadline has passed, so an offline machine finishes in seconds
 * instead of spending the retries of every asset.
 */
import {
  DataHubError,
  type AssetOrigin,
  type FetchLike,
  type HubOptions,
  resolveAsset,
} from '../lib/data/hub';
import { getAsset } from '../lib/data/registry';

export interface FetchAllOptions {
  /** Passed to the hub; its `fetch` (default: global fetch, none with COURSE_DATA_OFFLINE=1) is watched for failures. */
  hub?: HubOptions;
  /** No download starts after this many ms from the start (default 30 min). */
  deadlineMs?: number;
  /** Connection failures of one kind in a row after which the network counts as absent (default 3). */
  giveUpAfter?: number;
  /** Where progress lines go (default stderr). */
  log?: (line: string) => void;
}

export interface FetchAllResult {
  /** Asset → where its verified copy was found. */
  verified: Map<string, AssetOrigin>;
  /** Asset → why it is not available. */
  failed: Map<string, string>;
  /** Assets not needed because their alternative is present. */
  skipped: string[];
  /** Why downloads stopped early, if they did. */
  stoppedBecause?: string;
}

/** The kind of a connection failure (the system's code, or `timeout`), undefined for other errors (HTTP status, checksum). */
export function connectionFailureKind(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown; name?: unknown } } | undefined)?.cause;
  const code =
    typeof cause?.code === 'string'
      ? cause.code
      : typeof (error as { code?: unknown })?.code === 'string'
        ? (error as { code: string }).code
        : undefined;
  if (
    code &&
    /^(ENOTFOUND|EAI_AGAIN|EAI_FAIL|ECONNREFUSED|ECONNRESET|ENETUNREACH|EHOSTUNREACH|ENETDOWN|ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|UND_ERR_SOCKET)$/.test(
      code,
    )
  )
    return code;
  const name = (error as { name?: unknown } | undefined)?.name;
  if (name === 'AbortError' || name === 'TimeoutError') return 'timeout';
  return undefined;
}

function defaultFetch(hub: HubOptions): FetchLike | null {
  if (hub.fetch !== undefined) return hub.fetch;
  if (process.env.COURSE_DATA_OFFLINE === '1') return null;
  return typeof fetch === 'function' ? (fetch as unknown as FetchLike) : null;
}

/** Resolves every named asset in order, one progress line each; see the module comment for when downloads stop. */
export async function fetchAll(names: string[], options: FetchAllOptions = {}): Promise<FetchAllResult> {
  const hub = options.hub ?? {};
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const deadlineMs = options.deadlineMs ?? 30 * 60_000;
  const giveUpAfter = Math.max(1, options.giveUpAfter ?? 3);
  const base = defaultFetch(hub);
  const started = Date.now();
  let stoppedBecause: string | undefined;
  let streak = { kind: '', count: 0 };

  // Watches the connections: a run of failures of one kind means there is no network.
  const watched: FetchLike | null =
    base &&
    (async (url, init) => {
      if (stoppedBecause) throw new Error(stoppedBecause);
      try {
        const response = await base(url, init);
        streak = { kind: '', count: 0 };
        return response;
      } catch (error) {
        const kind = connectionFailureKind(error);
        if (kind) {
          streak = kind === streak.kind ? { kind, count: streak.count + 1 } : { kind, count: 1 };
          if (streak.count >= giveUpAfter)
            stoppedBecause = `the network looks absent (${streak.count} connections in a row failed with ${kind})`;
        }
        throw error;
      }
    });

  const result: FetchAllResult = { verified: new Map(), failed: new Map(), skipped: [] };
  const width = String(names.length).length;
  for (const [index, name] of names.entries()) {
    if (!stoppedBecause && Date.now() - started >= deadlineMs)
      stoppedBecause = `the deadline of ${Math.round(deadlineMs / 1000)} s passed`;
    const offline = stoppedBecause !== undefined;
    const t0 = Date.now();
    const head = `[${String(index + 1).padStart(width)}/${names.length}] ${name}`;
    try {
      const r = await resolveAsset(name, { ...hub, fetch: offline ? null : watched });
      result.verified.set(name, r.origin);
      log(`${head}: ${r.origin} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const why =
        offline && error instanceof DataHubError && error.code === 'missing'
          ? `not in the cache or any mirror, and not downloaded: ${stoppedBecause}`
          : message;
      result.failed.set(name, why);
      log(`${head}: FAILED (${((Date.now() - t0) / 1000).toFixed(1)} s)${offline ? ', not downloaded' : ''}`);
    }
  }
  for (const name of [...result.failed.keys()]) {
    const alternative = getAsset(name).alternative;
    if (alternative && result.verified.has(alternative)) {
      result.failed.delete(name);
      result.skipped.push(name);
    }
  }
  if (stoppedBecause) result.stoppedBecause = stoppedBecause;
  return result;
}
