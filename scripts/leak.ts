/**
 * Heap growth over 20,000 sequential DAO calls against a real server (`npm run leak`, which runs
 * node with --expose-gc). Prints the figures; exits non-zero when the heap, measured after forced
 * garbage collection, grew by LIMIT_MB or more. Not part of `npm test`: it takes a minute or two.
 */
import { randomBytes } from 'node:crypto';
import { DataSource } from 'loopback-datasource-juggler';
import * as connector from '../src';
import { serverLine, startServer, urlForDatabase } from './mongod/server';

const OPERATIONS = 20_000;
/** Calls made before the baseline, so that JIT code, caches and the pool are already there. */
const WARM_UP = 2_000;
const LIMIT_MB = 10;
const REPORT_EVERY = 5_000;

/** The model class methods the workload calls; juggler types them loosely. */
interface Note {
  id: string;
  updateAttributes(data: object): Promise<unknown>;
}
interface NoteModel {
  create(data: object): Promise<Note>;
  findById(id: string): Promise<Note | null>;
  find(filter: object): Promise<Note[]>;
  updateAll(where: object, data: object): Promise<unknown>;
  updateOrCreate(data: object): Promise<unknown>;
  count(where: object): Promise<number>;
  destroyById(id: string): Promise<unknown>;
  destroyAll(): Promise<unknown>;
}

function heapMB(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run leak does)');
  // a few rounds: finalizers and weak references free more on the later ones
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

/**
 * One DAO call per step, cycling through the common ones: create, read by id, query, patch,
 * update by where, upsert, count, delete. The collection stays at one document between cycles.
 */
async function run(Note: NoteModel, from: number, to: number): Promise<void> {
  let created: Note | undefined;
  // every range starts at a multiple of 8, so step 0 has made the note the other steps use
  const note = (): Note => {
    if (!created)
      throw new Error(`step ${from}: no note yet; ranges must start at a multiple of 8`);
    return created;
  };
  for (let i = from; i < to; i++) {
    switch (i % 8) {
      case 0:
        created = await Note.create({ name: `note ${i}`, n: i, tags: ['a', 'b'] });
        break;
      case 1:
        await Note.findById(note().id);
        break;
      case 2:
        await Note.find({ where: { n: { gte: i - 100 } }, order: 'n DESC', limit: 5 });
        break;
      case 3:
        await note().updateAttributes({ n: i + 1 });
        break;
      case 4:
        await Note.updateAll({ id: note().id }, { name: 'updated' });
        break;
      case 5:
        await Note.updateOrCreate({ id: note().id, n: i });
        break;
      case 6:
        await Note.count({ name: 'updated' });
        break;
      default:
        await Note.destroyById(note().id);
        created = undefined;
    }
  }
}

async function main(): Promise<number> {
  const server = await startServer({ log: (line) => console.log(line) });
  console.log(serverLine(server));
  const ds = new DataSource({
    connector,
    url: urlForDatabase(server.url, `leak_${randomBytes(3).toString('hex')}`),
  } as never);
  try {
    const Note = ds.createModel('LeakNote', {
      name: String,
      n: Number,
      tags: [String],
    } as never) as unknown as NoteModel;
    await Note.destroyAll();

    await run(Note, 0, WARM_UP);
    const baseline = heapMB();
    const started = Date.now();
    console.log(`baseline after ${WARM_UP} warm-up calls: ${baseline.toFixed(2)} MB heap`);
    for (let done = 0; done < OPERATIONS; done += REPORT_EVERY) {
      await run(Note, WARM_UP + done, WARM_UP + done + REPORT_EVERY);
      console.log(`  after ${done + REPORT_EVERY} calls: ${heapMB().toFixed(2)} MB heap`);
    }
    const seconds = (Date.now() - started) / 1000;
    const after = heapMB();
    const growth = after - baseline;
    console.log(
      `${OPERATIONS} calls in ${seconds.toFixed(1)} s (${Math.round(OPERATIONS / seconds)}/s); ` +
        `heap ${baseline.toFixed(2)} MB -> ${after.toFixed(2)} MB: ` +
        `${growth >= 0 ? '+' : ''}${growth.toFixed(2)} MB (limit ${LIMIT_MB} MB); ` +
        `rss ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`,
    );
    await (ds.connector as unknown as connector.MongoDB).db?.dropDatabase();
    if (growth >= LIMIT_MB) {
      console.error(`FAIL: the heap grew by ${growth.toFixed(2)} MB`);
      return 1;
    }
    console.log('OK');
    return 0;
  } finally {
    await ds.disconnect();
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
