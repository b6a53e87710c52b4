import { juggler } from '@loopback/repository';
// the connector module itself, from this repository's source (an app writes
// `connector: require('loopback-connector-mongo')`)
import * as ours from '../../../src';

/** Which connector a datasource talks through: this package, or loopback-connector-mongodb. */
export type ConnectorName = 'ours' | 'official';

export function relationsDataSource(connector: ConnectorName, url: string): juggler.DataSource {
  return new juggler.DataSource({
    name: 'library',
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS module without types
    connector: connector === 'ours' ? ours : require('loopback-connector-mongodb'),
    url,
  });
}
