import createDebug from 'debug';
import { Connector, type ModelDefinition, type PropertyDefinition } from 'loopback-connector';
import {
  MongoClient,
  ObjectId,
  type ClientSession,
  type Collection,
  type Db,
  type Document,
} from 'mongodb';
import { ConnectionError, fromDriverError } from './errors';
import { buildModelInfo, ObjectIdType, type ModelInfo } from './model-info';
import type { AppData, JugglerFilter, OperationContext } from './operations/context';
import * as create from './operations/create';
import * as read from './operations/read';
import * as upsert from './operations/upsert';
import * as write from './operations/write';
import { resolveSanitizeOptions } from './sanitize';
import { buildUrl, databaseName, driverOptions, type MongoDBSettings } from './settings';

const debug = createDebug('loopback:connector:mongodb');

/** Node-style callback juggler passes to every connector method. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- juggler reads results positionally
export type Callback = (err: unknown, ...results: any[]) => void;

/** The per-call options juggler passes on: ours plus whatever the app put there. */
export interface CallOptions {
  /** A transaction from `Model.beginTransaction()`; its `connection` is our session. */
  transaction?: { connection?: unknown };
  allowExtendedOperators?: boolean;
  collation?: Document;
  [key: string]: unknown;
}

/**
 * The connector juggler talks to. Each DAO method resolves the call's context (model facts,
 * collection, session, sanitizing rules) and hands it to one operation in ./operations.
 */
export class MongoDB extends Connector {
  declare settings: MongoDBSettings;
  /** The driver's ObjectId class, for apps that want to make ids themselves. */
  readonly ObjectID = ObjectId;
  client: MongoClient | undefined;
  db: Db | undefined;
  private readonly infos = new Map<string, ModelInfo>();

  constructor(settings: MongoDBSettings) {
    super('mongodb', settings);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  connect(cb?: (err: unknown, db?: Db) => void): Promise<Db> {
    const connecting = this.open().then((db) => {
      debug('connected to %s', db.databaseName);
      return db;
    });
    if (cb) connecting.then((db) => cb(null, db), cb);
    return connecting;
  }

  private async open(): Promise<Db> {
    const db = this.database();
    try {
      await (this.client as MongoClient).connect();
    } catch (error) {
      throw new ConnectionError(
        buildUrl(this.settings),
        this.settings.serverSelectionTimeoutMS,
        error,
      );
    }
    return db;
  }

  /** The database; the driver connects on its first operation, so this never waits. */
  private database(): Db {
    if (!this.db) {
      this.client = new MongoClient(buildUrl(this.settings), driverOptions(this.settings));
      this.db = this.client.db(databaseName(this.settings));
    }
    return this.db;
  }

  /** Closes the pool. Idempotent; a later operation opens a new client. */
  disconnect(cb?: (err?: unknown) => void): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.db = undefined;
    const closing = client ? client.close() : Promise.resolve();
    if (cb) closing.then(() => cb(), cb);
    return closing;
  }

  ping(cb: (err?: unknown) => void): void {
    this.database()
      .command({ ping: 1 })
      .then(() => cb(), cb);
  }

  // ---- model facts --------------------------------------------------------------------------

  override getDefaultIdType(): unknown {
    return ObjectIdType;
  }

  override define(definition: ModelDefinition): void {
    super.define(definition);
    this.infos.delete(definition.model.modelName);
  }

  override defineProperty(model: string, name: string, definition: PropertyDefinition): void {
    super.defineProperty(model, name, definition);
    // foreign keys arrive after define(); facts computed before them are stale
    this.infos.delete(model);
  }

  modelInfo(model: string): ModelInfo {
    let info = this.infos.get(model);
    if (!info) {
      const definition = this.getModelDefinition(model);
      if (!definition) throw new Error(`model ${model} is not attached to this datasource`);
      info = buildModelInfo(definition, this.settings);
      this.infos.set(model, info);
    }
    return info;
  }

  /** The driver collection behind a model, for raw access. */
  collection(model: string): Collection<Document> {
    return this.database().collection(this.modelInfo(model).collection);
  }

  /** Raw driver access: `execute('Todo', 'aggregate', pipeline, cb)`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the driver call's arguments vary by command
  execute(model: string, command: string, ...args: any[]): void {
    const cb = args.pop() as Callback;
    const collection = this.definedOrRaw(model);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- looked up by name
    const method = (collection as any)[command];
    if (typeof method !== 'function') {
      process.nextTick(cb, new Error(`${command} is not a collection method`));
      return;
    }
    Promise.resolve()
      .then(() => method.apply(collection, args))
      .then(async (result: unknown) => {
        // cursors (find, aggregate...) are drained so the callback gets data
        const cursor = result as { toArray?: () => Promise<unknown> } | null;
        return cursor && typeof cursor.toArray === 'function' ? cursor.toArray() : result;
      })
      .then((result) => cb(null, result), cb);
  }

  private definedOrRaw(name: string): Collection<Document> {
    return this.getModelDefinition(name) ? this.collection(name) : this.database().collection(name);
  }

  /** Everything one DAO call needs; resolved here so operations stay free of juggler details. */
  context(model: string, options?: CallOptions): OperationContext {
    const info = this.modelInfo(model);
    const session = sessionOf(options);
    const collation = options?.collation ?? this.settings.collation;
    return {
      info,
      collection: this.database().collection(info.collection),
      sanitize: resolveSanitizeOptions(info, options),
      driverOptions: {
        ...(session ? { session } : {}),
        ...(collation ? { collation } : {}),
      },
    } as OperationContext;
  }

