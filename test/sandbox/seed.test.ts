import { describe, expect, it } from 'vitest';
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { createSeedState, SANDBOX_ACCOUNT_UUID, SANDBOX_TOKEN } from '../../src/sandbox/seed.js';
import { dumpState, loadState } from '../../src/sandbox/state.js';
import { startSandbox } from '../../src/sandbox/server.js';

describe('seed', () => {
  it('is deterministic: the same seed gives identical state, another seed different uuids', () => {
    expect(JSON.stringify(createSeedState())).toBe(JSON.stringify(createSeedState()));
    const other = createSeedState({ seed: 99 });
    expect(Object.keys(other.cases)[0]).not.toBe(Object.keys(createSeedState().cases)[0]);
  });

  it('has the promised sizes and a default login acting as an employee', () => {
    const state = createSeedState();
    const accounts = Object.values(state.accounts);
    expect(accounts.filter((a) => a.type === 'client')).toHaveLength(60);
    expect(accounts.filter((a) => a.type === 'employee')).toHaveLength(6);
    expect(Object.keys(state.cases)).toHaveLength(300);
    expect(Object.keys(state.contactDetails)).toHaveLength(300);
    expect(state.logins).toEqual([{ token: SANDBOX_TOKEN, account_uuid: SANDBOX_ACCOUNT_UUID }]);
    expect(state.accounts[SANDBOX_ACCOUNT_UUID]?.type).toBe('employee');
  });

  it('holds only phone numbers libphonenumber (max) calls valid, stored as E.164', () => {
    const state = createSeedState();
    const phones = [
      ...Object.values(state.contactDetails).filter((d) => d.type === 'phone_number').map((d) => d.value),
      ...Object.values(state.mpdxPhones).map((p) => p.number),
    ];
    expect(phones.length).toBeGreaterThan(150);
    for (const phone of phones) {
      const parsed = parsePhoneNumberWithError(phone);
      expect(parsed.isValid(), phone).toBe(true);
      expect(parsed.number).toBe(phone);
      expect(phone.startsWith('+447700900')).toBe(false);
    }
  });

  it('only references records that exist', () => {
    const state = createSeedState();
    for (const c of Object.values(state.cases)) {
      expect(state.caseStatuses[c.status_uuid]).toBeDefined();
      for (const uuid of [...c.participant_uuids, ...c.assigned_to_uuids]) expect(state.accounts[uuid]).toBeDefined();
      for (const uuid of c.plan_uuids) expect(state.plans[uuid]).toBeDefined();
      for (const uuid of c.group_uuids) expect(state.groups[uuid]).toBeDefined();
    }
    for (const d of Object.values(state.contactDetails)) {
      for (const uuid of d.account_uuids) expect(state.accounts[uuid]?.type).toBe('client');
      for (const uuid of d.primary_account_uuids) expect(d.account_uuids).toContain(uuid);
    }
  });
});

describe('dump and load', () => {
  it('round-trips through JSON text unchanged', () => {
    const state = createSeedState();
    const text = JSON.stringify(dumpState(state));
    expect(loadState(JSON.parse(text))).toEqual(state);
  });

  it('refuses a bad file with a message naming the bad field', () => {
    const dumped = dumpState(createSeedState()) as { cases: Record<string, { value: unknown }> };
    const first = Object.values(dumped.cases)[0];
    if (!first) throw new Error('no case');
    first.value = '12.50';
    expect(() => loadState(dumped)).toThrow(/value/);
    expect(() => loadState([])).toThrow(/JSON object/);
    expect(() => loadState({ format: 'other/9' })).toThrow(/format/);
  });

  it('serves a loaded state: a changed dump started again shows the change', async () => {
    const state = createSeedState();
    const first = Object.values(state.cases)[0];
    if (!first) throw new Error('no case');
    const dumped = JSON.parse(JSON.stringify(dumpState(state))) as { cases: Record<string, { name: string }> };
    const stored = dumped.cases[first.uuid];
    if (!stored) throw new Error('missing');
    stored.name = 'Loaded from file';
    const sandbox = await startSandbox({ state: loadState(dumped) });
    try {
      const response = await fetch(`${sandbox.url}/api/v1/cases/${first.uuid}`, {
        headers: { Authorization: `Bearer ${SANDBOX_TOKEN}`, 'X-PLANNR-ACCOUNT-UUID': SANDBOX_ACCOUNT_UUID },
      });
      expect(((await response.json()) as { name: string }).name).toBe('Loaded from file');
    } finally {
      await sandbox.close();
    }
  });
});

