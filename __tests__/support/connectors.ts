/** Both connectors, for tests that run the same app code on ours and on the official one. */
import { DataSource } from 'loopback-datasource-juggler';
import * as official from 'loopback-connector-mongodb';
import * as ours from '../../src';
import { testDatabaseUrl } from './database';

export const CONNECTORS = [
  ['ours', ours],
  ['loopback-connector-mongodb', official],
] as const;

/**
 * A datasource for `connector` on database `name` (suffixed per connector), once connected:
 * loopback-connector-mongodb opens a second client that it never closes when an operation
 * arrives while its first connection is still being made.
 */
export async function connectedDataSource<D extends DataSource = DataSource>(
  connector: unknown,
  name: string,
  settings: Record<string, unknown> = {},
  // LoopBack 4's juggler.DataSource, from the juggler @loopback/repository brings along
  DataSourceClass: new (settings: never) => D = DataSource as never,
): Promise<D> {
  const suffix = connector === ours ? 'ours' : 'official';
  const ds = new DataSourceClass({
    connector,
    url: testDatabaseUrl(`${name}_${suffix}`),
    ...settings,
  } as never);
  if (!ds.connected) {
    await new Promise<void>((resolve, reject) => {
      ds.once('connected', () => resolve());
      ds.once('error', reject);
    });
  }
  return ds;
}

export type ConnectorLabel = (typeof CONNECTORS)[number][0];

/**
 * A connected datasource per connector, both on ONE database `name`: what an app meets when it
 * switches in either direction.
 */
export async function oneDatabaseForBoth(
  name: string,
  settings: Record<string, unknown> = {},
): Promise<Map<ConnectorLabel, DataSource>> {
  const url = testDatabaseUrl(name);
  const sources = new Map<ConnectorLabel, DataSource>();
  for (const [label, connector] of CONNECTORS) {
    sources.set(label, await connectedDataSource(connector, name, { url, ...settings }));
  }
  return sources;
}
