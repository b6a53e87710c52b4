import { MongoServerError, type ClientSession, type Db } from 'mongodb';
import {
  begin,
  commit,
  hasErrorLabel,
  isTransientTransactionError,
  isUnknownCommitResult,
  rollback,
  runInTransaction,
  sessionFromConnection,
  supportsTransactions,
  transactionOptionsFor,
  UnsupportedIsolationLevelError,
  type TransactionSource,
} from '../../src/transaction';

const SNAPSHOT = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
};

function serverError(labels: string[], code = 112): MongoServerError {
  return new MongoServerError({ errmsg: 'boom', code, errorLabels: labels });
}

const transient = () => serverError(['TransientTransactionError']);
const unknownCommit = () => serverError(['UnknownTransactionCommitResult'], 91);

describe('isolation levels', () => {
  it.each([
    ['READ UNCOMMITTED', { ...SNAPSHOT, readConcern: { level: 'local' } }],
    ['READ COMMITTED', SNAPSHOT],
    ['REPEATABLE READ', SNAPSHOT],
  ])('%s maps to %j', (level, expected) => {
    expect(transactionOptionsFor(level)).toEqual(expected);
  });

  it("defaults to juggler's READ COMMITTED", () => {
    expect(transactionOptionsFor(undefined)).toEqual(SNAPSHOT);
    expect(transactionOptionsFor(null)).toEqual(SNAPSHOT);
  });

  it('hands out a copy, so no caller can change the mapping for the next one', () => {
    const options = transactionOptionsFor('READ COMMITTED');
    (options.readConcern as { level: string }).level = 'local';
    expect(transactionOptionsFor('READ COMMITTED')).toEqual(SNAPSHOT);
  });

  it('refuses SERIALIZABLE: snapshot isolation allows write skew', () => {
    expect(() => transactionOptionsFor('SERIALIZABLE')).toThrow(UnsupportedIsolationLevelError);
    expect(() => transactionOptionsFor('SERIALIZABLE')).toThrow(
      /"SERIALIZABLE" is not supported: .*snapshot-isolated.*write skew.*Use REPEATABLE READ/,
    );
  });

  it('refuses an unknown name, listing the levels it accepts', () => {
    let error: unknown;
    try {
      transactionOptionsFor('read committed');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedIsolationLevelError);
    expect(error).toMatchObject({
      code: 'UNSUPPORTED_ISOLATION_LEVEL',
      isolationLevel: 'read committed',
      message:
        'isolation level "read committed" is not supported: use one of READ UNCOMMITTED, ' +
        'READ COMMITTED, REPEATABLE READ',
    });
  });
});

describe('supportsTransactions', () => {
  it.each([
    ['a standalone mongod', { logicalSessionTimeoutMinutes: 30 }, false],
    ['a replica set member', { setName: 'rs0', logicalSessionTimeoutMinutes: 30 }, true],
    ['a mongos', { msg: 'isdbgrid', logicalSessionTimeoutMinutes: 30 }, true],
    ['a server without sessions', { setName: 'rs0' }, false],
  ])('%s: %s', (_kind, hello, expected) => {
    expect(supportsTransactions(hello)).toBe(expected);
  });
});

describe('error labels', () => {
  it('reads driver labels, also through `cause`', () => {
    expect(isTransientTransactionError(transient())).toBe(true);
    expect(isUnknownCommitResult(unknownCommit())).toBe(true);
    expect(isTransientTransactionError(unknownCommit())).toBe(false);
    const wrapped = new Error('wrapped', { cause: transient() });
    expect(hasErrorLabel(wrapped, 'TransientTransactionError')).toBe(true);
    expect(hasErrorLabel({ errorLabels: ['X'] }, 'X')).toBe(true);
    expect(isTransientTransactionError(new Error('plain'))).toBe(false);
    expect(isTransientTransactionError(undefined)).toBe(false);
  });
});

/** A ClientSession stand-in whose commits fail with `failures`, in order, then succeed. */
function fakeSession(failures: unknown[] = [], inTransaction = true) {
  const calls: string[] = [];
  const session = {
    inTransaction: () => inTransaction,
    async commitTransaction() {
      calls.push('commit');
      const failure = failures.shift();
      if (failure) throw failure;
    },
    async abortTransaction() {
      calls.push('abort');
    },
    async endSession() {
      calls.push('end');
    },
  };
  return { session: session as unknown as ClientSession, calls };
}

