import { inject, type LifeCycleObserver, lifeCycleObserver } from '@loopback/core';
import { juggler } from '@loopback/repository';
// the connector from this repository's source; an app writes `connector: 'mongo'`
import * as mongoConnector from '../../../src';

export const DEFAULT_TENANT_PREFIX = 'tenant_';

/** One datasource, so one MongoClient and one pool, for every tenant. */
export const defaultConfig = {
  name: 'mongo',
  connector: mongoConnector,
  url: process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017/lb4_tenants',
  // calls may choose a database whose name starts with the prefix, and no other
  tenantDatabases: { prefix: DEFAULT_TENANT_PREFIX },
};

@lifeCycleObserver('datasource')
export class MongoDataSource extends juggler.DataSource implements LifeCycleObserver {
  static dataSourceName = 'mongo';
  static readonly defaultConfig = defaultConfig;

  constructor(
    @inject('datasources.config.mongo', { optional: true })
    dsConfig: object = defaultConfig,
  ) {
    super({ ...defaultConfig, ...dsConfig, connector: mongoConnector });
  }

  override async stop(): Promise<void> {
    await this.disconnect();
  }
}
