/**
 * What the connector knows about sharded clusters: only how to explain the server's refusal of a
 * write it cannot route to one shard. Everything else works through mongos unchanged.
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
