import {
  Long,
  MongoNetworkError,
  MongoServerError,
  type BSONSerializeOptions,
  type ClientSession,
  type Collection,
  type Db,
  type Document,
  type FindOptions,
  type MongoClient,
  type TopologyDescription,
} from 'mongodb';

/**
 * A find sent as the server's `find` command, with its `getMore`s, through `db.command`: each
 * reply is deserialized in one piece with the collection's BSON options, and its documents are
 * handed to `each` before the next is asked for.
 *
 * Why not the driver's cursor: driver 7 walks every reply document by document (an on-demand
 * index of the reply, then one deserialization per document with a fresh copy of the options,
 * then an async iterator step per document), which costs 4-8 times the client CPU of reading
 * the same reply in one piece, and its cursor set-up (FindCursor, the find operation, the sort
 * map) costs more per call than driver 5's whole find. benchmarks/ANALYSIS.md has the figures.
 *
 * What the cursor does that a command does not, and how this keeps it:
 * - a getMore must reach the server that holds the cursor. The driver pins it; `db.command`
 *   selects a server for every command. So this path is taken only where selection can answer
 *   one server: primary reads on a standalone, a replica set or a single mongos (`routesToOne`).
 *   Elsewhere (secondary reads, several mongos, load-balanced) the caller keeps the cursor.
 * - a cursor belongs to the session it was made in: one session carries the find and its
 *   getMores (the call's own, or one of this module's, used by one read at a time).
 * - retryable reads: the find is sent once more after a network error or a "not primary" /
 *   "shutting down" answer, as the driver does for its own find (never inside a transaction,
 *   never when `retryReads` is off, never for a getMore: the cursor is gone with the server).
 * - the collection's read concern goes into the find, outside a transaction (inside one the
 *   driver adds the transaction's to its first command).
 * - a cursor left open (by a failure, or by the server after the limit) is killed.
 */

/** The FindOptions this path writes into the command; any other makes the caller use the cursor. */
const COMMAND_FIELDS = new Set([
  'projection',
  'sort',
  'skip',
  'limit',
  'hint',
  'comment',
  'maxTimeMS',
  'allowDiskUse',
  'batchSize',
  'collation',
]);

/** The largest batch the server takes; it stops a batch at 16 MiB anyway. */
const WHOLE_BATCH = 0x7fffffff;

/**
 * The `find` command for a driver find, or undefined when `options` asks for something this path
 * does not write (then the driver's cursor runs it). `session` is not a command field.
 */
export function findCommand(
  collection: string,
  filter: Document,
  options: FindOptions,
  single = false,
): Document | undefined {
  const command: Document = { find: collection, filter };
  for (const key in options) {
    const value = (options as Document)[key];
    if (value === undefined || key === 'session') continue;
    if (!COMMAND_FIELDS.has(key)) return undefined;
    command[key] = value;
  }
  if (single) {
    command.limit = 1;
    command.singleBatch = true;
  }
  // one reply for the whole result where 16 MiB allows: the first batch is otherwise 101
  // documents, and every getMore is a round trip. One more than the limit: with a batch of
  // exactly the limit, a sorted and skipped find leaves its cursor open for an empty getMore.
  if (command.batchSize === undefined) {
    command.batchSize = command.limit ? Math.min(command.limit + 1, WHOLE_BATCH) : WHOLE_BATCH;
  }
  return command;
}

/** Clients whose server selection, for a primary read, names one server; see routesToOne. */
const oneServerClients = new WeakMap<MongoClient, boolean>();

/** Start following `client`'s topology, before it connects (the first description comes then). */
export function followTopology(client: MongoClient): void {
  client.on('topologyDescriptionChanged', (event) =>
    oneServerClients.set(client, routesToOne(event.newDescription)),
  );
}

/**
 * Whether every primary read goes to the same server: a standalone (Single), a replica set (its
 * primary; after a failover the old cursor is gone either way), or a sharded cluster reached
 * through one mongos. Load-balanced deployments pin cursors to a connection, which only the
 * driver's cursor can do.
 */
export function routesToOne(description: Pick<TopologyDescription, 'type' | 'servers'>): boolean {
  switch (description.type) {
    case 'Single':
    case 'ReplicaSetWithPrimary':
    case 'ReplicaSetNoPrimary':
      return true;
    case 'Sharded':
      return description.servers.size === 1;
    default:
      return false;
  }
}

/**
 * Whether this path can run a find on `collection` now: a primary read, on a client whose
 * selection names one server, with neither a client-wide timeoutMS (whose deadline the driver
 * spreads over a cursor's commands) nor raw fields (the reply is deserialized whole).
 */
function commandReadable(collection: Collection<Document>, db: Db): boolean {
  const client = db.client;
  if (!oneServerClients.get(client) || client.options.timeoutMS !== undefined) return false;
  if ((collection.readPreference?.mode ?? 'primary') !== 'primary') return false;
  const { raw, fieldsAsRaw } = collection.bsonOptions;
  return !raw && (!fieldsAsRaw || Object.keys(fieldsAsRaw).length === 0);
}

