/**
 * Names instead of uuids: a case's Status and Type may be given by name ("To Be Reviewed",
 * "Mortgage"; any case, surrounding spaces ignored), and account columns (a case's Clients and
 * Assigned To, a contact detail's Accounts and Primary For) by email. This step turns them into
 * uuids through the API, after a row is checked and before its request is built, in import and
 * plan. The row checker stays synchronous and offline: `validate` checks a name's form only, and
 * `plan` is the dry run that resolves names against the CRM.
 *
 * - A name matching nothing, or more than one record, is an error on that cell naming the
 *   candidates: never a guess.
 * - Every lookup goes through the run's dispatch pool (rate limit, retries) and is cached for
 *   the run; concurrent rows asking for the same name share one request.
 * - Statuses and types: Plannr's API reference, as we have it, documents no list endpoint for
 *   case statuses or types. They are read from the cases list with `include=status,type`
 *   (documented), once per run and only when a row names one: a status no case uses yet cannot
 *   be found that way and must be given by its uuid (the error says so).
 * - Accounts: `GET /api/v1/account?filter[primary_email]=…` (documented; it may match loosely, so
 *   the answer is filtered to exact, case-insensitive matches), plus the employee accounts
 *   (`filter[type]=employee`, read once) matched on their own `email`, since staff named in
 *   Assigned To often have no primary-email contact detail.
 * - Staff (a client's Adviser, Administrator, Paraplanner): by email or by name, among the
 *   employee accounts (the same read, once per run).
 */
import { paginate } from '../../api/paginate.js';
import type { DispatchPool } from '../../api/pool.js';
import type { Entity } from '../../entities/entity.js';
import { isUuidText, referenceNouns as nouns, referencePlurals as plurals, type ReferenceKind, type ReferenceType } from '../../entities/field-types.js';
import { asRecord, nameOf, uuidOf } from '../../entities/record.js';
import type { CellProblem } from '../../outcome/row-outcome.js';
import type { DisplayValue, RowCheck } from '../check/check-row.js';
import type { FieldSource } from '../input/mapping.js';

/** A record a name or email could mean: its uuid and how a person recognises it. */
export interface Candidate {
  readonly uuid: string;
  readonly label: string;
}

export type Resolution = { readonly ok: true; readonly uuid: string } | { readonly ok: false; readonly message: string };

export interface NameResolver {
  /** The check with every name and email replaced by its uuid, or with a problem on each cell that could not be. */
  resolveNames(check: RowCheck): Promise<RowCheck>;
  /** What a uuid resolved in this run was called ("To Be Reviewed", "jane@example.com"), for plan texts. */
  labelOf(uuid: string): string | undefined;
}

/** Lookups behind the resolver; the API-backed one is `apiDirectory`. */
export interface Directory {
  /** Every case status or type the API shows, by uuid and name. */
  caseLookups(): Promise<{ readonly 'case-status': readonly Candidate[]; readonly 'case-type': readonly Candidate[] }>;
  /** Accounts whose email is exactly `email` (case-insensitive). */
  accountsByEmail(email: string): Promise<readonly Candidate[]>;
  /** The firm's staff (employee accounts): a client's adviser, administrator or paraplanner is one of them. */
  employees(): Promise<readonly StaffCandidate[]>;
}

/** A member of staff, found by email or by name. */
export interface StaffCandidate extends Candidate {
  readonly emails: readonly string[];
}


