/**
 * Transactions: a juggler `Transaction`'s connection is a driver `ClientSession` with a transaction
 * started on it. The connector's beginTransaction/commit/rollback delegate here; every DAO call
 * that carries `options.transaction` runs on that session (see `context()` in ../connector).
 *
 * ## Isolation levels on MongoDB
 *
 * MongoDB has one isolation model for transactions: snapshot isolation. Reads come from one
 * snapshot (taken when the transaction begins, see `startOnServer`), and two transactions that
 * write the same document conflict: the later writer fails at once with WriteConflict, labelled
 * TransientTransactionError. Read concern decides only which data that snapshot may hold. Each
 * level gets a read concern that gives at least what the level promises; a level MongoDB cannot
 * give is refused, never silently weakened.
 *
 * | isolationLevel           | readConcern | writeConcern | what the transaction gets                    |
 * | ------------------------ | ----------- | ------------ | -------------------------------------------- |
 * | READ UNCOMMITTED         | local       | majority     | a snapshot that may hold writes not yet on a |
 * |                          |             |              | majority, which a failover can roll back     |
 * |                          |             |              | (MongoDB's only "dirty" read). Never another |
 * |                          |             |              | transaction's uncommitted writes.            |
 * | READ COMMITTED (default) | snapshot    | majority     | snapshot isolation over majority-committed   |
 * |                          |             |              | data: more than asked (no non-repeatable or  |
 * |                          |             |              | phantom reads), which the SQL standard       |
 * |                          |             |              | allows.                                      |
 * | REPEATABLE READ          | snapshot    | majority     | the same snapshot isolation.                 |
 * | SERIALIZABLE             | refused     |              | snapshot isolation allows write skew, so     |
 * |                          |             |              | calling it serializable would be a lie.      |
 *
 * READ COMMITTED could have had read concern `majority`, but that differs from `snapshot` only on
 * a sharded cluster, where it reads each shard at its own point in time; giving the two levels
 * apps actually use the same guarantee everywhere is simpler to reason about and costs nothing
 * on a replica set.
 *
 * Write concern is always majority: the snapshot guarantees hold only when the commit is
 * majority-acknowledged, and a "committed" transaction that a failover rolls back is not committed.
 * Read preference is always primary, which transactions require whatever the client's default is.
 */
import createDebug from 'debug';
import type { ClientSession, Db, Document, TransactionOptions } from 'mongodb';
import { MongoConnectorError } from './errors';

const debug = createDebug('loopback:connector:mongodb:transaction');

// ---- isolation levels -------------------------------------------------------------------------

/** Juggler's isolation level names (loopback-connector's `Transaction` constants). */
export const IsolationLevel = {
  READ_UNCOMMITTED: 'READ UNCOMMITTED',
  READ_COMMITTED: 'READ COMMITTED',
  REPEATABLE_READ: 'REPEATABLE READ',
  SERIALIZABLE: 'SERIALIZABLE',
} as const;

/** Juggler's default when the app names no level. */
export const DEFAULT_ISOLATION_LEVEL = IsolationLevel.READ_COMMITTED;

const SNAPSHOT: TransactionOptions = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
};

/** The driver options for each level we accept; see the table at the top of this file. */
const SUPPORTED_LEVELS: Readonly<Record<string, TransactionOptions>> = {
  [IsolationLevel.READ_UNCOMMITTED]: { ...SNAPSHOT, readConcern: { level: 'local' } },
  [IsolationLevel.READ_COMMITTED]: SNAPSHOT,
  [IsolationLevel.REPEATABLE_READ]: SNAPSHOT,
};

/** A level MongoDB cannot honour, or a name that is no level at all. */
export class UnsupportedIsolationLevelError extends MongoConnectorError {
  readonly isolationLevel: string;

  constructor(isolationLevel: string, reason: string) {
    super(`isolation level ${JSON.stringify(isolationLevel)} is not supported: ${reason}`, {
      code: 'UNSUPPORTED_ISOLATION_LEVEL',
      // chosen by the app's code, not by its users
      statusCode: 500,
    });
    this.isolationLevel = isolationLevel;
  }
}

