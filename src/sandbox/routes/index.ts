/**
 * Every resource's sandbox routes, by the entity they serve. Keyed by `EntityName`, so an
 * entity registered in src/entities/index.ts without its routes here does not compile: the
 * demo and the end-to-end tests can always run against every resource. The key is also the
 * `resource` its writes are logged under.
 */
import type { EntityName } from '../../entities/index.js';
import type { RouteDeps, SandboxApp } from '../http.js';
import { accountRoutes } from './accounts.js';
import { caseRoutes } from './cases.js';
import { clientRoutes } from './clients.js';
import { contactDetailRoutes } from './contact-details.js';
import { mpdxPhoneRoutes } from './mpdx-phones.js';

/** Adds a resource's routes to the app. */
export type ResourceRoutes = (app: SandboxApp, deps: RouteDeps) => void;

export const routesByEntity: Readonly<Record<EntityName, ResourceRoutes>> = {
  'contact-details': contactDetailRoutes,
  cases: caseRoutes,
  'mpdx-phones': mpdxPhoneRoutes,
  accounts: accountRoutes,
  clients: clientRoutes,
};
