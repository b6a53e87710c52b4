/**
 * The cost of a database per tenant (src/tenants.ts): a call that chooses its database with
 * `options.database` against the same call in the datasource's own database, on the server and
 * with no I/O at all (the connector resolving the call's context), in interleaved rounds; and the
 * memory 1,000 tenants used once each leave behind. `npm run bench` runs it after the main table
 * and writes benchmarks/TENANTS.md; `npx tsx benchmarks/tenants.ts` runs it alone.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'loopback-datasource-juggler';
import { MongoClient } from 'mongodb';
import * as ours from '../src';
import type { CallOptions, MongoDB } from '../src';
import {
  serverLine,
  startServer,
  urlForDatabase,
  type RunningServer,
} from '../scripts/mongod/server';
import { forceGc, measure, median, pairedRatio } from './measure';
import { MODEL, TODO_PROPERTIES, TODO_SETTINGS, seedDoc } from './workload';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- juggler's ad-hoc model classes are untyped
type JugglerModel = any;

const N = Number(process.env.BENCH_TENANT_N ?? 200);
const ROUNDS = 6;
const CONTEXT_ROUNDS = 10;
const CONTEXT_N = 100_000;
const TENANTS = 1000;
const SEED = 100;

export interface TenantFigures {
  /** µs of client CPU per findById through juggler, and the wall time. */
  server: { own: PerCall; tenant: PerCall; cpuRatio: number; wallRatio: number };
  /** CPU ns per connector.context() call: everything a call resolves before the driver. */
  context: NsFigures;
  /** CPU ns per connector.databaseFor() call: choosing the database alone. */
  databaseFor: NsFigures;
  /** heap kept after 1,000 tenants' first calls, per tenant, and the handles cached. */
  memory: { tenants: number; retainedBytes: number; perTenantBytes: number; handles: number };
}

interface NsFigures {
  ownNs: number;
  tenantNs: number;
  ratio: number;
}

const nsFigures = (ns: { own: number[]; tenant: number[] }): NsFigures => ({
  ownNs: median(ns.own),
  tenantNs: median(ns.tenant),
  ratio: pairedRatio(ns.tenant, ns.own),
});

/**
 * CPU ns per call of `call`, with the datasource's own database and with a tenant's, in
 * interleaved rounds. CPU time, not wall time: on a shared machine the wall clock mostly
 * measures the others.
 */
function cpuNsPerCall(
  call: (options: CallOptions) => unknown,
  own: CallOptions,
  tenant: CallOptions,
): { own: number[]; tenant: number[] } {
  const once = (options: CallOptions) => {
    const start = process.cpuUsage();
    for (let i = 0; i < CONTEXT_N; i++) if (!call(options)) throw new Error('tenants: no answer');
    const used = process.cpuUsage(start);
    return ((used.user + used.system) * 1e3) / CONTEXT_N;
  };
  once(own);
  once(tenant);
  const ns = { own: [] as number[], tenant: [] as number[] };
  for (let r = 0; r < CONTEXT_ROUNDS; r++) {
    for (const key of r % 2 ? (['tenant', 'own'] as const) : (['own', 'tenant'] as const)) {
      forceGc();
      ns[key].push(once(key === 'own' ? own : tenant));
    }
  }
  return ns;
}

interface PerCall {
  cpuMicros: number;
  wallMicros: number;
}

export async function benchTenants(
  serverUrl: string,
  database: (name: string) => string,
  log: (line: string) => void,
): Promise<TenantFigures> {
  const prefix = database('tenant_');
  const tenantDb = `${prefix}x`;
  const ds = new DataSource({
    connector: ours,
    url: urlForDatabase(serverUrl, database('tenants_own')),
    tenantDatabases: { prefix },
  } as never);
  const raw = new MongoClient(serverUrl);
  try {
    await ds.connect();
    const connector = ds.connector as unknown as MongoDB;
    const Todo: JugglerModel = ds.createModel(MODEL, TODO_PROPERTIES, TODO_SETTINGS);
    const own = {};
    const tenant = { database: tenantDb };
    await ds.automigrate(MODEL);
    await connector.automigrate(MODEL, tenant);
    const ids: Record<'own' | 'tenant', unknown[]> = { own: [], tenant: [] };
    for (const [key, options] of [
      ['own', own],
      ['tenant', tenant],
    ] as const) {
      const created = await Todo.create(
        Array.from({ length: SEED }, (_, i) => seedDoc(i)),
        options,
      );
      ids[key] = created.map((t: { id: unknown }) => t.id);
    }

    log(`tenants: findById, own database vs options.database, ${ROUNDS} rounds of ${N}`);
    const samples = { own: [] as PerCall[], tenant: [] as PerCall[] };
    const block = (key: 'own' | 'tenant') => async () => {
      const options = key === 'own' ? own : tenant;
      for (let i = 0; i < N; i++) {
        const found = await Todo.findById(ids[key][i % SEED], {}, options);
        if (!found) throw new Error(`tenants: ${key} findById found nothing`);
      }
    };
    await block('own')();
    await block('tenant')();
    for (let r = 0; r < ROUNDS; r++) {
      for (const key of r % 2 ? (['tenant', 'own'] as const) : (['own', 'tenant'] as const)) {
        const s = await measure(block(key));
        samples[key].push({ cpuMicros: s.cpuMicros / N, wallMicros: (s.wallMs * 1000) / N });
      }
    }

    log(`tenants: context() and databaseFor(), ${CONTEXT_ROUNDS} rounds of ${CONTEXT_N}`);
    const contextNs = cpuNsPerCall((options) => connector.context(MODEL, options), own, tenant);
    const chooseNs = cpuNsPerCall((options) => connector.databaseFor(options), own, tenant);

    log(`tenants: memory of ${TENANTS} tenants used once each (a count in each)`);
    forceGc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < TENANTS; i++) {
      // a count of an empty database creates nothing on the server
      const n = await Todo.count({}, { database: `${prefix}m${i}` });
      if (n !== 0) throw new Error(`tenants: tenant m${i} is not empty`);
    }
    forceGc();
    const retainedBytes = process.memoryUsage().heapUsed - before;
    const handles = (connector as unknown as { tenants: { size: number } }).tenants.size;
    const checked = await raw.db(tenantDb).collection(MODEL).countDocuments();
    if (checked !== SEED) throw new Error(`tenants: ${checked} documents in the tenant database`);

    const perCall = (list: PerCall[]): PerCall => ({
      cpuMicros: median(list.map((s) => s.cpuMicros)),
      wallMicros: median(list.map((s) => s.wallMicros)),
    });
    return {
      server: {
        own: perCall(samples.own),
        tenant: perCall(samples.tenant),
        cpuRatio: pairedRatio(
          samples.tenant.map((s) => s.cpuMicros),
          samples.own.map((s) => s.cpuMicros),
        ),
        wallRatio: pairedRatio(
          samples.tenant.map((s) => s.wallMicros),
          samples.own.map((s) => s.wallMicros),
        ),
      },
      context: nsFigures(contextNs),
      databaseFor: nsFigures(chooseNs),
      memory: {
        tenants: TENANTS,
        retainedBytes,
        perTenantBytes: retainedBytes / TENANTS,
        handles,
      },
    };
  } finally {
    await ds.disconnect();
    await raw.close();
  }
}