describe('commit', () => {
  it('commits again while the result is unknown, then ends the session', async () => {
    const { session, calls } = fakeSession([unknownCommit(), unknownCommit()]);
    await commit(session);
    expect(calls).toEqual(['commit', 'commit', 'commit', 'end']);
  });

  it('stops retrying an unknown result at the retry limit, label intact', async () => {
    const { session, calls } = fakeSession([unknownCommit(), unknownCommit()]);
    const error = await commit(session, 0).catch((e: unknown) => e);
    expect(isUnknownCommitResult(error)).toBe(true);
    expect(calls).toEqual(['commit', 'end']);
  });

  it('does not retry a commit that ran out of maxTimeMS', async () => {
    const { session, calls } = fakeSession([serverError(['UnknownTransactionCommitResult'], 50)]);
    await expect(commit(session)).rejects.toMatchObject({ code: 50 });
    expect(calls).toEqual(['commit', 'end']);
  });

  it('surfaces any other failure as is, and still ends the session', async () => {
    const failure = transient();
    const { session, calls } = fakeSession([failure]);
    await expect(commit(session)).rejects.toBe(failure);
    expect(calls).toEqual(['commit', 'end']);
  });
});

describe('rollback', () => {
  it('aborts a transaction in progress and ends the session', async () => {
    const { session, calls } = fakeSession();
    await rollback(session);
    expect(calls).toEqual(['abort', 'end']);
  });

  it('has nothing to abort once the driver has ended the transaction', async () => {
    const { session, calls } = fakeSession([], false);
    await rollback(session);
    expect(calls).toEqual(['end']);
  });
});

describe('begin', () => {
  it('refuses an unsupported level before connecting', async () => {
    const connect = jest.fn(async () => ({}) as Db);
    await expect(begin(connect, 'SERIALIZABLE')).rejects.toThrow(UnsupportedIsolationLevelError);
    expect(connect).not.toHaveBeenCalled();
  });
});

describe('sessionFromConnection', () => {
  it('refuses what is not a session', () => {
    expect(() => sessionFromConnection({ commit() {} })).toThrow(/not a MongoDB transaction/);
    expect(() => sessionFromConnection(null)).toThrow(/not a MongoDB transaction/);
  });
});

describe('runInTransaction', () => {
  /** A transaction source whose commits fail with `commitFailures`, in order. */
  function fakeSource(commitFailures: unknown[] = []) {
    const log: string[] = [];
    let begun = 0;
    const source: TransactionSource = {
      async beginTransaction(options) {
        const id = ++begun;
        log.push(`begin ${id} ${options.isolationLevel ?? '-'}`);
        return {
          async commit() {
            log.push(`commit ${id}`);
            const failure = commitFailures.shift();
            if (failure) throw failure;
          },
          async rollback() {
            log.push(`rollback ${id}`);
          },
        };
      },
    };
    return { source, log };
  }

  it('commits the work and answers its result', async () => {
    const { source, log } = fakeSource();
    const result = await runInTransaction(source, async () => 42, {
      isolationLevel: 'REPEATABLE READ',
    });
    expect(result).toBe(42);
    expect(log).toEqual(['begin 1 REPEATABLE READ', 'commit 1']);
  });

  it('rolls back and runs the work again in a new transaction after a transient error', async () => {
    const { source, log } = fakeSource();
    const result = await runInTransaction(source, async (_tx, attempt) => {
      if (attempt < 3) throw transient();
      return attempt;
    });
    expect(result).toBe(3);
    expect(log).toEqual([
      'begin 1 -',
      'rollback 1',
      'begin 2 -',
      'rollback 2',
      'begin 3 -',
      'commit 3',
    ]);
  });

  it('runs the work again when the commit itself fails transiently', async () => {
    const { source, log } = fakeSource([transient()]);
    await runInTransaction(source, async () => undefined);
    expect(log).toEqual(['begin 1 -', 'commit 1', 'begin 2 -', 'commit 2']);
  });

  it('throws an unknown commit result: the connector has already retried it', async () => {
    const { source, log } = fakeSource([unknownCommit()]);
    const error = await runInTransaction(source, async () => undefined).catch((e: unknown) => e);
    expect(isUnknownCommitResult(error)).toBe(true);
    expect(log).toEqual(['begin 1 -', 'commit 1']);
  });

  it('throws any other error of the work at once, after rolling back', async () => {
    const { source, log } = fakeSource();
    const failure = new Error('business rule');
    await expect(
      runInTransaction(source, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(log).toEqual(['begin 1 -', 'rollback 1']);
  });

  it('stops retrying at the time limit and throws the last transient error', async () => {
    const { source } = fakeSource();
    let attempts = 0;
    const started = Date.now();
    const error = await runInTransaction(
      source,
      async () => {
        attempts++;
        throw transient();
      },
      { timeLimitMS: 50 },
    ).catch((e: unknown) => e);
    expect(isTransientTransactionError(error)).toBe(true);
    expect(attempts).toBeGreaterThan(1);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('says so when the source does not answer with a promise', async () => {
    const source = { beginTransaction: () => undefined };
    await expect(runInTransaction(source, async () => 1)).rejects.toThrow(
      /beginTransaction\(\) did not return a promise/,
    );
  });
});
