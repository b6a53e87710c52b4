import { MongoClient } from 'mongodb';
import { TEST_DB_PREFIX } from './database';

export default async function globalTeardown(): Promise<void> {
  const servers = globalThis.__MONGO_SERVERS__ ?? [];
  // an external server outlives us: drop what this run created there
  for (const server of servers) {
    const client = new MongoClient(server.url, { serverSelectionTimeoutMS: 5_000 });
    try {
      const prefix = TEST_DB_PREFIX + process.env.MONGODB_TEST_RUN;
      const { databases } = await client.db('admin').admin().listDatabases({ nameOnly: true });
      for (const { name } of databases)
        if (name.startsWith(prefix)) await client.db(name).dropDatabase();
    } finally {
      await client.close();
    }
  }
  await Promise.all(servers.map((server) => server.stop()));
}
