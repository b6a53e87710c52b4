import { inject, type LifeCycleObserver, lifeCycleObserver } from '@loopback/core';
import { juggler } from '@loopback/repository';
// the connector module itself, from this repository's source; an app that installed the package
// writes `connector: require('loopback-connector-mongo')`, or `connector: 'mongo'`, which juggler
// resolves to the package loopback-connector-mongo
import * as mongoConnector from '../../../../src';

/** The default configuration; the app (or a test) overrides it with `datasources.config.mongo`. */
export const defaultConfig = {
  name: 'mongo',
  connector: mongoConnector,
  url: process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017/lb4_shop',
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

  /** Closes the connection pool when the application stops. */
  override async stop(): Promise<void> {
    await this.disconnect();
  }
}
