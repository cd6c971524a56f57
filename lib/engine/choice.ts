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
