import { DataSource } from 'loopback-datasource-juggler';
import * as connector from '../../src';
import type { MongoDB, MongoDBSettings } from '../../src';
import { testDatabaseUrl } from './database';

/** A juggler DataSource with our connector on this test file's own database. */
export function createDataSource(
  name: string,
  settings: MongoDBSettings & { onReplicaSet?: boolean } = {},
): DataSource {
  const { onReplicaSet, ...rest } = settings;
  return new DataSource({
    connector,
    url: testDatabaseUrl(name, { replicaSet: Boolean(onReplicaSet) }),
    ...rest,
  } as never);
}

/** Our connector behind a datasource (juggler types it as its own base Connector). */
export function mongoConnector(ds: DataSource): MongoDB {
  return ds.connector as unknown as MongoDB;
}

/**
 * The model class tests call DAO methods on. Juggler's typings type data as the model's declared
 * shape and results as `PromiseOrVoid`, which for ad-hoc test models is only noise.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type TestModel = any;

/** A persisted model on `ds`. */
export function defineModel(
  ds: DataSource,
  name: string,
  properties: Record<string, unknown>,
  settings: Record<string, unknown> = {},
): TestModel {
  return ds.createModel(name, properties as never, settings);
}
