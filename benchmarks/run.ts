/**
 * `npm run bench`: our connector against loopback-connector-mongodb and the bare mongodb driver,
 * in one process against one server, in interleaved rounds. Writes benchmarks/RESULTS.md.
 *
 * BENCH_N (calls per op per round, default 300), BENCH_ROUNDS (default 6, made even),
 * BENCH_BULK (documents for createAll and the big find, default 10000), BENCH_BULK_ROUNDS
 * (default 4, made even, at most BENCH_ROUNDS; the reference takes part in the first 2),
 * BENCH_STUB_N (calls per op per round with the driver stubbed, default 1000; 0 skips that part),
 * BENCH_CONTROL=1 (a second "ours via juggler" contender: ours against itself shows what is left
 * of slot effects), BENCH_DRIVER5=1 (the raw driver once more, in the version the reference
 * uses), BENCH_OUT (report path; every sample goes beside it as JSON). `--render` writes the
 * report again from those samples. Reads at scale (scaling.ts) run after the rounds:
 * BENCH_SCALE_SIZES (default 1000,10000; 1000,10000,100000 for the large size), BENCH_SCALE=0
 * skips them; see scaling.ts for their other variables.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { serverLine, startServer } from '../scripts/mongod/server';
import { makeContender, type Contender, type ContenderKey } from './contenders';
import { EXECUTION_ORDER, opBlock } from './blocks';
import { measure, measureHeap, roundOrders } from './measure';
import { stubDatabase } from './stub';
import {
  runScaling,
  scaleContenders,
  scaleSettings,
  scalingSection,
  type ScaleFacts,
  type ScaleSamples,
} from './scaling';
import { writeTenantBench } from './tenants';
import { verifyDirectArguments } from './verify';
import {
  OPS,
  buildReport,
  ratioTable,
  writeReport,
  type ContenderSamples,
  type RunFacts,
} from './report';
import { BULK_BASE, MODEL, SEED_SIZE, bulkDocs, rawBulk, seedDoc } from './workload';

const int = (name: string, fallback: number, min = 1) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name}: an integer ≥ ${min}`);
  return value;
};
const even = (value: number) => value + (value % 2);

const N = int('BENCH_N', 300);
const ROUNDS = even(int('BENCH_ROUNDS', 6));
const BULK = int('BENCH_BULK', 10_000);
const BULK_ROUNDS = Math.min(ROUNDS, even(int('BENCH_BULK_ROUNDS', 4)));
const STUB_N = int('BENCH_STUB_N', 1000, 0);
const CONTROL = process.env.BENCH_CONTROL === '1';
const SCALE = process.env.BENCH_SCALE !== '0';
const DRIVER5 = process.env.BENCH_DRIVER5 === '1';
const OUT = process.env.BENCH_OUT ?? join(__dirname, 'RESULTS.md');
const SAMPLES = OUT.replace(/\.md$/, '') + '.json';

function packageVersion(...path: string[]): string {
  const file = join(__dirname, '..', 'node_modules', ...path, 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');

function emptySamples(c: Contender): ContenderSamples {
  return {
    name: c.name,
    kind: c.kind,
    ops: Object.fromEntries(OPS.map((op) => [op, []])) as unknown as ContenderSamples['ops'],
    createAll: [],
    findMany: [],
  };
}

/** One contender set measured round by round; `check` runs (untimed) after each round's ops. */
class Rounds {
  readonly samples: ContenderSamples[];
  private readonly ids: Map<Contender, unknown[]>;

  constructor(
    private readonly contenders: Contender[],
    private readonly check: (c: Contender) => Promise<void> = async () => {},
  ) {
    this.samples = contenders.map(emptySamples);
    this.ids = new Map(contenders.map((c) => [c, []]));
  }

  private of(c: Contender): ContenderSamples {
    return this.samples[this.contenders.indexOf(c)];
  }

  async singleOps(order: Contender[], n: number, record: boolean): Promise<void> {
    for (const op of EXECUTION_ORDER) {
      for (const c of order) {
        const sample = await measure(opBlock(c, this.ids.get(c) as unknown[], op, n));
        if (record) this.of(c).ops[op].push(sample);
      }
    }
    for (const c of order) await this.check(c);
  }