const SERIALIZABLE_REASON =
  'MongoDB transactions are snapshot-isolated, which still allows write skew (two concurrent ' +
  'transactions each read a document the other one changes, and both commit). Use ' +
  `${IsolationLevel.REPEATABLE_READ}, which is exactly that snapshot isolation; where an ` +
  'invariant spans several documents, make every transaction that relies on it also write one ' +
  'shared document, so that concurrent ones conflict and all but one fail with a ' +
  'TransientTransactionError to retry';

/**
 * The driver's transaction options for a juggler isolation level (READ COMMITTED when none is
 * given). Throws UnsupportedIsolationLevelError for SERIALIZABLE and for unknown names.
 */
export function transactionOptionsFor(isolationLevel?: string | null): TransactionOptions {
  const level = isolationLevel ?? DEFAULT_ISOLATION_LEVEL;
  const options = SUPPORTED_LEVELS[level];
  if (options) return structuredClone(options);
  if (level === IsolationLevel.SERIALIZABLE) {
    throw new UnsupportedIsolationLevelError(level, SERIALIZABLE_REASON);
  }
  throw new UnsupportedIsolationLevelError(
    String(level),
    `use one of ${Object.keys(SUPPORTED_LEVELS).join(', ')}`,
  );
}

// ---- does the deployment support transactions? ------------------------------------------------

/** The server cannot run transactions: a standalone mongod. */
export class TransactionsNotSupportedError extends MongoConnectorError {
  constructor() {
    super(
      'transactions require a replica set or a sharded cluster, and this datasource is ' +
        'connected to a standalone mongod. A one-member replica set is enough: start mongod ' +
        'with --replSet rs0, run rs.initiate() once, and connect with ?replicaSet=rs0',
      { code: 'TRANSACTIONS_NOT_SUPPORTED', statusCode: 500 },
    );
  }
}

/** The part of the `hello` answer that says what kind of deployment we talk to. */
export interface HelloFacts {
  /** Present on replica set members. */
  setName?: string;
  /** `isdbgrid` from a mongos. */
  msg?: string;
  /** Absent when the server has no sessions at all (then no transactions either). */
  logicalSessionTimeoutMinutes?: number | null;
}

/** Whether a server that answered `hello` like this can run multi-document transactions. */
export function supportsTransactions(hello: HelloFacts): boolean {
  const clustered = typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
  return clustered && hello.logicalSessionTimeoutMinutes != null;
}

// a deployment does not change kind under a client, so one `hello` per client is enough
const checkedClients = new WeakMap<object, Promise<boolean>>();

async function requireTransactionSupport(db: Db): Promise<void> {
  let supported = checkedClients.get(db.client);
  if (!supported) {
    supported = db
      .command({ hello: 1 })
      .then((hello: Document) => supportsTransactions(hello as HelloFacts));
    checkedClients.set(db.client, supported);
    // a network failure says nothing about the deployment: ask again next time
    supported.catch(() => checkedClients.delete(db.client));
  }
  if (!(await supported)) throw new TransactionsNotSupportedError();
}

// ---- session lifecycle ------------------------------------------------------------------------

/**
 * A session with a transaction started at `isolationLevel`. Validates the level before any I/O
 * and refuses a standalone server up front, instead of letting the first write fail.
 */
export async function begin(
  connect: () => Promise<Db>,
  isolationLevel?: string | null,
): Promise<ClientSession> {
  const options = transactionOptionsFor(isolationLevel);
  const db = await connect();
  await requireTransactionSupport(db);
  const session = db.client.startSession();
  trackOpen(db, session);
  try {
    session.startTransaction(options);
    await startOnServer(db, session);
  } catch (error) {
    await rollback(session);
    throw error;
  }
  debug('started a %s transaction', isolationLevel ?? DEFAULT_ISOLATION_LEVEL);
  return session;
}

/** A collection the start read names; it need not exist, and reading it creates nothing. */
const START_COLLECTION = 'loopback.transaction.start';

/**
 * Start the transaction on the server now, with one cheap read. Until the server has answered a
 * transaction's first command, the driver marks every command of the session `startTransaction`,
 * so two concurrent first operations (juggler's `create([...])` creates items in parallel; apps
 * use Promise.all) would make the second one fail. Once it has started, the server checks the
 * session out to one command at a time, so concurrent ones wait their turn there (the
 * integration tests issue some). It also fixes the snapshot when the app begins.
 */
