/**
 * The typed repository (loopback-connector-mongo/repository) through the example app's
 * OrderRepository and over HTTP: watch (a server-sent-events feed), iterate (an NDJSON export),
 * distinct, aggregate, and per-call driver options. Watch needs the run's replica set.
 */
import { juggler } from '@loopback/repository';
import { ObjectId, type CommandStartedEvent, type Document, type MongoClient } from 'mongodb';
import { testDatabaseUrl } from '../../../__tests__/support/database';
import { InvalidQueryError, OperatorNotAllowedError, QueryTimeoutError } from '../../../src';
import {
  MongoCrudRepository,
  NotMongoDataSourceError,
  type EntityChange,
} from '../../../src/repository';
import { ShopApplication } from '../src';
import { Order } from '../src/models';
import { CustomerRepository, OrderRepository } from '../src/repositories';

let app: ShopApplication;
let base: string;
let ds: juggler.DataSource;
let orders: OrderRepository;
let ada: string;
let grace: string;
const commands: Document[] = [];

beforeAll(async () => {
  app = new ShopApplication({
    rest: { port: 0, host: '127.0.0.1' },
    mongo: { url: testDatabaseUrl('lb4_app_mongo', { replicaSet: true }), monitorCommands: true },
  });
  await app.migrateSchema({ existingSchema: 'drop' });
  await app.start();
  base = app.restServer.url!;
  ds = await app.get<juggler.DataSource>('datasources.mongo');
  const client = (ds.connector as unknown as { client: MongoClient }).client;
  client.on('commandStarted', (event: CommandStartedEvent) => commands.push(event.command));
  const customers = await app.getRepository(CustomerRepository);
  orders = await app.getRepository(OrderRepository);
  ada = (await customers.create({ name: 'Ada', email: 'ada@example.com' })).id!;
  grace = (await customers.create({ name: 'Grace', email: 'grace@example.com' })).id!;
  await customers.orders(ada).create({ description: 'book', total: 12 });
  await customers.orders(ada).create({ description: 'desk', total: 250 });
  await customers.orders(grace).create({ description: 'lamp', total: 40 });
});

afterAll(async () => {
  await app?.stop();
  await ds?.disconnect();
});

const q = (value: unknown) => encodeURIComponent(JSON.stringify(value));

describe('iterate', () => {
  it('yields Order entities one at a time, filtered, ordered and limited like find', async () => {
    const seen: Order[] = [];
    for await (const order of orders.iterate({
      where: { total: { gt: 20 } },
      order: ['total DESC'],
    }))
      seen.push(order);
    expect(seen.every((o) => o instanceof Order)).toBe(true);
    expect(seen.map((o) => o.toJSON())).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        description: 'desk',
        total: 250,
        customerId: ada,
      },
      {
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        description: 'lamp',
        total: 40,
        customerId: grace,
      },
    ]);
    expect(seen).toEqual(
      await orders.find({ where: { total: { gt: 20 } }, order: ['total DESC'] }),
    );
  });

  it('coerces the where as find does (a number given as a string)', async () => {
    const found: string[] = [];
    for await (const o of orders.iterate({ where: { total: '12' as never } }))
      found.push(o.description);
    expect(found).toEqual(['book']);
  });

  it('refuses include, which is for find', async () => {
    await expect(orders.iterate({ include: ['customer'] }).next()).rejects.toThrow(
      'Order: iterate does not include relations',
    );
  });
});

describe('distinct', () => {
  it('gives the values as the app sees them: foreign keys as 24-hex strings', async () => {
    expect((await orders.distinct('customerId')).sort()).toEqual([ada, grace].sort());
    expect(await orders.distinct('customerId', { total: { lt: 20 } })).toEqual([ada]);
    expect((await orders.distinct('total', { customerId: ada })).sort()).toEqual([12, 250]);
  });

  it('refuses a property the model does not have', async () => {
    await expect(orders.distinct('nope' as never)).rejects.toThrow(InvalidQueryError);
  });
});

describe('aggregate', () => {
  it('takes a LoopBack where in $match and maps model-shaped results back', async () => {
    const rows = await orders.aggregate([
      { $match: { customerId: ada, total: { gte: 10 } } },
      { $sort: { total: -1 } },
      { $limit: 1 },
    ]);
    expect(rows).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        description: 'desk',
        total: 250,
        customerId: ada,
      },
    ]);
  });

  it('leaves results of other shapes as the server gives them', async () => {
    const rows = await orders.aggregate<{ _id: ObjectId; n: number }>([
      { $match: { customerId: { inq: [ada, grace] } } },
      { $group: { _id: '$customerId', n: { $sum: 1 } } },
      { $sort: { n: -1 } },
    ]);
    expect(rows.map((r) => [r._id instanceof ObjectId, String(r._id), r.n])).toEqual([
      [true, ada, 2],
      [true, grace, 1],
    ]);
  });

  it('sanitizes the $match where as find does', async () => {
    // juggler refuses $-operators in a where before the connector sees it, for find and here
    const where = { description: { $ne: null } } as never;
    const fromFind = await orders.find({ where }).catch((e: Error) => e);
    const fromAggregate = await orders.aggregate([{ $match: where }]).catch((e: Error) => e);
    expect(fromAggregate).toEqual(fromFind);
    expect(fromAggregate).toMatchObject({ statusCode: 400 });
    // past juggler (operators allowed there, by datasource setting or per call), ours decides
    const ext = { allowExtendedOperators: true };
    await expect(orders.aggregate([{ $match: where }], ext)).resolves.toHaveLength(3);
    const js = { description: { $where: 'true' } } as never;
    await expect(orders.aggregate([{ $match: js }], ext)).rejects.toBeInstanceOf(
      OperatorNotAllowedError,
    );
  });

  it('honours options.transaction', async () => {
    const tx = await ds.beginTransaction({ isolationLevel: 'READ COMMITTED' });
    try {
      await orders.create(
        { description: 'chair', total: 99, customerId: grace },
        { transaction: tx },
      );
      const inside = await orders.aggregate([{ $match: { description: 'chair' } }], {
        transaction: tx,
      });
      const outside = await orders.aggregate([{ $match: { description: 'chair' } }]);
      expect([inside.length, outside.length]).toEqual([1, 0]);
    } finally {
      await tx.rollback();
    }
    expect(await orders.count({ description: 'chair' })).toEqual({ count: 0 });
  });
});

