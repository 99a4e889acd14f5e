/**
 * The sandbox's data: plain records keyed by id, so a whole state dumps to JSON and loads
 * back (`--seed FILE`). Insertion order of each record map is the "database order" that
 * lists fall back to, which keeps pagination stable.
 *
 * Field names follow the Plannr request bodies where one exists; references to other
 * records are uuids (`status_uuid`, `participant_uuids`...), never nested copies.
 */
import { z } from 'zod';

const isoTimestamp = z.string().min(1);
const uuidList = z.array(z.string());

const firmSchema = z.object({
  uuid: z.string(),
  name: z.string(),
  slug: z.string(),
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
});

/**
 * A client's own fields as `POST/PUT /api/v1/client` took them (API field name → value:
 * `date_of_birth`, `ni_number`, `assigned_adviser_uuid`, `value` in pennies...). Names, email
 * and phone live on the account and its contact details, as for any account.
 */
const clientFieldsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()]));

const accountSchema = z.object({
  uuid: z.string(),
  type: z.enum(['client', 'employee']),
  /** 'client', 'adviser', 'paraplanner', 'administrator' */
  role: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  name: z.string(),
  email: z.string(),
  group_uuids: uuidList,
  tags: z.array(z.string()),
  /** Client accounts only (absent for staff, and in state files written before clients existed). */
  client: clientFieldsSchema.optional(),
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
});

const caseStatusSchema = z.object({
  uuid: z.string(),
  name: z.string(),
  colour: z.string(),
  position: z.number().int(),
  is_type_completed: z.boolean(),
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
});

const caseTypeSchema = z.object({
  uuid: z.string(),
  name: z.string(),
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
});

const groupSchema = z.object({
  uuid: z.string(),
  name: z.string(),
  slug: z.string(),
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
});

const planSchema = z.object({
  uuid: z.string(),
  name: z.string(),
  /** 'ISA', 'Pension', 'Mortgage', 'Protection', 'GIA' */
  type: z.string(),
  /** The client who holds the plan. */
  account_uuid: z.string(),
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
});

const caseSchema = z.object({
  uuid: z.string(),
  name: z.string(),
  slug: z.string(),
  status_uuid: z.string(),
  type_uuid: z.string().nullable(),
  /** Integer pennies; null = no value recorded. */
  value: z.number().int().nullable(),
  review_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  assigned_to_uuids: uuidList,
  group_uuids: uuidList,
  /** Client (and other) account uuids on the case. */
  participant_uuids: uuidList,
  plan_uuids: uuidList,
  status_position: z.number().int(),
  task_board_uuid: z.string(),
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
});

const contactDetailSchema = z.object({
  uuid: z.string(),
  type: z.enum(['phone_number', 'email']),
  name: z.string(),
  /** E.164 for phones, the address for emails. */
  value: z.string(),
  account_uuids: uuidList,
  primary_account_uuids: uuidList,
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
});

const mpdxContactSchema = z.object({ id: z.string(), name: z.string() });

const mpdxPersonSchema = z.object({
  id: z.string(),
  contact_id: z.string(),
  first_name: z.string(),
  last_name: z.string(),
});

const mpdxPhoneSchema = z.object({
  id: z.string(),
  contact_id: z.string(),
  person_id: z.string(),
  number: z.string(),
  country_code: z.string().nullable(),
  location: z.string().nullable(),
  primary: z.boolean(),
  historic: z.boolean(),
  valid_values: z.boolean(),
  source: z.string(),
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
  updated_in_db_at: isoTimestamp,
});

const loginSchema = z.object({
  token: z.string().min(1),
  /** An account this token may act as (sent in X-PLANNR-ACCOUNT-UUID). */
  account_uuid: z.string(),
});

const byId = <T extends z.ZodType>(schema: T) => z.record(z.string(), schema);

export const sandboxStateSchema = z.object({
  firm: firmSchema,
  logins: z.array(loginSchema).min(1),
  accounts: byId(accountSchema),
  caseStatuses: byId(caseStatusSchema),
  caseTypes: byId(caseTypeSchema),
  groups: byId(groupSchema),
  plans: byId(planSchema),
  cases: byId(caseSchema),
  contactDetails: byId(contactDetailSchema),
  mpdxContacts: byId(mpdxContactSchema),
  mpdxPeople: byId(mpdxPersonSchema),
  mpdxPhones: byId(mpdxPhoneSchema),
  /**
   * The tables resources own in their sandbox route file (`SandboxTable`), by table name:
   * records stay `unknown` here, and each is checked against its owner's schema by
   * `checkTables` when a state is loaded. Default {}: state files saved before still load.
   */
  tables: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
});

export type AccountRecord = z.infer<typeof accountSchema>;
export type ClientFields = z.infer<typeof clientFieldsSchema>;
export type CaseStatusRecord = z.infer<typeof caseStatusSchema>;
export type CaseTypeRecord = z.infer<typeof caseTypeSchema>;
export type GroupRecord = z.infer<typeof groupSchema>;
export type PlanRecord = z.infer<typeof planSchema>;
export type CaseRecord = z.infer<typeof caseSchema>;
export type ContactDetailRecord = z.infer<typeof contactDetailSchema>;
export type MpdxContactRecord = z.infer<typeof mpdxContactSchema>;
export type MpdxPersonRecord = z.infer<typeof mpdxPersonSchema>;
export type MpdxPhoneRecord = z.infer<typeof mpdxPhoneSchema>;
export type SandboxState = z.infer<typeof sandboxStateSchema>;

