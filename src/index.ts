import * as mongodb from 'mongodb';
import { MongoDB } from './connector';
import type { MongoDBSettings } from './settings';

export { MongoDB, type CallOptions, type Callback } from './connector';
export * from './errors';
export { ObjectIdType, type ModelInfo, type PropertyInfo, type StoredAs } from './model-info';
export {
  connectionUrl,
  databaseName,
  resolveSettings,
  type ConnectionPlan,
  type MongoDBSettings,
} from './settings';
export { IndexDefinitionError, IndexMigrationError } from './migrate';
export {
  runInTransaction,
  isTransientTransactionError,
  isUnknownCommitResult,
  IsolationLevel,
  TransactionsNotSupportedError,
  UnsupportedIsolationLevelError,
  type RunInTransactionOptions,
  type TransactionSource,
  type TransactionHandle,
} from './transaction';
export const ObjectID = mongodb.ObjectId;

/** The part of juggler's DataSource that initialize() reads and writes. */
export interface DataSourceLike {
  settings: MongoDBSettings;
  connector?: unknown;
  driver?: unknown;
  ObjectID?: unknown;
}

/**
 * Juggler's entry point: attach a connector to the datasource, check the settings and, unless
 * `lazyConnect` is set, connect (with `lazyConnect` the first operation connects). A setting that
 * cannot work is reported through `callback` at once, lazyConnect or not: juggler then emits
 * `error` on the datasource, as for a failed connection.
 */
export function initialize(dataSource: DataSourceLike, callback?: (err?: unknown) => void): void {
  const settings = dataSource.settings ?? {};
  const connector = new MongoDB(settings);
  connector.dataSource = dataSource;
  dataSource.connector = connector;
  dataSource.driver = mongodb;
  dataSource.ObjectID = mongodb.ObjectId;
  if (!callback) return;
  let refused: unknown;
  try {
    connector.plan();
  } catch (error) {
    refused = error;
  }
  if (refused || settings.lazyConnect) {
    process.nextTick(callback, refused);
    return;
  }
  connector.connect((err) => callback(err ?? undefined));
}
