import createDebug from 'debug';
import { inspect } from 'node:util';
import { Connector, type ModelDefinition, type PropertyDefinition } from 'loopback-connector';
import {
  MongoClient,
  ObjectId,
  type ClientSession,
  type CollationOptions,
  type Collection,
  type Db,
  type Document,
} from 'mongodb';
import * as changeStreams from './change-streams';
import { maskError, secretsOf } from './credentials';
import * as discovery from './discovery';
import { forRelatedQueries, pickDriverOptions } from './driver-options';
import { ConnectionError, fromDriverError } from './errors';
import { connectorSummary, type ConnectorSummary } from './inspection';
import * as migrate from './migrate';
import {
  assertIdStoredAsId,
  buildModelInfo,
  keyStoresObjectIds,
  ObjectIdType,
  useObjectIdType,
  type ModelInfo,
} from './model-info';
import type { AppData, JugglerFilter, OperationContext } from './operations/context';
import * as aggregation from './operations/aggregate';
import { includeInSlices, type IncludingModel } from './operations/include';
import * as create from './operations/create';
import * as distinct from './operations/distinct';
import { followTopology } from './operations/find-command';
import * as read from './operations/read';
import * as upsert from './operations/upsert';
import * as write from './operations/write';
import { executeObserver, observed, type ObservableConnector } from './observers';
import { relationReferences, type ReferenceMap } from './relation-typing';
import { resolveSanitizeOptions } from './sanitize';
import { checkTlsFiles, securityFailure, watchCertificateFailures } from './security';
import {
  checkDriverOptions,
  collationOf,
  resolveSettings,
  type ConnectionPlan,
  type MongoDBSettings,
} from './settings';
import { explainShardKeyRefusal, isSharded } from './sharding';
import { bindSession, tenantRules, tenantsOff, TenantDatabases } from './tenants';
import * as transaction from './transaction';

const debug = createDebug('loopback:connector:mongodb');

/** Marks a juggler datasource whose defineForeignKey already tells its connector. */
const FOREIGN_KEYS_WATCHED = Symbol('loopback-connector-mongo:foreignKeysWatched');

/** Node-style callback juggler passes to every connector method. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- juggler reads results positionally
export type Callback = (err: unknown, ...results: any[]) => void;

/** The per-call options juggler passes on: ours plus whatever the app put there. */
export interface CallOptions {
  /** A transaction from `Model.beginTransaction()`; its `connection` is our session. */
  transaction?: { connection?: unknown };
  allowExtendedOperators?: boolean;
  collation?: CollationOptions;
  /** The database this call runs in, when the datasource's `tenantDatabases` allows it. */
  database?: string;
  [key: string]: unknown;
}

/**
 * The connector juggler talks to. Each DAO method resolves the call's context (model facts,
 * collection, session, sanitizing rules) and hands it to one operation in ./operations.
 */
export class MongoDB extends Connector {
  declare settings: MongoDBSettings;
  /** Tells juggler's Model.createAll to hand us the whole array (one insertMany). */
  readonly multiInsertSupported = true;
  /** The driver's ObjectId class, for apps that want to make ids themselves. */
  readonly ObjectID = ObjectId;
  client: MongoClient | undefined;
  db: Db | undefined;
  private readonly infos = new Map<string, ModelInfo>();
  /** Which properties juggler relations make references, per model; with the infos it feeds. */
  private references: ReferenceMap | undefined;
  private connection: ConnectionPlan | undefined;
  /** The databases calls may choose (see ./tenants); undefined while tenantDatabases is unset. */
  private tenants: TenantDatabases | undefined;
  private secretValues: string[] | undefined;
  /** How many times disconnect() ran: a connect that straddles one was called off by it. */
  disconnects = 0;

  constructor(settings: MongoDBSettings) {
    super('mongodb', settings);
    // driver state (sockets, credentials, the `os` module in its options) is no data to walk
    for (const key of ['client', 'db', 'connection'] as const) {
      Object.defineProperty(this, key, { enumerable: false, writable: true, value: undefined });
    }
  }

  /** What JSON reporters and loggers see: see ./inspection. */
  toJSON(): ConnectorSummary {
    return connectorSummary(this);
  }

