/**
 * Faults: no server at start-up, a server that goes away mid-run and comes back on the same port
 * with the same data, disconnect, and failures the server injects (fail points) into a find. The outage tests run against a server of their own, which
 * they stop and start; the run's shared server is never touched.
 */
import { createServer, type AddressInfo } from 'node:net';
import * as os from 'node:os';
import { DataSource } from 'loopback-datasource-juggler';
import { MongoClient, type CommandStartedEvent, type Document } from 'mongodb';
import * as connector from '../../src';
import { ConnectionError } from '../../src';
import { startServer, urlForDatabase, type RunningServer } from '../../scripts/mongod/server';
import { testDatabaseName } from '../support/database';
import { defineModel, mongoConnector, type TestModel } from '../support/datasource';

/** Short, so that an outage shows quickly; the bounds below allow for a loaded machine. */
const SELECTION_TIMEOUT_MS = 1_500;
/** What a failing operation may take beyond the selection timeout (scheduling, one retry). */
const SLACK_MS = 3_000;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function elapsedSince(start: number): number {
  return Date.now() - start;
}

/** Errors the driver gives while the server is gone: refused, timed out, or cut off. */
const OUTAGE_MESSAGE =
  /ECONNREFUSED|Server selection timed out|connection .*closed|ECONNRESET|shutdown|interrupted/i;

describe('server unavailable at start', () => {
  it('a juggler DataSource emits a clear error within serverSelectionTimeoutMS', async () => {
    const port = await freePort();
    const started = Date.now();
    const ds = new DataSource({
      connector,
      host: '127.0.0.1',
      port,
      database: 'nowhere',
      serverSelectionTimeoutMS: 500,
    } as never);
    try {
      const error = await new Promise<unknown>((resolve) => ds.once('error', resolve));
      expect(elapsedSince(started)).toBeLessThan(500 + SLACK_MS);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ statusCode: 503, code: 'CONNECTION_FAILED' });
      expect((error as Error).message).toMatch(
        new RegExp(
          `^could not connect to MongoDB at mongodb://127\\.0\\.0\\.1:${port}/nowhere ` +
            'within 500 ms: .*ECONNREFUSED',
        ),
      );
      expect(ds.connected).toBe(false);

      // an operation tries again, and fails the same clear way within the timeout
      const Note = defineModel(ds, 'Note', { text: String });
      const retried = Date.now();
      const opError = await Note.create({ text: 'x' }).catch((e: unknown) => e);
      expect(elapsedSince(retried)).toBeLessThan(500 + SLACK_MS);
      expect((opError as Error).message).toMatch(/ECONNREFUSED/);
    } finally {
      await ds.disconnect();
    }
  });
});