/**
 * A resource's records, owned by its sandbox route file (src/sandbox/routes/<name>.ts) rather
 * than listed above, so adding a resource touches no shared file but the two registries. The
 * route registers it (`table` on its routes); the tables above stay where they are because
 * they refer to one another.
 */
export interface SandboxTable<T> {
  /** Its key in `state.tables` and in state files: the entity's name. */
  readonly name: string;
  /** What each stored record is; a loaded state's records are checked against it. */
  readonly schema: z.ZodType<T>;
  /**
   * The records the sandbox starts with, by key. `createSeedState` calls it after every
   * built-in record is drawn, with the same PRNG, so no existing seeded uuid moves.
   */
  readonly seed?: (random: () => number, state: SandboxState) => Record<string, T>;
}

/**
 * A table's records, by key, in database order (created empty on first use). Typed by the
 * table's schema: every state a sandbox serves went through `checkTables` (start, load), and
 * its routes write only records they built.
 */
export function tableOf<T>(state: SandboxState, table: SandboxTable<T>): Record<string, T> {
  const records = (state.tables[table.name] ??= {});
  return records as Record<string, T>;
}

/**
 * Checks a state's `tables` against their owners: each record against its table's schema,
 * and no table that no route owns (a misspelt name would otherwise be silently ignored).
 * Throws an Error listing every problem with its path, e.g. `tables.notes.<uuid>.body: ...`,
 * on one line (the CLI shows a --seed file's problem as one line).
 */
export function checkTables(state: SandboxState, tables: readonly SandboxTable<unknown>[]): void {
  const owners = new Map(tables.map((table) => [table.name, table]));
  const problems: string[] = [];
  for (const [name, records] of Object.entries(state.tables)) {
    const owner = owners.get(name);
    if (owner === undefined) {
      const known = [...owners.keys()].join(', ') || 'none';
      problems.push(`tables.${name}: no sandbox route owns a table of this name (tables: ${known})`);
      continue;
    }
    for (const [key, record] of Object.entries(records)) {
      const parsed = owner.schema.safeParse(record);
      if (parsed.success) continue;
      for (const issue of parsed.error.issues) {
        const at = ['tables', name, key, ...issue.path.map(String)].join('.');
        problems.push(`${at}: ${issue.message}`);
      }
    }
  }
  if (problems.length > 0) throw new Error(`Sandbox state's tables are not valid: ${problems.join('; ')}`);
}

/** Format marker in dumped files, so a future layout change can be detected. */
export const STATE_FORMAT = 'plannr-sandbox-state/1';

/** A JSON-ready deep copy of the state (safe to serialise while the server keeps running). */
export function dumpState(state: SandboxState): object {
  return { format: STATE_FORMAT, ...structuredClone(state) };
}

/**
 * A state from parsed JSON (a dump, or a hand-written seed file). Throws an Error whose
 * message lists every problem with its path, e.g. `cases.<uuid>.value: expected int`.
 */
export function loadState(json: unknown): SandboxState {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error('Sandbox state file must hold a JSON object (as written by GET /__sandbox/state).');
  }
  const { format, ...rest } = json as Record<string, unknown>;
  if (format !== undefined && format !== STATE_FORMAT) {
    throw new Error(`Sandbox state file has format ${JSON.stringify(format)}; expected "${STATE_FORMAT}".`);
  }
  const parsed = sandboxStateSchema.safeParse(rest);
  if (!parsed.success) {
    throw new Error(`Sandbox state file is not valid:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** Deep copy, so a server can mutate its state without touching the caller's. */
export function cloneState(state: SandboxState): SandboxState {
  return structuredClone(state);
}

/** Per records map: its records in database order, and the stamp they were read at. */
const ordered = new WeakMap<object, { readonly stamp: number; readonly values: readonly unknown[] }>();

/**
 * A records map's records in database (insertion) order, for the list routes. Enumerating a
 * map of 100,000 records costs a V8 dictionary object 70–300 ms (it sorts its keys by when they
 * were added), and a list answers every page from the whole map: exporting 100,000 cases spent
 * most of the sandbox's CPU there. So the order is remembered per map until `stamp` changes.
 *
 * `stamp` must change whenever a record is added to or removed from any map (e.g. the count of
 * logged writes: every create is one). A record changed in place needs no new stamp: the array
 * holds the records themselves. A replaced state (reset, load) has new maps, so nothing stale
 * is ever read from an old one.
 */
export function recordsInOrder<T>(records: Readonly<Record<string, T>>, stamp: number): readonly T[] {
  const known = ordered.get(records);
  if (known !== undefined && known.stamp === stamp) return known.values as readonly T[];
  const values = Object.values(records);
  ordered.set(records, { stamp, values });
  return values;
}


/**
 * What a list shows of a records map, in database order: `show` (what a lagging read replica
 * shows of a record; undefined: not yet) and `keep` (the request's filters) applied to each.
 * Give either only when it applies: a list that neither lags nor filters is the remembered
 * order itself, so a page of 500 costs no work per stored record. `stamp` as recordsInOrder.
 */
export function listedRecords<T>(
  records: Readonly<Record<string, T>>,
  stamp: number,
  show?: ((record: T) => T | undefined) | undefined,
  keep?: ((record: T) => boolean) | undefined,
): readonly T[] {
  const ordered = recordsInOrder(records, stamp);
  if (show === undefined && keep === undefined) return ordered;
  const listed: T[] = [];
  for (const record of ordered) {
    const shown = show === undefined ? record : show(record);
    if (shown !== undefined && (keep === undefined || keep(shown))) listed.push(shown);
  }
  return listed;
}
