/** Where a test file's data lives: its own database on the run's server, dropped at the end. */
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

export function testDatabaseUrl(name: string, options: { replicaSet?: boolean } = {}): string {
  const url = options.replicaSet ? process.env.MONGODB_TEST_RS_URL : process.env.MONGODB_TEST_URL;
  if (!url) throw new Error('no test server: run the tests through jest (globalSetup starts one)');
  return urlForDatabase(url, testDatabaseName(name));
}
