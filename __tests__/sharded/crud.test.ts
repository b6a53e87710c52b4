import type { DataSource } from 'loopback-datasource-juggler';
import { ShardKeyError } from '../../src';
import type { CommandStartedEvent, Document } from 'mongodb';
import { defineModel, mongoConnector, type TestModel } from '../support/datasource';
import {
  chunkShards,
  documentsPerShard,
  shardCollection,
  shardKey,
  shardNames,
  shardedDataSource,
} from './cluster';

/** 20 orders, half in a region below the split point 'm' and half above it. */
const ORDERS = Array.from({ length: 20 }, (_, i) => ({
  region: i % 2 ? 'us' : 'eu',
  n: i + 1,
  label: `order ${i + 1}`,
}));

describe.each([
  ['hashed _id', 'HashedOrder', { _id: 'hashed' }, undefined],
  ['the range key region', 'RegionOrder', { region: 1 }, { region: 'm' }],
])('every DAO method on a collection sharded on %s', (_label, modelName, key, splitAt) => {
  let ds: DataSource;
  let Order: TestModel;

  beforeAll(async () => {
    ds = shardedDataSource('crud', { monitorCommands: true });
    Order = defineModel(ds, modelName, {
      region: { type: String, required: true },
      n: { type: Number },
      label: { type: String },
    });
    await ds.automigrate(modelName);
    await shardCollection(ds, modelName, key, splitAt);
  });

  afterAll(() => ds.disconnect());

  beforeEach(async () => {
    await Order.destroyAll();
    await Order.createAll(ORDERS);
  });

  it('has chunks, and documents, on both shards', async () => {
    expect(await shardKey(ds, modelName)).toEqual(key);
    expect(await chunkShards(ds, modelName)).toEqual(shardNames());
    const perShard = await documentsPerShard(ds, modelName);
    expect(Object.keys(perShard).sort()).toEqual(shardNames());
    for (const shard of shardNames()) expect(perShard[shard]).toBeGreaterThan(0);
    expect(Object.values(perShard).reduce((a, b) => a + b, 0)).toBe(ORDERS.length);
  });

  it('creates one instance and finds it by id, wherever it lives', async () => {
    const created = await Order.create({ region: 'us', n: 100, label: 'new' });
    expect(typeof created.id).toBe('string');
    const found = await Order.findById(created.id);
    expect(found.toObject()).toEqual({ id: created.id, region: 'us', n: 100, label: 'new' });
    expect(await Order.exists(created.id)).toBe(true);
  });

  it('orders, skips and limits across shards as one collection', async () => {
    const page = await Order.find({ order: 'n DESC', skip: 3, limit: 5 });
    expect(page.map((o: TestModel) => o.n)).toEqual([17, 16, 15, 14, 13]);
    const byRegion = await Order.find({ order: ['region ASC', 'n DESC'], limit: 12 });
    expect(byRegion.map((o: TestModel) => `${o.region}${o.n}`)).toEqual([
      ...[19, 17, 15, 13, 11, 9, 7, 5, 3, 1].map((n) => `eu${n}`),
      'us20',
      'us18',
    ]);
    const everyOrder = await Order.find();
    expect(everyOrder).toHaveLength(ORDERS.length);
  });

  it('counts with and without a where', async () => {
    // through mongos even an unfiltered count is exact: the metadata count includes orphans
    const sent: Document[] = [];
    const client = mongoConnector(ds).client!;
    const record = (event: CommandStartedEvent) => sent.push(event.command);
    client.on('commandStarted', record);
    try {
      expect(await Order.count()).toBe(20);
    } finally {
      client.off('commandStarted', record);
    }
    expect(sent.filter((command) => command.count || command.aggregate)).toEqual([
      expect.objectContaining({ aggregate: modelName }),
    ]);
    expect(await Order.count({ region: 'us' })).toBe(10);
    expect(await Order.count({ n: { gt: 15 } })).toBe(5);
  });

  it('updates all matches across shards and says how many', async () => {
    expect(await Order.updateAll({ n: { lte: 6 } }, { label: 'early' })).toEqual({ count: 6 });
    const early = await Order.find({ where: { label: 'early' }, order: 'n' });
    expect(early.map((o: TestModel) => o.n)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('patches and replaces one instance by id alone (no shard key in the filter)', async () => {
    const [eu, us] = await Promise.all([
      Order.findOne({ where: { n: 1 } }),
      Order.findOne({ where: { n: 2 } }),
    ]);
    await eu.updateAttributes({ label: 'patched' });
    await Order.replaceById(us.id, { region: 'us', n: 2, label: 'replaced' });
    expect((await Order.findById(eu.id)).label).toBe('patched');
    expect((await Order.findById(us.id)).toObject()).toEqual({
      id: us.id,
      region: 'us',
      n: 2,
      label: 'replaced',
    });
  });

  it('destroys by id and by where', async () => {
    const one = await Order.findOne({ where: { n: 3 } });
    await Order.destroyById(one.id);
    expect(await Order.exists(one.id)).toBe(false);
    expect(await Order.destroyAll({ region: 'us' })).toEqual({ count: 10 });
    expect(await Order.count()).toBe(9);
  });

  it('saves a changed instance when the shard key is _id; refuses naming the key otherwise', async () => {
    const order = await Order.findOne({ where: { n: 4 } });
    order.label = 'saved';
    if (modelName === 'HashedOrder') {
      await order.save();
      expect((await Order.findById(order.id)).label).toBe('saved');
      return;
    }
    // save replaces with upsert by id; the server cannot tell which shard to insert on
    const refusal = order.save();
    await expect(refusal).rejects.toThrow(ShardKeyError);
    await expect(order.save()).rejects.toThrow(
      `${modelName}: the collection ${modelName} is sharded on {"region":1}`,
    );
    expect((await Order.findById(order.id)).label).toBe('order 4');
    expect(await Order.count()).toBe(20);
  });
});
