/**
 * Deterministic seed data for the sandbox: a small UK financial-advice firm with clients,
 * staff, cases, contact details and an MPDX donor CRM's phone numbers. The same seed number
 * always gives byte-identical state (a seeded PRNG, a fixed clock), so samples and tests can
 * reference its uuids.
 */
import { DateTime } from 'luxon';
import type {
  AccountRecord,
  CaseRecord,
  CaseStatusRecord,
  CaseTypeRecord,
  ContactDetailRecord,
  GroupRecord,
  MpdxContactRecord,
  MpdxPersonRecord,
  MpdxPhoneRecord,
  PlanRecord,
  SandboxState,
  SandboxTable,
} from './state.js';

/** The personal access token the sandbox accepts out of the box. */
export const SANDBOX_TOKEN = 'sandbox-token';
/** The adviser account the default login acts as (X-PLANNR-ACCOUNT-UUID). Fixed for every seed. */
export const SANDBOX_ACCOUNT_UUID = '5a1dbb0c-6c3e-4e8a-9b51-2f0c8d7e4a10';
export const DEFAULT_SEED = 20260318;

export const SEED_COUNTS = { clients: 60, employees: 6, cases: 300, contactDetailsPerClient: 5 } as const;

/** mulberry32: tiny, fast and good enough for test data; never Math.random (not reproducible). */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;

const int = (random: Random, min: number, max: number): number => min + Math.floor(random() * (max - min + 1));

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** A version-4-shaped uuid drawn from the seeded PRNG. */
export function seededUuid(random: Random): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** Plannr renders timestamps in the firm's zone with an offset: 2026-05-20T13:55:10+01:00. */
export function londonIso(at: DateTime): string {
  const iso = at.setZone('Europe/London').toISO({ suppressMilliseconds: true });
  if (iso === null) throw new Error('invalid timestamp');
  return iso;
}