describe('a server that goes away and comes back', () => {
  let server: RunningServer;
  let url: string;

  beforeAll(async () => {
    // fail points (configureFailPoint) are test commands
    server = await startServer({ own: true, args: ['--setParameter', 'enableTestCommands=1'] });
    if (!server.pause || !server.resume)
      throw new Error('a server of our own can pause and resume');
    url = urlForDatabase(server.url, testDatabaseName('faults'));
  }, 180_000);

  afterAll(() => server?.stop(), 60_000);

  function dataSource(settings: Record<string, unknown> = {}): DataSource {
    return new DataSource({
      connector,
      url,
      serverSelectionTimeoutMS: SELECTION_TIMEOUT_MS,
      ...settings,
    } as never);
  }

  it('disconnect closes the pool, is idempotent, and the next operation reconnects', async () => {
    // runtimeAdapters: inside jest's VM the driver cannot import `os` by itself
    const admin = new MongoClient(server.url, { maxPoolSize: 1, runtimeAdapters: { os } });
    const ds = dataSource();
    try {
      const connections = async () =>
        Number((await admin.db('admin').command({ serverStatus: 1 })).connections.current);
      const baseline = await connections();
      const Note = defineModel(ds, 'DisconnectNote', { n: Number });
      // parallel work opens several pooled connections
      await Promise.all(Array.from({ length: 20 }, (_, n) => Note.create({ n })));
      expect(await connections()).toBeGreaterThan(baseline);
      const client = mongoConnector(ds).client;
      expect(client).toBeDefined();

      await Promise.all([ds.disconnect(), ds.disconnect()]);
      await ds.disconnect();
      expect(mongoConnector(ds).client).toBeUndefined();
      // the server sees every connection of the pool (and its monitors) close
      await waitFor('the pool to close', async () => (await connections()) <= baseline, 30_000);
      const closed = await connections();

      // no connect() needed: the next operation makes a new client
      expect(await Note.count()).toBe(20);
      expect(mongoConnector(ds).client).toBeDefined();
      expect(mongoConnector(ds).client).not.toBe(client);
      expect(await connections()).toBeGreaterThan(closed);
    } finally {
      await ds.disconnect();
      await admin.close();
    }
  });

  it('operations fail clearly during the outage and succeed again without any app action; no acknowledged write is lost', async () => {
    const ds = dataSource();
    let lazy: DataSource | undefined;
    let running = true;
    try {
      const Note: TestModel = defineModel(ds, 'OutageNote', { seq: Number });
      await Note.destroyAll();

      // one writer for the whole test: each seq is attempted exactly once
      const acked: number[] = [];
      const failed: { seq: number; startedAt: number; ms: number; error: unknown }[] = [];
      let next = 0;
      const writer = (async () => {
        while (running) {
          const seq = next++;
          const startedAt = Date.now();
          try {
            await Note.create({ seq });
            acked.push(seq);
          } catch (error) {
            failed.push({ seq, startedAt, ms: elapsedSince(startedAt), error });
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
      })();

      await waitFor('writes before the outage', () => acked.length >= 20);
      const client = mongoConnector(ds).client;
      await server.pause!();
      const outage = Date.now();

      // a read during the outage fails within the timeout (reads are retried once)
      const readStarted = Date.now();
      const readError = await Note.count().catch((e: unknown) => e);
      expect(elapsedSince(readStarted)).toBeLessThan(2 * SELECTION_TIMEOUT_MS + SLACK_MS);
      expect((readError as Error).name).toMatch(/^Mongo/);
      expect((readError as Error).message).toMatch(OUTAGE_MESSAGE);

      // an app with lazyConnect starts fine while the server is away
      lazy = dataSource({ lazyConnect: true });
      const lazyErrors: unknown[] = [];
      lazy.on('error', (error: unknown) => lazyErrors.push(error));
      const LazyNote: TestModel = defineModel(lazy, 'OutageNote', { seq: Number });
      expect(mongoConnector(lazy).client).toBeUndefined();

      await waitFor('the writer to see the outage', () =>
        failed.some((f) => f.startedAt >= outage),
      );
      const resumedAt = Date.now();
      await server.resume!();
      const ackedAtResume = acked.length;
      await waitFor('writes after the outage', () => acked.length >= ackedAtResume + 20);
      running = false;
      await writer;

      // the same client recovered by itself
      expect(mongoConnector(ds).client).toBe(client);
      // writes started once the server was gone failed with a clear error; those that also ended
      // before the restart began did so within the timeout. A write still waiting when the server
      // restarts meets a mongod that takes seconds to start under emulation (6.3 s seen in a
      // clean CI-like run): its time is the server's start-up, not ours.
      const duringOutage = failed.filter((f) => f.startedAt >= outage);
      const withinOutage = duringOutage.filter((f) => f.startedAt + f.ms <= resumedAt);
      expect(withinOutage.length).toBeGreaterThan(0);
      for (const { ms } of withinOutage) {
        // retryable writes are retried once, as reads are: two server selections at most
        expect(ms).toBeLessThan(2 * SELECTION_TIMEOUT_MS + SLACK_MS);
      }
      for (const { error } of duringOutage) {
        expect((error as Error).name).toMatch(/^Mongo/);
        expect((error as Error).message).toMatch(OUTAGE_MESSAGE);
      }

      // every acknowledged write is there, once; nothing was written twice or out of thin air
      const stored: number[] = (
        await mongoConnector(ds).collection('OutageNote').find().toArray()
      ).map((doc) => doc.seq);
      expect(new Set(stored).size).toBe(stored.length);
      const storedSet = new Set(stored);
      expect(acked.filter((seq) => !storedSet.has(seq))).toEqual([]);
      const attempted = new Set([...acked, ...failed.map((f) => f.seq)]);
      expect(stored.filter((seq) => !attempted.has(seq))).toEqual([]);

      // the lazy app's first operation connects
      expect(await LazyNote.count()).toBe(stored.length);
      expect(mongoConnector(lazy).client).toBeDefined();
      expect(lazyErrors).toEqual([]);
    } finally {
      running = false;
      await ds.disconnect();
      await lazy?.disconnect();
    }
  }, 240_000);

  describe('failures inside a find sent as the find command', () => {
    let admin: MongoClient;
    let ds: DataSource;
    let Doc: TestModel;
    let commands: CommandStartedEvent[] = [];
    const BLOB = 'x'.repeat(700_000);

    beforeAll(async () => {
      admin = new MongoClient(server.url, { runtimeAdapters: { os } });
      ds = new DataSource({
        connector,
        url: urlForDatabase(server.url, testDatabaseName('faults-find')),
        monitorCommands: true,
      } as never);
      Doc = defineModel(ds, 'FaultDoc', { n: Number, blob: String });
      await ds.connect();
      mongoConnector(ds).client!.on('commandStarted', (event) => commands.push(event));
      await Doc.destroyAll();
      // over the 16 MiB of one reply, so that a getMore follows the find
      await Doc.createAll(Array.from({ length: 30 }, (_, n) => ({ n, blob: BLOB })));
    }, 120_000);

    afterAll(async () => {
      await ds?.disconnect();
      await admin?.close();
    });

    /** The server fails the next `times` commands named `command` with `code`. */
    function failNext(command: string, code: number, times = 1): Promise<Document> {
      return admin.db('admin').command({
        configureFailPoint: 'failCommand',
        mode: { times },
        data: { failCommands: [command], errorCode: code },
      });
    }

    afterEach(() => admin.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' }));

    function sent(name: string): CommandStartedEvent[] {
      return commands.filter((event) => event.commandName === name);
    }

    it('a find the server answers "shutting down" is sent once more, as the driver’s retryable reads do', async () => {
      await failNext('find', 91); // ShutdownInProgress
      commands = [];
      expect(await Doc.find({ where: { n: { lt: 3 } }, fields: { n: true } })).toHaveLength(3);
      expect(sent('find')).toHaveLength(2);
    });

    it('is not sent again when the error is not a retryable one, or retryReads is off', async () => {
      await failNext('find', 2); // BadValue
      commands = [];
      await expect(Doc.find({ where: { n: 1 } })).rejects.toMatchObject({ code: 2 });
      expect(sent('find')).toHaveLength(1);

      const noRetry = new DataSource({
        connector,
        url: urlForDatabase(server.url, testDatabaseName('faults-find')),
        retryReads: false,
      } as never);
      try {
        const NoRetryDoc: TestModel = defineModel(noRetry, 'FaultDoc', { n: Number, blob: String });
        await noRetry.connect();
        await failNext('find', 91);
        await expect(NoRetryDoc.find({ where: { n: 1 } })).rejects.toMatchObject({ code: 91 });
      } finally {
        await noRetry.disconnect();
      }
    });

    it('a getMore that fails ends the read with its error and kills the cursor, in the find’s session', async () => {
      await failNext('getMore', 2);
      commands = [];
      await expect(Doc.find({ order: 'n ASC' })).rejects.toMatchObject({ code: 2 });
      const [find] = sent('find');
      const [kill] = sent('killCursors');
      expect(kill).toBeDefined();
      expect(String(kill.command.cursors[0])).toBe(String(sent('getMore')[0].command.getMore));
      expect(kill.command.lsid).toEqual(find.command.lsid);
      const status = await admin.db('admin').command({ serverStatus: 1 });
      expect(Number(status.metrics.cursor.open.total)).toBe(0);
      // and the next read is whole
      expect(await Doc.find({ fields: { n: true } })).toHaveLength(30);
    });
  });
});
