/**
 * A database per tenant through juggler: every DAO method, includes, iterate, execute, watch,
 * discovery, transactions and migrations honour `options.database`, each tenant's data checked
 * with a raw driver client per database; refused names send nothing and write nothing.
 */
import * as os from 'node:os';
import type { DataSource } from 'loopback-datasource-juggler';
import { MongoClient, type CommandStartedEvent, type Db } from 'mongodb';
import { TenantDatabaseError, type ModelChange, type ModelChangeStream } from '../../src';
import { testDatabaseName } from '../support/database';
import {
  createDataSource,
  defineModel,
  mongoConnector,
  type TestModel,
} from '../support/datasource';

const PREFIX = `${testDatabaseName('tenants')}_`;
const A = `${PREFIX}a`;
const B = `${PREFIX}b`;
const inA = { database: A };
const inB = { database: B };

let ds: DataSource;
let Customer: TestModel;
let Order: TestModel;
let raw: MongoClient;
let commands: CommandStartedEvent[] = [];

const rawDb = (name: string): Db => raw.db(name);
const ownDb = () => mongoConnector(ds).db!.databaseName;
const names = async (db: string, collection: string, field = 'name') =>
  (
    await rawDb(db)
      .collection(collection)
      .find({})
      .sort({ [field]: 1 })
      .toArray()
  ).map((d) => d[field] as unknown);
/** This file's databases, and the one name outside the prefix it tries (others share the server). */
const databaseList = async () =>
  (await raw.db('admin').admin().listDatabases({ nameOnly: true })).databases
    .map((d) => d.name)
    .filter((name) => name.startsWith(PREFIX) || name === 'other_tenant');

beforeAll(async () => {
  ds = createDataSource('tenants', {
    onReplicaSet: true,
    monitorCommands: true,
    tenantDatabases: { prefix: PREFIX },
  });
  Customer = defineModel(ds, 'Customer', {
    name: { type: String, index: { unique: true } },
    tier: String,
  });
  Order = defineModel(ds, 'Order', { item: String, qty: Number });
  Customer.hasMany(Order, { as: 'orders', foreignKey: 'customerId' });
  Order.belongsTo(Customer, { as: 'customer', foreignKey: 'customerId' });
  await ds.connect();
  raw = new MongoClient(process.env.MONGODB_TEST_RS_URL as string, { runtimeAdapters: { os } });
  await raw.connect();
  const connector = mongoConnector(ds);
  for (const db of [A, B]) await connector.automigrate(undefined, { database: db });
  await ds.automigrate();
  connector.client!.on('commandStarted', (event) => commands.push(event));
});

afterAll(async () => {
  for (const db of [A, B, `${PREFIX}c`]) await rawDb(db).dropDatabase();
  await raw.close();
  await ds.disconnect();
});

beforeEach(async () => {
  for (const db of [A, B, ownDb()])
    for (const c of ['Customer', 'Order']) await rawDb(db).collection(c).deleteMany({});
  commands = [];
});

