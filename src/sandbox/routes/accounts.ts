/** `/api/v1/account`: list and get (read only: the tool exports accounts, never imports them). */
import {
  registerReadRoutes,
  valuesOf,
  type RouteDeps,
  type SandboxApp,
} from '../http.js';
import { slugify } from '../seed.js';
import type { AccountRecord, ContactDetailRecord, SandboxState } from '../state.js';
import { renderAccountSummary, renderPrimaryDetail } from './render.js';
import { renderClientFields } from './clients.js';

const BASE = '/api/v1/account';
const FILTERS = ['uuid', 'type', 'name', 'primary_email', 'groups', 'tags'] as const;
const SORTS = ['created_at', 'updated_at', 'name', 'first_name', 'last_name'] as const;

function primaryDetail(state: SandboxState, account: AccountRecord, type: ContactDetailRecord['type']): ContactDetailRecord | undefined {
  return valuesOf(state.contactDetails).find((d) => d.type === type && d.primary_account_uuids.includes(account.uuid));
}

export function renderAccount(state: SandboxState, account: AccountRecord): Record<string, unknown> {
  const email = primaryDetail(state, account, 'email');
  const phone = primaryDetail(state, account, 'phone_number');
  return {
    ...renderAccountSummary(account),
    // A client's own fields (date of birth, staff, value...); nothing for staff.
    ...renderClientFields(state, account),
    firm: { uuid: state.firm.uuid, name: state.firm.name, slug: state.firm.slug },
    primary_email: email ? renderPrimaryDetail(email) : null,
    primary_phone_number: phone ? renderPrimaryDetail(phone) : null,
    tags: account.tags.map((name) => ({ name, slug: slugify(name) })),
    groups: account.group_uuids.flatMap((uuid) => {
      const group = state.groups[uuid];
      return group ? [group] : [];
    }),
  };
}

function matchesFilters(state: SandboxState, account: AccountRecord, filters: Map<string, string[]>): boolean {
  for (const [name, values] of filters) {
    if (values.length === 0) continue;
    const lower = values.map((v) => v.toLowerCase());
    switch (name) {
      case 'uuid':
        if (!values.includes(account.uuid)) return false;
        break;
      case 'type':
        if (!values.includes(account.type)) return false;
        break;
      case 'name':
        if (!lower.some((v) => account.name.toLowerCase().includes(v))) return false;
        break;
      case 'primary_email': {
        const email = primaryDetail(state, account, 'email')?.value.toLowerCase() ?? '';
        if (!lower.some((v) => email.includes(v))) return false;
        break;
      }
      case 'groups':
        if (!account.group_uuids.some((uuid) => values.includes(uuid))) return false;
        break;
      case 'tags':
        if (!account.tags.some((tag) => lower.includes(tag.toLowerCase()))) return false;
        break;
    }
  }
  return true;
}

export function registerAccountRoutes(app: SandboxApp, deps: RouteDeps): void {
  registerReadRoutes(app, deps, {
    base: BASE,
    model: 'Account',
    filters: FILTERS,
    sorts: SORTS,
    records: (state) => state.accounts,
    matches: (account, filters, state) => matchesFilters(state, account, filters),
    render: renderAccount,
  });
}
