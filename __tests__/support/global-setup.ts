/**
 * One server (and one replica set, for transactions) per jest run. Workers are spawned after this
 * runs, so they inherit the URLs through the environment.
 */
import { randomBytes } from 'node:crypto';
import { startServer, serverLine, type RunningServer } from '../../scripts/mongod/server';

declare global {
  // held between globalSetup and globalTeardown, which share one process
  var __MONGO_SERVERS__: RunningServer[] | undefined;
}

export default async function globalSetup(): Promise<void> {
  const log = (line: string) => console.log(line);
  const standalone = await startServer({ log });
  // an external server that is already a replica set serves both; otherwise the replica set is
  // ours, resolved through the same binary routes (MONGODB_URL cannot name a second server)
  const replicaSet = standalone.replicaSet
    ? standalone
    : await startServer({ replicaSet: true, own: true, log }).catch(async (error) => {
        await standalone.stop();
        throw error;
      });
  globalThis.__MONGO_SERVERS__ =
    replicaSet === standalone ? [standalone] : [standalone, replicaSet];
  console.log('\n' + serverLine(standalone));
  if (replicaSet !== standalone) console.log(serverLine(replicaSet));
  process.env.MONGODB_TEST_URL = standalone.url;
  process.env.MONGODB_TEST_RS_URL = replicaSet.url;
  process.env.MONGODB_TEST_RUN = randomBytes(3).toString('hex');
}
