/**
 * The names and outcome of a backend choice, with no engine code behind them: Node's
 * engine (lib/engine/backend) and the page's (web/browser/backend) both report through these.
 */

/** The backends the course knows, in order of preference. */
export const BACKEND_ORDER = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;

/** A backend name the course can select. */
export type BackendName = (typeof BACKEND_ORDER)[number];

/** The environment variable that forces a backend. */
export const BACKEND_ENV_VAR = 'COURSE_BACKEND';

/** Why one backend was or was not taken. */
export interface BackendProbe {
  name: BackendName;
  available: boolean;
  /** One sentence: what was found, or what is missing and how to get it. */
  detail: string;
}

/** The outcome of {@link initBackend}: what runs, why, and with which versions. */
export interface BackendChoice {
  name: BackendName;
  /** True when `COURSE_BACKEND` or the caller asked for this backend. */
  forced: boolean;
  /** One line a person can read: the choice and why the better ones were passed over. */
  reason: string;
  /** Every backend tried before (and including) the chosen one. */
  probes: BackendProbe[];
  versions: Record<string, string>;
}

/** Raised when a requested backend cannot be started; the message says what to install. */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: BackendName,
    detail: string,
  ) {
    super(`The '${backend}' backend is not available: ${detail}`);
    this.name = 'BackendUnavailableError';
  }
}

/** A backend choice made once and then kept: what {@link rememberedChoice} returns. */
export interface RememberedChoice<W extends BackendName> {
  /**
   * The kept choice when `wanted` is undefined or names it; the start in progress when
   * `wanted` is undefined; else a new start through `choose` (kept when it succeeds).
   */
  init(wanted: W | undefined): Promise<BackendChoice>;
  /** The choice kept by the last successful {@link init}, if any. */
  current(): BackendChoice | undefined;
}

/**
 * Keeps the outcome of `choose` so that repeated initBackend calls start a backend once:
 * Node's engine (lib/engine/backend) and the page's (web/browser/backend) share this.
 * Concurrent calls without a wish share the start in progress; a call naming a
 * different backend starts it.
 */
export function rememberedChoice<W extends BackendName>(
  choose: (wanted: W | undefined) => Promise<BackendChoice>,
): RememberedChoice<W> {
  let current: BackendChoice | undefined;
  let pending: Promise<BackendChoice> | undefined;
  return {
    async init(wanted) {
      if (current && (!wanted || wanted === current.name)) return current;
      if (pending && !wanted) return pending;
      const run = choose(wanted);
      pending = run;
      try {
        current = await run;
        return current;
      } finally {
        pending = undefined;
      }
    },
    current: () => current,
  };
}
