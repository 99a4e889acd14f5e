/**
 * The sandbox's gateway and proxy faults (faults.ts): each misbehaves as a real gateway, load
 * balancer or proxy does, is reproducible (by count or seeded rate), and the write log stays the
 * ground truth of what was applied.
 */
import { describe, expect, it, vi } from 'vitest';
import { parseFaults } from '../../src/cli/sandbox.js';
import { echoForms } from '../../src/sandbox/faults.js';
import { SANDBOX_TOKEN } from '../../src/sandbox/seed.js';
import type { RunningSandbox } from '../../src/sandbox/server.js';
import type { SandboxState } from '../../src/sandbox/state.js';
import { API_HEADERS, sandboxesPerTest } from './helpers.js';

const start = sandboxesPerTest({ ratePerMinute: 0 });
const headers = API_HEADERS;

/** An MPDX phone update (JSON:API) that the sandbox refuses with 422: the route a fault answers on. */
function putMpdxPhone(sandbox: RunningSandbox): Promise<Response> {
  const phone = Object.values(sandbox.state.mpdxPhones)[0]!;
  return fetch(`${sandbox.url}/api/v2/contacts/${phone.contact_id}/people/${phone.person_id}/phones/${phone.id}`, {
    method: 'PUT',
    headers: { ...headers, 'Content-Type': 'application/vnd.api+json' },
    body: JSON.stringify({ data: { type: 'phone_numbers', id: phone.id, attributes: { number: '1', overwrite: true } } }),
  });
}

async function call(sandbox: RunningSandbox, method: string, path: string, body?: unknown) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

const clientOf = (state: SandboxState): string => Object.values(state.accounts).find((a) => a.type === 'client')!.uuid;
const firstCase = (state: SandboxState): string => Object.keys(state.cases)[0]!;
const casesNamed = (sandbox: RunningSandbox, name: string) => Object.values(sandbox.state.cases).filter((c) => c.name === name);
const listByName = async (sandbox: RunningSandbox, name: string) => {
  const response = await call(sandbox, 'GET', `/api/v1/cases?filter[name]=${encodeURIComponent(name)}&per_page=500`);
  return (JSON.parse(response.text) as { data: Array<{ uuid: string; name: string }> }).data.filter((c) => c.name === name);
};

describe('gateway timeout then commit', () => {
  it('answers 504 at once and applies the write later, exactly once, tagged in the write log', async () => {
    const sandbox = await start({ faults: { gatewayTimeoutNext: 1, gatewayCommitMs: 150 } });
    const answer = await call(sandbox, 'POST', '/api/v1/cases', { name: 'Late commit', participants: [clientOf(sandbox.state)] });
    expect(answer.status).toBe(504);
    expect(answer.contentType).toMatch(/text\/html/);
    expect(casesNamed(sandbox, 'Late commit')).toHaveLength(0);
    expect(sandbox.pendingCommits()).toBe(1);
    await sandbox.settled();
    expect(casesNamed(sandbox, 'Late commit')).toHaveLength(1);
    expect(sandbox.writes).toHaveLength(1);
    expect(sandbox.writes[0]).toMatchObject({ method: 'POST', fault: 'gateway-timeout', body: { name: 'Late commit' } });
    expect(sandbox.injected()).toMatchObject({ gatewayTimeout: 1 });
    // The budget is spent: the next write goes through normally.
    expect((await call(sandbox, 'POST', '/api/v1/cases', { name: 'On time', participants: [clientOf(sandbox.state)] })).status).toBe(201);
  });

  it('can hold the 504 back, and a reset cancels commits still to come', async () => {
    const sandbox = await start({ faults: { gatewayTimeoutRate: 1, gatewayAnswerMs: 50, gatewayCommitMs: 60_000 } });
    const id = firstCase(sandbox.state);
    expect((await call(sandbox, 'PUT', `/api/v1/cases/${id}`, { name: 'Never committed' })).status).toBe(504);
    expect(sandbox.pendingCommits()).toBe(1);
    await fetch(`${sandbox.url}/__sandbox/reset`, { method: 'POST' });
    expect(sandbox.pendingCommits()).toBe(0);
    expect(sandbox.writes).toHaveLength(0);
  });
});