describe('every DAO method runs in the database the call chooses', () => {
  it('create, createAll, find, findById, findOne, count, exists', async () => {
    const acme = await Customer.create({ name: 'acme' }, inA);
    await Customer.create([{ name: 'beta' }, { name: 'gamma' }], inB);
    await Customer.create({ name: 'own' });
    expect(await names(A, 'Customer')).toEqual(['acme']);
    expect(await names(B, 'Customer')).toEqual(['beta', 'gamma']);
    expect(await names(ownDb(), 'Customer')).toEqual(['own']);

    expect((await Customer.find({}, inB)).map((c: { name: string }) => c.name)).toEqual([
      'beta',
      'gamma',
    ]);
    expect((await Customer.findById(acme.id, {}, inA)).name).toBe('acme');
    expect(await Customer.findById(acme.id, {}, inB)).toBeNull();
    expect((await Customer.findOne({ where: { name: 'gamma' } }, inB)).name).toBe('gamma');
    expect(await Customer.count({}, inA)).toBe(1);
    expect(await Customer.count({}, inB)).toBe(2);
    expect(await Customer.exists(acme.id, inA)).toBe(true);
    expect(await Customer.exists(acme.id, inB)).toBe(false);
    // the same unique name in two tenants: each database has its own index
    await Customer.create({ name: 'acme' }, inB);
    await expect(Customer.create({ name: 'acme' }, inA)).rejects.toThrow(/duplicate key/);
  });

  it('updates, replaces, upserts and deletes', async () => {
    const a = await Customer.create({ name: 'a1', tier: 'free' }, inA);
    const b = await Customer.create({ name: 'b1', tier: 'free' }, inB);
    await Customer.updateAll({}, { tier: 'pro' }, inA);
    await a.updateAttributes({ name: 'a2' }, inA);
    await Customer.replaceById(b.id, { name: 'b2' }, inB);
    a.tier = 'gold';
    await a.save(inA);
    await Customer.updateOrCreate({ id: a.id, name: 'a3' }, inA);
    await Customer.replaceOrCreate({ name: 'b3' }, inB);
    await Customer.findOrCreate({ where: { name: 'a4' } }, { name: 'a4' }, inA);
    await Customer.upsertWithWhere({ name: 'b4' }, { name: 'b4' }, inB);
    expect(await names(A, 'Customer')).toEqual(['a3', 'a4']);
    expect(await names(B, 'Customer')).toEqual(['b2', 'b3', 'b4']);
    expect((await rawDb(A).collection('Customer').findOne({ name: 'a3' }))?.tier).toBe('gold');

    // an id of A's, deleted "in B", deletes nothing
    expect((await Customer.destroyById(a.id, inB)).count).toBe(0);
    expect((await Customer.destroyById(a.id, inA)).count).toBe(1);
    expect((await Customer.destroyAll({}, inB)).count).toBe(3);
    expect(await names(A, 'Customer')).toEqual(['a4']);
    expect(await names(ownDb(), 'Customer')).toEqual([]);
  });

  it('include: each related query runs in the same database (juggler passes options down)', async () => {
    const a = await Customer.create({ name: 'acme' }, inA);
    await Order.create({ item: 'anvil', customerId: a.id }, inA);
    // an order in B that points at A's customer id: a leak would show it
    await Order.create({ item: 'leak', customerId: a.id }, inB);
    await Customer.create({ name: 'acme' }, inB);

    commands = [];
    const [found] = await Customer.find({ include: 'orders' }, inA);
    expect(found.toJSON().orders.map((o: { item: string }) => o.item)).toEqual(['anvil']);
    const finds = commands.filter((c) => c.commandName === 'find');
    expect(finds.map((c) => [c.databaseName, c.command.find])).toEqual([
      [A, 'Customer'],
      [A, 'Order'],
    ]);

    const [order] = await Order.find({ include: 'customer' }, inB);
    expect(order.item).toBe('leak');
    // A's customer is not in B
    expect(order.toJSON().customer).toBeUndefined();
    // relation methods on an instance carry the options they are given
    expect((await a.orders.find({}, inA)).map((o: { item: string }) => o.item)).toEqual(['anvil']);
    expect(await a.orders.count({}, inB)).toBe(1);
  });

  it('iterate and execute', async () => {
    await Customer.create([{ name: 'a1' }, { name: 'a2' }], inA);
    await Customer.create({ name: 'b1' }, inB);
    const seen: unknown[] = [];
    for await (const c of mongoConnector(ds).iterate('Customer', { order: 'name' }, inA))
      seen.push(c.name);
    expect(seen).toEqual(['a1', 'a2']);

    const fromB = (await ds.execute({ model: 'Customer', database: B }, 'find', {})) as {
      name: string;
    }[];
    expect(fromB.map((c) => c.name)).toEqual(['b1']);
    await ds.execute({ model: 'Customer', database: A }, 'insertOne', { name: 'a3' });
    expect(await names(A, 'Customer')).toEqual(['a1', 'a2', 'a3']);
    await expect(ds.execute({ model: 'Customer', database: 'admin' }, 'find', {})).rejects.toThrow(
      TenantDatabaseError,
    );
  });

  it('watch: a tenant stream sees only its database', async () => {
    const stream: ModelChangeStream = await mongoConnector(ds).watch('Customer', inA);
    try {
      await Customer.create({ name: 'in B' }, inB);
      await Customer.create({ name: 'own' });
      await Customer.create({ name: 'in A' }, inA);
      const first = (await stream.next()).value as ModelChange;
      expect(first.operationType).toBe('insert');
      expect(first.data).toMatchObject({ name: 'in A' });
    } finally {
      await stream.close();
    }
    await expect(mongoConnector(ds).watch('Customer', { database: 'local' })).rejects.toThrow(
      /options\.database = "local" is refused/,
    );
  });

  it('discovery lists and samples the tenant database', async () => {
    await rawDb(B).collection('only_in_b').insertOne({ when: new Date() });
    const listed = (await ds.discoverModelDefinitions(inB as never)) as { name: string }[];
    expect(listed.map((d) => d.name)).toContain('only_in_b');
    const ownListed = (await ds.discoverModelDefinitions({})) as { name: string }[];
    expect(ownListed.map((d) => d.name)).not.toContain('only_in_b');
    const schemas = await mongoConnector(ds).discoverSchemas('only_in_b', inB);
    expect(Object.keys(schemas)).toEqual([`${B}.only_in_b`]);
    await expect(ds.discoverModelDefinitions({ database: 'config' } as never)).rejects.toThrow(
      TenantDatabaseError,
    );
  });
});

