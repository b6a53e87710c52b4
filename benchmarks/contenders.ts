/**
 * The ways of doing the same work: our connector through juggler models, our connector's methods
 * called directly with the arguments juggler would pass, loopback-connector-mongodb through
 * juggler (the reference), and the mongodb driver alone (one call per op: the floor). The
 * reference's methods called directly serve only the measurement of the layers with the driver
 * stubbed (stub.ts); the reference's own driver version alone (`raw5`) only BENCH_DRIVER5 runs.
 */
import { DataSource } from 'loopback-datasource-juggler';
import * as reference from 'loopback-connector-mongodb';
import { MongoClient, type Collection, type Document, type ObjectId } from 'mongodb';
import * as ours from '../src';
import type { CallOptions, MongoDB } from '../src';
import { urlForDatabase } from '../scripts/mongod/server';
import {
  MODEL,
  RAW_SORT,
  TODO_PROPERTIES,
  TODO_SETTINGS,
  bulkFilter,
  byIdFilterNormalized,
  countWhere,
  findFilter,
  findFilterNormalized,
  rawBulk,
  rawCount,
  rawFind,
  rawUpdate,
  updateWhere,
  type TodoData,
} from './workload';

/** Juggler's model classes are untyped for ad-hoc models; we only call DAO methods on them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type JugglerModel = any;

export type ContenderKey = 'ours' | 'direct' | 'reference' | 'referenceDirect' | 'raw' | 'raw5';

export const CONTENDER_LABELS: Record<ContenderKey, string> = {
  ours: 'ours via juggler',
  direct: 'ours, connector only',
  reference: 'reference via juggler',
  referenceDirect: 'reference, connector only',
  raw: 'raw driver',
  raw5: "raw driver 5 (the reference's)",
};

export interface Contender {
  /** Unique per instance: a control run has two contenders of one kind. */
  readonly name: string;
  readonly kind: ContenderKey;
  /** The database holding this contender's `Todo` collection. */
  readonly database: string;
  create(data: TodoData): Promise<unknown>;
  findById(id: unknown): Promise<unknown>;
  find(from: number): Promise<unknown[]>;
  updateOrCreate(id: unknown, data: TodoData): Promise<unknown>;
  count(from: number): Promise<number>;
  updateAll(from: number, done: boolean): Promise<unknown>;
  destroyById(id: unknown): Promise<unknown>;
  createAll(docs: TodoData[]): Promise<unknown[]>;
  findMany(): Promise<unknown[]>;
  close(): Promise<void>;
}

/**
 * Waits for the connection the DataSource opens by itself. Calling `connect()` again while that
 * one is under way makes loopback-connector-mongodb open a second MongoClient that it never closes
 * (the process then never exits); ours opens one either way.
 */
export async function connected(dataSource: DataSource): Promise<void> {
  if (dataSource.connected) return;
  await new Promise<void>((resolve, reject) => {
    dataSource.once('connected', () => resolve());
    dataSource.once('error', reject);
  });
}

/** A contender that goes through juggler models: ours or the reference. */
async function jugglerContender(
  name: string,
  kind: 'ours' | 'reference',
  serverUrl: string,
  database: string,
): Promise<Contender & { dataSource: DataSource; connector: unknown }> {
  const connector = kind === 'ours' ? ours : reference;
  const dataSource = new DataSource({
    connector,
    url: urlForDatabase(serverUrl, database),
  } as never);
  await connected(dataSource);
  const Todo: JugglerModel = dataSource.createModel(MODEL, TODO_PROPERTIES, TODO_SETTINGS);
  await dataSource.automigrate(MODEL);
  return {
    name,
    kind,
    database,
    dataSource,
    connector: dataSource.connector,
    create: async (data) => (await Todo.create(data)).id,
    findById: (id) => Todo.findById(id),
    find: (from) => Todo.find(findFilter(from)),
    updateOrCreate: (id, data) => Todo.updateOrCreate({ id, ...data }),
    count: (from) => Todo.count(countWhere(from)),
    updateAll: (from, done) => Todo.updateAll(updateWhere(from), { done }),
    destroyById: (id) => Todo.destroyById(id),
    createAll: (docs) => Todo.createAll(docs),
    findMany: () => Todo.find(bulkFilter()),
    close: () => dataSource.disconnect(),
  };
}

export function oursViaJuggler(name: string, serverUrl: string, database: string) {
  return jugglerContender(name, 'ours', serverUrl, database);
}

export function referenceViaJuggler(name: string, serverUrl: string, database: string) {
  return jugglerContender(name, 'reference', serverUrl, database);
}