  /** Run an operation and answer juggler's callback; a tuple result is spread into it. */
  private run<T>(
    model: string,
    options: CallOptions | undefined,
    cb: Callback,
    operation: (ctx: OperationContext) => Promise<T>,
    spread = false,
  ): void {
    let pending: Promise<T>;
    try {
      pending = operation(this.context(model, options));
    } catch (error) {
      process.nextTick(cb, error);
      return;
    }
    pending.then(
      (result) => (spread ? cb(null, ...(result as unknown[])) : cb(null, result)),
      (error) => cb(fromDriverError(model, error)),
    );
  }

  // ---- DAO ----------------------------------------------------------------------------------

  create(model: string, data: AppData, options: CallOptions, cb: Callback): void {
    this.run(model, options, cb, (ctx) => create.create(ctx, data));
  }

  createAll(model: string, data: AppData[], options: CallOptions, cb: Callback): void {
    this.run(model, options, cb, (ctx) => create.createAll(ctx, data));
  }

  save(model: string, data: AppData, options: CallOptions, cb: Callback): void {
    this.run(model, options, cb, (ctx) => write.save(ctx, data), true);
  }

  all(model: string, filter: JugglerFilter, options: CallOptions, cb: Callback): void {
    this.run(model, options, cb, (ctx) => read.find(ctx, filter));
  }

  /** Iterate a query's results without holding them all: `for await (const x of ...)`. */
  iterate(
    model: string,
    filter: JugglerFilter = {},
    options?: CallOptions,
  ): AsyncGenerator<AppData> {
    return read.iterate(this.context(model, options), filter);
  }

  count(model: string, where: unknown, options: CallOptions, cb: Callback): void {
    this.run(model, options, cb, (ctx) => read.count(ctx, where));
  }

  update(model: string, where: unknown, data: AppData, options: CallOptions, cb: Callback): void {
    this.run(model, options, cb, (ctx) => write.updateAll(ctx, where, data));
  }

  updateAll(
    model: string,
    where: unknown,
    data: AppData,
    options: CallOptions,
    cb: Callback,
  ): void {
    this.update(model, where, data, options, cb);
  }

  updateAttributes(
    model: string,
    id: unknown,
    data: AppData,
    options: CallOptions,
    cb: Callback,
  ): void {
    this.run(model, options, cb, (ctx) => write.updateAttributes(ctx, id, data));
  }

  replaceById(model: string, id: unknown, data: AppData, options: CallOptions, cb: Callback): void {
    this.run(model, options, cb, (ctx) => write.replaceById(ctx, id, data));
  }

  destroy(model: string, id: unknown, options: CallOptions, cb: Callback): void {
    this.run(model, options, cb, (ctx) => write.destroy(ctx, id));
  }

  destroyAll(model: string, where: unknown, options: CallOptions, cb: Callback): void {
    this.run(model, options, cb, (ctx) => write.destroyAll(ctx, where));
  }

  updateOrCreate(model: string, data: AppData, options: CallOptions, cb: Callback): void {
    this.run(model, options, cb, (ctx) => upsert.updateOrCreate(ctx, data), true);
  }

  replaceOrCreate(model: string, data: AppData, options: CallOptions, cb: Callback): void {
    this.run(model, options, cb, (ctx) => upsert.replaceOrCreate(ctx, data), true);
  }

  findOrCreate(
    model: string,
    filter: JugglerFilter,
    data: AppData,
    options: CallOptions,
    cb: Callback,
  ): void {
    this.run(model, options, cb, (ctx) => upsert.findOrCreate(ctx, filter, data), true);
  }

  upsertWithWhere(
    model: string,
    where: unknown,
    data: AppData,
    options: CallOptions,
    cb: Callback,
  ): void {
    this.run(model, options, cb, (ctx) => upsert.upsertWithWhere(ctx, where, data), true);
  }
}

function sessionOf(options: CallOptions | undefined): ClientSession | undefined {
  const connection = options?.transaction?.connection;
  return connection && typeof connection === 'object' && 'startTransaction' in connection
    ? (connection as ClientSession)
    : undefined;
}
