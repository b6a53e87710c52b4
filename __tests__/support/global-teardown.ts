import { dropTestDatabases } from './database';

export default async function globalTeardown(): Promise<void> {
  const servers = globalThis.__MONGO_SERVERS__ ?? [];
  for (const server of servers) await dropTestDatabases(server.url);
  await Promise.all(servers.map((server) => server.stop()));
}
