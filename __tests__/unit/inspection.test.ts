/** What a connector shows of itself to JSON and util.inspect. */
import * as os from 'node:os';
import { connectorSummary } from '../../src/inspection';

describe('connectorSummary', () => {
  const summary = connectorSummary({
    name: 'mongodb',
    settings: {
      url: 'mongodb://app:s3cret@db1:27017/shop',
      password: 's3cret',
      tlsCertificateKeyFilePassword: 'k3y',
      auth: { username: 'app', password: 's3cret' },
      connector: { initialize: () => undefined, ObjectID: class ObjectId {} },
      runtimeAdapters: { os },
      collation: { locale: 'en', strength: 2 },
      hosts: ['db1:27017', 'db2:27017'],
      lazyConnect: true,
      maxPoolSize: 5,
    },
    client: undefined,
    _models: { Thing: {}, Order: {} },
  });

  it('hides passwords, in settings and in connection strings', () => {
    expect(summary.settings).toMatchObject({
      url: 'mongodb://app:***@db1:27017/shop',
      password: '***',
      tlsCertificateKeyFilePassword: '***',
      auth: '***',
    });
    expect(JSON.stringify(summary)).not.toContain('s3cret');
  });

  it('shows module objects by their kind, and data as it is', () => {
    expect(summary.settings).toMatchObject({
      connector: '[Object]',
      runtimeAdapters: { os: '[Object]' },
      collation: { locale: 'en', strength: 2 },
      hosts: ['db1:27017', 'db2:27017'],
      lazyConnect: true,
      maxPoolSize: 5,
    });
    expect(summary).toMatchObject({ name: 'mongodb', clientCreated: false });
    expect(summary.models).toEqual(['Thing', 'Order']);
  });
});
