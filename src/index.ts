import * as mongodb from 'mongodb';
import { MongoDB } from './connector';
import type { MongoDBSettings } from './settings';

export { MongoDB, type CallOptions, type Callback } from './connector';
export * from './errors';
export { ObjectIdType, type ModelInfo, type PropertyInfo, type StoredAs } from './model-info';
export { buildUrl, type MongoDBSettings } from './settings';
export { IndexDefinitionError, IndexMigrationError } from './migrate';
export {
  ChangeStreamsNotSupportedError,
  ModelChangeStream,
  type ModelChange,
  type WatchOptions,
} from './change-streams';
export {
  DEFAULT_SAMPLE_SIZE,
  DiscoveryError,
  inferSchema,
  type DiscoverModelDefinitionsOptions,
  type DiscoverSchemasOptions,
  type DiscoveredIndex,
  type DiscoveredModelDefinition,
  type DiscoveredProperty,
  type DiscoveredSchema,
  type DiscoveredType,
} from './discovery';
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
 * Juggler's entry point: attach a connector to the datasource and, unless `lazyConnect` is set,
 * connect. With `lazyConnect` the first operation connects.
 */
export function initialize(dataSource: DataSourceLike, callback?: (err?: unknown) => void): void {
  const settings = dataSource.settings ?? {};
  const connector = new MongoDB(settings);
  connector.dataSource = dataSource;
  dataSource.connector = connector;
  dataSource.driver = mongodb;
  dataSource.ObjectID = mongodb.ObjectId;
  if (!callback) return;
  if (settings.lazyConnect) {
    process.nextTick(callback);
    return;
  }
  connector.connect((err) => callback(err ?? undefined));
}
