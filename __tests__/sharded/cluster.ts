/** Datasources on the run's sharded cluster, and what the cluster says about a collection. */
import { DataSource } from 'loopback-datasource-juggler';
import type { Document } from 'mongodb';
import * as connector from '../../src';
import type { MongoDBSettings } from '../../src';
import { testDatabaseUrl } from '../support/database';
import { mongoConnector } from '../support/datasource';

/** The shard names globalSetup found (`shard0,shard1` for our own cluster). */
export function shardNames(): string[] {
  return (process.env.MONGODB_TEST_SHARDS ?? '').split(',').filter(Boolean);
}

/** A juggler DataSource with our connector on this test file's own database, through mongos. */
export function shardedDataSource(name: string, settings: MongoDBSettings = {}): DataSource {
  return new DataSource({
    connector,
    url: testDatabaseUrl(name, { sharded: true }),
    ...settings,
  } as never);
}

function admin(ds: DataSource) {
  return mongoConnector(ds).client!.db('admin');
}

function namespace(ds: DataSource, model: string): string {
  return mongoConnector(ds).collection(model).namespace;
}

/**
 * Shard a model's (migrated, empty) collection on `key`. A hashed key spreads its initial chunks
 * over the shards by itself; a range key gets one chunk, so `splitAt` splits it there and moves
 * the upper chunk to the other shard.
 */
export async function shardCollection(
  ds: DataSource,
  model: string,
  key: Document,
  splitAt?: Document,
): Promise<void> {
  await ds.connect();
  const ns = namespace(ds, model);
  await admin(ds).command({ shardCollection: ns, key });
  if (!splitAt) return;
  await admin(ds).command({ split: ns, middle: splitAt });
  const [owner] = await chunkShards(ds, model);
  const other = shardNames().find((shard) => shard !== owner);
  const move = { moveChunk: ns, find: splitAt, to: other, _waitForDelete: true };
  // a shard donates or receives one range at a time: test files running beside this one move
  // theirs too
  for (let attempt = 1; ; attempt++) {
    try {
      await admin(ds).command(move);
      return;
    } catch (error) {
      if (
        attempt === 60 ||
        !/currently (donating|receiving)|ConflictingOperation/i.test(String(error))
      ) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** The shards that own chunks of the model's collection, from config.chunks. */
export async function chunkShards(ds: DataSource, model: string): Promise<string[]> {
  const config = mongoConnector(ds).client!.db('config');
  const collection = await config
    .collection('collections')
    .findOne({ _id: namespace(ds, model) as never });
  if (!collection) return [];
  return (await config.collection('chunks').distinct('shard', { uuid: collection.uuid })).sort();
}

/** The shard key of the model's collection, or undefined when it is not sharded. */
export async function shardKey(ds: DataSource, model: string): Promise<Document | undefined> {
  const config = mongoConnector(ds).client!.db('config');
  const collection = await config
    .collection('collections')
    .findOne({ _id: namespace(ds, model) as never });
  return collection?.key;
}

/** How many of the model's documents each shard holds, from $collStats. */
export async function documentsPerShard(
  ds: DataSource,
  model: string,
): Promise<Record<string, number>> {
  const stats = await mongoConnector(ds)
    .collection(model)
    .aggregate<{ shard: string; count: number }>([{ $collStats: { count: {} } }])
    .toArray();
  return Object.fromEntries(stats.map(({ shard, count }) => [shard, count]));
}
