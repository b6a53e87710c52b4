import type { juggler } from '@loopback/repository';
import { MongoClient, type Db } from 'mongodb';
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

/** The raw driver on the same database, to see what the connector stored. */
export async function openRaw(database: string): Promise<{ client: MongoClient; db: Db }> {
  const client = await new MongoClient(testDatabaseUrl(database)).connect();
  return { client, db: client.db() };
}

/** Results as an app's JSON sees them (ids become 24-hex strings whichever the connector). */
export function json(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
