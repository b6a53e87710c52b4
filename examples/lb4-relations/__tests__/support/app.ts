import type { juggler } from '@loopback/repository';
import type { Collection } from 'mongodb';
import type { MongoDB } from '../../../../src';
import { testDatabaseUrl } from '../../../../__tests__/support/database';
import {
  type ConnectorName,
  createRepositories,
  relationsDataSource,
  type Repositories,
} from '../../src';

/** The app's repositories through one connector on a test database. */
export interface App {
  ds: juggler.DataSource;
  repos: Repositories;
}

export function openApp(connector: ConnectorName, database: string): App {
  const ds = relationsDataSource(connector, testDatabaseUrl(database));
  return { ds, repos: createRepositories(ds) };
}

/** A driver collection of the database an app on our connector uses: what the server holds. */
export function rawCollection(app: App, name: string): Collection {
  return (app.ds.connector as unknown as MongoDB).collection(name);
}

/** Results as an app's JSON sees them (ids become 24-hex strings whichever the connector). */
export function json(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