  [inspect.custom](): ConnectorSummary {
    return this.toJSON();
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /**
   * Sorts and checks the settings (see ./settings), once: throws InvalidSettingError for a value
   * that cannot work; logs dropped options and warns about unknown names on success.
   */
  plan(): ConnectionPlan {
    if (!this.connection) {
      try {
        const plan = resolveSettings(this.settings);
        checkDriverOptions(plan, this.settings);
        checkTlsFiles(plan);
        const rules = tenantRules(this.settings.tenantDatabases);
        reportIgnored(plan);
        this.tenants = rules && new TenantDatabases(rules);
        this.connection = plan;
      } catch (error) {
        throw maskError(error, this.secrets());
      }
    }
    return this.connection;
  }

  /** The secrets the settings hold, which no error we hand out may show (see ./credentials). */
  private secrets(): string[] {
    this.secretValues ??= secretsOf(this.settings);
    return this.secretValues;
  }

  /** An operation's failure as the app sees it: typed, and with no secret in it. */
  private failure(model: string | undefined, error: unknown): unknown {
    const typed = securityFailure(error, {
      plan: this.plan(),
      model,
      database: this.db?.databaseName,
    });
    return maskError(typed ?? error, this.secrets());
  }

  connect(cb?: (err: unknown, db?: Db) => void): Promise<Db> {
    const connecting = this.open().then((db) => {
      debug('connected to %s', db.databaseName);
      return db;
    });
    // answered outside the promise chain: juggler emits `error` from this callback, and a throw
    // there (no listener) must be the app's uncaught error, not an unhandled rejection
    if (cb)
      connecting.then(
        (db) => process.nextTick(cb, null, db),
        (err) => process.nextTick(cb, err),
      );
    return connecting;
  }

  private async open(): Promise<Db> {
    const db = this.database();
    const client = this.client as MongoClient;
    const certificates = watchCertificateFailures(client, this.plan());
    try {
      await Promise.race([client.connect(), certificates.failed]);
    } catch (error) {
      if (certificates.settled()) this.abandon(client);
      const plan = this.plan();
      throw maskError(
        securityFailure(error, { plan }) ??
          new ConnectionError(plan.url, this.settings.serverSelectionTimeoutMS, error),
        this.secrets(),
      );
    } finally {
      certificates.stop();
    }
    return db;
  }

  /** A client whose connect we gave up on: closed, and the next operation makes a new one. */
  private abandon(client: MongoClient): void {
    if (this.client === client) {
      this.client = undefined;
      this.db = undefined;
    }
    client.close().catch((error) => debug('closing: %s', maskError(error, this.secrets())));
  }

  /** The database; the driver connects on its first operation, so this never waits. */
  private database(): Db {
    if (!this.db) {
      const { url, driverOptions, dbName } = this.plan();
      this.client = new MongoClient(url, driverOptions);
      followTopology(this.client);
      this.db = this.client.db(dbName);
    }
    return this.db;
  }

  /**
   * The database a call's `options.database` chooses (see ./tenants), else the datasource's;
   * inside a transaction, the one its first operation chose. Throws before any I/O.
   */
  databaseFor(options: { database?: unknown } | undefined, session?: ClientSession): Db {
    const name = options?.database;
    const db = this.database();
    if (!this.tenants) {
      if (name === undefined) return db;
      throw tenantsOff(name);
    }
    const chosen =
      name === undefined ? db : this.tenants.database(this.client as MongoClient, name);
    if (session) bindSession(session, chosen.databaseName);
    return chosen;
  }

  /** Closes the pool. Idempotent; a later operation opens a new client. */
  disconnect(cb?: (err?: unknown) => void): Promise<void> {
    this.disconnects++;
    const client = this.client;
    this.client = undefined;
    this.db = undefined;
    const closing = client ? client.close() : Promise.resolve();
    if (cb)
      closing.then(
        () => process.nextTick(cb),
        (err) => process.nextTick(cb, err),
      );
    return closing;
  }

  /**
   * The connect initialize starts, while it is under way, and how many pings wait on it. A ping
   * is an operation waiting for that connect: its callback gets the failure, so initialize does
   * not hand it to juggler, whose `error` event would stop an app that does not listen.
   */
  private firstConnect: { readonly connecting: Promise<Db>; waiting: number } | undefined;

  /** The connect at start-up; `cb` hears whether a ping that waited on it took its failure. */
  connectAtStart(cb: (err: unknown, takenByPing: boolean) => void): void {
    const first = { connecting: this.connect(), waiting: 0 };
    this.firstConnect = first;
    const settle = (err: unknown) => {
      if (this.firstConnect === first) this.firstConnect = undefined;
      process.nextTick(cb, err, err !== null && first.waiting > 0);
    };
    first.connecting.then(() => settle(null), settle);
  }

  /** Reports only through `cb`: an unreachable server is a ConnectionError there. */
  ping(cb: (err?: unknown) => void): void {
    const first = this.firstConnect;
    if (first) first.waiting++;
    (first?.connecting ?? this.open())
      .then((db) => db.command({ ping: 1 }))
      .then(
        () => process.nextTick(cb),
        (err) => process.nextTick(cb, err),
      );
  }

  // ---- model facts --------------------------------------------------------------------------

  override getDefaultIdType(): unknown {
    return ObjectIdType;
  }

  override define(definition: ModelDefinition): void {
    assertIdStoredAsId(definition);
    useObjectIdType(definition.properties);
    useObjectIdType(definition.model?.definition?.rawProperties ?? {});
    super.define(definition);
    this.forgetModelFacts();
    this.watchForeignKeys();
  }

  override defineProperty(model: string, name: string, definition: PropertyDefinition): void {
    useObjectIdType({ [name]: definition });
    super.defineProperty(model, name, definition);
    this.forgetModelFacts();
    const defined = this.getModelDefinition(model);
    if (defined) assertIdStoredAsId(defined);
  }

  /**
   * Model facts are cached, but one model's depend on the others': a hasMany's foreign key lives
   * on the target, a hasManyThrough's on the through model (see relation-typing.ts). So every
   * change to any model (a define, a property juggler adds for a relation, a foreign key juggler
   * retypes) drops all of them, and they are rebuilt lazily on the next call. Changes come while
   * an app sets its models up, so the rebuild costs nothing later, and every call reads only
   * cached facts.
   */
  private forgetModelFacts(): void {
    this.infos.clear();
    this.references = undefined;
  }

  /**
   * When a relation's foreign key already exists, juggler's DataSource.defineForeignKey retypes
   * it in place (`properties[key].type = <the target's id type>`) without telling the connector,
   * so we listen there too. The relation itself is registered just after that call; facts are
   * rebuilt lazily, by which time it is. A hasMany-through defined after its models were first
   * used makes no such call: its through model's keys are typed by the through model's own
   * belongsTo relations (which do) or, failing those, by their names.
   */
  private watchForeignKeys(): void {
    const dataSource = this.dataSource as
      | { defineForeignKey?: (...args: unknown[]) => unknown; [FOREIGN_KEYS_WATCHED]?: true }
      | undefined;
    const defineForeignKey = dataSource?.defineForeignKey;
    if (!dataSource || typeof defineForeignKey !== 'function') return;
    if (dataSource[FOREIGN_KEYS_WATCHED]) return;
    dataSource[FOREIGN_KEYS_WATCHED] = true;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the wrapper's own `this` is juggler's datasource
    const connector = this;
    dataSource.defineForeignKey = function (this: unknown, ...args: unknown[]): unknown {
      const result = defineForeignKey.apply(this, args);
      connector.forgetModelFacts();
      return result;
    };
  }

  modelInfo(model: string): ModelInfo {
    let info = this.infos.get(model);
    if (!info) {
      const definition = this.getModelDefinition(model);
      if (!definition) throw new Error(`model ${model} is not attached to this datasource`);
      info = buildModelInfo(definition, this.settings, this.relationReferences().get(model));
      this.infos.set(model, info);
    }
    return info;
  }

  private relationReferences(): ReferenceMap {
    this.references ??= relationReferences(
      Object.values(this._models).map((definition) => ({
        name: definition.model.modelName as string,
        relations: definition.model.relations,
      })),
      (model, key) => {
        const definition = this.getModelDefinition(model);
        return definition !== undefined && keyStoresObjectIds(definition, key, this.settings);
      },
    );
    return this.references;
  }

  /**
   * The driver collection behind a model (or, for a name no model has, that collection), in the
   * datasource's database or the one `options.database` chooses.
   */
  collection(modelOrCollection: string, options?: { database?: unknown }): Collection<Document> {
    const name = this.getModelDefinition(modelOrCollection)
      ? this.modelInfo(modelOrCollection).collection
      : modelOrCollection;
    return collectionOf(this.databaseFor(options), name);
  }

  /**
   * Raw driver access, behind LoopBack 4's `repository.execute(collection, command, ...args)`:
   * `execute('Todo', 'aggregate', pipeline, cb)`. The first argument is a model name (its
   * collection) or a collection name; `{model, database}` runs it in a tenant's database.
   */
  execute(
    target: string | { model: string; database?: string },
    command: string,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the driver call's arguments vary by command
    ...args: any[]
  ): void {
    const cb = args.pop() as Callback;
    const model = typeof target === 'string' ? target : target.model;
    let collection: Collection<Document>;
    try {
      collection = this.collection(model, typeof target === 'string' ? undefined : target);
    } catch (error) {
      process.nextTick(cb, error);
      return;
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- looked up by name
    const method = (collection as any)[command];
    if (typeof method !== 'function') {
      const message = `execute: "${command}" is not a method of collection ${collection.collectionName}`;
      process.nextTick(cb, new Error(message));
      return;
    }
    const observer = executeObserver(this as ObservableConnector, model, collection);
    Promise.resolve()
      .then(() =>
        observed(observer, command, args, async () => {
          const result: unknown = await method.apply(collection, args);
          // cursors (find, aggregate...) are drained so the promise LoopBack 4 returns holds data
          const cursor = result as { toArray?: () => Promise<unknown> } | null;
          return cursor && typeof cursor.toArray === 'function' ? cursor.toArray() : result;
        }),
      )
      // a duplicate key or an oversized document is the same typed error as from the DAO calls
      .then(
        (result) => cb(null, result),
        (error) => cb(this.failure(model, fromDriverError(model, error))),
      );
  }

  /** Everything one DAO call needs; resolved here so operations stay free of juggler details. */
  context(model: string, options?: CallOptions): OperationContext {
    const info = this.modelInfo(model);
    const session = sessionOf(options);
    const collation = options?.collation ?? collationOf(this.settings);
    const db = this.databaseFor(options, session);
    const collection = collectionOf(db, info.collection);
    return {
      info,
      db,
      collection,
      // juggler's DataSource keeps the settings apps change at run time; ours is the same object
      // unless the connector was made without one
      sanitize: resolveSanitizeOptions(info, this.dataSource?.settings ?? this.settings, options),
      observer: executeObserver(this as ObservableConnector, model, collection),
      driverOptions: {
        ...(session ? { session } : {}),
        ...(collation ? { collation } : {}),
      },
      perCall: pickDriverOptions(model, options),
    };
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
    let ctx: OperationContext;
    try {
      ctx = this.context(model, options);
      pending = operation(ctx);
    } catch (error) {
      process.nextTick(cb, error);
      return;
    }
    // answered on a later tick, outside the promise chain: an exception thrown by the caller's
    // callback must surface as an exception, not vanish as an unhandled rejection
    pending.then(
      (result) =>
        process.nextTick(() => (spread ? cb(null, ...(result as unknown[])) : cb(null, result))),
      (error) =>
        explainShardKeyRefusal(() => this.database(), ctx, error).then((explained) =>
          process.nextTick(cb, this.failure(model, fromDriverError(model, explained))),
        ),
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
    this.run(model, options, cb, async (ctx) => {
      const found = await read.find(ctx, filter);
      return filter?.include
        ? this.include(model, found, filter.include, forRelatedQueries(options))
        : found;
    });
  }

  /** Juggler leaves includes to the connector; its model class knows how to run them. */
  private include(
    model: string,
    found: AppData[],
    include: unknown,
    options: CallOptions,
  ): Promise<AppData[]> {
    const modelClass = this.getModelDefinition(model)?.model as IncludingModel;
    const inqLimit = (this.dataSource?.settings as { inqLimit?: number } | undefined)?.inqLimit;
    return includeInSlices(modelClass, found, include, options, inqLimit);
  }

  /** Iterate a query's results without holding them all: `for await (const x of ...)`. */
  iterate(
    model: string,
    filter: JugglerFilter = {},
    options?: CallOptions,
  ): AsyncGenerator<AppData> {
    return read.iterate(this.context(model, options), filter);
  }

  /** The distinct values of a property among the instances `where` matches, in the app's form. */
  distinct(
    model: string,
    property: string,
    where?: unknown,
    options?: CallOptions,
  ): Promise<unknown[]> {
    return this.promised(model, options, (ctx) => distinct.distinct(ctx, property, where));
  }

  /** An aggregation whose leading `$match` stages take juggler wheres (see ./operations/aggregate). */
  aggregate(model: string, pipeline: Document[], options?: CallOptions): Promise<AppData[]> {
    return this.promised(model, options, (ctx) => aggregation.aggregate(ctx, pipeline));
  }

  /** run() for callers that want a promise: the same context, errors and hooks. */
  private promised<T>(
    model: string,
    options: CallOptions | undefined,
    operation: (ctx: OperationContext) => Promise<T>,
  ): Promise<T> {
    return new Promise((resolve, reject) =>
      this.run(model, options, (err, result) => (err ? reject(err) : resolve(result)), operation),
    );
  }

  /** Connector-level lookup by id (juggler's own findById goes through `all`). */
  find(model: string, id: unknown, options: CallOptions, cb: Callback): void {
    this.run(model, options, cb, (ctx) => read.findById(ctx, id));
  }

  exists(model: string, id: unknown, options: CallOptions, cb: Callback): void {
    this.run(model, options, cb, (ctx) => read.exists(ctx, id));
  }

  count(model: string, where: unknown, options: CallOptions, cb: Callback): void {
    // the metadata would count another transaction's uncommitted writes, or a shard's orphans
    const exact = async () =>
      transaction.hasOpenTransaction(this.database()) || isSharded(this.database());
    this.run(model, options, cb, (ctx) => read.count(ctx, where, exact));
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

  // ---- transactions (see ./transaction) ----------------------------------------------------

  /**
   * loopback-connector's Transaction.begin calls this (for juggler's Model.beginTransaction and
   * LoopBack 4's DataSource.beginTransaction); it takes the Transaction we answer as the app's,
   * with our session as `tx.connection` (see jugglerTransaction for why we make it).
   */
  beginTransaction(isolationLevel: string, cb: Callback): void {
    transaction
      .begin(() => this.connect(), isolationLevel)
      .then((session) => cb(null, transaction.jugglerTransaction(this, session)), cb);
  }

  commit(connection: unknown, cb: Callback): void {
    Promise.resolve()
      .then(() => transaction.commit(transaction.sessionFromConnection(connection)))
      .then(() => cb(null), cb);
  }

  rollback(connection: unknown, cb: Callback): void {
    Promise.resolve()
      .then(() => transaction.rollback(transaction.sessionFromConnection(connection)))
      .then(() => cb(null), cb);
  }

  // ---- migration ----------------------------------------------------------------------------

  /**
   * Drop each model's collection, data included, and create its indexes (see ./migrate); in a
   * tenant's database with `{database}` (juggler passes no options: call the connector).
   */
  automigrate(
    models?: migrate.ModelSelection | Callback,
    options?: MigrateOptions | Callback,
    cb?: Callback,
  ): Promise<void> {
    return this.migrate(models, options, cb, migrate.automigrate);
  }

  /** Create missing indexes and replace changed ones; data and indexes made by others stay. */
  autoupdate(
    models?: migrate.ModelSelection | Callback,
    options?: MigrateOptions | Callback,
    cb?: Callback,
  ): Promise<void> {
    return this.migrate(models, options, cb, migrate.autoupdate);
  }

  /** Whether each model's collection already has the indexes its definition asks for. */
  isActual(
    models?: migrate.ModelSelection | Callback,
    options?: MigrateOptions | Callback,
    cb?: Callback,
  ): Promise<boolean> {
    return this.migrate(models, options, cb, migrate.isActual);
  }

  private migrate<T>(
    models: migrate.ModelSelection | Callback | undefined,
    options: MigrateOptions | Callback | undefined,
    cb: Callback | undefined,
    step: (db: Db, models: migrate.MigrationModel[]) => Promise<T>,
  ): Promise<T> {
    // juggler's DataSource.isActual passes `(cb)` on as it got it
    if (typeof models === 'function') [models, options, cb] = [undefined, undefined, models];
    if (typeof options === 'function') [options, cb] = [undefined, options];
    const [names, chosen] = [models, options];
    const running = Promise.resolve()
      .then(() =>
        step(
          this.databaseFor(chosen),
          migrate.modelNames(names, this._models).map((name) => ({
            info: this.modelInfo(name),
            definition: this.getModelDefinition(name) as ModelDefinition,
          })),
        ),
      )
      .catch((error: unknown) => {
        throw this.failure(undefined, error);
      });
    if (cb) running.then((result) => cb(null, result), cb);
    return running;
  }

  // ---- geo ----------------------------------------------------------------------------------

  /**
   * Juggler hands a query with `near` to a connector that has `buildNearFilter`, and otherwise
   * filters and sorts every instance in memory. Only with enableGeoIndexing are GeoPoints stored
   * as GeoJSON under a 2dsphere index that `$nearSphere` can use, so only then do we have the
   * method. The where translator turns `near` into `$nearSphere` itself: the query stays as is.
   */
  get buildNearFilter(): ((query: JugglerFilter, near: unknown) => void) | undefined {
    return this.settings.enableGeoIndexing === true ? () => undefined : undefined;
  }

  // ---- discovery (see ./discovery) ----------------------------------------------------------

  /** The database's collections and views: juggler's and `lb4 discover`'s first call. */
  discoverModelDefinitions(
    options?: discovery.DiscoverModelDefinitionsOptions | Callback,
    cb?: Callback,
  ): Promise<discovery.DiscoveredModelDefinition[]> {
    if (typeof options === 'function') [options, cb] = [undefined, options];
    const opts = options;
    return answer(
      this.connect().then(() => discovery.discoverModelDefinitions(this.databaseFor(opts), opts)),
      cb,
    );
  }

  /** A model definition inferred from a `$sample` of the collection, keyed `owner.collection`. */
  discoverSchemas(
    collection: string,
    options?: discovery.DiscoverSchemasOptions | Callback,
    cb?: Callback,
  ): Promise<Record<string, discovery.DiscoveredSchema>> {
    if (typeof options === 'function') [options, cb] = [undefined, options];
    const opts = options;
    return answer(
      this.connect().then(() =>
        discovery.discoverSchemas(this.databaseFor(opts), collection, opts),
      ),
      cb,
    );
  }

  // ---- change streams (see ./change-streams) ------------------------------------------------

  /** A model's changes as they happen: `for await (const change of await watch('Todo'))`. */
  watch(
    model: string,
    options: changeStreams.WatchOptions = {},
  ): Promise<changeStreams.ModelChangeStream> {
    return Promise.resolve().then(() =>
      changeStreams.watch(
        this.context(model, {
          allowExtendedOperators: options.allowExtendedOperators,
          database: options.database,
        }),
        () => this.connect(),
        options,
      ),
    );
  }
}

/** Options of automigrate, autoupdate and isActual when the app calls the connector itself. */
export interface MigrateOptions {
  /** Migrate this tenant database (see ./tenants) instead of the datasource's. */
  database?: string;
}

/** Answer an optional callback from a promise, and return the promise for callers without one. */
function answer<T>(pending: Promise<T>, cb: Callback | undefined): Promise<T> {
  if (cb)
    pending.then(
      (result) => process.nextTick(cb, null, result),
      (error) => process.nextTick(cb, error),
    );
  return pending;
}

/** Names already warned about: one warning per name per process, however many datasources. */
const warnedUnknown = new Set<string>();

function reportIgnored(plan: ConnectionPlan): void {
  if (plan.dropped.length)
    debug(
      'ignoring %s: removed in MongoDB driver 7, whose default does that',
      plan.dropped.join(', '),
    );
  for (const [from, to] of plan.renamed) debug('setting %s is handed to driver 7 as %s', from, to);
  const fresh = plan.unknown.filter((name) => !warnedUnknown.has(name));
  if (!fresh.length) return;
  fresh.forEach((name) => warnedUnknown.add(name));
  process.emitWarning(
    `loopback-connector-mongo: ignoring unknown datasource setting${fresh.length > 1 ? 's' : ''} ` +
      `${fresh.join(', ')} (neither the connector, juggler nor the MongoDB driver knows ` +
      `${fresh.length > 1 ? 'them' : 'it'})`,
    { code: 'LOOPBACK_MONGO_UNKNOWN_SETTING' },
  );
}

/**
 * Driver collections by name, per Db (a reconnect makes a new Db, and with it a new set). A
 * Collection is a stateless handle, but making one resolves the Db's options, read concern and
 * read preference anew: a fifth of what a find costs our connector per call (ANALYSIS.md).
 */
const collections = new WeakMap<Db, Map<string, Collection<Document>>>();

function collectionOf(db: Db, name: string): Collection<Document> {
  let byName = collections.get(db);
  if (!byName) collections.set(db, (byName = new Map()));
  let collection = byName.get(name);
  if (!collection) byName.set(name, (collection = db.collection(name)));
  return collection;
}

function sessionOf(options: CallOptions | undefined): ClientSession | undefined {
  const connection = options?.transaction?.connection;
  return connection && typeof connection === 'object' && 'startTransaction' in connection
    ? (connection as ClientSession)
    : undefined;
}
