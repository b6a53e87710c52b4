/**
 * Reads at scale: the read shapes apps make most, against collections of 1,000, 10,000 and (on
 * request) 100,000 parents with two children each, through juggler for ours and the reference,
 * and with the bare driver. All contenders read the same collections (reads change nothing), in
 * interleaved rounds; client CPU, wall and the heap's high-water mark per shape.
 *
 * BENCH_SCALE_SIZES (default 1000,10000; add 100000 for the large size, which takes minutes),
 * BENCH_SCALE_SHAPES (default findAll,include,count,findPage: a subset measures only those, e.g.
 * `BENCH_SCALE_SHAPES=findPage BENCH_SCALE_ROUNDS=40` for a page's ratio within a few percent),
 * BENCH_SCALE_ROUNDS (default 4, made even; 2 at 100,000 and above with find all or include), BENCH_SCALE_N (finds with
 * where+order+limit per block, default 200), BENCH_SCALE_COUNTS (count() calls per block,
 * default 50), BENCH_BASELINE (a directory holding another version of our src/, e.g. from
 * `git archive <commit> src | tar -x -C benchmarks/.baseline`: it joins as "before", ours via
 * juggler, so a change is measured against the code before it in the same rounds; below
 * 100,000 only).
 * `npx tsx benchmarks/scaling.ts` runs this part alone and prints its table.
 */
import { DataSource } from 'loopback-datasource-juggler';
import * as reference from 'loopback-connector-mongodb';
import { MongoClient, ObjectId, type CommandStartedEvent, type Document } from 'mongodb';
import * as ours from '../src';
import { join } from 'node:path';
import { serverLine, startServer, urlForDatabase } from '../scripts/mongod/server';
import { CONTENDER_LABELS, connected, type ContenderKey } from './contenders';
import { median, measurePeak, pairedRatio, roundOrders, type PeakSample } from './measure';

const PARENT = 'Parent';
const CHILD = 'Child';

export const SHAPES = ['findAll', 'include', 'count', 'findPage'] as const;
export type Shape = (typeof SHAPES)[number];

export const SHAPE_LABELS: Record<Shape, string> = {
  findAll: '`find()` all',
  include: "`find({include: 'children'})`, 2 children each",
  count: '`count()` with no where',
  findPage: 'find where+order+limit 10, per op',
};

export type ScaleKind = Extract<ContenderKey, 'ours' | 'reference' | 'raw' | 'raw5'> | 'before';

/** The contenders of a run: BENCH_DRIVER5 adds the reference's driver, BENCH_BASELINE "before". */
export function scaleContenders(): ScaleKind[] {
  const kinds: ScaleKind[] = ['ours', 'reference', 'raw'];
  if (process.env.BENCH_DRIVER5 === '1') kinds.push('raw5');
  if (process.env.BENCH_BASELINE) kinds.push('before');
  return kinds;
}

/** The connector module of a juggler contender. */
function connectorModule(kind: 'ours' | 'reference' | 'before'): unknown {
  if (kind === 'ours') return ours;
  if (kind === 'reference') return reference;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a directory named at run time
  return require(join(process.env.BENCH_BASELINE as string, 'src'));
}

interface ScaleContender {
  kind: ScaleKind;
  findAll(): Promise<unknown[]>;
  include(): Promise<unknown[]>;
  count(): Promise<number>;
  findPage(from: number): Promise<unknown[]>;
  close(): Promise<void>;
}

/** Every sample of one contender at one size, round by round, and its driver commands per shape. */
export interface ScaleSamples {
  kind: ScaleKind;
  size: number;
  shapes: Record<Shape, PeakSample[]>;
  /** find + getMore commands one call of the shape sends (from a separate, monitored client). */
  queries: Record<Shape, number>;
}

export interface ScaleFacts {
  sizes: number[];
  /** The shapes a run measures (BENCH_SCALE_SHAPES); all of them when absent. */
  shapes?: Shape[];
  rounds: Record<number, number>;
  pageCalls: number;
  countCalls: number;
}