export function nameKey(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function isReference(type: unknown): type is ReferenceType<unknown> {
  return typeof type === 'object' && type !== null && typeof (type as { refersTo?: unknown }).refersTo === 'string';
}

/** The resolver for a run: only the mapped columns that take names or emails are looked at. */
export function createNameResolver(entity: Entity, directory: Directory, sources: readonly FieldSource[]): NameResolver {
  const referenceSources = sources.filter((s) => isReference(s.column.type));
  const labels = new Map<string, string>();
  const resolved = new Map<string, Promise<Resolution>>();

  function resolveOne(kind: ReferenceKind, text: string): Promise<Resolution> {
    const cacheKey = `${kind}\u0000${nameKey(text)}`;
    let found = resolved.get(cacheKey);
    if (found === undefined) {
      found = lookUp(directory, kind, text).then((resolution) => {
        if (resolution.ok) labels.set(resolution.uuid, text);
        return resolution;
      });
      resolved.set(cacheKey, found);
    }
    return found;
  }

  async function resolveNames(check: RowCheck): Promise<RowCheck> {
    if (check.problems.length > 0 || referenceSources.length === 0) return check;
    const values: Record<string, unknown> = { ...check.values };
    const display: Record<string, DisplayValue> = { ...check.display };
    const problems: CellProblem[] = [];
    let changed = false;
    for (const source of referenceSources) {
      const field = source.column.field;
      const value = values[field];
      const kind = (source.column.type as ReferenceType<unknown>).refersTo;
      const items = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
      if (items.every(isUuidText)) continue;
      changed = true;
      const outcomes = await Promise.all(items.map((item) => (isUuidText(item) ? Promise.resolve<Resolution>({ ok: true, uuid: item }) : resolveOne(kind, String(item)))));
      const failures = outcomes.flatMap((o) => (o.ok ? [] : [o.message]));
      if (failures.length > 0) {
        problems.push({ columnIndex: source.columnIndex, column: source.header, message: failures.join('; ') });
        continue;
      }
      const uuids = [...new Set(outcomes.map((o) => (o.ok ? o.uuid : '')))];
      values[field] = Array.isArray(value) ? uuids : uuids[0];
      display[field] = source.column.type.display(values[field]);
    }
    if (!changed) return check;
    if (problems.length === 0) {
      // Cross-field checks compare references, which only now are all uuids.
      for (const problem of entity.check(values)) {
        const source = sources.find((s) => s.column.field === problem.field);
        problems.push({ columnIndex: source?.columnIndex ?? -1, column: source?.header ?? problem.field, message: problem.message });
      }
    }
    return problems.length > 0 ? { ...check, action: 'none', problems } : { ...check, values, display };
  }

  return { resolveNames, labelOf: (uuid) => labels.get(uuid) };
}

async function lookUp(directory: Directory, kind: ReferenceKind, text: string): Promise<Resolution> {
  try {
    if (kind === 'account') return choose(kind, text, await directory.accountsByEmail(text), '');
    if (kind === 'employee') return chooseStaff(text, await directory.employees());
    const known = (await directory.caseLookups())[kind];
    const matches = known.filter((c) => nameKey(c.label) === nameKey(text));
    const hint = ` (known ${plurals[kind]}: ${listLabels(known) || 'none'}; ${plurals[kind]} are read from existing cases, as Plannr's API lists none: one no case uses yet must be given by its UUID)`;
    return choose(kind, text, matches, hint);
  } catch (error) {
    return { ok: false, message: `could not look up ${nouns[kind]} "${text}": ${error instanceof Error ? error.message : String(error)}` };
  }
}

function choose(kind: ReferenceKind, text: string, matches: readonly Candidate[], hint: string): Resolution {
  const [only] = matches;
  if (matches.length === 1 && only !== undefined) return { ok: true, uuid: only.uuid };
  const what = kind === 'account' || (kind === 'employee' && text.includes('@')) ? `no ${nouns[kind]} has the email "${text}"` : `no ${nouns[kind]} is named "${text}"`;
  if (matches.length === 0) return { ok: false, message: `${what}${hint}` };
  return {
    ok: false,
    message: `"${text}" matches ${matches.length} ${plurals[kind]}: ${matches.map((c) => `${c.label} (${c.uuid})`).join(', ')}: give the UUID of the one you mean`,
  };
}

/**
 * A member of staff by email (exact, any case) or by name (as Plannr shows it, any case and
 * spacing): a client's adviser, administrator or paraplanner. Two staff with one name is an
 * error naming both, never a guess.
 */
function chooseStaff(text: string, staff: readonly StaffCandidate[]): Resolution {
  const wanted = nameKey(text);
  const byEmail = text.includes('@');
  const matches = staff.filter((s) => (byEmail ? s.emails.some((e) => nameKey(e) === wanted) : nameKey(s.label) === wanted));
  const hint = byEmail ? '' : ` (staff: ${listLabels(staff) || 'none'})`;
  return choose('employee', text, matches, hint);
}

function listLabels(candidates: readonly Candidate[]): string {
  const names = [...new Set(candidates.map((c) => c.label))];
  return names.length > 12 ? `${names.slice(0, 12).join(', ')}, … (${names.length} in all)` : names.join(', ');
}

/** Lookups through the run's pool, each made once per run. */
export function apiDirectory(pool: DispatchPool, signal?: AbortSignal): Directory {
  let caseLookups: ReturnType<Directory['caseLookups']> | undefined;
  let employees: Promise<unknown[]> | undefined;

  async function readCaseLookups() {
    const statuses = new Map<string, string>();
    const types = new Map<string, string>();
    const remember = (into: Map<string, string>, value: unknown) => {
      const uuid = uuidOf(value);
      const name = nameOf(value);
      if (uuid !== undefined && name !== undefined && typeof value === 'object') into.set(uuid, name);
    };
    for await (const record of paginate(pool, { method: 'GET', path: '/api/v1/cases', query: { include: 'status,type' } }, signal)) {
      remember(statuses, asRecord(record).status);
      remember(types, asRecord(record).type);
    }
    const asCandidates = (map: Map<string, string>) => [...map].map(([uuid, label]) => ({ uuid, label }));
    return { 'case-status': asCandidates(statuses), 'case-type': asCandidates(types) };
  }

  async function readAll(query: Record<string, string>): Promise<unknown[]> {
    const records: unknown[] = [];
    for await (const record of paginate(pool, { method: 'GET', path: '/api/v1/account', query }, signal)) records.push(record);
    return records;
  }

  return {
    caseLookups() {
      caseLookups ??= readCaseLookups();
      return caseLookups;
    },
    async employees() {
      employees ??= readAll({ 'filter[type]': 'employee', include: 'primary_email' });
      return (await employees).flatMap((record) => {
        const account = asRecord(record);
        if (typeof account.uuid !== 'string') return [];
        const named = typeof account.name === 'string' ? account.name : [account.first_name, account.last_name].filter((n) => typeof n === 'string').join(' ');
        const emails = [asRecord(account.primary_email).value, account.email].filter((e): e is string => typeof e === 'string');
        return [{ uuid: account.uuid, label: named === '' ? account.uuid : named, emails }];
      });
    },
    async accountsByEmail(email) {
      employees ??= readAll({ 'filter[type]': 'employee', include: 'primary_email' });
      const [byPrimary, staff] = await Promise.all([readAll({ 'filter[primary_email]': email, include: 'primary_email' }), employees]);
      const wanted = email.trim().toLowerCase();
      const matches = new Map<string, Candidate>();
      for (const record of [...byPrimary, ...staff]) {
        const account = asRecord(record);
        const emails = [asRecord(account.primary_email).value, account.email].filter((e): e is string => typeof e === 'string');
        if (typeof account.uuid === 'string' && emails.some((e) => e.trim().toLowerCase() === wanted)) {
          matches.set(account.uuid, { uuid: account.uuid, label: typeof account.name === 'string' ? account.name : account.uuid });
        }
      }
      return [...matches.values()];
    },
  };
}
