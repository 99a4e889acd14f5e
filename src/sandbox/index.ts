/** The sandbox's public surface, for the CLI's `sandbox` command and the end-to-end tests. */
import { readFile } from 'node:fs/promises';
import { loadState, type SandboxState } from './state.js';

export { startSandbox, takeRateToken, type Faults, type RunningSandbox, type SandboxOptions, type WriteLogEntry } from './server.js';
export { echoForms, FAULT_FLAG_NAMES, faultsSchema } from './faults.js';
export { createSeedState, DEFAULT_SEED, SANDBOX_ACCOUNT_UUID, SANDBOX_TOKEN } from './seed.js';
export { dumpState, loadState, type SandboxState } from './state.js';
export type {
  AccountRecord,
  CaseRecord,
  CaseStatusRecord,
  CaseTypeRecord,
  ContactDetailRecord,
  GroupRecord,
  MpdxPhoneRecord,
  PlanRecord,
} from './state.js';

/** A state from a JSON file (`--seed FILE`); the error names the file and every bad field. */
export async function readStateFile(path: string): Promise<SandboxState> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read sandbox state file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return loadState(json);
  } catch (error) {
    throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
