/**
 * Transactions against the embedded one-member replica set: juggler's Model.beginTransaction and
 * DataSource.beginTransaction (LoopBack 4's path), observers, timeouts, write conflicts, every DAO
 * method joining the session, and the runInTransaction retry helper.
 */
import type { DataSource } from 'loopback-datasource-juggler';
import type { CommandStartedEvent, Document } from 'mongodb';
import {
  runInTransaction,
  TransactionsNotSupportedError,
  UnsupportedIsolationLevelError,
  isTransientTransactionError,
  type TransactionHandle,
} from '../../src/transaction';
import { runChild } from '../support/child';
import { testDatabaseUrl } from '../support/database';
import {
  createDataSource,
  defineModel,
  mongoConnector,
  type TestModel,
} from '../support/datasource';

/** juggler's Transaction with the observer mixin juggler adds to it. */
interface Tx extends TransactionHandle {
  id: string;
  connection: unknown;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  observe(event: string, listener: (context: unknown, next: () => void) => void): void;
}

const CRUD_COMMANDS = new Set([
  'insert',
  'find',
  'getMore',
  'update',
  'delete',
  'findAndModify',
  'aggregate',
]);

let ds: DataSource;
let Account: TestModel;
let Transfer: TestModel;
let Author: TestModel;
let Book: TestModel;
let commands: CommandStartedEvent[] = [];

beforeAll(async () => {
  ds = createDataSource('transactions', { onReplicaSet: true, monitorCommands: true });
  Account = defineModel(ds, 'Account', { name: String, balance: Number });
  Transfer = defineModel(ds, 'Transfer', { from: String, to: String, amount: Number });
  Author = defineModel(ds, 'Author', { name: String });
  Book = defineModel(ds, 'Book', { title: String });
  Author.hasMany(Book, { as: 'books', foreignKey: 'authorId' });
  await ds.connect();
  // collections exist before any transaction, as production ones do
  await ds.automigrate();
  mongoConnector(ds).client!.on('commandStarted', (event) => commands.push(event));
});

beforeEach(async () => {
  await Promise.all([Account, Transfer, Author, Book].map((model) => model.destroyAll()));
  commands = [];
});

afterAll(() => ds.disconnect());

function begin(options: Record<string, unknown> = {}): Promise<Tx> {
  return Account.beginTransaction({ isolationLevel: 'READ COMMITTED', ...options });
}

const names = (found: { name: string }[]) => found.map((a) => a.name).sort();

