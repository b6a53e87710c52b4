import { DataSource } from 'loopback-datasource-juggler';
import * as connector from '../../src';
import { MongoDB } from '../../src';
import * as mongodb from 'mongodb';
import { runChild } from '../support/child';
import { testDatabaseUrl } from '../support/database';
import { createDataSource, defineModel, mongoConnector } from '../support/datasource';

const childUrl = () => testDatabaseUrl('lifecycle_child');

describe('connector lifecycle on a real mongod', () => {
  it('connects, pings and disconnects', async () => {
    const ds = createDataSource('lifecycle');
    await ds.connect();
    expect(mongoConnector(ds)).toBeInstanceOf(MongoDB);
    expect(mongoConnector(ds).name).toBe('mongodb');
    await new Promise<void>((resolve, reject) =>
      ds.ping((err?: unknown) => (err ? reject(err) : resolve())),
    );
    await ds.disconnect();
    // idempotent
    await ds.disconnect();
  });

  it('exposes ObjectID and the driver on the datasource and the connector', () => {
    const ds = createDataSource('lifecycle');
    const anyDs = ds as unknown as Record<string, unknown>;
    expect(anyDs.ObjectID).toBe(connector.ObjectID);
    expect(mongoConnector(ds).ObjectID).toBe(connector.ObjectID);
    expect(anyDs.driver).toBe(mongodb);
    return ds.disconnect();
  });

  it('fails with a clear error within serverSelectionTimeoutMS when no server listens', async () => {
    const ds = new DataSource({
      connector,
      host: '127.0.0.1',
      port: 1, // nothing listens on port 1
      database: 'nowhere',
      user: 'app',
      password: 's3cret',
      serverSelectionTimeoutMS: 500,
      lazyConnect: true,
    } as never);
    const started = Date.now();
    const error = await mongoConnector(ds)
      .connect()
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toBeInstanceOf(connector.ConnectionError);
    expect((error as Error).message).toMatch(
      /^could not connect to MongoDB at mongodb:\/\/app:\*\*\*@127\.0\.0\.1:1\/nowhere within 500 ms: .*ECONNREFUSED/,
    );
    expect((error as Error).message).not.toContain('s3cret');
    await ds.disconnect();
  });

  it('with lazyConnect, starts without a server round trip and connects on first use', async () => {
    const ds = createDataSource('lifecycle', { lazyConnect: true });
    const Note = defineModel(ds, 'LazyNote', { text: String });
    expect(mongoConnector(ds).client).toBeUndefined();
    const note = await Note.create({ text: 'hello' });
    expect(await Note.findById(note.id)).toMatchObject({ text: 'hello' });
    await ds.disconnect();
  });

  it('50 datasources, connected, used and disconnected, leave nothing open: the process ends', async () => {
    const run = await runChild(['many', '50'], childUrl(), 45_000);
    expect(run).toMatchObject({ exited: true, code: 0, stderr: '' });
    // printed just before the end: nothing beyond stdio is active (no socket, no timer)
    expect(JSON.parse(run.stdout)).toEqual({ connected: 50, handles: [] });
  });

  it('datasources disconnected while their first connect is under way leave nothing open', async () => {
    // juggler's DataSource.disconnect skips the connector until connected: see src/index.ts
    const run = await runChild(['early', '20'], childUrl(), 45_000);
    expect(run).toMatchObject({ exited: true, code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toEqual({ connected: 0, errors: [], handles: [] });
  });

  it('a setting that cannot work, no error listener: the app stops at start-up, naming it', async () => {
    // juggler emits `error` on the datasource for a failed initialize, as for a refused
    // connection; with nobody listening that is the process's uncaught error (as with
    // loopback-connector-mongodb). Apps that must survive listen to `error` or set catchFailure.
    const refused = await runChild(['refused'], childUrl(), 30_000);
    expect(refused).toMatchObject({ exited: true, code: 1 });
    expect(refused.stderr).toContain(
      'InvalidSettingError: datasource setting url = "mongodb://app:***@127.0.0.1:1/shop" cannot work',
    );
    expect(refused.stderr).not.toContain('pass:word');
    const caught = await runChild(['caught'], childUrl(), 30_000);
    expect(caught).toMatchObject({ exited: true, code: 0 });
    expect(caught.stderr).toContain('datasource setting url');
  });
});
