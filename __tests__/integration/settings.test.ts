/**
 * Datasource configs as apps write them, on the real server, with our connector and (for the
 * switching claim) the same config object on loopback-connector-mongodb.
 */
import * as os from 'node:os';
import { DataSource } from 'loopback-datasource-juggler';
import { MongoClient } from 'mongodb';
import * as connector from '../../src';
import { InvalidSettingError } from '../../src';
import { testDatabaseName, testDatabaseUrl } from '../support/database';
import { defineModel, mongoConnector, type TestModel } from '../support/datasource';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CJS module, no types
const official: unknown = require('loopback-connector-mongodb');

type Config = Record<string, unknown>;

/** host and port of the run's server, as an app's config would name them */
function serverParts(): { host: string; port: number } {
  const url = new URL(testDatabaseUrl('settings'));
  return { host: url.hostname, port: Number(url.port) };
}

/** what `lb4 datasource` writes, pointed at the test server */
function lb4CliConfig(database: string): Config {
  return {
    name: 'db',
    connector: 'mongodb',
    url: '',
    ...serverParts(),
    user: '',
    password: '',
    database,
    useNewUrlParser: true,
    useUnifiedTopology: true,
    writeConcern: { j: null },
  };
}

const connectors = { ours: connector, official } as const;

/** A datasource on `which` connector; the official one mutates its settings, so each gets a copy. */
function dataSourceOn(which: keyof typeof connectors, config: Config): DataSource {
  return new DataSource({ ...structuredClone(config), connector: connectors[which] } as never);
}

function connected(ds: DataSource): Promise<void> {
  return new Promise((resolve, reject) => {
    ds.once('connected', resolve);
    ds.once('error', reject);
  });
}

async function crud(ds: DataSource, modelName: string): Promise<void> {
  const Note: TestModel = defineModel(ds, modelName, { title: String, n: Number });
  await Note.destroyAll();
  const a = await Note.create({ title: 'a', n: 1 });
  await Note.create({ title: 'b', n: 2 });
  expect(await Note.count()).toBe(2);
  await Note.updateAll({ title: 'b' }, { n: 20 });
  expect((await Note.find({ order: 'n DESC' })).map((x: TestModel) => x.n)).toEqual([20, 1]);
  expect(await Note.findById(a.id)).toMatchObject({ title: 'a', n: 1 });
  await Note.destroyById(a.id);
  expect(await Note.count()).toBe(1);
}

/** the collections of one database, read past both connectors */
async function collectionsIn(database: string): Promise<string[]> {
  // the driver's dynamic import of `os` fails in jest's VM (see src/settings.ts)
  const client = new MongoClient(testDatabaseUrl('settings'), { runtimeAdapters: { os } });
  try {
    const list = await client.db(database).listCollections({}, { nameOnly: true }).toArray();
    return list.map((c) => c.name).sort();
  } finally {
    await client.close();
  }
}

const open: DataSource[] = [];
afterAll(() => Promise.all(open.splice(0).map((ds) => ds.disconnect())));

function track(ds: DataSource): DataSource {
  open.push(ds);
  return ds;
}

describe.each(['ours', 'official'] as const)('the same config on %s connector', (which) => {
  it("lb4 datasource's config connects and CRUD works", async () => {
    const ds = track(dataSourceOn(which, lb4CliConfig(testDatabaseName('settings_cli'))));
    await connected(ds);
    await crud(ds, `CliNote_${which}`);
  });

  it('the settings the official connector documents connect and CRUD works', async () => {
    const ds = track(
      dataSourceOn(which, {
        ...lb4CliConfig(testDatabaseName('settings_documented')),
        allowExtendedOperators: false,
        enableGeoIndexing: true,
        lazyConnect: false,
        disableDefaultSort: false,
        collation: { locale: 'en' },
        strictObjectIDCoercion: true,
        enableOptimisedfindOrCreate: true,
        enableOptimisedFindOrCreate: true,
        enableOptimizedfindOrCreate: true,
        enableOptimizedFindOrCreate: true,
        safe: true,
        w: 1,
        serverSelectionTimeoutMS: 10_000,
        maxPoolSize: 5,
        appName: 'settings-test',
      }),
    );
    await connected(ds);
    await crud(ds, `DocNote_${which}`);
  });

  it('a database named in url wins over `database`', async () => {
    const inUrl = testDatabaseName(`settings_url_${which}`);
    const ds = track(
      dataSourceOn(which, {
        ...lb4CliConfig(testDatabaseName(`settings_notused_${which}`)),
        url: testDatabaseUrl(`settings_url_${which}`),
      }),
    );
    await connected(ds);
    await crud(ds, 'UrlNote');
    expect(await collectionsIn(inUrl)).toEqual(['UrlNote']);
    expect(await collectionsIn(testDatabaseName(`settings_notused_${which}`))).toEqual([]);
  });

  it('a url without a database uses `database`', async () => {
    const database = testDatabaseName(`settings_db_${which}`);
    const { host, port } = serverParts();
    const ds = track(
      dataSourceOn(which, { ...lb4CliConfig(database), url: `mongodb://${host}:${port}` }),
    );
    await connected(ds);
    await crud(ds, 'DbNote');
    expect(await collectionsIn(database)).toEqual(['DbNote']);
  });
});