describe('transactions', () => {
  it("run a session's operations in the chosen database", async () => {
    const tx = await Customer.beginTransaction({});
    const c = await Customer.create({ name: 'tx' }, { ...inA, transaction: tx });
    await Order.create({ item: 'tx order', customerId: c.id }, { ...inA, transaction: tx });
    // not yet visible outside the transaction
    expect(await names(A, 'Customer')).toEqual([]);
    await tx.commit();
    expect(await names(A, 'Customer')).toEqual(['tx']);
    expect(await names(A, 'Order', 'item')).toEqual(['tx order']);
    expect(await names(B, 'Customer')).toEqual([]);
  });

  it('refuse a second database in the same transaction before sending anything', async () => {
    const tx = await Customer.beginTransaction({});
    try {
      await Customer.create({ name: 'first' }, { ...inA, transaction: tx });
      commands = [];
      await expect(
        Customer.create({ name: 'second' }, { ...inB, transaction: tx }),
      ).rejects.toThrow(/this transaction runs in database ".*_a"/);
      // the datasource's own database is another database too
      await expect(Customer.create({ name: 'own' }, { transaction: tx })).rejects.toThrow(
        TenantDatabaseError,
      );
      expect(commands.filter((c) => c.commandName === 'insert')).toEqual([]);
      await tx.commit();
    } finally {
      if (tx.connection?.inTransaction?.()) await tx.rollback();
    }
    expect(await names(A, 'Customer')).toEqual(['first']);
    expect(await names(B, 'Customer')).toEqual([]);
    expect(await names(ownDb(), 'Customer')).toEqual([]);
  });
});