describe('commit and rollback', () => {
  it('commit makes every write of the transaction visible at once', async () => {
    const alice = await Account.create({ name: 'alice', balance: 100 });
    const tx = await begin();
    await Account.updateAll({ name: 'alice' }, { balance: 70 }, { transaction: tx });
    await Account.create({ name: 'bob', balance: 30 }, { transaction: tx });
    await Transfer.create({ from: 'alice', to: 'bob', amount: 30 }, { transaction: tx });

    expect((await Account.findById(alice.id)).balance).toBe(100);
    expect(await Account.count()).toBe(1);
    expect(await Transfer.count()).toBe(0);

    await tx.commit();
    expect((await Account.findById(alice.id)).balance).toBe(70);
    expect(names(await Account.find())).toEqual(['alice', 'bob']);
    expect(await Transfer.count()).toBe(1);
  });

  it('rollback leaves nothing behind, across two collections', async () => {
    const alice = await Account.create({ name: 'alice', balance: 100 });
    const carol = await Account.create({ name: 'carol', balance: 5 });
    const tx = await begin();
    await Account.updateAll({ name: 'alice' }, { balance: 0 }, { transaction: tx });
    await Account.deleteById(carol.id, { transaction: tx });
    await Account.create({ name: 'bob', balance: 100 }, { transaction: tx });
    await Transfer.create({ from: 'alice', to: 'bob', amount: 100 }, { transaction: tx });
    await tx.rollback();

    expect(names(await Account.find())).toEqual(['alice', 'carol']);
    expect((await Account.findById(alice.id)).balance).toBe(100);
    expect(await Transfer.count()).toBe(0);
  });

  it('reads inside see the transaction’s own writes; reads outside do not', async () => {
    const tx = await begin();
    const bob = await Account.create({ name: 'bob', balance: 1 }, { transaction: tx });
    expect(await Account.findById(bob.id, {}, { transaction: tx })).toMatchObject({ name: 'bob' });
    expect(await Account.count({}, { transaction: tx })).toBe(1);
    expect(await Account.exists(bob.id, { transaction: tx })).toBe(true);

    expect(await Account.findById(bob.id)).toBeNull();
    expect(await Account.count()).toBe(0);
    await tx.rollback();
  });

  it('reads a snapshot: a commit made elsewhere after the transaction began stays unseen', async () => {
    const alice = await Account.create({ name: 'alice', balance: 100 });
    for (const isolationLevel of ['READ COMMITTED', 'REPEATABLE READ']) {
      const tx = await begin({ isolationLevel });
      await Account.updateAll({ name: 'alice' }, { balance: 200 });
      expect((await Account.findById(alice.id, {}, { transaction: tx })).balance).not.toBe(200);
      await tx.rollback();
      await Account.updateAll({ name: 'alice' }, { balance: 100 });
    }
  });

  it('READ UNCOMMITTED runs too (read concern local)', async () => {
    const tx = await begin({ isolationLevel: 'READ UNCOMMITTED' });
    await Account.create({ name: 'ursula' }, { transaction: tx });
    await tx.commit();
    expect(names(await Account.find())).toEqual(['ursula']);
  });

  it('fires before/after commit and before/after rollback observers', async () => {
    const fired: string[] = [];
    const watch = (tx: Tx) => {
      for (const event of ['before commit', 'after commit', 'before rollback', 'after rollback']) {
        tx.observe(event, (_context, next) => {
          fired.push(event);
          next();
        });
      }
    };
    const committed = await begin();
    watch(committed);
    await Account.create({ name: 'a' }, { transaction: committed });
    await committed.commit();
    const rolledBack = await begin();
    watch(rolledBack);
    await rolledBack.rollback();
    expect(fired).toEqual(['before commit', 'after commit', 'before rollback', 'after rollback']);
  });

  it('a timeout rolls the transaction back, and the transaction refuses further use', async () => {
    const tx = await begin({ timeout: 300 });
    const rolledBack = new Promise<void>((resolve) =>
      tx.observe('after rollback', (_context, next) => {
        next();
        resolve();
      }),
    );
    await Account.create({ name: 'late' }, { transaction: tx });
    await rolledBack;

    expect(await Account.count()).toBe(0);
    await expect(Account.create({ name: 'later' }, { transaction: tx })).rejects.toThrow(
      /not active/,
    );
    expect(await Account.count()).toBe(0);
  });

  it('works through DataSource.beginTransaction, the path LoopBack 4 takes', async () => {
    const tx = (await ds.beginTransaction({ isolationLevel: 'READ COMMITTED' })) as unknown as Tx;
    await Account.create({ name: 'lb4' }, { transaction: tx });
    expect(await Account.count()).toBe(0);
    await tx.commit();
    expect(await Account.count()).toBe(1);
  });

  it("works through juggler's managed DataSource.transaction(execute)", async () => {
    // juggler's typings leave this method out
    const managed = ds as unknown as {
      transaction(execute: (models: Record<string, TestModel>) => Promise<void>): Promise<void>;
    };
    await managed.transaction(async (models) => {
      await models.Account.create({ name: 'managed' });
      expect(await Account.count()).toBe(0);
    });
    expect(names(await Account.find())).toEqual(['managed']);
  });

  it('runs operations issued concurrently right after begin', async () => {
    const tx = await begin();
    // juggler itself creates an array's items in parallel
    await Account.create(
      Array.from({ length: 8 }, (_, i) => ({ name: `n${i}` })),
      { transaction: tx },
    );
    await Promise.all([
      Transfer.create({ amount: 1 }, { transaction: tx }),
      Transfer.create({ amount: 2 }, { transaction: tx }),
      Account.count({}, { transaction: tx }),
    ]);
    await tx.commit();
    expect(await Account.count()).toBe(8);
    expect(await Transfer.count()).toBe(2);
  });
});

describe('timeout timers', () => {
  // loopback-connector's begin arms a timer for `timeout` and nothing there ever clears it: a
  // transaction settled long before must not hold the app (or a jest worker) open until it fires
  it.each(['commit', 'rollback'])(
    'a transaction with a long timeout, once its %s is done, leaves nothing that keeps the process alive',
    async (outcome) => {
      const timeout = 120_000;
      const run = await runChild(
        [outcome, String(timeout)],
        testDatabaseUrl('transactions_child', { replicaSet: true }),
        40_000,
      );
      expect(run).toMatchObject({ exited: true, code: 0, stderr: '' });
      expect(JSON.parse(run.stdout)).toEqual({
        kept: outcome === 'commit' ? 2 : 0,
        handles: [],
      });
      expect(run.ms).toBeLessThan(timeout / 3);
    },
  );
});

