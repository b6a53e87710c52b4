import {
  BSON,
  type BSONSerializeOptions,
  type Collection,
  type Document,
  type FindOptions,
} from 'mongodb';
import { buildProjection } from '../query/fields';
import { buildSort } from '../query/order';
import { countableFilter } from '../query/geo-count';
import { restoreBoxedOperands } from '../query/boxed-operands';
import { assertRelevanceSearched } from '../query/text-search';
import { buildFilter, sortsByDistance } from '../query/where';
import { driverOptionsFor } from '../driver-options';
import { observed } from '../observers';
import { isPlainObject } from '../sanitize';
import { fromStoredDocument } from '../values';
import { idFilter } from './by-id';
import { commandFor, runFindCommand } from './find-command';
import type { AppData, JugglerFilter, OperationContext } from './context';

const NO_DEFAULT_SORT = { disableDefaultSort: true };

/**
 * Whether the filter is an equality on `_id` alone (juggler's findById), which matches one
 * document at most: the default id sort would only cost the driver and the server a sort spec.
 */
function oneAtMost(query: Document): boolean {
  for (const key in query) if (key !== '_id') return false;
  return '_id' in query && !isPlainObject(query._id);
}

function isEmpty(query: Document): boolean {
  for (const _ in query) return false;
  return true;
}

/** The driver's find arguments for a juggler filter; shared by find and iterate. */
export function findArguments(
  ctx: OperationContext,
  filter: JugglerFilter,
): { query: Document; options: FindOptions } {
  const { info } = ctx;
  const query = buildFilter(info, filter.where, ctx.sanitize);
  const options: FindOptions = { ...ctx.driverOptions, ...driverOptionsFor('find', ctx.perCall) };
  const projection = buildProjection(info, filter.fields);
  if (projection) options.projection = projection;
  // a $nearSphere filter returns nearest first; any sort would undo that
  if (!sortsByDistance(query)) {
    const sort = buildSort(info, filter.order, oneAtMost(query) ? NO_DEFAULT_SORT : info);
    assertRelevanceSearched(info.model, query, sort);
    if (sort) options.sort = sort;
  }
  const skip = filter.skip ?? filter.offset;
  if (skip) options.skip = skip;
  if (filter.limit) options.limit = filter.limit;
  return { query, options };
}

export async function find(ctx: OperationContext, filter: JugglerFilter = {}): Promise<AppData[]> {
  restoreBoxedOperands(ctx.info, filter.where);
  const { query, options } = findArguments(ctx, filter);
  const toApp = (doc: Document) => fromStoredDocument(ctx.info, doc);
  // without hooks, each reply's documents become app data while the next reply is read
  if (!ctx.observer) return readAll(ctx, query, options, toApp);
  // the hooks see the documents as the server sent them
  const docs = await observed(ctx.observer, 'find', [query, options], () =>
    readAll(ctx, query, options, asStored),
  );
  return docs.map(toApp);
}

const asStored = (doc: Document): Document => doc;

/**
 * Every document a find returns, each passed through `each`: through the find command where the
 * deployment lets a getMore follow it (./find-command), else through the driver's cursor.
 */
function readAll<T>(
  ctx: OperationContext,
  query: Document,
  options: FindOptions,
  each: (doc: Document) => T,
): Promise<T[]> {
  const command = commandFor(ctx.db, ctx.collection, query, options);
  if (command) return runFindCommand(ctx.db, ctx.collection, command, options.session, each);
  return readDocuments(ctx.collection, query, options, each);
}

/**
 * Through the driver's cursor. Driver 7 parses each reply into an index of its documents and then
 * deserializes every document from the whole reply with a fresh copy of the cursor's options,
 * about 4.5 µs per document more than asking for each document's bytes (`raw`) and deserializing
 * those with the same BSON options, which is what this does (benchmarks/ANALYSIS.md). The
 * options are the collection's, so a datasource's `promoteBuffers`, `bsonRegExp`,
 * `useBigInt64`... still apply.
 */
async function readDocuments<T>(
  collection: Collection<Document>,
  query: Document,
  options: FindOptions,
  each: (doc: Document) => T,
): Promise<T[]> {
  const raw = (await collection
    .find(query, { ...options, raw: true })
    .toArray()) as unknown as Uint8Array[];
  const bson = deserializeOptions(collection.bsonOptions);
  const docs = new Array<T>(raw.length);
  for (let i = 0; i < raw.length; i++) docs[i] = each(BSON.deserialize(raw[i], bson));
  return docs;
}

