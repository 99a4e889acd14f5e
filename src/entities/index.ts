import { UsageError } from '../errors.js';
import { accounts } from './accounts.js';
import { cases } from './cases.js';
import { clients } from './clients.js';
import { contactDetails } from './contact-details.js';
import type { Entity } from './entity.js';
import { mpdxPhones } from './mpdx-phones.js';

export const entities = {
  'contact-details': contactDetails,
  cases,
  'mpdx-phones': mpdxPhones,
  accounts,
  clients,
} as const satisfies Readonly<Record<string, Entity>>;

export type EntityName = keyof typeof entities;

export const entityNames = Object.keys(entities) as EntityName[];

export function getEntity(name: string): Entity {
  const entity = (entities as Record<string, Entity | undefined>)[name];
  if (entity === undefined) {
    throw new UsageError(`unknown entity "${name}": use one of ${entityNames.join(', ')}`);
  }
  return entity;
}

export type { Column, Entity, FieldType, NormalisedRow, PlannedRequest } from './entity.js';
