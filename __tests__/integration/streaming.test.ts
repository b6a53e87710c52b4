/**
 * connector.iterate: a large result streams through in constant memory, an abandoned iteration
 * closes its server cursor, and every item is what `all` (find) returns for the same filter.
 */
import type { DataSource } from 'loopback-datasource-juggler';
import type { CommandStartedEvent } from 'mongodb';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { OperatorNotAllowedError, type MongoDB } from '../../src';
import {
  createDataSource,
  defineModel,
  mongoConnector,
  type TestModel,
} from '../support/datasource';

const TOTAL = 100_000;
const BATCH = 10_000;
/** Characters per document: held all at once, the documents would take about 100 MB. */
const PAYLOAD = 1_000;
const HEAP_BOUND = 50 * 2 ** 20;

/** A full GC: the global one under --expose-gc, else the flag set now and a fresh context's. */
function obtainGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as () => void;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How far the heap rose above where it started, read as iteration goes on. With a GC at hand, each
 * reading follows a full collection, so it is what is retained. Without one, the readings are
 * taken only right after the collector's own major collections (a PerformanceObserver sees them),
 * and growth is measured from the lowest of them: garbage comes and goes, while what is retained
 * raises the floor every major collection leaves.
 */
function heapWatcher(gc: (() => void) | undefined) {
  const heap = () => process.memoryUsage().heapUsed;
  // without a GC of our own, the young generation's churn is left out of the readings: what is
  // retained across major collections lives in the old generation
  const oldHeap = () =>
    getHeapSpaceStatistics()
      .filter((space) => space.space_name !== 'new_space')
      .reduce((sum, space) => sum + space.space_used_size, 0);
  const readings: number[] = [];
  let observer: PerformanceObserver | undefined;
  if (gc) {
    gc();
    readings.push(heap());
  } else {
    readings.push(oldHeap());
    observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const { detail } = entry as unknown as { detail?: { kind?: number } };
        if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) readings.push(oldHeap());
      }
    });
    observer.observe({ entryTypes: ['gc'] });
  }
  return {
    collected: Boolean(gc),
    /** With a GC: collect and read. Without: the observer reads by itself. */
    sample(): void {
      if (!gc) return;
      gc();
      readings.push(heap());
    },
    /** Stops watching; the largest rise of a reading above the lowest before it. */
    stop(): { maxGrowth: number; readings: number } {
      observer?.disconnect();
      let floor = Infinity;
      let maxGrowth = 0;
      for (const reading of readings) {
        floor = Math.min(floor, reading);
        maxGrowth = Math.max(maxGrowth, reading - floor);
      }
      return { maxGrowth, readings: readings.length };
    },
  };
}

function findAll(connector: MongoDB, model: string, filter: object): Promise<unknown[]> {
  return new Promise((resolve, reject) =>
    connector.all(model, filter, {}, (err: unknown, found: unknown[]) =>
      err ? reject(err) : resolve(found),
    ),
  );
}

async function iterateAll(connector: MongoDB, model: string, filter: object): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const item of connector.iterate(model, filter)) items.push(item);
  return items;
}

