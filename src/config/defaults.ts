/**
 * Every default a run uses when its config (or the command line) does not say, in one place.
 * The constants live beside the code they govern; this module gathers them so the CLI's help
 * text and the library's behaviour come from the same values and cannot drift apart.
 */
export { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS } from '../api/config.js';
export { DEFAULT_POOL_OPTIONS } from '../api/pool.js';
export { DEFAULT_READ_BACK_WINDOW_MS } from '../pipeline/read-back.js';
export { defaultNormaliseOptions as DEFAULT_NORMALISE_OPTIONS } from '../normalise/result.js';
export { defaultJournalPath, defaultOutputPath } from './outputs.js';

/** `plannr-bulk sandbox` listens here unless --port says otherwise (the library's startSandbox takes any free port). */
export const DEFAULT_SANDBOX_PORT = 4010;

/** `plannr-bulk demo` writes its reports and journals here. */
export const DEFAULT_DEMO_OUT = 'plannr-bulk-demo';

/** The demo's sandbox and client rate: high, so the demo is quick (Plannr allows 500 a minute). */
export const DEFAULT_DEMO_RATE_PER_MINUTE = 6000;