describe('per-call driver options through the repository', () => {
  it('reach find, count and aggregate', async () => {
    commands.length = 0;
    const options = { maxTimeMS: 4000, comment: 'report-7', hint: { _id: 1 } };
    await orders.find({ where: { total: { gt: 0 } } }, options);
    await orders.count({ total: { gt: 0 } }, options);
    await orders.aggregate([{ $match: { total: { gt: 0 } } }], { ...options, allowDiskUse: true });
    expect(commands.map((c) => [Object.keys(c)[0], c.comment, c.maxTimeMS, c.hint])).toEqual([
      ['find', 'report-7', 4000, { _id: 1 }],
      ['aggregate', 'report-7', 4000, { _id: 1 }],
      ['aggregate', 'report-7', 4000, { _id: 1 }],
    ]);
    expect(commands[2].allowDiskUse).toBe(true);
  });

  it('stop a query at maxTimeMS with a QueryTimeoutError (status 504)', async () => {
    const slow = { where: { $where: 'sleep(300) || true' } } as never;
    const error = await orders
      .find(slow, { maxTimeMS: 50, disableSanitization: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryTimeoutError);
    expect(error).toMatchObject({ statusCode: 504, model: 'Order' });
  });
});

describe('watch', () => {
  it('streams typed changes: Order entities, ids as 24-hex strings', async () => {
    const stream = await orders.watch({ customerId: grace });
    try {
      const created = await orders.create({ description: 'rug', total: 30, customerId: grace });
      await orders.create({ description: 'pen', total: 2, customerId: ada });
      await orders.updateById(created.id, { total: 35 });
      const insert = (await stream.next()).value as EntityChange<Order, string>;
      expect(insert.operationType).toBe('insert');
      expect(insert.id).toBe(created.id);
      expect(insert.data).toBeInstanceOf(Order);
      expect(insert.data?.toJSON()).toEqual(created.toJSON());
      const update = (await stream.next()).value as EntityChange<Order, string>;
      expect([update.operationType, update.id, update.updatedFields]).toEqual([
        'update',
        created.id,
        { total: 35 },
      ]);
      expect(update.data?.total).toBe(35);
    } finally {
      await stream.close();
    }
  });
});

describe('over HTTP', () => {
  it('GET /orders/totals: aggregate with a where from the query string', async () => {
    const res = await fetch(`${base}/orders/totals?where=${q({ total: { lt: 1000 } })}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(
      expect.arrayContaining([
        { customerId: ada, orders: expect.any(Number), total: expect.any(Number) },
        { customerId: grace, orders: expect.any(Number), total: expect.any(Number) },
      ]),
    );
  });

  it('GET /orders/customer-ids: distinct', async () => {
    const res = await fetch(`${base}/orders/customer-ids?where=${q({ description: 'lamp' })}`);
    expect(await res.json()).toEqual([grace]);
  });

  it('GET /orders/export: iterate as NDJSON, and a 400 for a filter that cannot work', async () => {
    const filter = { where: { customerId: ada, total: { gte: 10 } }, order: 'total' };
    const res = await fetch(`${base}/orders/export?filter=${q(filter)}`);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((o) => o.total)).toEqual([12, 250]);
    const bad = await fetch(`${base}/orders/export?filter=${q({ where: { total: { $gt: 1 } } })}`);
    expect(bad.status).toBe(400);
  });

  it('GET /orders/changes: server-sent events for changes made over HTTP', async () => {
    const abort = new AbortController();
    const res = await fetch(`${base}/orders/changes?where=${q({ customerId: ada })}`, {
      signal: abort.signal,
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += (await reader.read()).value ?? '';
    };
    try {
      await until(/^: watching\n\n/);
      const made = await fetch(`${base}/customers/${ada}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ description: 'sse-lamp', total: 41 }),
      });
      const order = (await made.json()) as Record<string, unknown>;
      await until(/event: insert\ndata: .*\n\n/);
      const [, data] = /event: insert\ndata: (.*)\n\n/.exec(text)!;
      expect(JSON.parse(data)).toEqual({ id: order.id, data: order });
    } finally {
      abort.abort();
    }
  });
});

describe('on a datasource of another connector', () => {
  it('says which connector it needs', async () => {
    const memory = new juggler.DataSource({ name: 'memory', connector: 'memory' });
    const onMemory = new MongoCrudRepository<Order, string>(Order, memory);
    await expect(onMemory.distinct('total')).rejects.toThrow(NotMongoDataSourceError);
    await expect(onMemory.distinct('total')).rejects.toThrow(
      'Order: MongoCrudRepository needs a datasource on loopback-connector-mongo, and this one is on memory',
    );
  });
});