describe('lagging list', () => {
  it('hides a record created within the lag from lists, but GET by uuid finds it', async () => {
    const sandbox = await start({ faults: { listLagMs: 60_000 } });
    const created = await call(sandbox, 'POST', '/api/v1/cases', { name: 'Lagging create', participants: [clientOf(sandbox.state)] });
    expect(created.status).toBe(201);
    const uuid = (JSON.parse(created.text) as { uuid: string }).uuid;
    expect(await listByName(sandbox, 'Lagging create')).toHaveLength(0);
    expect((await call(sandbox, 'GET', `/api/v1/cases/${uuid}`)).status).toBe(200);
    sandbox.setFaults({});
    expect(await listByName(sandbox, 'Lagging create')).toHaveLength(1);
  });

  it('lists a record changed within the lag as it was before the change', async () => {
    const sandbox = await start({ faults: { listLagMs: 60_000 } });
    const id = firstCase(sandbox.state);
    const before = sandbox.state.cases[id]!.name;
    expect((await call(sandbox, 'PUT', `/api/v1/cases/${id}`, { name: 'Changed once' })).status).toBe(200);
    expect((await call(sandbox, 'PUT', `/api/v1/cases/${id}`, { name: 'Changed twice' })).status).toBe(200);
    const listed = JSON.parse((await call(sandbox, 'GET', `/api/v1/cases?filter[uuid]=${id}`)).text) as { data: Array<{ name: string }> };
    expect(listed.data.map((c) => c.name)).toEqual([before]);
    expect(sandbox.state.cases[id]!.name).toBe('Changed twice');
  });

  it('catches up once the lag has passed', async () => {
    const sandbox = await start({ faults: { listLagMs: 100 } });
    // The sandbox's clock (Date) is faked and stands still unless moved: a slow machine cannot let the lag pass early.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    try {
      await call(sandbox, 'POST', '/api/v1/cases', { name: 'Caught up', participants: [clientOf(sandbox.state)] });
      vi.advanceTimersByTime(99);
      expect(await listByName(sandbox, 'Caught up')).toHaveLength(0);
      vi.advanceTimersByTime(1);
      expect(await listByName(sandbox, 'Caught up')).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('read-back errors', () => {
  it('answers the next N resource reads 500, never the account list used to check credentials', async () => {
    const sandbox = await start({ faults: { readErrorNext: 2 } });
    expect((await call(sandbox, 'GET', '/api/v1/account?per_page=1')).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(sandbox, 'GET', '/api/v1/cases?per_page=1')).status);
    expect(statuses).toEqual([500, 500, 200]);
  });
});

describe('writes that answer but write nothing', () => {
  it.each([
    ['writeErrorNext', 500, /json/],
    ['htmlOkNext', 200, /text\/html/],
    ['noContentNext', 204, /^$/],
  ] as const)('%s: answers %i and the write log and state stay unchanged', async (fault, status, contentType) => {
    const sandbox = await start({ faults: { [fault]: 1 } });
    const answer = await call(sandbox, 'POST', '/api/v1/cases', { name: `Ghost ${fault}`, participants: [clientOf(sandbox.state)] });
    expect(answer.status).toBe(status);
    expect(answer.contentType).toMatch(contentType);
    expect(sandbox.writes).toHaveLength(0);
    expect(casesNamed(sandbox, `Ghost ${fault}`)).toHaveLength(0);
  });

  it('aims at a later write with writeFaultsFrom: two identical creates, only the second gets the 500', async () => {
    const sandbox = await start({ faults: { writeErrorNext: 1, writeFaultsFrom: 2 } });
    const body = { name: 'Twin', participants: [clientOf(sandbox.state)] };
    expect((await call(sandbox, 'POST', '/api/v1/cases', body)).status).toBe(201);
    expect((await call(sandbox, 'POST', '/api/v1/cases', body)).status).toBe(500);
    expect((await call(sandbox, 'POST', '/api/v1/cases', body)).status).toBe(201);
    expect(casesNamed(sandbox, 'Twin')).toHaveLength(2);
    expect(sandbox.writes).toHaveLength(2);
  });
});

describe('lost response after commit', () => {
  it('applies the write, logs it as lost-response, and drops the connection', async () => {
    const sandbox = await start({ faults: { lostResponseNext: 1 } });
    await expect(call(sandbox, 'POST', '/api/v1/cases', { name: 'Lost answer', participants: [clientOf(sandbox.state)] })).rejects.toThrow();
    expect(casesNamed(sandbox, 'Lost answer')).toHaveLength(1);
    expect(sandbox.writes).toMatchObject([{ method: 'POST', fault: 'lost-response' }]);
  });
});

describe('token echo', () => {
  it('echoes the Authorization header raw, JSON-escaped, HTML-entity- and URL-encoded in a 422, and writes nothing', async () => {
    const sandbox = await start({ faults: { tokenEchoNext: 1 } });
    const answer = await call(sandbox, 'PUT', `/api/v1/cases/${firstCase(sandbox.state)}`, { name: 'Echo' });
    expect(answer.status).toBe(422);
    const forms = echoForms(`Bearer ${SANDBOX_TOKEN}`);
    for (const form of [forms.raw, forms.jsonEscaped, forms.htmlEntities, forms.urlEncoded, forms.percentEveryByte]) expect(answer.text).toContain(form);
    expect(answer.text).toContain('\\/');
    // Valid JSON whose parsed strings still hold the encoded forms a redactor must catch.
    const parsed = JSON.parse(answer.text) as { errors: Record<string, string[]> };
    expect(parsed.errors['name']?.[1]).toContain(forms.htmlEntities);
    expect(sandbox.writes).toHaveLength(0);
  });

  it('echoes it on the MPDX (JSON:API) route too', async () => {
    const sandbox = await start({ faults: { tokenEchoNext: 1 } });
    const response = await putMpdxPhone(sandbox);
    expect(response.status).toBe(422);
    const text = await response.text();
    expect(text).toContain(SANDBOX_TOKEN);
    expect(JSON.parse(text)).toHaveProperty('errors');
  });
});

describe('revoked token', () => {
  it('answers 401 from the Nth request on, until the fault is lifted', async () => {
    const sandbox = await start({ faults: { revokeTokenFrom: 3 } });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(sandbox, 'GET', '/api/v1/account?per_page=1')).status);
    expect(statuses).toEqual([200, 200, 401, 401, 401]);
    const lift = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', body: '{}' });
    expect(lift.status).toBe(200);
    expect((await call(sandbox, 'GET', '/api/v1/account?per_page=1')).status).toBe(200);
  });
});

describe('prototype-named field errors', () => {
  it('a Plannr 422 whose errors are keyed constructor, __proto__ and toString', async () => {
    const sandbox = await start({ faults: { protoFieldsNext: 1 } });
    const answer = await call(sandbox, 'PUT', `/api/v1/cases/${firstCase(sandbox.state)}`, { name: 'Proto' });
    expect(answer.status).toBe(422);
    expect(answer.text).toContain('"__proto__":[');
    const errors = (JSON.parse(answer.text) as { errors: object }).errors;
    expect(Object.keys(errors)).toEqual(expect.arrayContaining(['constructor', '__proto__', 'toString']));
    expect(sandbox.writes).toHaveLength(0);
  });

  it('an MPDX JSON:API error pointing at /data/attributes/constructor', async () => {
    const sandbox = await start({ faults: { protoFieldsNext: 1 } });
    const response = await putMpdxPhone(sandbox);
    expect(response.status).toBe(422);
    const body = (await response.json()) as { errors: Array<{ source?: { pointer: string } }> };
    expect(body.errors.map((e) => e.source?.pointer)).toContain('/data/attributes/constructor');
  });
});

describe('the admin endpoint and --faults', () => {
  it('sets faults over POST /__sandbox/faults and reports what was injected on GET', async () => {
    const sandbox = await start();
    const set = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ noContentNext: 1 }) });
    expect(set.status).toBe(200);
    expect((await call(sandbox, 'PUT', `/api/v1/cases/${firstCase(sandbox.state)}`, { name: 'x' })).status).toBe(204);
    const status = (await (await fetch(`${sandbox.url}/__sandbox/faults`)).json()) as { injected: Record<string, number> };
    expect(status.injected).toEqual({ noContent: 1 });
    const unknown = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ noSuchFault: 1 }) });
    expect(unknown.status).toBe(422);
  });

  it('parses the kebab-case --faults names and refuses bad ones', () => {
    expect(parseFaults('gateway504-next=3,gateway-commit-ms=3000,list-lag-ms=20000,revoke-token-from=9,html-ok=0.1')).toEqual({
      gatewayTimeoutNext: 3,
      gatewayCommitMs: 3000,
      listLagMs: 20000,
      revokeTokenFrom: 9,
      htmlOkRate: 0.1,
    });
    expect(() => parseFaults('html-ok=2')).toThrow(/html|rate|<=|1/i);
    expect(() => parseFaults('nonsense=1')).toThrow(/names errors/);
  });
});