describe('conflicts', () => {
  it('two transactions writing one document: the second fails, transient, nothing half-applied', async () => {
    const alice = await Account.create({ name: 'alice', balance: 100 });
    const first = await begin();
    const second = await begin();
    await Account.updateAll({ name: 'alice' }, { balance: 50 }, { transaction: first });
    await Transfer.create({ from: 'alice', amount: 80 }, { transaction: second });

    const error = await Account.updateAll(
      { name: 'alice' },
      { balance: 20 },
      { transaction: second },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ codeName: 'WriteConflict' });
    expect(
      (error as { hasErrorLabel(label: string): boolean }).hasErrorLabel(
        'TransientTransactionError',
      ),
    ).toBe(true);
    expect(isTransientTransactionError(error)).toBe(true);

    await second.rollback();
    await first.commit();
    expect((await Account.findById(alice.id)).balance).toBe(50);
    expect(await Transfer.count()).toBe(0);
  });
});

describe('every DAO method joins the transaction', () => {
  /** The CRUD commands sent since the test began, minus the one that starts each transaction. */
  function crudCommands(): Document[] {
    return commands
      .filter((event) => CRUD_COMMANDS.has(event.commandName))
      .map((event) => event.command)
      .filter((command) => command.find !== 'loopback.transaction.start');
  }

  it('sends each driver call with the transaction’s session', async () => {
    const seeded = await Account.create({ name: 'seeded', balance: 1 });
    const author = await Author.create({ name: 'ann' });
    commands = [];
    const tx = await begin();
    const opts = { transaction: tx };

    const created = await Account.create({ name: 'c', balance: 1 }, opts);
    await Account.createAll([{ name: 'd' }, { name: 'e' }], opts);
    await new Promise<void>((resolve, reject) =>
      mongoConnector(ds).createAll('Account', [{ name: 'f' }], opts, (err: unknown) =>
        err ? reject(err) : resolve(),
      ),
    );
    await Account.find({ where: { name: 'c' } }, opts);
    await Account.findById(created.id, {}, opts);
    await Account.findOne({ where: { name: 'd' } }, opts);
    await Account.count({ balance: 1 }, opts);
    await Account.updateAll({ name: 'c' }, { balance: 2 }, opts);
    await created.updateAttributes({ balance: 3 }, opts);
    await Account.replaceById(created.id, { name: 'c2', balance: 4 }, opts);
    created.balance = 5;
    await created.save(opts);
    await Account.updateOrCreate({ id: seeded.id, balance: 6 }, opts);
    await Account.updateOrCreate({ name: 'g' }, opts);
    await Account.replaceOrCreate({ id: seeded.id, name: 'seeded', balance: 7 }, opts);
    await Account.findOrCreate({ where: { name: 'h' } }, { name: 'h' }, opts);
    await Account.upsertWithWhere({ name: 'i' }, { name: 'i', balance: 8 }, opts);
    await Book.create({ title: 'b1', authorId: author.id }, opts);
    await Author.find({ include: 'books' }, opts);
    await Account.deleteById(created.id, opts);
    await Account.destroyAll({ name: 'd' }, opts);
    const session = tx.connection as { id: { id: { toString(encoding: string): string } } };
    await tx.rollback();

    const sent = crudCommands();
    // every kind of driver call the connector makes is among them, the include's follow-up too
    const kinds = new Set(
      sent.map((command) => `${Object.keys(command)[0]} ${command[Object.keys(command)[0]]}`),
    );
    expect([...kinds].sort()).toEqual([
      'aggregate Account',
      'delete Account',
      'find Account',
      'find Author',
      'find Book',
      'findAndModify Account',
      'insert Account',
      'insert Book',
      'update Account',
    ]);
    const outside = sent.filter(
      (command) =>
        command.autocommit !== false ||
        command.txnNumber === undefined ||
        command.lsid?.id?.toString('hex') !== session.id.id.toString('hex'),
    );
    expect(outside).toEqual([]);
    expect(names(await Account.find())).toEqual(['seeded']);
    expect((await Account.findById(seeded.id)).balance).toBe(1);
    expect(await Book.count()).toBe(0);
  });

  it('upserts inside a transaction are seen inside, not outside, until commit', async () => {
    const seeded = await Account.create({ name: 'seeded', balance: 1 });
    const tx = await begin();
    const opts = { transaction: tx };
    await Account.updateOrCreate({ id: seeded.id, balance: 2 }, opts);
    const [replaced] = [await Account.replaceOrCreate({ name: 'r', balance: 3 }, opts)];
    const [found, created] = await Account.findOrCreate(
      { where: { name: 'f' } },
      { name: 'f', balance: 4 },
      opts,
    );
    expect(created).toBe(true);
    const [again, createdAgain] = await Account.findOrCreate(
      { where: { name: 'f' } },
      { name: 'f', balance: 99 },
      opts,
    );
    expect(createdAgain).toBe(false);
    expect(String(again.id)).toBe(String(found.id));
    await Account.upsertWithWhere({ name: 'r' }, { balance: 5 }, opts);

    expect(names(await Account.find({}, opts))).toEqual(['f', 'r', 'seeded']);
    expect((await Account.findById(seeded.id, {}, opts)).balance).toBe(2);
    expect((await Account.findById(replaced.id, {}, opts)).balance).toBe(5);
    expect(names(await Account.find())).toEqual(['seeded']);
    expect((await Account.findById(seeded.id)).balance).toBe(1);

    await tx.commit();
    expect(names(await Account.find())).toEqual(['f', 'r', 'seeded']);
    expect((await Account.findById(seeded.id)).balance).toBe(2);
  });

  it('count, createAll and a hasMany include see the transaction’s writes', async () => {
    const tx = await begin();
    const opts = { transaction: tx };
    const author = await Author.create({ name: 'ann' }, opts);
    await Book.createAll(
      [
        { title: 'one', authorId: author.id },
        { title: 'two', authorId: author.id },
      ],
      opts,
    );
    expect(await Book.count({ authorId: author.id }, opts)).toBe(2);
    const [withBooks] = await Author.find({ include: 'books' }, opts);
    expect(
      withBooks
        .toJSON()
        .books.map((b: { title: string }) => b.title)
        .sort(),
    ).toEqual(['one', 'two']);

    expect(await Book.count()).toBe(0);
    expect(await Author.find({ include: 'books' })).toEqual([]);
    await tx.rollback();
    expect(await Book.count()).toBe(0);
  });
});