/** The find command for a read on `collection`, or undefined when the driver's cursor runs it. */
export function commandFor(
  db: Db,
  collection: Collection<Document>,
  filter: Document,
  options: FindOptions,
  single = false,
): Document | undefined {
  if (!commandReadable(collection, db)) return undefined;
  return findCommand(collection.collectionName, filter, options, single);
}

/** Server error codes after which a read may be sent again (the retryable reads specification). */
const RETRYABLE_READ_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  134, // ReadConcernMajorityNotAvailableYet
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/** Whether a failed find may be sent once more. */
export function isRetryableRead(error: unknown): boolean {
  if (error instanceof MongoNetworkError) return true;
  if (!(error instanceof MongoServerError)) return false;
  if (typeof error.code === 'number' && RETRYABLE_READ_CODES.has(error.code)) return true;
  // servers older than the codes answer with the message only
  return /not master|node is recovering/i.test(error.message);
}

type CursorId = Long | number | bigint;

function isOpen(id: CursorId | undefined): id is CursorId {
  if (id === undefined) return false;
  return typeof id === 'object' ? !id.isZero() : id !== 0 && id !== 0n;
}

/** The id as int64 again: promoteLongs gives a number for small ids, which would go as a double. */
function asLong(id: CursorId): Long | bigint {
  return typeof id === 'number' ? Long.fromNumber(id) : id;
}

interface CursorReply {
  cursor: { id?: CursorId; firstBatch?: Document[]; nextBatch?: Document[] };
}

/**
 * Run `command` (from findCommand) and its getMores; `each` maps a document as its reply
 * arrives, so a reply's documents can be collected while the next is read.
 */
export async function runFindCommand<T>(
  db: Db,
  collection: Collection<Document>,
  command: Document,
  callSession: ClientSession | undefined,
  each: (doc: Document) => T,
): Promise<T[]> {
  const inTransaction = callSession?.inTransaction() ?? false;
  const readConcern = collection.readConcern;
  if (readConcern && !inTransaction) command.readConcern = readConcern.toJSON();
  const session = callSession ?? takeSession(db.client);
  const options: BSONSerializeOptions & { session: ClientSession } = {
    ...collection.bsonOptions,
    session,
  };
  const results: T[] = [];
  let id: CursorId | undefined;
  let failed = true;
  try {
    const retryable = !inTransaction && db.client.options.retryReads !== false;
    const first = (await sendFind(db, command, options, retryable)) as CursorReply;
    id = first.cursor.id;
    collect(first.cursor.firstBatch, each, results);
    const getMore: Document = { getMore: 0, collection: command.find };
    // a getMore's batch must be positive: 0 (a first batch of none) leaves it to the server
    if (command.batchSize && command.batchSize !== WHOLE_BATCH)
      getMore.batchSize = command.batchSize;
    if (command.comment !== undefined) getMore.comment = command.comment;
    // a cursor the server keeps open after the limit has nothing more to give
    const limit: number = command.limit || Infinity;
    while (isOpen(id) && results.length < limit) {
      getMore.getMore = asLong(id);
      const next = (await db.command(getMore, options)) as CursorReply;
      id = next.cursor.id;
      collect(next.cursor.nextBatch, each, results);
    }
    failed = false;
    return results;
  } finally {
    if (isOpen(id)) {
      const kill = { killCursors: command.find, cursors: [asLong(id)] };
      await db.command(kill, { session }).catch(() => undefined);
    }
    if (session !== callSession) await giveBack(db.client, session, failed);
  }
}

/** Sessions of reads that ended, for the next reads of the same client: one read at a time each. */
const idleSessions = new WeakMap<MongoClient, ClientSession[]>();
/** As many as reads commonly run at once; more are ended. */
const IDLE_SESSIONS = 16;

/**
 * A session for one read. Starting and ending one is about 25 µs a read (ANALYSIS.md), so a
 * session whose read went well serves the next read; its server session stays checked out of the
 * driver's pool meanwhile, and the client ends it when it closes.
 */
function takeSession(client: MongoClient): ClientSession {
  const idle = idleSessions.get(client);
  for (let session = idle?.pop(); session; session = idle?.pop()) {
    if (!session.hasEnded) return session;
  }
  return client.startSession({ causalConsistency: false });
}

/** A session after its read: kept when clean, ended after a failure (the driver may mark it dirty). */
function giveBack(client: MongoClient, session: ClientSession, failed: boolean): Promise<void> {
  let idle = idleSessions.get(client);
  if (!idle) idleSessions.set(client, (idle = []));
  if (failed || session.hasEnded || idle.length >= IDLE_SESSIONS) return session.endSession();
  idle.push(session);
  return Promise.resolve();
}

async function sendFind(
  db: Db,
  command: Document,
  options: BSONSerializeOptions & { session: ClientSession },
  retryable: boolean,
): Promise<Document> {
  try {
    return await db.command(command, options);
  } catch (error) {
    if (!retryable || !isRetryableRead(error)) throw error;
    return db.command(command, options);
  }
}

function collect<T>(batch: Document[] | undefined, each: (doc: Document) => T, into: T[]): void {
  if (!batch) return;
  for (let i = 0; i < batch.length; i++) into.push(each(batch[i]));
}