/** benchmarks/TENANTS.md for a run's figures. */
export function tenantReport(f: TenantFigures, facts: string): string {
  const us = (x: number) => x.toFixed(1);
  const nsRow = (label: string, n: NsFigures) =>
    `| ${label} | ${n.ownNs.toFixed(0)} | ${n.tenantNs.toFixed(0)} | ${n.ratio.toFixed(3)} |`;
  const row = (label: string, p: PerCall) =>
    `| ${label} | ${us(p.cpuMicros)} | ${us(p.wallMicros)} |`;
  return [
    '# A database per tenant: what choosing it costs',
    '',
    facts,
    '',
    `findById through juggler, ${ROUNDS} interleaved rounds of ${N} calls (median per call):`,
    '',
    '| database | client CPU µs | wall µs |',
    '| --- | ---: | ---: |',
    row("the datasource's own", f.server.own),
    row('options.database (a tenant)', f.server.tenant),
    `| tenant / own (paired) | ${f.server.cpuRatio.toFixed(3)} | ${f.server.wallRatio.toFixed(3)} |`,
    '',
    `No I/O, CPU ns per call (${CONTEXT_ROUNDS} interleaved rounds of ${CONTEXT_N} calls, median):`,
    '',
    '| call | own database | options.database | tenant / own |',
    '| --- | ---: | ---: | ---: |',
    nsRow('connector.databaseFor(): choosing the database', f.databaseFor),
    nsRow('connector.context(): all a call resolves before the driver', f.context),
    '',
    "context() also makes the driver's `db.collection()` on the chosen Db, a new Collection per",
    'call for either database; all of it is well under a microsecond, against the round trip of',
    'the table above.',
    '',
    `${f.memory.tenants} tenants used once each (one count in each): ` +
      `${(f.memory.retainedBytes / 1024).toFixed(0)} KiB of heap kept after a full GC, ` +
      `${f.memory.perTenantBytes.toFixed(0)} bytes per tenant; ${f.memory.handles} Db handles ` +
      'cached (tenantDatabases.cacheSize, default 1000, bounds them).',
    '',
  ].join('\n');
}

/** Measure and write benchmarks/TENANTS.md (BENCH_TENANTS_OUT); what `npm run bench` calls. */
export async function writeTenantBench(
  server: RunningServer,
  database: (name: string) => string,
  log: (line: string) => void,
): Promise<string> {
  const figures = await benchTenants(server.url, database, log);
  const report = tenantReport(
    figures,
    `${new Date().toISOString()}, Node ${process.version}, ` +
      `${serverLine(server).replace(/ at \S+$/, '')}; load average ${loadavg()[0].toFixed(1)} ` +
      `on ${cpus().length} cores (figures from a busy machine are noisy; the ratios are paired)`,
  );
  const out = process.env.BENCH_TENANTS_OUT ?? join(__dirname, 'TENANTS.md');
  writeFileSync(out, report);
  log(`wrote ${out}`);
  return report;
}

async function main(): Promise<void> {
  const server = await startServer({ log: console.log });
  const tools = new MongoClient(server.url);
  const stamp = Date.now().toString(36);
  const database = (name: string) => `bench_${stamp}_${name}`;
  try {
    console.log(await writeTenantBench(server, database, console.log));
  } finally {
    const { databases } = await tools.db('admin').admin().listDatabases({ nameOnly: true });
    for (const { name } of databases)
      if (name.startsWith(`bench_${stamp}_`)) await tools.db(name).dropDatabase();
    await tools.close();
    await server.stop();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