describe('refusals', () => {
  const sameServer = process.env.MONGODB_TEST_URL === process.env.MONGODB_TEST_RS_URL;

  (sameServer ? it.skip : it)('refuses a standalone server up front, saying why', async () => {
    const standalone = createDataSource('transactions_standalone');
    const Note = defineModel(standalone, 'Note', { text: String });
    try {
      const error = await Note.beginTransaction({ isolationLevel: 'READ COMMITTED' }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TransactionsNotSupportedError);
      expect((error as Error).message).toMatch(/require a replica set/);
      expect((error as Error).message).toMatch(/--replSet/);
    } finally {
      await standalone.disconnect();
    }
  });

  it('refuses SERIALIZABLE, naming the level that is honest about snapshot isolation', async () => {
    const error = await begin({ isolationLevel: 'SERIALIZABLE' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedIsolationLevelError);
    expect((error as Error).message).toMatch(/write skew.*REPEATABLE READ/);
  });
});

describe('runInTransaction', () => {
  it('retries a unit of work that hit a transient write conflict, then commits', async () => {
    const alice = await Account.create({ name: 'alice', balance: 100 });
    const blocker = await begin();
    await Account.updateAll({ name: 'alice' }, { balance: 1 }, { transaction: blocker });

    const errors: unknown[] = [];
    const result = await runInTransaction(Account, async (tx, attempt) => {
      const opts = { transaction: tx };
      await Transfer.create({ from: 'alice', amount: 10, to: `attempt ${attempt}` }, opts);
      try {
        await Account.updateAll({ name: 'alice' }, { balance: 90 }, opts);
      } catch (error) {
        errors.push(error);
        throw error;
      } finally {
        // the conflicting transaction ends after the first attempt has met it
        if (attempt === 1) await blocker.commit();
      }
      return attempt;
    });

    expect(result).toBe(2);
    expect(errors).toHaveLength(1);
    expect(isTransientTransactionError(errors[0])).toBe(true);
    expect((await Account.findById(alice.id)).balance).toBe(90);
    // the first attempt's transfer was rolled back with it
    expect((await Transfer.find()).map((t: { to: string }) => t.to)).toEqual(['attempt 2']);
  });

  it('gives up with the transient error once the time limit has passed', async () => {
    await Account.create({ name: 'alice', balance: 100 });
    const blocker = await begin();
    await Account.updateAll({ name: 'alice' }, { balance: 1 }, { transaction: blocker });
    let attempts = 0;
    try {
      const error = await runInTransaction(
        ds,
        async (tx) => {
          attempts++;
          await Account.updateAll({ name: 'alice' }, { balance: 2 }, { transaction: tx });
        },
        // long enough for a retry even when one attempt is slow on a loaded machine; each attempt
        // meets the blocker's write conflict at once, so the limit is what ends the retries
        { timeLimitMS: 2_000 },
      ).catch((e: unknown) => e);
      expect(isTransientTransactionError(error)).toBe(true);
      expect(attempts).toBeGreaterThan(1);
    } finally {
      await blocker.rollback();
    }
    expect((await Account.findOne()).balance).toBe(100);
  });

  it('rolls back and rethrows any other error without retrying', async () => {
    let attempts = 0;
    const error = await runInTransaction(Account, async (tx) => {
      attempts++;
      await Account.create({ name: 'doomed' }, { transaction: tx });
      throw new Error('business rule');
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('business rule');
    expect(attempts).toBe(1);
    expect(await Account.count()).toBe(0);
  });
});