async function startOnServer(db: Db, session: ClientSession): Promise<void> {
  await db.collection(START_COLLECTION).findOne({}, { session, projection: { _id: 1 } });
}

/**
 * juggler forgets the session once commit has answered, whatever the answer, so an unknown commit
 * result can only be resolved here. Long enough to outlast a primary election (about 12 s),
 * short enough that a caller on a lost cluster is not held forever.
 */
export const COMMIT_RETRY_LIMIT_MS = 30_000;

/**
 * Commit and end the session. A commit whose outcome is unknown (UnknownTransactionCommitResult,
 * e.g. the primary stepped down) is retried for up to `retryLimitMS`, which the server makes
 * safe; every other error surfaces with its labels intact.
 */
export async function commit(
  session: ClientSession,
  retryLimitMS = COMMIT_RETRY_LIMIT_MS,
): Promise<void> {
  disarmTimeout(session);
  try {
    await commitWithRetry(session, Date.now() + retryLimitMS);
  } finally {
    await end(session);
  }
}

async function commitWithRetry(session: ClientSession, deadline: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      // a second call commits again (with majority write concern): the driver's retry path
      await session.commitTransaction();
      return;
    } catch (error) {
      if (!isUnknownCommitResult(error) || isMaxTimeExpired(error)) throw error;
      debug('commit result unknown, committing again: %s', (error as Error).message);
      await backoffOrThrow(error, attempt, deadline);
    }
  }
}

/** Abort the transaction (if the server still has one) and end the session. */
export async function rollback(session: ClientSession): Promise<void> {
  disarmTimeout(session);
  try {
    // after a commit, or an abort by the driver, there is nothing left to abort
    if (session.inTransaction()) await session.abortTransaction();
  } finally {
    await end(session);
  }
}

/**
 * The transactions this process has open, per client. A count outside them may not use the
 * collection's metadata meanwhile: the server counts a transaction's inserts and deletes there
 * before it commits (see read.count).
 */
const openTransactions = new WeakMap<object, Set<ClientSession>>();
/** The set each open session is in, so that ending it needs no client. */
const openSetOf = new WeakMap<ClientSession, Set<ClientSession>>();

function trackOpen(db: Db, session: ClientSession): void {
  let open = openTransactions.get(db.client);
  if (!open) openTransactions.set(db.client, (open = new Set()));
  open.add(session);
  openSetOf.set(session, open);
}

export function hasOpenTransaction(db: Db): boolean {
  return (openTransactions.get(db.client)?.size ?? 0) > 0;
}

async function end(session: ClientSession): Promise<void> {
  openSetOf.get(session)?.delete(session);
  try {
    await session.endSession();
  } catch (error) {
    // the transaction's outcome is already decided; a failure to release the session changes
    // nothing the caller could act on
    debug('could not end session: %s', (error as Error).message);
  }
}

// ---- the juggler Transaction and its timeout timer ---------------------------------------------

/**
 * loopback-connector's Transaction class as the juggler behind a datasource has it: juggler adds
 * its own commit and rollback (with observers) to the prototype of its own copy of
 * loopback-connector, which need not be ours (juggler 7 and LoopBack 4 bring their own).
 */
interface JugglerTransactionClass {
  new (connector: object, connection: ClientSession): { timeout?: unknown };
  prototype: { commit?: unknown };
}

/** juggler copies its TransactionMixin, which carries the class, onto each datasource's DAO. */
function jugglerTransactionClass(dataSource: unknown): JugglerTransactionClass | undefined {
  const dao = (dataSource as { DataAccessObject?: { Transaction?: unknown } } | undefined)
    ?.DataAccessObject;
  const candidate = dao?.Transaction as JugglerTransactionClass | undefined;
  return typeof candidate === 'function' && typeof candidate.prototype.commit === 'function'
    ? candidate
    : undefined;
}

type Timer = ReturnType<typeof setTimeout>;

/** The timer armed for the `timeout` of the transaction on each session. */
const timeoutTimers = new WeakMap<ClientSession, Timer>();