  /** createAll of `size` documents, then the find that returns them; `cleanUp` removes them. */
  async bulk(
    order: Contender[],
    size: number,
    record: boolean,
    stored: (c: Contender) => Promise<number>,
    cleanUp: (c: Contender) => Promise<unknown>,
  ): Promise<void> {
    for (const c of order) {
      const docs = bulkDocs(size);
      const created = await measure(async () => {
        await c.createAll(docs);
      });
      const count = await stored(c);
      if (count !== size) throw new Error(`${c.name}: createAll stored ${count} of ${size}`);
      const found = await measureHeap(
        () => c.findMany(),
        (result) => {
          if (result.length !== size) throw new Error(`${c.name}: find gave ${result.length}`);
        },
      );
      await cleanUp(c);
      if (record) {
        this.of(c).createAll.push(created);
        this.of(c).findMany.push(found);
      }
    }
  }
}

/**
 * Juggler and each connector with the driver replaced by an in-memory stub: the CPU that is left
 * is the layers' own, free of the socket and of the server's noise.
 */
async function measureLayers(
  serverUrl: string,
  database: (name: string) => string,
  log: (line: string) => void,
): Promise<ContenderSamples[]> {
  const kinds: ContenderKey[] = ['ours', 'direct', 'reference', 'referenceDirect'];
  const contenders: Contender[] = [];
  try {
    for (const kind of kinds) {
      const c = await makeContender(kind, kind, serverUrl, database(`stub_${kind}`));
      const connector = (c as { connector?: { db?: { collection: unknown } } }).connector;
      if (!connector?.db) throw new Error(`${kind}: no driver Db to stub`);
      stubDatabase(connector, kind.startsWith('reference') ? 5 : 7);
      contenders.push(c);
    }
    const rounds = new Rounds(contenders);
    log(`driver stubbed: warm-up`);
    await rounds.singleOps(contenders, Math.min(STUB_N, 300), false);
    const orders = roundOrders(contenders, ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      log(`driver stubbed: round ${r + 1}/${ROUNDS}: ${orders[r].map((c) => c.name).join(', ')}`);
      await rounds.singleOps(orders[r], STUB_N, true);
    }
    return rounds.samples;
  } finally {
    for (const c of contenders) await c.close().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = load();
  const log = (line: string) =>
    console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  const server = await startServer({ log });
  log(serverLine(server));
  const tools = new MongoClient(server.url);
  const stamp = Date.now().toString(36);
  const database = (name: string) => `bench_${stamp}_${name}`;
  const contenders: Contender[] = [];
  try {
    await tools.connect();
    contenders.push(await makeContender('ours', 'ours', server.url, database('ours')));
    if (CONTROL)
      contenders.push(await makeContender('ours', 'ours-2', server.url, database('ours2')));
    contenders.push(await makeContender('direct', 'direct', server.url, database('direct')));
    contenders.push(await makeContender('reference', 'reference', server.url, database('ref')));
    contenders.push(await makeContender('raw', 'raw', server.url, database('raw')));
    if (DRIVER5) contenders.push(await makeContender('raw5', 'raw5', server.url, database('raw5')));
    const todos = (c: Contender) => tools.db(c.database).collection(MODEL);

    await verifyDirectArguments(contenders, todos);
    log('connector-only calls carry the arguments juggler passes; every contender answers right');

    for (const c of contenders) {
      await todos(c).deleteMany({});
      await todos(c).insertMany(Array.from({ length: SEED_SIZE }, (_, i) => seedDoc(i)));
      const indexes = await todos(c).indexes();
      if (!indexes.some((index) => index.key.n === 1)) {
        throw new Error(`${c.name}: no index on n after automigrate`);
      }
    }

    const rounds = new Rounds(contenders, async (c) => {
      const left = await todos(c).countDocuments({});
      if (left !== SEED_SIZE) throw new Error(`${c.name}: ${left} documents after a round`);
    });
    const stored = (c: Contender) => todos(c).countDocuments(rawBulk());
    const cleanUp = (c: Contender) => todos(c).deleteMany({ n: { $gte: BULK_BASE } });

    log('warm-up round');
    await rounds.singleOps(contenders, Math.min(N, 100), false);
    await rounds.bulk(contenders, Math.min(BULK, 1000), false, stored, cleanUp);
    const orders = roundOrders(contenders, ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      const withBulk = r < BULK_ROUNDS;
      // the reference's createAll is BULK single inserts (~10 s): its first two rounds suffice
      const bulkOrder = orders[r].filter((c) => c.kind !== 'reference' || r < 2);
      log(
        `round ${r + 1}/${ROUNDS}: ${orders[r].map((c) => c.name).join(', ')}` +
          (withBulk ? ` (+ bulk ${BULK}: ${bulkOrder.map((c) => c.name).join(', ')})` : ''),
      );
      await rounds.singleOps(orders[r], N, true);
      if (withBulk) await rounds.bulk(bulkOrder, BULK, true, stored, cleanUp);
    }
    const scale = scaleSettings();
    const scaleKinds = scaleContenders();
    const scaling = SCALE
      ? {
          facts: scale,
          samples: await runScaling(server.url, database('scale'), scale, scaleKinds, log),
        }
      : undefined;
    const layers = STUB_N > 0 ? await measureLayers(server.url, database, log) : [];
    await writeTenantBench(server, database, log);

    const facts: RunFacts = {
      date: new Date().toISOString(),
      node: process.version,
      machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${process.platform} ${process.arch}`,
      server: serverLine(server).replace(/ at \S+$/, ''),
      versions: {
        'mongodb (driver, ours and raw)': packageVersion('mongodb'),
        'loopback-datasource-juggler': packageVersion('loopback-datasource-juggler'),
        'loopback-connector-mongodb (reference)': packageVersion('loopback-connector-mongodb'),
        'mongodb (driver of the reference)': packageVersion(
          'loopback-connector-mongodb',
          'node_modules',
          'mongodb',
        ),
      },
      n: N,
      rounds: ROUNDS,
      bulk: BULK,
      bulkRounds: BULK_ROUNDS,
      stubN: STUB_N,
      durationS: (Date.now() - started) / 1000,
      loadBefore,
      loadAfter: load(),
      analysis: '',
    };
    const run: SavedRun = { facts, samples: rounds.samples, layers, scaling };
    writeFileSync(SAMPLES, JSON.stringify(run, null, 1) + '\n');
    const report = render(run);
    console.log('\n' + ratioTable(report));
    if (scaling) console.log(scalingSection(scaling.facts, scaling.samples).join('\n'));
    log(`wrote ${OUT}`);
  } finally {
    for (const c of contenders) await c.close().catch(() => undefined);
    const { databases } = await tools
      .db('admin')
      .admin()
      .listDatabases({ nameOnly: true })
      .catch(() => ({ databases: [] as { name: string }[] }));
    for (const { name } of databases) {
      if (name.startsWith(`bench_${stamp}_`)) await tools.db(name).dropDatabase();
    }
    await tools.close();
    await server.stop();
  }
}

/** The hand-written reading of the CPU profiles (ANALYSIS.md), carried into every report. */
function readAnalysis(): string {
  try {
    return readFileSync(join(__dirname, 'ANALYSIS.md'), 'utf8');
  } catch {
    return '';
  }
}

/** Every sample of a run, kept beside the report so that it can be written again. */
interface SavedRun {
  facts: RunFacts;
  samples: ContenderSamples[];
  layers: ContenderSamples[];
  scaling?: { facts: ScaleFacts; samples: ScaleSamples[] };
}

/** RESULTS.md for a run, with the current ANALYSIS.md. */
function render(run: SavedRun): string {
  const report = buildReport(
    { ...run.facts, analysis: readAnalysis() },
    run.samples,
    run.layers,
    run.scaling ? scalingSection(run.scaling.facts, run.scaling.samples) : [],
  );
  writeReport(OUT, report);
  return report;
}

if (process.argv.includes('--render')) {
  // `npm run bench -- --render`: RESULTS.md again from the saved samples (after editing ANALYSIS.md)
  const report = render(JSON.parse(readFileSync(SAMPLES, 'utf8')) as SavedRun);
  console.log(ratioTable(report));
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
