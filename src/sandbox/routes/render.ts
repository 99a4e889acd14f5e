/** How stored records are rendered in responses, shaped like the Plannr seeds. */
import { showPounds } from '../../entities/cells.js';
import type { AccountRecord, ContactDetailRecord, SandboxState } from '../state.js';
import { parsePhoneValue } from '../validate.js';

export function renderAccountSummary(account: AccountRecord): Record<string, unknown> {
  return {
    uuid: account.uuid,
    created_at: account.created_at,
    updated_at: account.updated_at,
    type: account.type,
    role: account.role,
    first_name: account.first_name,
    last_name: account.last_name,
    name: account.name,
    email: account.email,
  };
}

export function accountSummaries(state: SandboxState, uuids: readonly string[]): Record<string, unknown>[] {
  return uuids.flatMap((uuid) => {
    const account = state.accounts[uuid];
    return account ? [renderAccountSummary(account)] : [];
  });
}

/**
 * Money as Plannr renders it: {amount (pennies), currency, formatted}. `formatted` is the
 * same "£1,234.56" our reports show, so a person sees one spelling of an amount everywhere.
 */
export function renderMoney(pennies: number): { amount: number; currency: 'GBP'; formatted: string } {
  return { amount: pennies, currency: 'GBP', formatted: showPounds(pennies) };
}

/** phone_number_meta for a stored E.164 value ({country, formatted}). */
export function phoneMeta(value: string): { country: string; formatted: string } {
  const parts = parsePhoneValue(value);
  return { country: parts?.country ?? '', formatted: parts?.formatted ?? value };
}

export function renderContactDetail(state: SandboxState, detail: ContactDetailRecord): Record<string, unknown> {
  return {
    uuid: detail.uuid,
    created_at: detail.created_at,
    updated_at: detail.updated_at,
    type: detail.type,
    name: detail.name,
    value: detail.value,
    ...(detail.type === 'phone_number' ? { phone_number_meta: phoneMeta(detail.value) } : {}),
    // The seed renders `accounts` as one object (a doc-generator artefact); it is a collection.
    accounts: accountSummaries(state, detail.account_uuids),
    primary_accounts: accountSummaries(state, detail.primary_account_uuids),
  };
}

/** The shape nested in an account as primary_email / primary_phone_number. */
export function renderPrimaryDetail(detail: ContactDetailRecord): Record<string, unknown> {
  return {
    uuid: detail.uuid,
    name: detail.name,
    type: detail.type,
    value: detail.value,
    primary: true,
    created_at: detail.created_at,
    updated_at: detail.updated_at,
    ...(detail.type === 'phone_number' ? { phone_number_meta: phoneMeta(detail.value) } : {}),
  };
}
