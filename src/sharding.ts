/**
 * What the connector knows about sharded clusters: how to explain the server's refusal of a write
 * it cannot route to one shard, and whether it talks to a mongos at all (a count from the
 * collection's metadata is not exact there). Everything else works through mongos unchanged.
 */
import type { Db } from 'mongodb';
import { ShardKeyError } from './errors';
import type { OperationContext } from './operations/context';

/** `ShardKeyNotFound`: "Failed to target upsert by query :: could not extract exact shard key". */
const SHARD_KEY_NOT_FOUND = 61;

/**
 * `error` as the app should see it: a shard-key refusal becomes a ShardKeyError naming the
 * collection's shard key (read from the cluster's `config.collections`); any other error, or
 * one whose shard key cannot be read, is returned as it is.
 */
export async function explainShardKeyRefusal(
  /** The connector's database; only called for a refusal, so other errors never reconnect. */
  db: () => Db,
  ctx: OperationContext,
  error: unknown,
): Promise<unknown> {
  if ((error as { code?: unknown } | null)?.code !== SHARD_KEY_NOT_FOUND) return error;
  // outside any transaction: a refused write has aborted it
  const sharded = await db()
    .client.db('config')
    .collection<{ _id: string; key?: unknown }>('collections')
    .findOne({ _id: ctx.collection.namespace }, { projection: { key: 1 } })
    .catch(() => null);
  return new ShardKeyError(
    ctx.info.model,
    ctx.info.collection,
    sharded?.key ?? 'its shard key',
    error,
  );
}

// a deployment does not change kind under a client: one `hello` per client
const shardedClients = new WeakMap<object, Promise<boolean>>();

/**
 * Whether `db` is reached through a mongos. The metadata count there adds up each shard's own
 * count, which includes orphaned documents (left behind by a chunk migration until the range
 * deleter removes them, or during one): only a query counts exactly.
 */
export function isSharded(db: Db): Promise<boolean> {
  let sharded = shardedClients.get(db.client);
  if (!sharded) {
    sharded = db.command({ hello: 1 }).then((hello) => hello.msg === 'isdbgrid');
    shardedClients.set(db.client, sharded);
    // a network failure says nothing about the deployment: ask again next time
    sharded.catch(() => shardedClients.delete(db.client));
  }
  return sharded;
}
