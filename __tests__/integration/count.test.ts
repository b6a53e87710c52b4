/**
 * `count()`: with no where, outside a transaction, the collection's metadata answers (the
 * server's `count` command with no query, as loopback-connector-mongodb sends it); a where, a
 * transaction, or another transaction of this process still open counts exactly (an aggregation). What the driver sends is read from its command
 * monitoring, what the hooks see from 'before execute'.
 */
import type { DataSource } from 'loopback-datasource-juggler';
import type { CommandStartedEvent, Document } from 'mongodb';
import type { ExecuteContext } from '../../src/observers';
import { CONNECTORS, connectedDataSource } from '../support/connectors';
import {
  createDataSource,
  defineModel,
  mongoConnector,
  type TestModel,
} from '../support/datasource';

let ds: DataSource;
let Item: TestModel;
let commands: CommandStartedEvent[] = [];

beforeAll(async () => {
  ds = createDataSource('count', { onReplicaSet: true, monitorCommands: true });
  Item = defineModel(ds, 'Item', { name: String, n: Number });
  await ds.connect();
  await ds.automigrate();
  mongoConnector(ds).client!.on('commandStarted', (event) => commands.push(event));
});

beforeEach(async () => {
  await Item.destroyAll();
  await Item.createAll(Array.from({ length: 7 }, (_, i) => ({ name: `item ${i}`, n: i })));
  commands = [];
});

afterAll(() => ds.disconnect());

/** The count and aggregate commands sent while `run` ran. */
async function countCommands(run: () => Promise<unknown>): Promise<Document[]> {
  commands = [];
  await run();
  return commands
    .filter((event) => event.commandName === 'count' || event.commandName === 'aggregate')
    .map((event) => event.command);
}

describe('count()', () => {
  it('with no where: the metadata count, one `count` command without a query', async () => {
    let answer: unknown;
    const sent = await countCommands(async () => (answer = await Item.count()));
    expect(answer).toBe(7);
    expect(sent).toHaveLength(1);
    expect(sent[0].count).toBe('Item');
    expect(sent[0].query ?? {}).toEqual({});
    // an empty where is no where
    expect(await countCommands(() => Item.count({}))).toEqual([
      expect.objectContaining({ count: 'Item' }),
    ]);
  });

  it('with no where: the call’s driver options reach the metadata count; a hint counts exactly', async () => {
    const sent = await countCommands(() =>
      Item.count({}, { maxTimeMS: 5000, comment: 'count-report' }),
    );
    expect(sent).toEqual([
      expect.objectContaining({ count: 'Item', maxTimeMS: 5000, comment: 'count-report' }),
    ]);
    const hinted = await countCommands(() => Item.count({}, { hint: { _id: 1 } }));
    expect(hinted).toEqual([expect.objectContaining({ aggregate: 'Item', hint: { _id: 1 } })]);
  });

  it('with a where: exact, an aggregation matching it', async () => {
    let answer: unknown;
    const sent = await countCommands(async () => (answer = await Item.count({ n: { gte: 5 } })));
    expect(answer).toBe(2);
    expect(sent).toHaveLength(1);
    expect(sent[0].aggregate).toBe('Item');
    expect(sent[0].pipeline[0]).toEqual({ $match: { n: { $gte: 5 } } });
  });

  it('inside a transaction: exact, and it counts the transaction’s own writes', async () => {
    const tx = await Item.beginTransaction({ isolationLevel: 'READ COMMITTED' });
    try {
      await Item.create({ name: 'in tx', n: 100 }, { transaction: tx });
      let inside: unknown;
      const sent = await countCommands(
        async () => (inside = await Item.count({}, { transaction: tx })),
      );
      expect(inside).toBe(8);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ aggregate: 'Item', autocommit: false });
      expect(sent[0].pipeline[0]).toEqual({ $match: {} });
    } finally {
      await tx.rollback();
    }
  });

  it('outside a transaction while one is open: exact, without its uncommitted writes', async () => {
    // the server's metadata count already includes a transaction's uncommitted insert
    const tx = await Item.beginTransaction({ isolationLevel: 'READ COMMITTED' });
    try {
      await Item.create({ name: 'in tx', n: 100 }, { transaction: tx });
      let outside: unknown;
      const sent = await countCommands(async () => (outside = await Item.count()));
      expect(outside).toBe(7);
      expect(sent).toEqual([expect.objectContaining({ aggregate: 'Item' })]);
      expect(sent[0].autocommit).toBeUndefined();
    } finally {
      await tx.rollback();
    }
    // once it has ended, the metadata answers again
    let after: unknown;
    const sent = await countCommands(async () => (after = await Item.count()));
    expect(after).toBe(7);
    expect(sent).toEqual([expect.objectContaining({ count: 'Item' })]);
  });

  it('follows deletes and inserts at once', async () => {
    await Item.destroyAll({ n: { lt: 3 } });
    expect(await Item.count()).toBe(4);
    await Item.create({ name: 'late', n: 50 });
    expect(await Item.count()).toBe(5);
  });

  it("tells the hooks it is loopback-connector-mongodb's `count`, calling estimatedDocumentCount", async () => {
    const seen: ExecuteContext['req'][] = [];
    const observable = ds.connector as unknown as {
      observe(event: string, fn: (ctx: ExecuteContext, next: () => void) => void): void;
      clearObservers(event: string): void;
    };
    observable.observe('before execute', (ctx, next) => {
      seen.push(ctx.req);
      next();
    });
    try {
      await Item.count();
      await Item.count({ n: 1 });
    } finally {
      observable.clearObservers('before execute');
    }
    expect(seen.map(({ command, method, params }) => [command, method, params.length])).toEqual([
      ['count', 'estimatedDocumentCount', 0],
      ['count', 'countDocuments', 2],
    ]);
  });
});

describe.each(CONNECTORS)('count() on %s', (_label, connector) => {
  let both: DataSource;
  let Thing: TestModel;

  beforeAll(async () => {
    both = await connectedDataSource(connector, 'count_both');
    Thing = defineModel(both, 'Thing', { name: String, n: Number });
    await both.automigrate();
  });
  afterAll(() => both.disconnect());

  it('gives the same answers with and without a where', async () => {
    await Thing.destroyAll();
    expect(await Thing.count()).toBe(0);
    await Thing.create(Array.from({ length: 5 }, (_, i) => ({ name: `t${i}`, n: i })));
    expect(await Thing.count()).toBe(5);
    expect(await Thing.count({ n: { gt: 2 } })).toBe(2);
    await Thing.destroyAll({ n: 0 });
    expect(await Thing.count()).toBe(4);
  });
});