/** What the driver's cursor deserializes documents with, for a collection's BSON options. */
function deserializeOptions(options: BSONSerializeOptions): BSON.DeserializeOptions {
  return {
    promoteLongs: options.promoteLongs ?? true,
    promoteValues: options.promoteValues ?? true,
    promoteBuffers: options.promoteBuffers ?? false,
    bsonRegExp: options.bsonRegExp ?? false,
    useBigInt64: options.useBigInt64 ?? false,
    fieldsAsRaw: options.fieldsAsRaw,
    validation: { utf8: options.enableUtf8Validation !== false },
  };
}

/**
 * The same query as `find`, one instance at a time from the driver's cursor, so a large result
 * never has to fit in memory.
 */
export async function* iterate(
  ctx: OperationContext,
  filter: JugglerFilter = {},
): AsyncGenerator<AppData> {
  const { query, options } = findArguments(ctx, filter);
  // the hooks see the cursor here: the documents are not read yet
  const cursor = await observed(ctx.observer, 'find', [query, options], async () =>
    ctx.collection.find(query, options),
  );
  try {
    for await (const doc of cursor) yield fromStoredDocument(ctx.info, doc);
  } finally {
    await cursor.close();
  }
}

/**
 * How many instances match. With no condition and outside a transaction, the collection's
 * metadata answers (estimatedDocumentCount: no scan, milliseconds at any size), as
 * loopback-connector-mongodb does, unless `exactNeeded` says the metadata is off now: this
 * process has a transaction open (the server counts its uncommitted inserts and deletes there),
 * or the deployment is sharded (the shards' metadata counts orphaned documents). A transaction
 * counts exactly, since it must see its own writes.
 */
export async function count(
  ctx: OperationContext,
  where: unknown,
  exactNeeded: () => Promise<boolean>,
): Promise<number> {
  restoreBoxedOperands(ctx.info, where);
  // countDocuments refuses $nearSphere; the same set without its order counts instead
  const query = countableFilter(buildFilter(ctx.info, where, ctx.sanitize));
  const perCall = driverOptionsFor('count', ctx.perCall);
  const options = { ...ctx.driverOptions, ...perCall };
  // a hint names an index for a scan: the metadata count has none to use
  if (isEmpty(query) && !options.session && perCall.hint === undefined && !(await exactNeeded())) {
    // the arguments the driver is called with, as for every other hooked call
    const args = isEmpty(perCall) ? [] : [perCall];
    return observed(ctx.observer, 'estimatedDocumentCount', args, () =>
      ctx.collection.estimatedDocumentCount(...args),
    );
  }
  return observed(ctx.observer, 'countDocuments', [query, options], () =>
    ctx.collection.countDocuments(query, options),
  );
}

/** One instance by id, or null. */
export async function findById(ctx: OperationContext, id: unknown): Promise<AppData | null> {
  const filter = idFilter(ctx, id, 'find');
  const options = { ...ctx.driverOptions, ...driverOptionsFor('find', ctx.perCall) };
  const doc = await observed(ctx.observer, 'findOne', [filter, options], () =>
    readOne(ctx, filter, options),
  );
  return doc && fromStoredDocument(ctx.info, doc);
}

/** The first document a filter matches, as findOne: one command where ./find-command may. */
async function readOne(
  ctx: OperationContext,
  filter: Document,
  options: FindOptions,
): Promise<Document | null> {
  const command = commandFor(ctx.db, ctx.collection, filter, options, true);
  if (!command) return ctx.collection.findOne(filter, options);
  const [doc] = await runFindCommand(ctx.db, ctx.collection, command, options.session, asStored);
  return doc ?? null;
}

/** Whether an instance with this id exists, without fetching it. */
export async function exists(ctx: OperationContext, id: unknown): Promise<boolean> {
  const filter = idFilter(ctx, id, 'exists');
  const options = { ...ctx.driverOptions, ...driverOptionsFor('count', ctx.perCall), limit: 1 };
  const found = await observed(ctx.observer, 'countDocuments', [filter, options], () =>
    ctx.collection.countDocuments(filter, options),
  );
  return found > 0;
}