/**
 * A connector's DAO methods called as juggler calls them (`verify.ts` checks the arguments against
 * what juggler really passes), without juggler: no model instances, hooks or validation.
 */
async function connectorOnly(
  name: string,
  kind: 'direct' | 'referenceDirect',
  serverUrl: string,
  database: string,
): Promise<Contender & { connector: MongoDB }> {
  const viaJuggler = await jugglerContender(
    name,
    kind === 'direct' ? 'ours' : 'reference',
    serverUrl,
    database,
  );
  const connector = viaJuggler.dataSource.connector as unknown as MongoDB;
  const options: CallOptions = {};
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- connector results vary by method
  const call = <T = any>(method: keyof MongoDB, ...args: unknown[]): Promise<T> =>
    new Promise((resolve, reject) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      (connector[method] as any)(...args, options, (err: unknown, result: T) =>
        err ? reject(err) : resolve(result),
      );
    });
  return {
    name,
    kind,
    database,
    connector,
    create: (data) => call('create', MODEL, data),
    findById: (id) => call('all', MODEL, byIdFilterNormalized(id)),
    find: (from) => call('all', MODEL, findFilterNormalized(from)),
    updateOrCreate: (id, data) => call('updateOrCreate', MODEL, { ...data, id }),
    count: (from) => call('count', MODEL, countWhere(from)),
    updateAll: (from, done) => call('update', MODEL, updateWhere(from), { done }),
    destroyById: (id) => call('destroyAll', MODEL, { id }),
    createAll: (docs) => call('createAll', MODEL, docs),
    findMany: () => call('all', MODEL, bulkFilter()),
    close: viaJuggler.close,
  };
}

export function oursDirect(name: string, serverUrl: string, database: string) {
  return connectorOnly(name, 'direct', serverUrl, database);
}

/** The reference's methods as juggler calls them; it has no createAll (juggler inserts one by one). */
export function referenceDirect(name: string, serverUrl: string, database: string) {
  return connectorOnly(name, 'referenceDirect', serverUrl, database);
}

/**
 * The mongodb driver alone: each op is one driver call, nothing translated or mapped. `raw5` is
 * the same with the driver loopback-connector-mongodb brings along (5.x), to tell what the
 * reference owes to its driver from what it owes to itself.
 */
export async function rawDriver(
  name: string,
  serverUrl: string,
  database: string,
  kind: 'raw' | 'raw5' = 'raw',
) {
  const Client: typeof MongoClient =
    kind === 'raw'
      ? MongoClient
      : // eslint-disable-next-line @typescript-eslint/no-require-imports -- the reference's own copy
        require('loopback-connector-mongodb/node_modules/mongodb').MongoClient;
  const client = new Client(urlForDatabase(serverUrl, database));
  await client.connect();
  const todos: Collection<Document> = client.db(database).collection(MODEL);
  await todos.drop().catch(() => undefined);
  await todos.createIndex({ n: 1 });
  const contender: Contender = {
    name,
    kind,
    database,
    create: async (data) => (await todos.insertOne(data)).insertedId,
    findById: (id) => todos.findOne({ _id: id as ObjectId }),
    find: (from) => todos.find(rawFind(from), { sort: RAW_SORT, limit: 10 }).toArray(),
    updateOrCreate: (id, data) =>
      todos.findOneAndUpdate(
        { _id: id as ObjectId },
        { $set: data },
        { upsert: true, returnDocument: 'after' },
      ),
    count: (from) => todos.countDocuments(rawCount(from)),
    updateAll: (from, done) => todos.updateMany(rawUpdate(from), { $set: { done } }),
    destroyById: (id) => todos.deleteOne({ _id: id as ObjectId }),
    // the driver writes each generated _id into the documents it is given (fresh on every call)
    createAll: async (docs) => {
      await todos.insertMany(docs);
      return docs;
    },
    findMany: () => todos.find(rawBulk(), { sort: RAW_SORT }).toArray(),
    close: () => client.close(),
  };
  return contender;
}

export function makeContender(
  kind: ContenderKey,
  name: string,
  serverUrl: string,
  database: string,
): Promise<Contender> {
  switch (kind) {
    case 'ours':
      return oursViaJuggler(name, serverUrl, database);
    case 'direct':
      return oursDirect(name, serverUrl, database);
    case 'reference':
      return referenceViaJuggler(name, serverUrl, database);
    case 'referenceDirect':
      return referenceDirect(name, serverUrl, database);
    case 'raw':
      return rawDriver(name, serverUrl, database);
    case 'raw5':
      return rawDriver(name, serverUrl, database, 'raw5');
  }
}
