import { dropTestDatabases } from './database';

export default async function shardedGlobalTeardown(): Promise<void> {
  const cluster = globalThis.__MONGO_CLUSTER__;
  if (!cluster) return;
  // our own cluster's data goes with its folder; dropping sharded databases first costs seconds
  if (cluster.external) await dropTestDatabases(cluster.url);
  const started = Date.now();
  await cluster.stop();
  if (!cluster.external) {
    console.log(`sharded cluster stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}
