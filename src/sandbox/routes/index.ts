/**
 * Every resource's sandbox routes, by the entity they serve. Keyed by `EntityName`, so an
 * entity registered in src/entities/index.ts without its routes here does not compile: the
 * demo and the end-to-end tests can always run against every resource. The key is also the
 * `resource` its writes are logged under.
 *
 * Routes that carry a `table` own their records (schema, type, seed) in their own file; the
 * sandbox finds those tables here, so a new resource needs no line in state.ts or seed.ts.
 */
import type { EntityName } from '../../entities/index.js';
import type { RouteDeps, SandboxApp } from '../http.js';
import type { SandboxTable } from '../state.js';
import { accountRoutes } from './accounts.js';
import { caseRoutes } from './cases.js';
import { clientRoutes } from './clients.js';
import { contactDetailRoutes } from './contact-details.js';
import { mpdxPhoneRoutes } from './mpdx-phones.js';

/**
 * Adds a resource's routes to the app; `table`: the records the route file owns (absent for
 * the resources whose tables are in state.ts).
 */
export type ResourceRoutes = ((app: SandboxApp, deps: RouteDeps) => void) & { readonly table?: SandboxTable<unknown> | undefined };

export const routesByEntity: Readonly<Record<EntityName, ResourceRoutes>> = {
  'contact-details': contactDetailRoutes,
  cases: caseRoutes,
  'mpdx-phones': mpdxPhoneRoutes,
  accounts: accountRoutes,
  clients: clientRoutes,
};

/** The tables route files own, in registry order (the order `createSeedState` seeds them in). */
export const sandboxTables: readonly SandboxTable<unknown>[] = Object.values(routesByEntity).flatMap((routes) =>
  routes.table === undefined ? [] : [routes.table],
);