describe('data written through one connector reads back through the other', () => {
  it('ours writes, the official reads and writes, ours reads', async () => {
    const config = lb4CliConfig(testDatabaseName('settings_switch'));
    const ours = track(dataSourceOn('ours', config));
    const theirs = track(dataSourceOn('official', config));
    await Promise.all([connected(ours), connected(theirs)]);
    const Ours: TestModel = defineModel(ours, 'Switch', { title: String });
    const Theirs: TestModel = defineModel(theirs, 'Switch', { title: String });
    await Ours.destroyAll();
    const made = await Ours.create({ title: 'from ours' });
    expect(await Theirs.findById(made.id)).toMatchObject({ title: 'from ours' });
    const back = await Theirs.create({ title: 'from official' });
    expect(await Ours.findById(back.id)).toMatchObject({ title: 'from official' });
  });
});

describe('implicitNullType', () => {
  it.each([true, false])(
    '%s: {prop: null} matches a stored null and a missing prop',
    async (flag) => {
      const ds = track(
        dataSourceOn('ours', { url: testDatabaseUrl('settings_null'), implicitNullType: flag }),
      );
      const Note: TestModel = defineModel(ds, `NullNote${flag}`, { title: String, n: Number });
      await Note.destroyAll();
      await Note.create({ title: null, n: 1 });
      await Note.create({ n: 2 });
      await Note.create({ title: 'x', n: 3 });
      const found = await Note.find({ where: { title: null }, order: 'n' });
      expect(found.map((x: TestModel) => x.n)).toEqual([1, 2]);
    },
  );
});

describe('names nobody knows', () => {
  it('are named in one warning, never reach the driver, and ping works', async () => {
    // observed, not replaced: jest's `process` does not relay the real one's 'warning' events
    const emitWarning = jest.spyOn(process, 'emitWarning');
    let calls: unknown[][];
    try {
      const config = { url: testDatabaseUrl('settings_unknown'), frobnicateSettingsTest: 1 };
      const first = track(dataSourceOn('ours', config));
      await connected(first);
      await new Promise<void>((resolve, reject) =>
        first.ping((err?: unknown) => (err ? reject(err) : resolve())),
      );
      const second = track(dataSourceOn('ours', config));
      await connected(second);
      await crud(second, 'UnknownNote');
    } finally {
      calls = [...emitWarning.mock.calls];
      emitWarning.mockRestore();
    }
    const ours = calls.filter(([w]) => /frobnicateSettingsTest/.test(String(w)));
    expect(ours).toEqual([
      [
        'loopback-connector-mongo: ignoring unknown datasource setting frobnicateSettingsTest ' +
          '(neither the connector, juggler nor the MongoDB driver knows it)',
        { code: 'LOOPBACK_MONGO_UNKNOWN_SETTING' },
      ],
    ]);
  });
});
describe('a setting that cannot work fails at start-up, naming it', () => {
  async function refusedAtStart(config: Config) {
    const started = Date.now();
    const ds = track(dataSourceOn('ours', config));
    const emitted = await new Promise<unknown>((resolve) => ds.once('error', resolve));
    // connect() below emits `error` again; without a listener juggler's emit would throw
    ds.on('error', () => undefined);
    // the datasource's own connect() promise gets the same refusal
    const fromConnect = await ds.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    // and so does an operation: nothing is tried against the server
    const fromPing = await new Promise((resolve) => ds.ping(resolve));
    return { emitted, fromConnect, fromPing, ms: Date.now() - started };
  }

  it('a malformed url: at once, through the error event and the connect promise', async () => {
    const { emitted, fromConnect, fromPing, ms } = await refusedAtStart({
      url: 'mongodb://app:pass:word@127.0.0.1:1/shop',
    });
    expect(ms).toBeLessThan(1_000); // no server selection: the parser refused it
    expect(emitted).toBeInstanceOf(InvalidSettingError);
    expect((emitted as Error).message).toBe(
      'datasource setting url = "mongodb://app:***@127.0.0.1:1/shop" cannot work: ' +
        'its password holds characters a url must percent-encode (@ : / ? # [ ] %): ' +
        'encode it with encodeURIComponent, or give it as the password setting',
    );
    expect(fromConnect).toBeInstanceOf(InvalidSettingError);
    expect(fromPing).toBeInstanceOf(InvalidSettingError);
  });

  it('with lazyConnect too (checking settings needs no server)', async () => {
    const { emitted } = await refusedAtStart({
      url: testDatabaseUrl('settings_bad'),
      lazyConnect: true,
      readPreference: 'nope',
    });
    expect((emitted as Error).message).toBe(
      'datasource setting readPreference = "nope" cannot work: Invalid read preference mode "nope"',
    );
  });

  it('a driver option with a bad value', async () => {
    const { emitted } = await refusedAtStart({
      ...lb4CliConfig(testDatabaseName('settings_bad')),
      maxPoolSize: 'abc',
    });
    expect(emitted).toMatchObject({ setting: 'maxPoolSize', value: 'abc' });
  });
});

describe('a refused connection', () => {
  it('reaches the connect callback and the error event within serverSelectionTimeoutMS', async () => {
    const port = await unusedPort();
    const ds = track(
      new DataSource({
        connector,
        host: '127.0.0.1',
        port,
        database: 'nowhere',
        serverSelectionTimeoutMS: 400,
        lazyConnect: true,
      } as never),
    );
    const started = Date.now();
    const fromEvent = new Promise<unknown>((resolve) => ds.once('error', resolve));
    const fromCallback = await new Promise<unknown>((resolve) =>
      mongoConnector(ds).connect((err) => resolve(err)),
    );
    const viaDataSource = await ds.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(2 * (400 + 2_000));
    for (const error of [fromCallback, viaDataSource, await fromEvent]) {
      expect(error).toBeInstanceOf(connector.ConnectionError);
      expect((error as Error).message).toMatch(/ECONNREFUSED/);
      expect(((error as Error).cause as Error).name).toBe('MongoServerSelectionError');
    }
  });
});

async function unusedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
