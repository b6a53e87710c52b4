import type { DataSource } from 'loopback-datasource-juggler';
import { DuplicateKeyError, IndexMigrationError } from '../../src';
import { defineModel, mongoConnector, type TestModel } from '../support/datasource';
import {
  chunkShards,
  documentsPerShard,
  shardCollection,
  shardKey,
  shardNames,
  shardedDataSource,
} from './cluster';

const BY_REGION = { region: 1 };
const SPLIT = { region: 'm' };

describe('unique indexes on a sharded collection', () => {
  let ds: DataSource;

  beforeAll(() => {
    ds = shardedDataSource('sharded_indexes');
  });

  afterAll(() => ds.disconnect());

  it('keeps a unique index that starts with the shard key, enforced on every shard', async () => {
    const User = defineModel(
      ds,
      'RegionUser',
      { region: { type: String, required: true }, email: { type: String } },
      { indexes: { region_email: { keys: { region: 1, email: 1 }, options: { unique: true } } } },
    );
    await ds.automigrate('RegionUser');
    await shardCollection(ds, 'RegionUser', BY_REGION, SPLIT);
    expect(await chunkShards(ds, 'RegionUser')).toEqual(shardNames());
    await User.create([
      { region: 'eu', email: 'a@x' },
      { region: 'us', email: 'a@x' },
    ]);
    expect(Object.values(await documentsPerShard(ds, 'RegionUser'))).toEqual([1, 1]);
    for (const region of ['eu', 'us']) {
      const duplicate = User.create({ region, email: 'a@x' });
      await expect(duplicate).rejects.toThrow(DuplicateKeyError);
      await expect(User.create({ region, email: 'a@x' })).rejects.toThrow(
        'RegionUser: duplicate key for unique index region_email',
      );
    }
    expect(await User.count()).toBe(2);
    // the sharded collection already has what the definition asks for
    expect(await mongoConnector(ds).isActual('RegionUser')).toBe(true);
    await ds.autoupdate('RegionUser');
    expect(await shardKey(ds, 'RegionUser')).toEqual(BY_REGION);
  });

  it('passes on the refusal of a unique index without the shard key, naming model and index', async () => {
    const User = defineModel(ds, 'EmailUser', {
      region: { type: String, required: true },
      email: { type: String, index: { unique: true } },
    });
    await ds.automigrate('EmailUser');
    // automigrate made the unique index on the unsharded collection: the server will not shard it
    await expect(
      mongoConnector(ds)
        .client!.db('admin')
        .command({
          shardCollection: mongoConnector(ds).collection('EmailUser').namespace,
          key: BY_REGION,
        }),
    ).rejects.toThrow(/unique index/);

    // sharded first, the collection refuses the index autoupdate asks for
    await mongoConnector(ds).collection('EmailUser').dropIndex('email_1');
    await shardCollection(ds, 'EmailUser', BY_REGION, SPLIT);
    const migrating = ds.autoupdate('EmailUser');
    await expect(migrating).rejects.toThrow(IndexMigrationError);
    await expect(ds.autoupdate('EmailUser')).rejects.toThrow(
      /EmailUser property "email": could not create index email_1 on collection EmailUser: .*cannot create index with 'unique' .* over \{ email: 1 \} with shard key pattern \{ region: 1 \}/,
    );
    // the collection still works, sharded, without the index
    await User.create([
      { region: 'eu', email: 'b@x' },
      { region: 'us', email: 'b@x' },
    ]);
    expect(await User.count({ email: 'b@x' })).toBe(2);
    expect(await shardKey(ds, 'EmailUser')).toEqual(BY_REGION);
  });

  it('automigrate drops a sharded collection and makes it anew, unsharded', async () => {
    defineModel(ds, 'Resharded', { region: { type: String } });
    await ds.automigrate('Resharded');
    await shardCollection(ds, 'Resharded', BY_REGION);
    expect(await shardKey(ds, 'Resharded')).toEqual(BY_REGION);
    await ds.automigrate('Resharded');
    expect(await shardKey(ds, 'Resharded')).toBeUndefined();
  });
});

interface Tx {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

describe('a transaction across both shards', () => {
  let ds: DataSource;
  let Account: TestModel;
  let eu: TestModel;
  let us: TestModel;

  beforeAll(async () => {
    ds = shardedDataSource('sharded_tx');
    Account = defineModel(ds, 'ShardedAccount', {
      region: { type: String, required: true },
      balance: { type: Number },
    });
    await ds.automigrate('ShardedAccount');
    await shardCollection(ds, 'ShardedAccount', BY_REGION, SPLIT);
  });

  afterAll(() => ds.disconnect());

  beforeEach(async () => {
    await Account.destroyAll();
    [eu, us] = await Account.create([
      { region: 'eu', balance: 100 },
      { region: 'us', balance: 100 },
    ]);
    // one account on each shard: a transaction over both is a distributed one
    expect(Object.values(await documentsPerShard(ds, 'ShardedAccount'))).toEqual([1, 1]);
  });

  async function transfer(tx: Tx): Promise<void> {
    const options = { transaction: tx };
    await Account.updateAll({ region: 'eu', id: eu.id }, { balance: 90 }, options);
    await Account.updateAll({ region: 'us', id: us.id }, { balance: 110 }, options);
    await Account.create({ region: 'us', balance: 0 }, options);
    // inside the transaction its own writes are visible, on both shards
    expect(await Account.count({ balance: { inq: [90, 110, 0] } }, options)).toBe(3);
  }

  async function balances(): Promise<number[]> {
    const all = await Account.find({ order: ['region', 'balance'] });
    return all.map((a: TestModel) => a.balance);
  }

  it('commits the writes on both shards together', async () => {
    const tx = (await Account.beginTransaction({ isolationLevel: 'READ COMMITTED' })) as Tx;
    await transfer(tx);
    // not visible outside before the commit
    expect(await balances()).toEqual([100, 100]);
    await tx.commit();
    expect(await balances()).toEqual([90, 0, 110]);
  });

  it('rolls back the writes on both shards together', async () => {
    const tx = (await Account.beginTransaction({ isolationLevel: 'READ COMMITTED' })) as Tx;
    await transfer(tx);
    await tx.rollback();
    expect(await balances()).toEqual([100, 100]);
    expect(await Account.count()).toBe(2);
  });
});
