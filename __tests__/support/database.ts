/** Where a test file's data lives: its own database on the run's server, dropped at the end. */
import * as os from 'node:os';
import { MongoClient } from 'mongodb';
import { urlForDatabase } from '../../scripts/mongod/server';

export const TEST_DB_PREFIX = 'lbtest_';

/** A database name unique to this run and to `name` (a test file's short name). */
export function testDatabaseName(name: string): string {
  const run = process.env.MONGODB_TEST_RUN ?? 'adhoc';
  // a jest project that runs the same files again (e.g. against juggler 7) names itself here, so
  // both runs of a file, in parallel workers, never share a database
  const variant = process.env.MONGODB_TEST_VARIANT ? `${process.env.MONGODB_TEST_VARIANT}_` : '';
  // MongoDB database names are at most 63 bytes and may not contain . / \ " $ or spaces
  return `${TEST_DB_PREFIX}${run}_${variant}${name.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 63);
}

export function testDatabaseUrl(
  name: string,
  options: { replicaSet?: boolean; sharded?: boolean } = {},
): string {
  const url = options.sharded
    ? process.env.MONGODB_TEST_SHARDED_URL
    : options.replicaSet
      ? process.env.MONGODB_TEST_RS_URL
      : process.env.MONGODB_TEST_URL;
  if (!url) {
    throw new Error(
      options.sharded
        ? 'no sharded cluster: run the tests through jest\'s "sharded" project (its globalSetup starts one)'
        : 'no test server: run the tests through jest (globalSetup starts one)',
    );
  }
  return urlForDatabase(url, testDatabaseName(name));
}

/** Drop the databases this run made on `url`: a server we did not start outlives us. */
export async function dropTestDatabases(url: string): Promise<void> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000, runtimeAdapters: { os } });
  try {
    const prefix = TEST_DB_PREFIX + process.env.MONGODB_TEST_RUN;
    const { databases } = await client.db('admin').admin().listDatabases({ nameOnly: true });
    for (const { name } of databases)
      if (name.startsWith(prefix)) await client.db(name).dropDatabase();
  } finally {
    await client.close();
  }
}
