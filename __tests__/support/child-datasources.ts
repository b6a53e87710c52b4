/**
 * Run in a child process by lifecycle.test.ts, so that what keeps a process alive is seen the
 * way an app sees it (jest's own workers hold handles of their own):
 *
 *   many <count>  connect <count> datasources, use and disconnect each, then print the handles
 *                 still active and end by itself (no process.exit)
 *   early <count> make <count> datasources and disconnect each at once, its first connect still
 *                 under way; print the handles still active and end by itself
 *   refused       a datasource whose url cannot work, with no `error` listener
 *   caught        the same with juggler's `catchFailure: true`
 *   ping <which>  ping a datasource of connector <which> (`ours` or `official`) on a local port
 *                 nothing listens on, with no `error` listener; print what its callback got, the
 *                 `error` events the datasource emitted, and end by itself
 *   commit <ms>   begin two transactions with a `timeout` of <ms> (one through Model.beginTransaction,
 *   rollback <ms> one through DataSource.beginTransaction, LoopBack 4's path), write in each, commit
 *                 (or roll back) both, disconnect; print what was kept and the handles still active,
 *                 and end by itself (MONGODB_CHILD_URL must be a replica set)
 *
 *   failures      for each case of MONGODB_CHILD_CASES (JSON: [{settings, write?}]), start a
 *                 datasource, and with `write` create one instance; log each error the way an app
 *                 does (console.error) and print the error class names (secrets.test.ts runs it
 *                 with DEBUG set and looks for secrets in everything the process writes)
 *
 * JUGGLER names the juggler module to load (6 or 7, as the parent's jest project has it),
 * MONGODB_CHILD_URL the database.
 */
import net from 'node:net';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the juggler the parent chose
const { DataSource } = require(process.env.JUGGLER ?? 'loopback-datasource-juggler');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- our source, as the parent runs it
const connector = require(path.resolve(__dirname, '../../src'));

const [mode, arg] = process.argv.slice(2);
const url = process.env.MONGODB_CHILD_URL as string;

/** What is still active beyond the process's own stdio: what would keep it alive. */
function activeHandles(): string[] {
  const stdio: unknown[] = [process.stdin, process.stdout, process.stderr];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- undocumented but stable Node API
  const handles: unknown[] = (process as any)._getActiveHandles();
  return handles
    .filter((h) => !stdio.includes(h))
    .map((h) => (h as object).constructor?.name ?? typeof h);
}

async function many(n: number): Promise<void> {
  const sources = Array.from({ length: n }, () => new DataSource({ connector, url }));
  await Promise.all(
    sources.map(async (ds, i) => {
      await ds.connect();
      const Note = ds.createModel(`ChildNote${i % 5}`, { n: Number });
      await Note.create({ n: i });
      await new Promise((resolve, reject) => ds.ping((e: unknown) => (e ? reject(e) : resolve(e))));
    }),
  );
  await Promise.all(sources.map((ds) => ds.disconnect()));
  // let closed sockets finish closing before looking
  await new Promise((resolve) => setTimeout(resolve, 200));
  console.log(JSON.stringify({ connected: n, handles: activeHandles() }));
}

async function early(n: number): Promise<void> {
  const sources = Array.from({ length: n }, () => new DataSource({ connector, url }));
  const errors: string[] = [];
  sources.forEach((ds) => ds.on('error', (e: Error) => errors.push(e.message)));
  await Promise.all(sources.map((ds) => ds.disconnect()));
  // long enough for the connects that were under way to have finished, had they gone on
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const connected = sources.filter((ds) => ds.connected).length;
  console.log(JSON.stringify({ connected, errors, handles: activeHandles() }));
}

interface ChildTransaction {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

async function transactions(outcome: 'commit' | 'rollback', timeout: number): Promise<void> {
  const ds = new DataSource({ connector, url });
  const Note = ds.createModel('ChildTxNote', { n: Number });
  await ds.automigrate();
  const viaModel: ChildTransaction = await Note.beginTransaction({ timeout });
  const viaDataSource: ChildTransaction = await ds.beginTransaction({ timeout });
  for (const [n, tx] of [viaModel, viaDataSource].entries()) {
    await Note.create({ n }, { transaction: tx });
    await tx[outcome]();
  }
  const kept = await Note.count();
  await ds.disconnect();
  await new Promise((resolve) => setTimeout(resolve, 200));
  console.log(JSON.stringify({ kept, handles: activeHandles() }));
}

interface FailureCase {
  settings: Record<string, unknown>;
  write?: boolean;
}

async function failures(cases: FailureCase[]): Promise<void> {
  const seen: string[] = [];
  for (const { settings, write } of cases) {
    const ds = new DataSource({ connector, ...settings });
    let error: unknown = await new Promise((resolve) => {
      ds.once('connected', () => resolve(undefined));
      ds.once('error', resolve);
    });
    ds.on('error', () => undefined);
    if (!error && write) {
      const Entry = ds.createModel('ChildEntry', { label: String });
      error = await Entry.create({ label: 'child-entry' }).then(
        () => undefined,
        (e: unknown) => e,
      );
    }
    if (error) console.error(error);
    seen.push(error ? (error as Error).constructor.name : 'none');
    await ds.disconnect();
  }
  console.log(JSON.stringify(seen));
}

/** A local port nothing listens on: one the OS just handed out and took back. */
function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function ping(which: string): Promise<void> {
  const chosen =
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the connector under test
    which === 'official' ? require('loopback-connector-mongodb') : connector;
  const port = await unusedPort();
  const ds = new DataSource({
    connector: chosen,
    url: `mongodb://127.0.0.1:${port}/nowhere`,
    serverSelectionTimeoutMS: 300,
  });
  // seen without listening: a listener would keep an unheard `error` from being thrown
  const emitted: string[] = [];
  const emit = ds.emit;
  ds.emit = function (this: unknown, event: string, ...args: unknown[]) {
    if (event === 'error') emitted.push(String((args[0] as Error)?.name));
    return emit.call(this, event, ...args);
  };
  const started = Date.now();
  const answers: Array<{ name: string; message: string; ms: number }> = [];
  ds.ping((err?: Error) =>
    answers.push({
      name: String(err?.name),
      message: String(err?.message),
      ms: Date.now() - started,
    }),
  );
  // long enough for a late second answer or a late `error`
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  await ds.disconnect();
  console.log(JSON.stringify({ answers, emitted }));
}

if (mode === 'failures') {
  failures(JSON.parse(process.env.MONGODB_CHILD_CASES ?? '[]')).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
} else if (mode === 'ping') {
  ping(arg).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
} else if (mode === 'commit' || mode === 'rollback') {
  transactions(mode, Number(arg)).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
} else if (mode === 'early') {
  early(Number(arg)).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
} else if (mode === 'many') {
  many(Number(arg)).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
} else {
  new DataSource({
    connector,
    url: 'mongodb://app:pass:word@127.0.0.1:1/shop',
    ...(mode === 'caught' ? { catchFailure: true } : {}),
  });
}
