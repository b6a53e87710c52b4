/**
 * The drivers alone, on the two reads of "Reads at scale" that depend most on how a reply is read:
 * a page (where + sort + limit 10, per call) and a whole collection (find all). Four ways, on one
 * collection, in interleaved rounds, client CPU per call:
 *   driver 5 cursor   the reference's driver (5.9), `find().toArray()`
 *   driver 7 cursor   ours (7.x), `find().toArray()`
 *   driver 7 raw      the same cursor with `raw: true`, each document's bytes deserialized after
 *   driver 7 command  the `find` command through `db.command` in one session, the reply
 *                     deserialized whole (what src/operations/find-command.ts does)
 * It shows which part of a read is the driver's and which part the way it is asked.
 *
 *   npx tsx benchmarks/driver-paths.ts
 * DRIVER_PATHS_SIZES (default 1000,10000), DRIVER_PATHS_ROUNDS (default 8), DRIVER_PATHS_CALLS
 * (page calls per block, default 300).
 */
import { BSON, MongoClient, type Document } from 'mongodb';
import { serverLine, startServer, urlForDatabase } from '../scripts/mongod/server';
import { measure, median, pairedRatio, roundOrders } from './measure';

const SIZES = (process.env.DRIVER_PATHS_SIZES ?? '1000,10000').split(',').map(Number);
const ROUNDS = Number(process.env.DRIVER_PATHS_ROUNDS ?? 8);
const PAGE_CALLS = Number(process.env.DRIVER_PATHS_CALLS ?? 300);
const COLLECTION = 'docs';
const SORT = { n: -1 } as const;

const PATHS = ['driver 5 cursor', 'driver 7 cursor', 'driver 7 raw', 'driver 7 command'] as const;
type Path = (typeof PATHS)[number];
type Read = (filter: Document, limit: number) => Promise<unknown[]>;

/** The documents of a scale parent: a few scalars, a date and a small sub-document. */
function doc(n: number): Document {
  return { n, name: `name ${n}`, tag: `t${n % 10}`, when: new Date(n * 1000), nested: { n } };
}

function reads(c5: { db(): Document }, c7: MongoClient): Record<Path, Read> {
  const coll5 = c5.db().collection(COLLECTION);
  const db7 = c7.db();
  const coll7 = db7.collection(COLLECTION);
  const bson = { promoteLongs: true, promoteValues: true, enableUtf8Validation: true };
  const perDocument = { ...bson, validation: { utf8: true } };
  return {
    'driver 5 cursor': (filter, limit) => coll5.find(filter, { sort: SORT, limit }).toArray(),
    'driver 7 cursor': (filter, limit) => coll7.find(filter, { sort: SORT, limit }).toArray(),
    'driver 7 raw': async (filter, limit) => {
      const cursor = coll7.find(filter, { sort: SORT, limit, raw: true });
      const raw = (await cursor.toArray()) as unknown as Uint8Array[];
      return raw.map((bytes) => BSON.deserialize(bytes, perDocument));
    },
    'driver 7 command': async (filter, limit) => {
      const session = c7.startSession({ causalConsistency: false });
      try {
        const command: Document = { find: COLLECTION, filter, sort: SORT };
        command.batchSize = limit ? limit + 1 : 0x7fffffff;
        if (limit) command.limit = limit;
        const reply = await db7.command(command, { ...bson, session });
        const docs: unknown[] = reply.cursor.firstBatch;
        let id = reply.cursor.id;
        while (id && Number(id) !== 0) {
          const next = await db7.command({ getMore: id, collection: COLLECTION }, { session });
          docs.push(...next.cursor.nextBatch);
          id = next.cursor.id;
        }
        return docs;
      } finally {
        await session.endSession();
      }
    },
  };
}

async function main(): Promise<void> {
  const server = await startServer();
  console.log(serverLine(server));
  const url = urlForDatabase(server.url, `driver_paths_${Date.now().toString(36)}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the reference's own driver
  const { MongoClient: MongoClient5 } = require('loopback-connector-mongodb/node_modules/mongodb');
  const c5 = await new MongoClient5(url).connect();
  const c7 = await new MongoClient(url).connect();
  const paths = reads(c5, c7);
  const lines = [
    '| N | read | ' + PATHS.map((p) => `${p} CPU ms`).join(' | ') + ' | 7 cursor / 5 | 7 command / 5 |',
    '| ---: | --- |' + ' ---: |'.repeat(PATHS.length + 2),
  ];
  try {
    for (const size of SIZES) {
      const coll = c7.db().collection(COLLECTION);
      await coll.deleteMany({});
      for (let from = 0; from < size; from += 10_000) {
        const batch = Array.from({ length: Math.min(10_000, size - from) }, (_, i) => doc(from + i));
        await coll.insertMany(batch);
      }
      await coll.createIndex({ tag: 1, n: -1 });
      const shapes: [string, number, (path: Path) => () => Promise<void>][] = [
        [
          'where + sort + limit 10, per call',
          PAGE_CALLS,
          (path) => async () => {
            for (let i = 0; i < PAGE_CALLS; i++) await paths[path]({ tag: `t${i % 10}` }, 10);
          },
        ],
        ['find all', 1, (path) => async () => void (await paths[path]({}, 0))],
      ];
      for (const [label, calls, block] of shapes) {
        for (const path of PATHS) await block(path)(); // warm-up
        const cpu: Record<Path, number[]> = Object.fromEntries(PATHS.map((p) => [p, []])) as never;
        for (const order of roundOrders(PATHS, ROUNDS)) {
          for (const path of order) cpu[path].push((await measure(block(path))).cpuMicros / calls);
        }
        const ms = (path: Path) => (median(cpu[path]) / 1000).toFixed(3);
        const ratio = (path: Path) => pairedRatio(cpu[path], cpu['driver 5 cursor']).toFixed(2);
        lines.push(
          `| ${size} | ${label} | ${PATHS.map(ms).join(' | ')} | ` +
            `${ratio('driver 7 cursor')} | ${ratio('driver 7 command')} |`,
        );
        console.error(lines[lines.length - 1]);
      }
    }
    console.log(`\nClient CPU per call, medians of ${ROUNDS} interleaved rounds; ratios paired.\n`);
    console.log(lines.join('\n'));
  } finally {
    await c7.db().dropDatabase();
    await c5.close();
    await c7.close();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