/**
 * What beginTransaction answers: a juggler Transaction around `session` that we make ourselves,
 * where loopback-connector's Transaction.begin would wrap the bare session in one. begin takes
 * ours as it is (it accepts any object with connector, connection, commit and rollback) and then
 * sets a timer for the app's `timeout` on it as `tx.timeout`, which neither loopback-connector
 * nor juggler ever clears: `timeout` ms after a commit it would still hold the process open and
 * then try to roll back a settled transaction. The accessor below hands us that timer, so that
 * commit and rollback clear it. With no juggler behind `connector` (no class to make one from)
 * the bare session is answered, and the timer is left to whoever set it.
 */
export function jugglerTransaction(
  connector: { dataSource?: unknown },
  session: ClientSession,
): object {
  const Transaction = jugglerTransactionClass(connector.dataSource);
  if (!Transaction) return session;
  const tx = new Transaction(connector, session);
  let timer: unknown;
  Object.defineProperty(tx, 'timeout', {
    configurable: true,
    enumerable: true,
    get: () => timer,
    set(value: unknown) {
      timer = value;
      if (!isTimer(value)) return;
      // it exists only to roll back: in a process with nothing else left to do, nobody can use
      // the transaction any more, and the server aborts one whose client has gone
      value.unref();
      timeoutTimers.set(session, value);
    },
  });
  return tx;
}

function isTimer(value: unknown): value is Timer {
  return typeof (value as Partial<Timer> | null)?.unref === 'function';
}

/** A transaction the app settles must not be rolled back by its timeout halfway through. */
function disarmTimeout(session: ClientSession): void {
  clearTimeout(timeoutTimers.get(session));
  timeoutTimers.delete(session);
}

/** The session juggler hands back as a transaction's connection. */
export function sessionFromConnection(connection: unknown): ClientSession {
  if (connection && typeof connection === 'object' && 'commitTransaction' in connection) {
    return connection as ClientSession;
  }
  throw new MongoConnectorError(
    'not a MongoDB transaction: its connection is not a session from this connector ' +
      '(it was begun on another datasource, or is already committed or rolled back)',
    { code: 'INVALID_TRANSACTION', statusCode: 500 },
  );
}

// ---- error labels -----------------------------------------------------------------------------

export const TRANSIENT_TRANSACTION_ERROR = 'TransientTransactionError';
export const UNKNOWN_TRANSACTION_COMMIT_RESULT = 'UnknownTransactionCommitResult';

interface LabelledError {
  hasErrorLabel?: (label: string) => boolean;
  errorLabels?: unknown;
  cause?: unknown;
  code?: unknown;
  writeConcernError?: { code?: unknown };
}

/** Whether `error` (or an error it wraps, via `cause`) carries the driver error label `label`. */
export function hasErrorLabel(error: unknown, label: string): boolean {
  for (let e = error as LabelledError | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.hasErrorLabel === 'function' && e.hasErrorLabel(label)) return true;
    if (Array.isArray(e.errorLabels) && e.errorLabels.includes(label)) return true;
    e = e.cause as LabelledError | undefined;
  }
  return false;
}

/**
 * The whole transaction failed but may succeed if run again from the start: a write conflict with
 * a concurrent transaction, a primary election, a network error before commit.
 */
export function isTransientTransactionError(error: unknown): boolean {
  return hasErrorLabel(error, TRANSIENT_TRANSACTION_ERROR);
}

/** The commit may or may not have been applied; committing again is safe. */
export function isUnknownCommitResult(error: unknown): boolean {
  return hasErrorLabel(error, UNKNOWN_TRANSACTION_COMMIT_RESULT);
}

const MAX_TIME_MS_EXPIRED = 50;

// the transaction spec: a commit that ran out of maxTimeMS would only run out again
function isMaxTimeExpired(error: unknown): boolean {
  const e = error as LabelledError | undefined;
  return e?.code === MAX_TIME_MS_EXPIRED || e?.writeConcernError?.code === MAX_TIME_MS_EXPIRED;
}

// ---- runInTransaction -------------------------------------------------------------------------

/**
 * A juggler transaction as the app holds it: pass it to DAO calls as `{transaction: tx}`.
 * `commit()` and `rollback()` answer with a promise when called without a callback.
 */
export interface TransactionHandle {
  commit(): unknown;
  rollback(): unknown;
}

/**
 * Anything that begins juggler transactions: a juggler or LoopBack 4 DataSource, a model class
 * attached to one, or a LoopBack 4 transactional repository.
 */
