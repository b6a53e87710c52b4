/**
 * 200 mixed operations in parallel on one datasource. The workload is built so that the final
 * state follows from the acknowledged results alone: creates and deletes touch their own
 * documents, updates are commutative (`$inc`, and `$push` compared as a multiset), and the upserts
 * on shared ids each return the document they produced, whose `$inc` counter is the position the
 * server gave them. Replaying the upserts in that order must give the stored document exactly.
 */
import type { DataSource } from 'loopback-datasource-juggler';
import { ObjectId, type Document } from 'mongodb';
import {
  createDataSource,
  defineModel,
  mongoConnector,
  type TestModel,
} from '../support/datasource';

const CREATES = 60;
const UPSERTS = 60;
const SHARED_IDS = 8;
const TARGETS = 20; // each gets one updateAll and one updateAttributes: 40 updates
const DOOMED = 20; // each deleted twice at once: 40 deletes
const ALLOW = { allowExtendedOperators: true };

/** A small seeded generator, so that a failing interleaving of calls can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], next: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

type Outcome =
  | { kind: 'create'; tag: string; id: string }
  | { kind: 'upsert'; op: string; id: string; n: number; log: string[] }
  | { kind: 'update'; op: string; id: string; count: number }
  | { kind: 'delete'; id: string; count: number };

describe('200 parallel mixed operations on one datasource', () => {
  let ds: DataSource;
  let Slot: TestModel;

  beforeAll(() => {
    ds = createDataSource('concurrency');
    Slot = defineModel(
      ds,
      'Slot',
      { tag: String, n: Number, log: [String] },
      // so that updateOrCreate with an id is the connector's atomic upsert
      { forceId: false },
    );
  });

  afterAll(() => ds.disconnect());

  it('ends in the state the acknowledged results imply, with no duplicates', async () => {
    await Slot.destroyAll();
    const targets: TestModel[] = await Slot.create(
      Array.from({ length: TARGETS }, (_, i) => ({ tag: `target-${i}`, n: 0, log: [] })),
    );
    const doomed: TestModel[] = await Slot.create(
      Array.from({ length: DOOMED }, (_, i) => ({ tag: `doomed-${i}`, n: 0, log: [] })),
    );
    const shared = Array.from({ length: SHARED_IDS }, () => new ObjectId().toHexString());
    // updateAttributes works on an instance; each call gets its own, loaded beforehand
    const loaded: TestModel[] = await Promise.all(targets.map((t) => Slot.findById(t.id)));

    const newInstances: string[] = [];
    Slot.observe('after save', async (ctx: { instance?: TestModel; isNewInstance?: boolean }) => {
      if (ctx.isNewInstance && ctx.instance && shared.includes(String(ctx.instance.id))) {
        newInstances.push(String(ctx.instance.id));
      }
    });

    const operations: (() => Promise<Outcome>)[] = [];
    for (let i = 0; i < CREATES; i++) {
      const tag = `created-${i}`;
      operations.push(async () => {
        const created = await Slot.create({ tag, n: 0, log: [] });
        return { kind: 'create', tag, id: String(created.id) };
      });
    }
    for (let i = 0; i < UPSERTS; i++) {
      const op = `u-${i}`;
      const id = shared[i % SHARED_IDS];
      operations.push(async () => {
        const result = await Slot.updateOrCreate({ id, $inc: { n: 1 }, $push: { log: op } }, ALLOW);
        return { kind: 'upsert', op, id, n: result.n, log: [...result.log] };
      });
    }
    targets.forEach((target, i) => {
      const id = String(target.id);
      operations.push(async () => {
        const op = `all-${i}`;
        const { count } = await Slot.updateAll(
          { id },
          { $inc: { n: 1 }, $push: { log: op } },
          ALLOW,
        );
        return { kind: 'update', op, id, count };
      });
      operations.push(async () => {
        const op = `attr-${i}`;
        await loaded[i].updateAttributes({ $inc: { n: 1 }, $push: { log: op } }, ALLOW);
        return { kind: 'update', op, id, count: 1 };
      });
    });
    for (const victim of doomed) {
      const id = String(victim.id);
      for (let twice = 0; twice < 2; twice++) {
        operations.push(async () => {
          const { count } = await Slot.destroyById(id);
          return { kind: 'delete', id, count };
        });
      }
    }
    expect(operations).toHaveLength(200);

    const settled = await Promise.allSettled(shuffle(operations, random(20240229)).map((f) => f()));
    Slot.clearObservers('after save');
    const rejected = settled.filter((s) => s.status === 'rejected');
    expect(rejected).toEqual([]);
    const outcomes = settled.map((s) => (s as PromiseFulfilledResult<Outcome>).value);

    // ---- the state implied by the acknowledged results, applied one by one ----
    const expected = new Map<string, { tag?: string; n: number; log: string[] }>();
    for (const t of targets) expected.set(String(t.id), { tag: t.tag, n: 0, log: [] });
    for (const d of doomed) expected.set(String(d.id), { tag: d.tag, n: 0, log: [] });

    for (const o of outcomes.filter((o) => o.kind === 'create')) {
      expect(expected.has(o.id)).toBe(false);
      expected.set(o.id, { tag: o.tag, n: 0, log: [] });
    }
    for (const d of doomed) {
      const deletes = outcomes.filter((o) => o.kind === 'delete' && o.id === String(d.id));
      // both calls were acknowledged; exactly one of them found the document
      expect(deletes.map((o) => (o as { count: number }).count).sort()).toEqual([0, 1]);
      expected.delete(String(d.id));
    }
    for (const o of outcomes) {
      if (o.kind !== 'update') continue;
      expect(o.count).toBe(1);
      const doc = expected.get(o.id);
      if (!doc) throw new Error(`update of unknown ${o.id}`);
      doc.n += 1;
      doc.log.push(o.op); // order between the two updates is the server's; compared sorted
    }
    for (const id of shared) {
      // the counter each upsert got back is its place in the server's order: 1, 2, ... k
      const upserts = outcomes
        .filter((o): o is Extract<Outcome, { kind: 'upsert' }> => o.kind === 'upsert')
        .filter((o) => o.id === id)
        .sort((a, b) => a.n - b.n);
      expect(upserts.map((o) => o.n)).toEqual(upserts.map((_, i) => i + 1));
      const replayed = { n: 0, log: [] as string[] };
      for (const upsert of upserts) {
        replayed.n += 1;
        replayed.log.push(upsert.op);
        // what it returned is exactly the state after the upserts before it, and itself
        expect({ op: upsert.op, n: upsert.n, log: upsert.log }).toEqual({
          op: upsert.op,
          ...replayed,
        });
      }
      expected.set(id, { n: replayed.n, log: replayed.log });
    }
    // one upsert per shared id created it; every other one found it
    expect([...newInstances].sort()).toEqual([...shared].sort());

    // ---- against what the server holds ----
    const stored: Document[] = await mongoConnector(ds).collection('Slot').find().toArray();
    expect(stored).toHaveLength(TARGETS + CREATES + SHARED_IDS);
    const storedIds = stored.map((doc) => doc._id.toHexString());
    expect(new Set(storedIds).size).toBe(stored.length);
    const tags = stored.filter((doc) => doc.tag).map((doc) => doc.tag);
    expect(new Set(tags).size).toBe(tags.length);

    const normalise = (log: string[]) => [...log].sort();
    const isTarget = new Set(targets.map((t) => String(t.id)));
    const actual = new Map(
      stored.map(({ _id, ...doc }) => {
        const id = _id.toHexString();
        return [id, isTarget.has(id) ? { ...doc, log: normalise(doc.log) } : doc];
      }),
    );
    const wanted = new Map(
      [...expected].map(([id, doc]) => {
        const { tag, ...rest } = doc;
        const shaped = tag === undefined ? rest : { tag, ...rest };
        return [id, isTarget.has(id) ? { ...shaped, log: normalise(doc.log) } : shaped];
      }),
    );
    expect(actual).toEqual(wanted);
  });
});