const int = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: an integer ≥ 1`);
  return value;
};
const even = (value: number) => value + (value % 2);

export function scaleSettings(): ScaleFacts {
  const sizes = (process.env.BENCH_SCALE_SIZES ?? '1000,10000').split(',').map(Number);
  if (sizes.some((s) => !Number.isInteger(s) || s < 10)) {
    throw new Error('BENCH_SCALE_SIZES: comma-separated integers ≥ 10');
  }
  const rounds = even(int('BENCH_SCALE_ROUNDS', 4));
  const shapes = (process.env.BENCH_SCALE_SHAPES ?? SHAPES.join(',')).split(',') as Shape[];
  if (shapes.some((shape) => !SHAPES.includes(shape))) {
    throw new Error(`BENCH_SCALE_SHAPES: comma-separated names among ${SHAPES.join(', ')}`);
  }
  const slow = shapes.includes('findAll') || shapes.includes('include');
  return {
    sizes,
    shapes,
    // a find all or an include of 100,000 takes seconds a call: two rounds there
    rounds: Object.fromEntries(
      sizes.map((s) => [s, s >= 100_000 && slow ? Math.min(rounds, 2) : rounds]),
    ),
    pageCalls: int('BENCH_SCALE_N', 200),
    countCalls: int('BENCH_SCALE_COUNTS', 50),
  };
}

/** The shapes `facts` asks for, in SHAPES order. */
function shapesOf(facts: ScaleFacts): readonly Shape[] {
  return SHAPES.filter((shape) => !facts.shapes || facts.shapes.includes(shape));
}

/** The i-th page find starts here: spread over the parents, the same for everyone. */
const pageFrom = (i: number, size: number) => (i * 7919) % Math.max(1, size - 20);

async function jugglerScale(
  kind: 'ours' | 'reference' | 'before',
  url: string,
  settings: Record<string, unknown> = {},
): Promise<ScaleContender & { client(): MongoClient }> {
  const dataSource = new DataSource({
    connector: connectorModule(kind),
    url,
    ...settings,
  } as never);
  await connected(dataSource);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- ad-hoc juggler models
  const Parent: any = dataSource.createModel(PARENT, {
    name: String,
    n: { type: Number, index: true },
  });
  dataSource.createModel(CHILD, { name: String });
  Parent.hasMany(dataSource.getModel(CHILD), { as: 'children', foreignKey: 'parentId' });
  return {
    kind,
    findAll: () => Parent.find(),
    include: () => Parent.find({ include: 'children' }),
    count: () => Parent.count(),
    findPage: (from) => Parent.find({ where: { n: { gte: from } }, order: 'n ASC', limit: 10 }),
    close: () => dataSource.disconnect(),
    client: () => (dataSource.connector as unknown as { client: MongoClient }).client,
  };
}

async function rawScale(
  kind: 'raw' | 'raw5',
  url: string,
  settings: Record<string, unknown> = {},
): Promise<ScaleContender & { client(): MongoClient }> {
  const Client: typeof MongoClient =
    kind === 'raw'
      ? MongoClient
      : // eslint-disable-next-line @typescript-eslint/no-require-imports -- the reference's own copy
        require('loopback-connector-mongodb/node_modules/mongodb').MongoClient;
  const client = new Client(url, settings);
  await client.connect();
  const db = client.db();
  const parents = db.collection(PARENT);
  const children = db.collection(CHILD);
  const findAll = () => parents.find({}, { sort: { _id: 1 } }).toArray();
  return {
    kind,
    findAll,
    // the floor for an include: the parents, then every child of them in one query, grouped
    include: async () => {
      const found = await findAll();
      const ids = found.map((p) => p._id);
      const byParent = new Map<string, Document[]>();
      for (const child of await children.find({ parentId: { $in: ids } }).toArray()) {
        const key = String(child.parentId);
        const list = byParent.get(key);
        if (list) list.push(child);
        else byParent.set(key, [child]);
      }
      for (const p of found) p.children = byParent.get(String(p._id)) ?? [];
      return found;
    },
    count: () => parents.estimatedDocumentCount(),
    findPage: (from) =>
      parents.find({ n: { $gte: from } }, { sort: { n: 1 }, limit: 10 }).toArray(),
    close: () => client.close(),
    client: () => client,
  };
}

export function makeScale(kind: ScaleKind, url: string, settings?: Record<string, unknown>) {
  return kind === 'raw' || kind === 'raw5'
    ? rawScale(kind, url, settings)
    : jugglerScale(kind, url, settings);
}

/** `size` parents with two children each, written with the bare driver; an index on `n`. */
export async function seed(tools: MongoClient, database: string, size: number): Promise<void> {
  const db = tools.db(database);
  await db.dropDatabase();
  const BATCH = 10_000;
  for (let start = 0; start < size; start += BATCH) {
    const parents: Document[] = [];
    const children: Document[] = [];
    for (let i = start; i < Math.min(size, start + BATCH); i++) {
      const _id = new ObjectId();
      parents.push({ _id, name: `parent ${i}`, n: i });
      children.push({ name: `child ${i}a`, parentId: _id }, { name: `child ${i}b`, parentId: _id });
    }
    await db.collection(PARENT).insertMany(parents, { ordered: false });
    await db.collection(CHILD).insertMany(children, { ordered: false });
  }
  await db.collection(PARENT).createIndex({ n: 1 });
  await db.collection(CHILD).createIndex({ parentId: 1 });
}

export function blockOf(c: ScaleContender, shape: Shape, size: number, facts: ScaleFacts) {
  switch (shape) {
    case 'findAll':
      return async () => {
        const found = await c.findAll();
        if (found.length !== size) throw new Error(`${c.kind}: find() gave ${found.length}`);
      };
    case 'include':
      return async () => {
        const found = (await c.include()) as Document[];
        if (found.length !== size) throw new Error(`${c.kind}: include gave ${found.length}`);
        const last = found[size - 1];
        const kids = typeof last.children === 'function' ? last.children() : last.children;
        if (kids?.length !== 2) throw new Error(`${c.kind}: include attached ${kids?.length}`);
      };
    case 'count':
      return async () => {
        for (let i = 0; i < facts.countCalls; i++) {
          const n = await c.count();
          if (n !== size) throw new Error(`${c.kind}: count() gave ${n}`);
        }
      };
    case 'findPage':
      return async () => {
        for (let i = 0; i < facts.pageCalls; i++) {
          const found = await c.findPage(pageFrom(i, size));
          if (found.length !== 10) throw new Error(`${c.kind}: a page of ${found.length}`);
        }
      };
  }
}

/** The find/getMore commands one call of each shape sends, from a client that monitors them. */
async function queriesPerShape(
  kind: ScaleKind,
  url: string,
  size: number,
  facts: ScaleFacts,
): Promise<Record<Shape, number>> {
  const probe = await makeScale(kind, url, { monitorCommands: true });
  try {
    let sent = 0;
    probe.client().on('commandStarted', (event: CommandStartedEvent) => {
      if (['find', 'getMore', 'count', 'aggregate'].includes(event.commandName)) sent++;
    });
    const result = {} as Record<Shape, number>;
    for (const shape of shapesOf(facts)) {
      sent = 0;
      await blockOf(probe, shape, size, { ...facts, pageCalls: 1, countCalls: 1 })();
      result[shape] = sent;
    }
    return result;
  } finally {
    await probe.close();
  }
}

export async function runScaling(
  serverUrl: string,
  database: string,
  facts: ScaleFacts,
  kinds: ScaleKind[],
  log: (line: string) => void,
): Promise<ScaleSamples[]> {
  const tools = new MongoClient(serverUrl);
  await tools.connect();
  const url = urlForDatabase(serverUrl, database);
  const all: ScaleSamples[] = [];
  try {
    for (const size of facts.sizes) {
      log(`reads at scale: seeding ${size} parents, ${2 * size} children`);
      await seed(tools, database, size);
      const contenders: ScaleContender[] = [];
      try {
        for (const kind of kinds) {
          // the code before a fix of a quadratic cost can take minutes a call at the large size
          if (kind === 'before' && size >= 100_000) continue;
          contenders.push(await makeScale(kind, url));
        }
        const samples = new Map<ScaleContender, ScaleSamples>();
        for (const c of contenders) {
          const queries = await queriesPerShape(c.kind, url, size, facts);
          const shapes = Object.fromEntries(SHAPES.map((s) => [s, []])) as unknown as Record<
            Shape,
            PeakSample[]
          >;
          samples.set(c, { kind: c.kind, size, shapes, queries });
          // warm-up at the first size: every shape once, untimed (later sizes find the code warm)
          if (size === facts.sizes[0]) {
            for (const shape of shapesOf(facts)) await blockOf(c, shape, size, facts)();
          }
        }
        const rounds = facts.rounds[size];
        const orders = roundOrders(contenders, rounds);
        for (let r = 0; r < rounds; r++) {
          log(`reads at scale ${size}: round ${r + 1}/${rounds}: ${orders[r].map((c) => c.kind)}`);
          for (const shape of shapesOf(facts)) {
            for (const c of orders[r]) {
              const sample = await measurePeak(blockOf(c, shape, size, facts));
              samples.get(c)?.shapes[shape].push(sample);
            }
          }
        }
        all.push(...samples.values());
      } finally {
        for (const c of contenders) await c.close().catch(() => undefined);
      }
    }
  } finally {
    await tools.db(database).dropDatabase();
    await tools.close();
  }
  return all;
}

/** Calls per timed block of a shape: the per-op shapes run many. */
function callsOf(shape: Shape, facts: ScaleFacts): number {
  return shape === 'findPage' ? facts.pageCalls : shape === 'count' ? facts.countCalls : 1;
}

/** The report section: one row per size and shape, ours against the reference and the driver. */
export function scalingSection(facts: ScaleFacts, all: ScaleSamples[]): string[] {
  if (!all.length) return [];
  const withBefore = all.some((s) => s.kind === 'before');
  const lines = [
    '## Reads at scale',
    '',
    `Collections of N parents with 2 children each (N = ${facts.sizes.join(', ')}), read by every`,
    'contender in interleaved rounds (' +
      facts.sizes.map((s) => `${facts.rounds[s]} at ${s}`).join(', ') +
      '). Ours and the reference go through juggler models; the raw driver does the same',
    'queries (an include: the parents, then all their children in one `$in`, grouped). CPU is',
    `client CPU per call (count: over ${facts.countCalls} calls; find+limit: over ${facts.pageCalls}`,
    "calls); peak heap: the highest heapUsed during the block (V8's GC profiler: the heap before",
    'every collection, and at the end) minus heapUsed before it (after a full GC). Queries: the',
    'find/getMore/count/aggregate commands one call sends.',
    'Ratios are paired medians over swapped rounds; targets: ours / reference CPU ≤ 1.0 (goal 0.8).',
    '',
    '| N | shape | ours CPU ms | reference CPU ms | raw CPU ms | **ours / reference CPU** | ours / raw CPU | ours / reference wall | ours µs CPU per doc | peak heap MB ours / ref / raw | queries ours / ref / raw |' +
      (withBefore
        ? ' before CPU ms | before / reference CPU | ours / before CPU | before peak heap MB | before queries |'
        : ''),
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |' +
      (withBefore ? ' ---: | ---: | ---: | ---: | ---: |' : ''),
  ];
  for (const size of facts.sizes) {
    const at = (kind: ScaleKind) => all.find((s) => s.size === size && s.kind === kind);
    const [o, ref, raw, before] = [at('ours'), at('reference'), at('raw'), at('before')];
    for (const shape of shapesOf(facts)) {
      const calls = callsOf(shape, facts);
      const cpu = (s: ScaleSamples | undefined) => s?.shapes[shape].map((x) => x.cpuMicros) ?? [];
      const wall = (s: ScaleSamples | undefined) => s?.shapes[shape].map((x) => x.wallMs) ?? [];
      const ms = (s: ScaleSamples | undefined) => (median(cpu(s)) / calls / 1000).toFixed(2);
      const peak = (s: ScaleSamples | undefined) =>
        (median(s?.shapes[shape].map((x) => x.peakBytes) ?? []) / 2 ** 20).toFixed(1);
      const docs = shape === 'include' ? 3 * size : shape === 'findAll' ? size : 10 * calls;
      const perDoc =
        shape === 'count' || shape === 'findPage' ? '' : (median(cpu(o)) / docs).toFixed(2);
      const q = (s: ScaleSamples | undefined) => String(s?.queries[shape] ?? '');
      lines.push(
        `| ${size} | ${SHAPE_LABELS[shape]} | ${ms(o)} | ${ms(ref)} | ${ms(raw)} | ` +
          `**${pairedRatio(cpu(o), cpu(ref)).toFixed(2)}** | ${pairedRatio(cpu(o), cpu(raw)).toFixed(2)} | ` +
          `${pairedRatio(wall(o), wall(ref)).toFixed(2)} | ${perDoc} | ` +
          `${peak(o)} / ${peak(ref)} / ${peak(raw)} | ${q(o)} / ${q(ref)} / ${q(raw)} |` +
          (before
            ? ` ${ms(before)} | ${pairedRatio(cpu(before), cpu(ref)).toFixed(2)} | ` +
              `${pairedRatio(cpu(o), cpu(before)).toFixed(2)} | ${peak(before)} | ${q(before)} |`
            : ''),
      );
    }
  }
  const raw5 = all.filter((s) => s.kind === 'raw5');
  if (raw5.length) {
    lines.push('', `${CONTENDER_LABELS.raw5} against the raw driver 7, CPU (raw 7 / raw 5):`, '');
    const shapes = shapesOf(facts);
    lines.push('| N | ' + shapes.map((s) => SHAPE_LABELS[s]).join(' | ') + ' |');
    lines.push('| ---: |' + ' ---: |'.repeat(shapes.length));
    for (const size of facts.sizes) {
      const at = (kind: ScaleKind) => all.find((s) => s.size === size && s.kind === kind);
      const cells = shapes.map((shape) => {
        const cpu = (s: ScaleSamples | undefined) => s?.shapes[shape].map((x) => x.cpuMicros) ?? [];
        return pairedRatio(cpu(at('raw')), cpu(at('raw5'))).toFixed(2);
      });
      lines.push(`| ${size} | ${cells.join(' | ')} |`);
    }
  }
  lines.push('');
  return lines;
}

if (require.main === module) {
  (async () => {
    const started = Date.now();
    const log = (line: string) =>
      console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
    const server = await startServer({ log });
    log(serverLine(server));
    const facts = scaleSettings();
    const kinds = scaleContenders();
    try {
      const samples = await runScaling(
        server.url,
        `bench_${Date.now().toString(36)}_scale`,
        facts,
        kinds,
        log,
      );
      console.log(scalingSection(facts, samples).join('\n'));
    } finally {
      await server.stop();
    }
  })().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