export interface TransactionSource {
  beginTransaction(options: BeginTransactionOptions): unknown;
}

export interface BeginTransactionOptions {
  isolationLevel?: string;
  /** juggler's per-attempt timeout in ms: an attempt still open after it is rolled back. */
  timeout?: number;
}

export interface RunInTransactionOptions extends BeginTransactionOptions {
  /**
   * No new attempt starts after this many ms from the first (default 120 000, the driver's
   * `withTransaction` limit); the last error is then thrown.
   */
  timeLimitMS?: number;
}

export const DEFAULT_TIME_LIMIT_MS = 120_000;

const BACKOFF_INITIAL_MS = 5;
const BACKOFF_MAX_MS = 500;
const BACKOFF_GROWTH = 1.5;

/**
 * Run `work` in a transaction and commit it, retrying the way the driver's `withTransaction`
 * does: when `work` or the commit fails with a TransientTransactionError (e.g. a write conflict
 * with a concurrent transaction), the attempt is rolled back and `work` runs again in a new
 * transaction, after a short jittered backoff, until `timeLimitMS` has passed. A commit whose
 * result is unknown is retried by the connector's commit itself. Any other error rolls back and
 * is thrown at once.
 *
 * `work` may run more than once, so it must have no effects outside the transaction it is given
 * (or only ones that are safe to repeat). It must await every call it makes with the transaction,
 * and must not commit or roll it back itself.
 *
 * ```ts
 * const order = await runInTransaction(Order, async (tx) => {
 *   const stock = await Stock.findById(sku, {}, {transaction: tx});
 *   // a concurrent order for the same sku makes one of the two conflict here, and run again
 *   await stock.updateAttributes({count: stock.count - 1}, {transaction: tx});
 *   return Order.create({sku}, {transaction: tx});
 * });
 * ```
 */
export async function runInTransaction<T>(
  source: TransactionSource,
  work: (tx: TransactionHandle, attempt: number) => Promise<T>,
  options: RunInTransactionOptions = {},
): Promise<T> {
  const { timeLimitMS = DEFAULT_TIME_LIMIT_MS, ...beginOptions } = options;
  const deadline = Date.now() + timeLimitMS;
  for (let attempt = 1; ; attempt++) {
    const tx = await settle<TransactionHandle>(
      source.beginTransaction(beginOptions),
      'beginTransaction',
    );
    let result: T;
    try {
      result = await work(tx, attempt);
    } catch (error) {
      await rollbackQuietly(tx);
      if (!isTransientTransactionError(error)) throw error;
      await backoffOrThrow(error, attempt, deadline);
      continue;
    }
    try {
      await settle(tx.commit(), 'commit');
      return result;
    } catch (error) {
      // an unknown result reaching us was already retried by commit(); only a commit the server
      // refused as transient (the transaction is then aborted) is worth a new attempt
      if (!isTransientTransactionError(error) || isUnknownCommitResult(error)) throw error;
      await backoffOrThrow(error, attempt, deadline);
    }
  }
}

async function rollbackQuietly(tx: TransactionHandle): Promise<void> {
  try {
    await settle(tx.rollback(), 'rollback');
  } catch (error) {
    // the work's error is the one the caller needs; a timed-out transaction is already gone
    debug('rollback after a failed attempt failed: %s', (error as Error).message);
  }
}

/** Wait a jittered, growing delay before attempt `attempt + 1`, or throw if it would end late. */
async function backoffOrThrow(error: unknown, attempt: number, deadline: number): Promise<void> {
  const delay =
    Math.random() * Math.min(BACKOFF_INITIAL_MS * BACKOFF_GROWTH ** attempt, BACKOFF_MAX_MS);
  if (Date.now() + delay >= deadline) throw error;
  debug('attempt %d failed transiently, retrying in %d ms', attempt, Math.round(delay));
  await new Promise((resolve) => setTimeout(resolve, delay));
}

async function settle<T>(value: unknown, call: string): Promise<T> {
  if (!value || typeof (value as PromiseLike<T>).then !== 'function') {
    throw new TypeError(`${call}() did not return a promise; is this a juggler transaction?`);
  }
  return value as Promise<T>;
}