describe('streaming with connector.iterate', () => {
  let ds: DataSource;
  let connector: MongoDB;
  const killCursors: CommandStartedEvent[] = [];

  beforeAll(async () => {
    // command events let the test see the killCursors an abandoned iteration must send
    ds = createDataSource('streaming', { monitorCommands: true });
    connector = mongoConnector(ds);
    defineModel(ds, 'Streamed', { seq: Number, payload: String });
    await ds.automigrate('Streamed');
    const streamed = connector.collection('Streamed');
    const payload = 'p'.repeat(PAYLOAD);
    for (let from = 0; from < TOTAL; from += BATCH) {
      const docs = Array.from({ length: BATCH }, (_, i) => ({ seq: from + i, payload }));
      await streamed.insertMany(docs, { ordered: true });
    }
    (connector.client as NonNullable<MongoDB['client']>).on('commandStarted', (event) => {
      if (event.commandName === 'killCursors') killCursors.push(event);
    });
  }, 120_000);

  afterAll(() => ds.disconnect());

  it(`iterates ${TOTAL.toLocaleString('en')} documents with the heap within 50 MB of its start`, async () => {
    // the check means something only if holding every document would break the bound
    expect(TOTAL * PAYLOAD).toBeGreaterThan(1.5 * HEAP_BOUND);
    const watcher = heapWatcher(obtainGc());
    let count = 0;
    let lastSeq = -1;
    let badItems = 0;
    // no order: the default id order, which is insertion order for ids made by one client
    for await (const item of connector.iterate('Streamed', {}, {})) {
      const ok =
        typeof item.id === 'string' &&
        item.id.length === 24 &&
        item.seq === lastSeq + 1 &&
        (item.payload as string).length === PAYLOAD &&
        !('_id' in item);
      if (!ok) badItems++;
      lastSeq = item.seq as number;
      if (++count % 5_000 === 0) watcher.sample();
    }
    const { maxGrowth, readings } = watcher.stop();
    expect(badItems).toBe(0);
    expect(count).toBe(TOTAL);
    // a handful of readings at least, or the bound says nothing
    expect(readings).toBeGreaterThanOrEqual(watcher.collected ? 20 : 3);
    expect(maxGrowth).toBeLessThan(HEAP_BOUND);
  }, 120_000);

  it('closes the server cursor when the consumer stops early', async () => {
    const before = killCursors.length;
    let seen = 0;
    for await (const item of connector.iterate('Streamed', { where: { seq: { gte: 10 } } })) {
      expect(item.seq).toBe(10);
      seen++;
      break;
    }
    expect(seen).toBe(1);
    // the first batch (101 documents) left the rest on the server: the cursor had to be killed
    expect(killCursors.length).toBe(before + 1);
    expect(killCursors[before].command.killCursors).toBe('Streamed');
  });

  describe('gives what find gives', () => {
    let Item: TestModel;
    let Owner: TestModel;
    let ownerIds: string[];

    beforeAll(async () => {
      Owner = defineModel(ds, 'StreamOwner', { name: String });
      Item = defineModel(
        ds,
        'StreamItem',
        {
          label: { type: String, mongodb: { fieldName: 'lbl' } },
          rank: Number,
          price: { type: Number, mongodb: { dataType: 'Decimal128' } },
          when: Date,
          ownerId: { type: String, mongodb: { dataType: 'ObjectId' } },
          tags: [String],
        },
        { mongodb: { collection: 'stream_items' } },
      );
      await ds.automigrate(['StreamOwner', 'StreamItem']);
      const owners = await Owner.create([{ name: 'a' }, { name: 'b' }]);
      ownerIds = owners.map((owner: TestModel) => owner.id);
      await Item.create(
        Array.from({ length: 20 }, (_, i) => ({
          label: `l${i % 7}`,
          rank: (i * 7) % 11,
          price: 1.25 * i,
          when: new Date(Date.UTC(2024, 0, 1 + ((i * 3) % 20))),
          ownerId: ownerIds[i % 2],
          tags: [`t${i % 3}`],
        })),
      );
    });

    const filters: [string, () => object][] = [
      ['no filter (default id order)', () => ({})],
      [
        'where with an operator, order DESC, fields',
        () => ({
          where: { rank: { gte: 5 } },
          order: 'rank DESC',
          fields: ['id', 'label', 'rank'],
        }),
      ],
      [
        'inq on a renamed field, two orders, skip and limit',
        () => ({
          where: { label: { inq: ['l1', 'l3', 'l5'] } },
          order: ['when ASC', 'rank DESC'],
          skip: 2,
          limit: 5,
        }),
      ],
      [
        'an ObjectId property, fields excluding one',
        () => ({ where: { ownerId: ownerIds[1] }, fields: { tags: false } }),
      ],
      [
        'or with between on a Decimal128 property',
        () => ({
          where: { or: [{ rank: { lt: 3 } }, { price: { between: [10, 20] } }] },
          order: 'label ASC',
        }),
      ],
    ];

    it.each(filters)('%s', async (_name, filter) => {
      const found = await findAll(connector, 'StreamItem', filter());
      const streamed = await iterateAll(connector, 'StreamItem', filter());
      expect(found.length).toBeGreaterThan(0);
      expect(streamed).toEqual(found);
    });

    it('maps stored values back to app values as find does', async () => {
      const [item] = (await iterateAll(connector, 'StreamItem', {
        where: { rank: 0 },
        order: 'when ASC',
        limit: 1,
      })) as Record<string, unknown>[];
      expect(item.id).toMatch(/^[0-9a-f]{24}$/);
      expect(item.ownerId).toBe(ownerIds[0]);
      expect(item.label).toBe('l0');
      expect(item).not.toHaveProperty('lbl');
      expect(item.price).toBe(0);
      expect(item.when).toEqual(new Date(Date.UTC(2024, 0, 1)));
      expect(item.tags).toEqual(['t0']);
    });

    it('refuses what find refuses, with the same error', async () => {
      const bad = () => ({ where: { rank: { $where: 'sleep(100)' } } });
      const fromFind = await findAll(connector, 'StreamItem', bad()).catch((e: Error) => e);
      const fromIterate = await iterateAll(connector, 'StreamItem', bad()).catch((e: Error) => e);
      expect(fromFind).toBeInstanceOf(OperatorNotAllowedError);
      expect(fromIterate).toBeInstanceOf(OperatorNotAllowedError);
      expect((fromIterate as Error).message).toBe((fromFind as Error).message);
    });
  });
});