export function slugify(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const FIRST_NAMES = [
  'Oliver', 'Amelia', 'George', 'Isla', 'Harry', 'Ava', 'Jack', 'Mia', 'Noah', 'Sophia',
  'Charlie', 'Grace', 'Thomas', 'Lily', 'James', 'Freya', 'William', 'Emily', 'Arthur', 'Ella',
  'Priya', 'Rohan', 'Aisha', 'Imran', 'Siobhan', 'Declan', 'Megan', 'Rhys', 'Catriona', 'Angus',
] as const;
const LAST_NAMES = [
  'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Patel', 'Wright',
  'Robinson', 'Thompson', 'Evans', 'Walker', 'Hughes', "O'Brien", 'Khan', 'MacDonald', 'Clarke', 'Edwards',
] as const;
const STAFF = [
  { first: 'Helen', last: 'Marsh', role: 'adviser' },
  { first: 'David', last: 'Okafor', role: 'adviser' },
  { first: 'Sarah', last: 'Lindqvist', role: 'adviser' },
  { first: 'Tom', last: 'Fairbairn', role: 'paraplanner' },
  { first: 'Nadia', last: 'Hussain', role: 'paraplanner' },
  { first: 'Peter', last: 'Greaves', role: 'administrator' },
] as const;
const STATUSES = [
  { name: 'Lead', colour: '#9ca3af', completed: false },
  { name: 'Fact Find', colour: '#3b82f6', completed: false },
  { name: 'To Be Reviewed', colour: '#f59e0b', completed: false },
  { name: 'Awaiting Provider', colour: '#8b5cf6', completed: false },
  { name: 'Completed', colour: '#10b981', completed: true },
] as const;
const CASE_TYPES = ['Mortgage', 'Pension Review', 'Protection', 'Investment', 'Annual Review'] as const;
const GROUPS = ['finance', 'mortgages'] as const;
const PLAN_TYPES = ['ISA', 'Pension', 'SIPP', 'Mortgage', 'Life Cover', 'GIA'] as const;
const TAGS = ['High Net Worth', 'Vulnerable', 'Referral', 'Ongoing Service'] as const;

/** Everything is dated relative to this fixed instant, never the real clock. */
const EPOCH = DateTime.fromISO('2024-01-08T09:00:00', { zone: 'Europe/London' });

/**
 * Valid UK numbers (checked with libphonenumber-js/max in the tests). Never Ofcom's drama
 * mobile range 07700 900xxx: libphonenumber treats it as invalid.
 */
export function seedMobile(index: number): string {
  return `+447911${String(100000 + index).padStart(6, '0')}`;
}
function seedLandline(index: number): string {
  // 020 7946 0xxx (London) and 0161 496 0xxx (Manchester): reserved-for-drama but valid landlines.
  return index % 2 === 0 ? `+4420794600${String(index % 100).padStart(2, '0')}` : `+4416149600${String(index % 100).padStart(2, '0')}`;
}
function seedWorkPhone(index: number): string {
  return index % 2 === 0 ? `+4411349600${String(index % 100).padStart(2, '0')}` : `+4411749600${String(index % 100).padStart(2, '0')}`;
}

function emailLocal(first: string, last: string): string {
  return `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
}

/**
 * The seeded state. `tables`: the tables route files own whose seed records to add (the
 * sandbox passes `sandboxTables` from routes/index.ts; taken as an argument because route
 * files import from this module).
 */
export function createSeedState(options: { seed?: number; tables?: readonly SandboxTable<unknown>[] } = {}): SandboxState {
  const random = createRandom(options.seed ?? DEFAULT_SEED);
  const uuid = (): string => seededUuid(random);
  /** A moment `days` (plus a random part of a working day) after the epoch. */
  const dayAfterEpoch = (days: number): DateTime => EPOCH.plus({ days, minutes: int(random, 0, 8 * 60) });
  const stamps = (fromDay: number, toDay: number): { created_at: string; updated_at: string } => {
    const created = dayAfterEpoch(int(random, fromDay, toDay));
    return { created_at: londonIso(created), updated_at: londonIso(created.plus({ days: int(random, 0, 120) })) };
  };
  const firmStamps = { created_at: londonIso(EPOCH), updated_at: londonIso(EPOCH) };

  const firm = { uuid: uuid(), name: 'Harbour & Vale Financial Planning', slug: 'harbour-vale', ...firmStamps };

  const groups: GroupRecord[] = GROUPS.map((name) => ({ uuid: uuid(), name, slug: name, ...firmStamps }));
  const statuses: CaseStatusRecord[] = STATUSES.map((s, i) => ({
    uuid: uuid(),
    name: s.name,
    colour: s.colour,
    position: i + 1,
    is_type_completed: s.completed,
    ...firmStamps,
  }));
  const types: CaseTypeRecord[] = CASE_TYPES.map((name) => ({ uuid: uuid(), name, ...firmStamps }));

  const employees: AccountRecord[] = STAFF.map((s, i) => ({
    uuid: i === 0 ? SANDBOX_ACCOUNT_UUID : uuid(),
    type: 'employee',
    role: s.role,
    first_name: s.first,
    last_name: s.last,
    name: `${s.first} ${s.last}`,
    email: `${emailLocal(s.first, s.last)}@harbourvale.co.uk`,
    group_uuids: [pick(random, groups).uuid],
    tags: [],
    ...firmStamps,
  }));

  const clients: AccountRecord[] = Array.from({ length: SEED_COUNTS.clients }, (_, i) => {
    const first = FIRST_NAMES[i % FIRST_NAMES.length] ?? 'Alex';
    const last = pick(random, LAST_NAMES);
    return {
      uuid: uuid(),
      type: 'client' as const,
      role: 'client',
      first_name: first,
      last_name: last,
      name: `${first} ${last}`,
      email: `${emailLocal(first, last)}${i}@example.co.uk`,
      group_uuids: random() < 0.5 ? [pick(random, groups).uuid] : [],
      tags: random() < 0.3 ? [pick(random, TAGS)] : [],
      ...stamps(0, 400),
    };
  });

  const plansByClient = new Map<string, PlanRecord[]>();
  const plans: PlanRecord[] = [];
  for (const client of clients) {
    const count = int(random, 1, 3);
    const own: PlanRecord[] = [];
    for (let p = 0; p < count; p++) {
      const type = pick(random, PLAN_TYPES);
      own.push({ uuid: uuid(), name: `${client.first_name}s ${type}`, type, account_uuid: client.uuid, ...stamps(0, 400) });
    }
    plansByClient.set(client.uuid, own);
    plans.push(...own);
  }

  const contactDetails: ContactDetailRecord[] = [];
  clients.forEach((client, i) => {
    // Couples (even index + next) share a home phone line: a joint contact detail.
    const partner = i % 2 === 0 ? clients[i + 1] : undefined;
    const detail = (
      type: ContactDetailRecord['type'],
      name: string,
      value: string,
      accounts: string[],
      primary: string[],
    ): ContactDetailRecord => ({ uuid: uuid(), type, name, value, account_uuids: accounts, primary_account_uuids: primary, ...stamps(0, 400) });
    contactDetails.push(
      detail('phone_number', 'Mobile', seedMobile(i), [client.uuid], [client.uuid]),
      detail('phone_number', 'Home', seedLandline(i), partner ? [client.uuid, partner.uuid] : [client.uuid], []),
      detail('email', 'Email', client.email, [client.uuid], [client.uuid]),
      detail('email', 'Work email', `${emailLocal(client.first_name, client.last_name)}@${pick(random, ['nhs.net', 'barclays.com', 'sainsburys.co.uk', 'ons.gov.uk'])}`, [client.uuid], []),
      detail('phone_number', 'Work', seedWorkPhone(i), [client.uuid], []),
    );
  });

  const advisers = employees.filter((e) => e.role === 'adviser');
  const paraplanners = employees.filter((e) => e.role === 'paraplanner');
  // Clients' own fields come from their place in the list, not from the PRNG, so every uuid
  // drawn before and after stays as it was.
  clients.forEach((client, i) => {
    const two = (n: number): string => String(n).padStart(2, '0');
    client.client = {
      assigned_adviser_uuid: advisers[i % advisers.length]?.uuid ?? null,
      date_of_birth: `${1950 + (i % 40)}-${two(1 + (i % 12))}-${two(1 + (i % 28))}`,
      first_contact_date: client.created_at,
    };
  });
  const positionInStatus = new Map<string, number>();
  const cases: CaseRecord[] = Array.from({ length: SEED_COUNTS.cases }, (_, i) => {
    const client = clients[i % clients.length] ?? clients[0];
    if (client === undefined) throw new Error('no clients');
    const partner = i % 7 === 0 ? clients[(i + 1) % clients.length] : undefined;
    const status = pick(random, statuses);
    const type = pick(random, types);
    const position = (positionInStatus.get(status.uuid) ?? 0) + 1;
    positionInStatus.set(status.uuid, position);
    const { created_at, updated_at } = stamps(0, 500);
    const name = `${type.name} – ${client.last_name} ${2024 + (i % 3)}`;
    const clientPlans = plansByClient.get(client.uuid) ?? [];
    const completed = status.is_type_completed
      ? londonIso(DateTime.fromISO(updated_at, { setZone: true }))
      : null;
    return {
      uuid: uuid(),
      name,
      slug: `${slugify(name)}-${i + 1}`,
      status_uuid: status.uuid,
      type_uuid: type.uuid,
      // Pennies; some cases have no value yet.
      value: random() < 0.1 ? null : int(random, 5, 250_000) * 100 + (random() < 0.3 ? int(random, 1, 99) : 0),
      review_at: random() < 0.2 ? null : londonIso(dayAfterEpoch(int(random, 700, 1100)).startOf('hour')),
      completed_at: completed,
      assigned_to_uuids: [pick(random, advisers).uuid, ...(random() < 0.4 ? [pick(random, paraplanners).uuid] : [])],
      group_uuids: random() < 0.6 ? [pick(random, groups).uuid] : [],
      participant_uuids: partner ? [client.uuid, partner.uuid] : [client.uuid],
      plan_uuids: clientPlans.filter(() => random() < 0.5).map((p) => p.uuid),
      status_position: position,
      task_board_uuid: uuid(),
      created_at,
      updated_at,
    };
  });

  const mpdxContacts: MpdxContactRecord[] = [];
  const mpdxPeople: MpdxPersonRecord[] = [];
  const mpdxPhones: MpdxPhoneRecord[] = [];
  // Appended families only ever go at the end: earlier ids stay stable across versions.
  const families = [
    'Ashworth', 'Bhatt', 'Carmichael', 'Duffy', 'Ellison', 'Fenwick', 'Gallagher', 'Hollis',
    'Iqbal', 'Jarvis', 'Kowalski', 'Lomax', 'Mensah', 'Nightingale',
  ] as const;
  families.forEach((family, f) => {
    const contact = { id: uuid(), name: `${family} Family` };
    mpdxContacts.push(contact);
    const peopleCount = f % 2 === 0 ? 2 : 1;
    for (let p = 0; p < peopleCount; p++) {
      const person = { id: uuid(), contact_id: contact.id, first_name: pick(random, FIRST_NAMES), last_name: family };
      mpdxPeople.push(person);
      const locations = ['mobile', 'home', 'work'] as const;
      const phoneCount = int(random, 2, 3);
      for (let n = 0; n < phoneCount; n++) {
        const index = 500 + f * 10 + p * 3 + n;
        const location = locations[n] ?? 'mobile';
        const { created_at, updated_at } = stamps(0, 500);
        mpdxPhones.push({
          id: uuid(),
          contact_id: contact.id,
          person_id: person.id,
          number: location === 'mobile' ? seedMobile(index) : location === 'home' ? seedLandline(index) : seedWorkPhone(index),
          country_code: '44',
          location,
          primary: n === 0,
          historic: false,
          valid_values: true,
          source: 'MPDX',
          created_at,
          updated_at,
          updated_in_db_at: updated_at,
        });
      }
    }
  });

  const byUuid = <T extends { uuid: string }>(items: readonly T[]): Record<string, T> =>
    Object.fromEntries(items.map((item) => [item.uuid, item]));
  const byId = <T extends { id: string }>(items: readonly T[]): Record<string, T> =>
    Object.fromEntries(items.map((item) => [item.id, item]));

  const state: SandboxState = {
    firm,
    logins: [{ token: SANDBOX_TOKEN, account_uuid: SANDBOX_ACCOUNT_UUID }],
    accounts: byUuid([...employees, ...clients]),
    caseStatuses: byUuid(statuses),
    caseTypes: byUuid(types),
    groups: byUuid(groups),
    plans: byUuid(plans),
    cases: byUuid(cases),
    contactDetails: byUuid(contactDetails),
    mpdxContacts: byId(mpdxContacts),
    mpdxPeople: byId(mpdxPeople),
    mpdxPhones: byId(mpdxPhones),
    tables: {},
  };
  // The tables route files own are drawn last, from the same PRNG, so adding one moves no
  // record above (tests and samples/ name their uuids).
  for (const table of options.tables ?? []) {
    if (table.seed !== undefined) state.tables[table.name] = table.seed(random, state);
  }
  return state;
}
