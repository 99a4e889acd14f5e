/**
 * The package's programmatic entry (`import { runValidate } from 'plannr-bulk'`): the four
 * runs the CLI commands are made of, what a caller needs to build their configs, and the
 * errors they throw. Everything else under dist/ is internal and may change without notice;
 * package.json's `exports` lets only this file (and package.json) be imported.
 *
 * runImport writes what `plannr-bulk import` writes: unless told otherwise (a path, or false
 * for none), its report, revert workbook and journal go beside the input (src/config/outputs.ts,
 * which the CLI uses too). runValidate writes a report only when given a path. The API config
 * is whatever the caller passes; resolveApiConfig builds it from PLANNR_* variables the way
 * the CLI does.
 */

// The runs.
export { runValidate } from './pipeline/validate.js';
export type { ValidateConfig, ValidateResult } from './pipeline/validate.js';
export { runImport } from './pipeline/import.js';
export type { ImportConfig, ImportProgress, ImportResult } from './pipeline/import.js';
export type { OnPhase, PhaseProgress, RunPhase } from './pipeline/progress.js';
export { runPlan } from './pipeline/plan.js';
export type { PlanConfig, PlanResult } from './pipeline/plan.js';
export { runExport } from './pipeline/export.js';
export type { ExportConfig, ExportResult } from './pipeline/export.js';

// Building a config: the input, how values are read, where the API is, how fast to send.
export type { InputConfig } from './pipeline/input/open-input.js';
export { defaultNormaliseOptions } from './normalise/result.js';
export type { NormaliseOptions } from './normalise/result.js';
export { IGNORE_OTHER_COLUMNS } from './pipeline/input/mapping.js';
export type { MappingOverrides } from './pipeline/input/mapping.js';
export { entityNames } from './entities/index.js';
export type { EntityName } from './entities/entity.js';
export { resolveApiConfig, DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS } from './api/config.js';
export { defaultOutputPath, defaultJournalPath, importOutputs } from './config/outputs.js';
export type { OutputChoice, OutputKind } from './config/outputs.js';
export type { ApiConfig, ApiConfigFlags } from './api/config.js';
export { DEFAULT_POOL_OPTIONS } from './api/pool.js';
export type { DispatchPoolOptions, PoolEvent, PoolStats } from './api/pool.js';
export { DEFAULT_READ_BACK_WINDOW_MS } from './pipeline/read-back.js';
export { createLogger } from './log.js';
export type { Logger } from './log.js';

// What a run reports back: counts per row status (read = the sum of the others).
export type { RowCounts } from './pipeline/counts.js';
export { ROW_STATUSES, ROW_ACTIONS, PLAN_ACTIONS } from './outcome/row-outcome.js';
export type { RowStatus, RowAction, RowOutcome, CellProblem, PlanAction } from './outcome/row-outcome.js';

// Errors. A run that cannot start or go on throws a PlannrBulkError (exitCode 2 is what the
// CLI exits with); rows that fail do not throw, they are counted and reported.
export {
  PlannrBulkError,
  UsageError,
  InputError,
  MappingError,
  ApiUnavailableError,
  JournalError,
  OutputError,
  AccountingError,
  exitCodeOf,
} from './errors.js';
export type { Location } from './errors.js';
export { TransportError, ApiResponseError } from './api/errors.js';
export type { TransportErrorKind } from './api/errors.js';

// The local API emulator, to try a script or test against without an account or a network.
export { startSandbox } from './sandbox/server.js';
export type { RunningSandbox, SandboxOptions } from './sandbox/server.js';
// Re-bound with a declared type rather than re-exported: a re-export makes index.d.ts load
// sandbox/seed.d.ts, whose helpers' types come from luxon, and @types/luxon is only a
// devDependency here, so a user's `tsc` (without skipLibCheck) would stop on it.
import { SANDBOX_ACCOUNT_UUID as sandboxAccountUuid, SANDBOX_TOKEN as sandboxToken } from './sandbox/seed.js';
/** The token every sandbox accepts. */
export const SANDBOX_TOKEN: string = sandboxToken;
/** The account the sandbox's seeded data belongs to. */
export const SANDBOX_ACCOUNT_UUID: string = sandboxAccountUuid;
