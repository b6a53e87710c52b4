import createDebug from 'debug';
import * as mongodb from 'mongodb';
import { MongoDB } from './connector';
import type { MongoDBSettings } from './settings';

export { MongoDB, type CallOptions, type Callback, type MigrateOptions } from './connector';
export { databaseNameProblem, TenantDatabaseError, type TenantDatabasesSetting } from './tenants';
export * from './errors';
export { type DriverCommand, type MongoDriverCallOptions } from './driver-options';
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

const debug = createDebug('loopback:connector:mongodb');

/** The part of juggler's DataSource that initialize() reads and writes. */
export interface DataSourceLike {
  settings: MongoDBSettings;
  connector?: unknown;
  driver?: unknown;
  ObjectID?: unknown;
  connected?: boolean;
  disconnect?: (...args: unknown[]) => unknown;
}

/**
 * Juggler's entry point: attach a connector to the datasource, check the settings and, unless
 * `lazyConnect` is set, connect (with `lazyConnect` the first operation connects). A setting that
 * cannot work is reported through `callback` at once, lazyConnect or not: juggler then emits
 * `error` on the datasource, as for a failed connection.
 */
export function initialize(
  dataSource: DataSourceLike,
  callback?: (err?: unknown, connected?: false) => void,
): void {
  const settings = dataSource.settings ?? {};
  const connector = new MongoDB(settings);
  connector.dataSource = dataSource;
  dataSource.connector = connector;
  dataSource.driver = mongodb;
  dataSource.ObjectID = mongodb.ObjectId;
  disconnectEvenWhileConnecting(dataSource, connector);
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
  const disconnects = connector.disconnects;
  connector.connectAtStart((err, takenByPing) =>
    // disconnected while connecting, or a ping reported the failure: nothing more to report;
    // `false` tells juggler it is not connected, and its next operation connects again
    connector.disconnects !== disconnects || takenByPing
      ? callback(undefined, false)
      : callback(err ?? undefined),
  );
}

/**
 * juggler's DataSource.disconnect() calls the connector only once a connect has succeeded, so one
 * made while the first connect is under way (an app stopped during start-up, a test that only
 * builds a datasource) would leave that connection open and keep the process alive. The
 * connector hears of it either way.
 */
function disconnectEvenWhileConnecting(dataSource: DataSourceLike, connector: MongoDB): void {
  const disconnect = dataSource.disconnect;
  if (typeof disconnect !== 'function') return;
  dataSource.disconnect = function (this: DataSourceLike, ...args: unknown[]) {
    if (!this.connected) connector.disconnect().catch((error) => debug('closing: %s', error));
    return disconnect.apply(this, args);
  };
}
