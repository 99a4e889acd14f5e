/** `/api/v1/account`: list and get (read only: the tool exports accounts, never imports them). */
import { valuesOf } from '../http.js';
import { slugify } from '../seed.js';
import type { AccountRecord, ContactDetailRecord, SandboxState } from '../state.js';
import { renderAccountSummary, renderPrimaryDetail } from './render.js';
import { renderClientFields } from './clients.js';
import { byUuid, containsAny, plannrResourceRoutes, sharesAny, type Filter } from './resource.js';

const BASE = '/api/v1/account';
const SORTS = ['created_at', 'updated_at', 'name', 'first_name', 'last_name'] as const;

/** The account's primary contact detail of a type (its email or phone), if any. */
export function primaryDetail(state: SandboxState, account: AccountRecord, type: ContactDetailRecord['type']): ContactDetailRecord | undefined {
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

const FILTERS: Readonly<Record<string, Filter<AccountRecord>>> = {
  uuid: byUuid,
  type: (account, values) => values.includes(account.type),
  name: (account, values) => containsAny(account.name, values),
  primary_email: (account, values, state) => containsAny(primaryDetail(state, account, 'email')?.value ?? '', values),
  groups: (account, values) => sharesAny(account.group_uuids, values),
  tags: (account, values) => account.tags.some((tag) => values.some((v) => v.toLowerCase() === tag.toLowerCase())),
};

/** Read only: the tool exports accounts, and lists them to check its credentials (so never a read fault). */
export const accountRoutes = plannrResourceRoutes<AccountRecord>({
  base: BASE,
  model: 'Account',
  filters: FILTERS,
  sorts: SORTS,
  records: (state) => state.accounts,
  render: renderAccount,
});
