/**
 * CPU profiles of single ops, to see where a contender's client time goes:
 *   npx tsx benchmarks/profile.ts [op...]      (default: every op)
 * PROFILE_CONTENDERS (default ours,direct,raw), PROFILE_N (calls per op, default 2000),
 * PROFILE_BULK=1 to profile createAll and the big find instead, PROFILE_SCALE=<N> to profile the
 * reads at scale (scaling.ts: find all, include, count, find+limit over N parents; contenders
 * default to ours,reference), PROFILE_STUB=1 to replace the
 * driver by the in-memory stub of stub.ts (juggler and connector costs alone).
 * Prints self time by package and the heaviest functions; writes .cpuprofile files (open them in
 * Chrome DevTools) to the OS temp directory.
 */
import { writeFileSync } from 'node:fs';
import { Session, type Profiler } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { serverLine, startServer, urlForDatabase } from '../scripts/mongod/server';
import { SHAPES, blockOf, makeScale, scaleSettings, seed, type ScaleKind } from './scaling';
import { EXECUTION_ORDER, opBlock } from './blocks';
import { makeContender, type ContenderKey } from './contenders';
import { forceGc } from './measure';
import { stubDatabase } from './stub';
import { OPS, type OpName } from './report';
import { BULK_BASE, MODEL, SEED_SIZE, bulkDocs, seedDoc } from './workload';

const N = Number(process.env.PROFILE_N ?? 2000);
const SCALE = Number(process.env.PROFILE_SCALE ?? 0);
const KINDS = (
  process.env.PROFILE_CONTENDERS ?? (SCALE ? 'ours,reference' : 'ours,direct,raw')
).split(',') as ContenderKey[];
const BULK = process.env.PROFILE_BULK === '1';
const STUB = process.env.PROFILE_STUB === '1';

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (err, result) => (err ? reject(err) : resolve(result as T))),
  );
}

/** Which package a frame belongs to, from its script URL. */
function category(node: Profiler.ProfileNode): string {
  const url = node.callFrame.url;
  const name = node.callFrame.functionName;
  if (!url) return name.startsWith('(') ? name : '(native)';
  if (url.includes('/loopback-connector-mongodb/node_modules/mongodb/')) return 'reference driver';
  if (url.includes('/loopback-connector-mongodb/')) return 'reference connector';
  if (url.includes('/node_modules/bson/') || url.includes('/bson/lib')) return 'bson';
  if (url.includes('/node_modules/mongodb/')) return 'mongodb driver';
  if (url.includes('/loopback-datasource-juggler/')) return 'juggler';
  if (url.includes('/node_modules/loopback-connector/')) return 'loopback-connector';
  if (url.includes('/work/main/src/') || url.includes('/src/')) {
    if (!url.includes('node_modules')) return 'ours (src)';
  }
  if (url.includes('/benchmarks/')) return 'benchmark harness';
  if (url.startsWith('node:')) return 'node core';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  return match ? match[1] : url;
}

