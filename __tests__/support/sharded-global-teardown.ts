import { dropTestDatabases } from './database';

export default async function shardedGlobalTeardown(): Promise<void> {
  const cluster = globalThis.__MONGO_CLUSTER__;
  if (!cluster) return;
  await dropTestDatabases(cluster.url);
  await cluster.stop();
}
