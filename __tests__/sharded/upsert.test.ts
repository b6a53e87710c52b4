import type { DataSource } from 'loopback-datasource-juggler';
import { ObjectId } from 'mongodb';
import { ShardKeyError } from '../../src';
import { defineModel, type TestModel } from '../support/datasource';
import { documentsPerShard, shardCollection, shardNames, shardedDataSource } from './cluster';

/**
 * The four upsert paths, each one findOneAndUpdate/findOneAndReplace with upsert. MongoDB routes
 * an upsert by the shard key in its filter; a filter that could match on more than one shard is
 * refused (ShardKeyNotFound), which the connector reports as a ShardKeyError naming the key.
 */
describe.each([
  ['hashed _id', 'HashedAccount', { _id: 'hashed' }, undefined],
  ['the range key region', 'RegionAccount', { region: 1 }, { region: 'm' }],
])('upserts on a collection sharded on %s', (_label, modelName, key, splitAt) => {
  const idIsShardKey = modelName === 'HashedAccount';
  const refusal = `${modelName}: the collection ${modelName} is sharded on ${JSON.stringify(key)}`;
  let ds: DataSource;
  let Account: TestModel;

  beforeAll(async () => {
    ds = shardedDataSource('upsert');
    // forceId: false lets the app give ids, so updateOrCreate/replaceOrCreate upsert by id
    Account = defineModel(
      ds,
      modelName,
      {
        region: { type: String, required: true },
        email: { type: String },
        balance: { type: Number },
      },
      { forceId: false },
    );
    await ds.automigrate(modelName);
    await shardCollection(ds, modelName, key, splitAt);
  });

  afterAll(() => ds.disconnect());

  beforeEach(async () => {
    await Account.destroyAll();
    await Account.create({ region: 'eu', email: 'kept@x', balance: 100 });
  });

  /** Every stored account, as the app sees them, by email, without ids. */
  async function stored(): Promise<Array<Record<string, unknown>>> {
    const all = await Account.find({ order: 'email' });
    return all.map((a: TestModel) => {
      const data = a.toObject();
      delete data.id;
      return data;
    });
  }

  const KEPT = { region: 'eu', email: 'kept@x', balance: 100 };

  it('updateOrCreate (by id) inserts then patches when the id is the shard key; else is refused', async () => {
    const id = new ObjectId().toHexString();
    if (!idIsShardKey) {
      await expect(
        Account.updateOrCreate({ id, region: 'us', email: 'a@x', balance: 1 }),
      ).rejects.toThrow(ShardKeyError);
      await expect(Account.updateOrCreate({ id, region: 'us', balance: 1 })).rejects.toThrow(
        refusal,
      );
      expect(await stored()).toEqual([KEPT]);
      return;
    }
    const created = await Account.updateOrCreate({ id, region: 'us', email: 'a@x', balance: 1 });
    expect(created.id).toBe(id);
    await Account.updateOrCreate({ id, region: 'us', balance: 2 });
    expect(await stored()).toEqual([{ region: 'us', email: 'a@x', balance: 2 }, KEPT]);
  });

  it('replaceOrCreate (by id) inserts then replaces when the id is the shard key; else is refused', async () => {
    const id = new ObjectId().toHexString();
    if (!idIsShardKey) {
      await expect(
        Account.replaceOrCreate({ id, region: 'eu', email: 'b@x', balance: 5 }),
      ).rejects.toThrow(refusal);
      expect(await stored()).toEqual([KEPT]);
      return;
    }
    await Account.replaceOrCreate({ id, region: 'eu', email: 'b@x', balance: 5 });
    await Account.replaceOrCreate({ id, region: 'eu', email: 'b@x' });
    expect(await stored()).toEqual([{ region: 'eu', email: 'b@x' }, KEPT]);
  });

  it('findOrCreate finds or inserts once with the shard key in the filter', async () => {
    // the shard key of the hashed collection is _id: the filter names it
    const data = { region: 'us', email: 'c@x', balance: 7 };
    const id = new ObjectId().toHexString();
    const where = idIsShardKey ? { id, email: 'c@x' } : { region: 'us', email: 'c@x' };
    const [first, created] = await Account.findOrCreate({ where }, { ...data, id });
    expect(created).toBe(true);
    const [again, createdAgain] = await Account.findOrCreate({ where }, { ...data, id });
    expect(createdAgain).toBe(false);
    expect(again.id).toBe(first.id);
    expect(await stored()).toEqual([data, KEPT]);
  });

  it('findOrCreate without the shard key in the filter is refused, naming the key', async () => {
    const attempt = Account.findOrCreate(
      { where: { email: 'c@x' } },
      { region: 'us', email: 'c@x' },
    );
    await expect(attempt).rejects.toThrow(ShardKeyError);
    await expect(
      Account.findOrCreate({ where: { email: 'kept@x' } }, { region: 'eu', email: 'kept@x' }),
    ).rejects.toThrow(refusal);
    expect(await stored()).toEqual([KEPT]);
  });

  it('upsertWithWhere inserts, then patches, with the shard key in the where', async () => {
    const id = new ObjectId().toHexString();
    const where = idIsShardKey ? { id } : { region: 'us', email: 'd@x' };
    await Account.upsertWithWhere(where, { id, region: 'us', email: 'd@x', balance: 1 });
    await Account.upsertWithWhere(where, { region: 'us', balance: 9 });
    expect(await stored()).toEqual([{ region: 'us', email: 'd@x', balance: 9 }, KEPT]);
  });

  it('upsertWithWhere without the shard key in the where is refused, naming the key', async () => {
    await expect(
      Account.upsertWithWhere({ email: 'kept@x' }, { region: 'eu', balance: 0 }),
    ).rejects.toThrow(refusal);
    const error = await Account.upsertWithWhere({ email: 'new@x' }, { region: 'us' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ShardKeyError);
    expect(error).toMatchObject({ statusCode: 400, code: 'SHARD_KEY_REQUIRED', model: modelName });
    expect(await stored()).toEqual([KEPT]);
  });

  it('puts upserted instances on the shards their keys belong to', async () => {
    await Account.destroyAll();
    for (let i = 0; i < 10; i++) {
      const id = new ObjectId().toHexString();
      const region = i % 2 ? 'us' : 'eu';
      const where = idIsShardKey ? { id } : { region, email: `e${i}@x` };
      await Account.upsertWithWhere(where, { id, region, email: `e${i}@x`, balance: i });
    }
    const perShard = await documentsPerShard(ds, modelName);
    expect(Object.values(perShard).reduce((a, b) => a + b, 0)).toBe(10);
    if (splitAt) {
      // 'eu' sorts below the split point, 'us' above it: five on each shard
      expect(Object.keys(perShard).sort()).toEqual(shardNames());
      expect(Object.values(perShard)).toEqual([5, 5]);
    }
  });
});