describe('migrations per tenant', () => {
  it("autoupdate/isActual/automigrate with {database} work on that tenant's collections", async () => {
    const C = `${PREFIX}c`;
    const connector = mongoConnector(ds);
    expect(await connector.isActual(['Customer'], { database: C })).toBe(false);
    await connector.autoupdate(['Customer'], { database: C });
    const indexes = await rawDb(C).collection('Customer').indexes();
    expect(indexes.find((i) => i.key.name === 1)?.unique).toBe(true);
    expect(await connector.isActual(['Customer'], { database: C })).toBe(true);
    await rawDb(C).collection('Customer').insertOne({ name: 'x' });
    await new Promise<void>((resolve, reject) =>
      connector.automigrate(['Customer'], { database: C }, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    expect(await rawDb(C).collection('Customer').countDocuments()).toBe(0);
    await expect(connector.autoupdate(undefined, { database: 'admin' })).rejects.toThrow(
      TenantDatabaseError,
    );
  });
});

describe('refusals: nothing is sent, nothing is written', () => {
  const refusedNames: [string, unknown, RegExp][] = [
    ['outside the allowed set', 'other_tenant', /allows only names starting with/],
    ['the prefix alone', PREFIX, /allows only names starting with/],
    ['admin', 'admin', /keeps for itself/],
    ['local', 'local', /keeps for itself/],
    ['config', 'config', /keeps for itself/],
    ['a dot', `${PREFIX}x.y`, /cannot contain "\."/],
    ['a slash', `${PREFIX}x/y`, /cannot contain "\/"/],
    ['a dollar', `${PREFIX}$x`, /cannot contain "\$"/],
    ['NUL', `${PREFIX}x\0`, /NUL/],
    ['too long', `${PREFIX}${'x'.repeat(64)}`, /at most 63 bytes/],
    ['empty', '', /empty/],
    ['not a string', { $gt: '' }, /must be a string/],
    ['null', null, /must be a string/],
  ];

  it.each(refusedNames)('%s', async (_, name, reason) => {
    const before = await databaseList();
    const options = { database: name };
    const calls: [string, () => Promise<unknown>][] = [
      ['create', () => Customer.create({ name: 'x' }, options)],
      ['find', () => Customer.find({}, options)],
      ['count', () => Customer.count({}, options)],
      ['updateAll', () => Customer.updateAll({}, { tier: 'x' }, options)],
      ['destroyAll', () => Customer.destroyAll({}, options)],
      ['upsert', () => Customer.updateOrCreate({ name: 'x' }, options)],
    ];
    for (const [call, run] of calls) {
      const error = await run().then(
        () => new Error(`${call} was not refused`),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TenantDatabaseError);
      expect((error as Error).message).toMatch(/^options\.database = .* is refused: /);
      expect((error as Error).message).toMatch(reason);
    }
    expect(commands).toEqual([]);
    expect(await databaseList()).toEqual(before);
    expect(await names(ownDb(), 'Customer')).toEqual([]);
  });

  it('without the tenantDatabases setting, any database option is refused', async () => {
    const plain = createDataSource('tenants_off', { onReplicaSet: true, monitorCommands: true });
    const Plain = defineModel(plain, 'Customer', { name: String });
    await plain.connect();
    const sent: CommandStartedEvent[] = [];
    mongoConnector(plain).client!.on('commandStarted', (e) => sent.push(e));
    try {
      await expect(Plain.create({ name: 'x' }, inA)).rejects.toThrow(
        /^options\.database = ".*_a" is refused: this datasource has no tenantDatabases setting/,
      );
      await expect(Plain.find({}, inA)).rejects.toMatchObject({
        code: 'TENANT_DATABASE_REFUSED',
        statusCode: 500,
      });
      expect(sent).toEqual([]);
      expect(await names(A, 'Customer')).toEqual([]);
      // without the option, the datasource's own database as always
      await Plain.create({ name: 'own' });
      expect(await Plain.count()).toBe(1);
    } finally {
      await rawDb(mongoConnector(plain).db!.databaseName).dropDatabase();
      await plain.disconnect();
    }
  });

  it('a setting that cannot work is refused at start-up, naming it', async () => {
    const bad = createDataSource('tenants_bad', { tenantDatabases: { prefix: 'admin' } });
    const error = await new Promise((resolve) => bad.once('error', resolve));
    expect(String(error)).toMatch(/tenantDatabases\.prefix = "admin" cannot work/);
    await bad.disconnect();
  });
});
