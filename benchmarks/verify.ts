/**
 * Before anything is timed: every contender does the work right, and the connector-only
 * contender calls our connector with exactly the method and arguments juggler does.
 */
import { deepStrictEqual } from 'node:assert/strict';
import { ObjectId, type Collection, type Document } from 'mongodb';
import type { MongoDB } from '../src';
import type { Contender } from './contenders';
import {
  BULK_BASE,
  SEED_SIZE,
  bulkDocs,
  countFrom,
  findFrom,
  newDoc,
  patchDoc,
  seedDoc,
  updateFrom,
} from './workload';

const DAO_METHODS = [
  'create',
  'createAll',
  'all',
  'find',
  'exists',
  'count',
  'update',
  'updateAll',
  'updateOrCreate',
  'replaceOrCreate',
  'destroy',
  'destroyAll',
  'save',
  'updateAttributes',
  'replaceById',
] as const;

type Todos = (c: Contender) => Collection<Document>;

function fail(c: Contender, what: string): never {
  throw new Error(`${c.name}: ${what}`);
}

/** One of each op, with its effect checked on the server; leaves the collection empty. */
async function exercise(c: Contender, todos: Todos): Promise<void> {
  const collection = todos(c);
  await collection.deleteMany({});
  await collection.insertMany(Array.from({ length: SEED_SIZE }, (_, i) => seedDoc(i)));

  const found = (await c.find(findFrom(0))) as { n: number }[];
  if (found.length !== 10 || found[0].n !== 1 || found[9].n !== 19) fail(c, 'find');
  if ((await c.count(countFrom(0))) !== 100) fail(c, 'count');
  await c.updateAll(updateFrom(0), true);
  if ((await collection.countDocuments({ n: { $lte: 9 }, done: true })) !== 10) {
    fail(c, 'updateAll');
  }

  const id = await c.create(newDoc(0));
  const stored = await collection.findOne({ n: newDoc(0).n });
  if (!stored || String(stored._id) !== String(id)) fail(c, 'create');
  const byId = await c.findById(id);
  const one = (Array.isArray(byId) ? byId[0] : byId) as { title?: string } | null;
  if (one?.title !== newDoc(0).title) fail(c, 'findById');
  await c.updateOrCreate(id, patchDoc(0));
  const patched = await collection.findOne({ _id: stored._id });
  if (patched?.title !== patchDoc(0).title) fail(c, 'updateOrCreate');
  await c.destroyById(id);
  if ((await collection.countDocuments({})) !== SEED_SIZE) fail(c, 'destroyById');

  if ((await c.createAll(bulkDocs(3))).length !== 3) fail(c, 'createAll');
  if ((await c.findMany()).length !== 3) fail(c, 'find of the bulk');
  await collection.deleteMany({ n: { $gte: BULK_BASE } });
  await collection.deleteMany({});
}

/** What is sent to the connector, with ids (which differ between databases) blanked. */
async function recordCalls(connector: MongoDB, body: () => Promise<void>): Promise<string[]> {
  const calls: string[] = [];
  const target = connector as unknown as Record<string, unknown>;
  for (const method of DAO_METHODS) {
    const original = target[method];
    if (typeof original !== 'function') continue;
    const wrapper = function (this: unknown, ...args: unknown[]) {
      const sent = args.filter((arg) => typeof arg !== 'function');
      calls.push(`${method} ${JSON.stringify(sent, blankIds)}`);
      return original.apply(this, args);
    };
    // juggler passes `options` only to methods whose arity says they take it
    Object.defineProperty(wrapper, 'length', { value: original.length });
    target[method] = wrapper;
  }
  try {
    await body();
  } finally {
    for (const method of DAO_METHODS) delete target[method];
  }
  return calls;
}

function blankIds(this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof ObjectId) return '<id>';
  if (typeof value === 'string' && /^[0-9a-f]{24}$/.test(value)) return '<id>';
  return value;
}

export async function verifyDirectArguments(contenders: Contender[], todos: Todos) {
  for (const c of contenders) await exercise(c, todos);
  const viaJuggler = contenders.find((c) => c.kind === 'ours') as Contender & {
    dataSource: { connector: unknown };
  };
  const direct = contenders.find((c) => c.kind === 'direct') as Contender & { connector: MongoDB };
  if (!viaJuggler || !direct) return;
  const fromJuggler = await recordCalls(viaJuggler.dataSource.connector as MongoDB, () =>
    exercise(viaJuggler, todos),
  );
  const fromDirect = await recordCalls(direct.connector, () => exercise(direct, todos));
  deepStrictEqual(fromDirect, fromJuggler, 'the connector-only calls differ from juggler’s');
}
