/**
 * The "sharded" jest project's own globalSetup: jest runs it only when a file of that project is
 * selected, so other runs never pay for the cluster (~15 s and ~1.2 GB here). It runs in the same
 * process as the main globalSetup, before any worker starts, so workers inherit the URL.
 */
import {
  clusterLine,
  startShardedCluster,
  type RunningCluster,
} from '../../scripts/mongod/cluster';

declare global {
  // held between this setup and sharded-global-teardown, which share one process
  var __MONGO_CLUSTER__: RunningCluster | undefined;
}

export default async function shardedGlobalSetup(): Promise<void> {
  const cluster = await startShardedCluster({ log: (line) => console.log(line) });
  globalThis.__MONGO_CLUSTER__ = cluster;
  console.log(clusterLine(cluster));
  process.env.MONGODB_TEST_SHARDED_URL = cluster.url;
  process.env.MONGODB_TEST_SHARDS = cluster.shards.join(',');
}