function summarize(profile: Profiler.Profile, calls: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // Samples are counted, not timed: on a loaded machine a sample taken after the process was
  // descheduled carries the wait in its time delta, which is wall time, not CPU. Each sample is
  // worth the median interval. The sample of the inspector call that stops the profiler is
  // dropped.
  const deltas = [...(profile.timeDeltas ?? [])].sort((a, b) => a - b);
  const unit = deltas[deltas.length >> 1] ?? 0;
  const selfUs = new Map<number, number>();
  for (const id of profile.samples ?? []) {
    const node = byId.get(id) as Profiler.ProfileNode;
    if (node.callFrame.functionName === 'dispatch' && !node.callFrame.url) continue;
    selfUs.set(id, (selfUs.get(id) ?? 0) + unit);
  }
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id) as Profiler.ProfileNode;
    if (node.callFrame.functionName === '(idle)') continue;
    total += us;
    const cat = category(node);
    byCategory.set(cat, (byCategory.get(cat) ?? 0) + us);
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/main\//, '');
    const key = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const per = (us: number) => `${(us / calls).toFixed(1).padStart(7)} µs/op`;
  const lines = [`  busy ${per(total)} (sampled, idle excluded)`];
  for (const [cat, us] of [...byCategory].sort((a, b) => b[1] - a[1])) {
    lines.push(`  ${cat.padEnd(24)} ${per(us)}  ${((100 * us) / total).toFixed(1)}%`);
  }
  lines.push('  heaviest functions (self):');
  for (const [fn, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    lines.push(`    ${per(us)}  ${fn}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2) as OpName[];
  for (const op of wanted) if (!OPS.includes(op)) throw new Error(`unknown op ${op}`);
  const ops = EXECUTION_ORDER.filter((op) => !wanted.length || wanted.includes(op));
  const server = await startServer();
  console.log(serverLine(server));
  const tools = new MongoClient(server.url);
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 200 });
  const profileOf = async (label: string, calls: number, body: () => Promise<unknown>) => {
    forceGc();
    await post(session, 'Profiler.start');
    await body();
    const { profile } = await post<{ profile: Profiler.Profile }>(session, 'Profiler.stop');
    const file = join(tmpdir(), `bench-${label.replace(/\W+/g, '-')}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.log(`\n${label}: ${file}\n${summarize(profile, calls)}`);
  };
  try {
    if (SCALE) {
      const facts = { ...scaleSettings(), sizes: [SCALE] };
      const database = `profile_${Date.now().toString(36)}_scale`;
      await tools.connect();
      await seed(tools, database, SCALE);
      for (const kind of KINDS as ScaleKind[]) {
        const c = await makeScale(kind, urlForDatabase(server.url, database));
        try {
          for (const shape of SHAPES) await blockOf(c, shape, SCALE, facts)();
          for (const shape of SHAPES) {
            const calls =
              shape === 'findPage' ? facts.pageCalls : shape === 'count' ? facts.countCalls : 1;
            await profileOf(`${kind} ${shape} ${SCALE}`, calls, blockOf(c, shape, SCALE, facts));
          }
        } finally {
          await c.close();
        }
      }
      await tools.db(database).dropDatabase();
      return;
    }
    for (const kind of KINDS) {
      const database = `profile_${Date.now().toString(36)}_${kind}`;
      const c = await makeContender(kind, kind, server.url, database);
      if (STUB) {
        const connector = (c as { connector?: { db?: { collection: unknown } } }).connector;
        if (!connector?.db) throw new Error(`${kind}: no driver Db to stub`);
        stubDatabase(connector, kind.startsWith('reference') ? 5 : 7);
      }
      const todos = tools.db(database).collection(MODEL);
      await todos.deleteMany({});
      await todos.insertMany(Array.from({ length: SEED_SIZE }, (_, i) => seedDoc(i)));
      const label = STUB ? `${kind} (stubbed)` : kind;
      try {
        if (BULK) {
          const size = 10_000;
          // warm-up
          await c.createAll(bulkDocs(1000));
          await c.findMany();
          await todos.deleteMany({ n: { $gte: BULK_BASE } });
          const docs = bulkDocs(size);
          await profileOf(`${label} createAll`, size, () => c.createAll(docs));
          await profileOf(`${label} find-bulk`, size, () => c.findMany());
          continue;
        }
        const ids: unknown[] = [];
        // warm-up, so that the profile shows optimized code
        for (const op of EXECUTION_ORDER) await opBlock(c, ids, op, Math.min(N, 300))();
        for (const op of EXECUTION_ORDER) {
          const block = opBlock(c, ids, op, N);
          if (ops.includes(op)) await profileOf(`${label} ${op}`, N, block);
          else await block();
        }
      } finally {
        await c.close();
        await tools.db(database).dropDatabase();
      }
    }
  } finally {
    session.disconnect();
    await tools.close();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
