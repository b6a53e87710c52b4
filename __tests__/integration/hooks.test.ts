/**
 * Connector hooks ('before execute', 'after execute', 'after execute error'): every DAO method
 * fires them once per driver call, with the context loopback-connector-mongodb gives its hooks,
 * and a hook can fail or answer a call. The shape checks run the same app code on both connectors.
 */
import type { DataSource } from 'loopback-datasource-juggler';
import { ObjectId } from 'mongodb';
import * as ours from '../../src';
import type { ExecuteContext } from '../../src/observers';
import { CONNECTORS, connectedDataSource } from '../support/connectors';
import { defineModel, mongoConnector, type TestModel } from '../support/datasource';

type Hook = (ctx: ExecuteContext, next: (err?: unknown) => void) => void;

/** juggler mixes its observer API into the connector; its typings do not say so. */
interface Observable {
  observe(event: string, hook: Hook): void;
  removeObserver(event: string, hook: Hook): void;
  clearObservers(event: string): void;
}

const observable = (ds: DataSource): Observable => ds.connector as unknown as Observable;

/** What a logging hook records: one line per event. */
interface Logged {
  event: string;
  model: string;
  command: string;
  params: unknown[];
  res?: unknown;
  error?: unknown;
}

function recordHooks(ds: DataSource): Logged[] {
  const log: Logged[] = [];
  for (const event of ['before execute', 'after execute', 'after execute error']) {
    observable(ds).observe(event, (ctx, next) => {
      log.push({
        event,
        model: ctx.model,
        command: ctx.req.command,
        params: ctx.req.params,
        ...(event === 'after execute' ? { res: ctx.res } : {}),
        ...(event === 'after execute error' ? { error: ctx.error } : {}),
      });
      next();
    });
  }
  return log;
}

describe.each(CONNECTORS)('connector hooks on %s', (_label, connector) => {
  let ds: DataSource;
  let Note: TestModel;
  let log: Logged[];

  beforeAll(async () => {
    ds = await connectedDataSource(connector, 'hooks');
    Note = defineModel(ds, 'Note', {
      title: { type: String, index: { unique: true } },
      n: Number,
    });
    await ds.automigrate();
  });
  afterAll(() => ds.disconnect());
  beforeEach(async () => {
    for (const event of ['before execute', 'after execute', 'after execute error']) {
      observable(ds).clearObservers(event);
    }
    await Note.destroyAll();
    log = recordHooks(ds);
  });

  it('gives a logging hook the model, command, parameters and result', async () => {
    const note = await Note.create({ title: 'a', n: 1 });
    expect(log.map((l) => [l.event, l.model, l.command])).toEqual([
      ['before execute', 'Note', 'insert'],
      ['after execute', 'Note', 'insert'],
    ]);
    const [before, after] = log;
    expect(before.params[0]).toMatchObject({ title: 'a', n: 1 });
    expect(after.res).toMatchObject({ acknowledged: true });
    expect(String((after.res as { insertedId: ObjectId }).insertedId)).toBe(String(note.id));

    log.length = 0;
    await Note.updateAll({ title: 'a' }, { n: 2 });
    expect(log.map((l) => [l.event, l.command])).toEqual([
      ['before execute', 'update'],
      ['after execute', 'update'],
    ]);
    expect(log[0].params[0]).toEqual({ title: 'a' });
    expect(log[1].res).toMatchObject({ matchedCount: 1, modifiedCount: 1 });

    log.length = 0;
    expect(await Note.count({ n: 2 })).toBe(1);
    expect(log.map((l) => [l.event, l.command, l.res])).toEqual([
      ['before execute', 'count', undefined],
      ['after execute', 'count', 1],
    ]);

    log.length = 0;
    await Note.destroyAll({ title: 'a' });
    expect(log.map((l) => [l.event, l.command])).toEqual([
      ['before execute', 'delete'],
      ['after execute', 'delete'],
    ]);
  });

  it('fails the call with the error a before hook gives, and sends nothing', async () => {
    const refusal = new Error('read-only today');
    observable(ds).observe('before execute', (_ctx, next) => next(refusal));
    await expect(Note.create({ title: 'b' })).rejects.toBe(refusal);
    observable(ds).clearObservers('before execute');
    expect(await Note.count()).toBe(0);
  });

  it('lets a before hook answer the call itself (ctx.end), as the LoopBack docs describe', async () => {
    const answer: Hook = (ctx, next) =>
      ctx.req.command === 'count'
        ? (ctx.end as (e: unknown, r: unknown) => void)(null, 42)
        : next();
    observable(ds).observe('before execute', answer);
    expect(await Note.count()).toBe(42);
    observable(ds).removeObserver('before execute', answer);
    expect(await Note.count()).toBe(0);
  });

  it("reports a driver error to 'after execute error' hooks, and not to 'after execute'", async () => {
    await Note.create({ title: 'dup' });
    log.length = 0;
    // ours answers a DuplicateKeyError (409), the official the driver's error; hooks see the latter
    await expect(Note.create({ title: 'dup' })).rejects.toBeInstanceOf(Error);
    expect(log.map((l) => l.event)).toEqual(['before execute', 'after execute error']);
    expect(log[1].error).toMatchObject({ code: 11000 });
  });
});

describe('connector hooks on every DAO method (ours)', () => {
  let ds: DataSource;
  let Item: TestModel;
  let log: Logged[];

  beforeAll(async () => {
    ds = await connectedDataSource(ours, 'hooks_dao');
    // forceId false: juggler hands updateOrCreate to the connector instead of find + update
    Item = defineModel(ds, 'Item', { name: String, n: Number }, { forceId: false });
    await ds.automigrate();
    log = recordHooks(ds);
  });
  afterAll(() => ds.disconnect());

  /** The hook events of one app call, each with the driver method it was for. */
  async function calls(run: () => Promise<unknown>): Promise<string[]> {
    log.length = 0;
    await run();
    return log.map((l) => `${l.event}: ${l.command}`);
  }

  it('fires once per driver call, naming the driver method', async () => {
    // record the driver method (req.method) as well as the official name (req.command)
    observable(ds).clearObservers('before execute');
    observable(ds).clearObservers('after execute');
    observable(ds).observe('before execute', (ctx, next) => {
      log.push({ event: 'before', model: ctx.model, command: ctx.req.method, params: [] });
      next();
    });
    observable(ds).observe('after execute', (ctx, next) => {
      log.push({ event: 'after', model: ctx.model, command: ctx.req.method, params: [] });
      next();
    });
    const each = (method: string) => [`before: ${method}`, `after: ${method}`];

    const a = await Item.create({ name: 'a', n: 1 });
    const cases: [string, () => Promise<unknown>, string[]][] = [
      ['create', () => Item.create({ name: 'b' }), each('insertOne')],
      ['createAll', () => Item.createAll([{ name: 'c' }, { name: 'd' }]), each('insertMany')],
      ['find', () => Item.find({ where: { n: 1 } }), each('find')],
      ['findById', () => Item.findById(a.id), each('find')],
      ['count', () => Item.count(), each('estimatedDocumentCount')],
      ['count with a where', () => Item.count({ n: 1 }), each('countDocuments')],
      ['exists', () => Item.exists(a.id), each('countDocuments')],
      ['updateAll', () => Item.updateAll({ name: 'a' }, { n: 2 }), each('updateMany')],
      ['updateAttributes', () => a.updateAttributes({ n: 3 }), each('updateOne')],
      ['replaceById', () => Item.replaceById(a.id, { name: 'a', n: 4 }), each('replaceOne')],
      ['save', () => a.save(), each('replaceOne')],
      ['updateOrCreate', () => Item.updateOrCreate({ id: a.id, n: 5 }), each('findOneAndUpdate')],
      [
        'replaceOrCreate',
        () => Item.replaceOrCreate({ id: a.id, name: 'a' }),
        each('findOneAndReplace'),
      ],
      [
        'findOrCreate',
        () => Item.findOrCreate({ where: { name: 'e' } }, { name: 'e' }),
        [...each('findOneAndUpdate')],
      ],
      [
        'upsertWithWhere',
        () => Item.upsertWithWhere({ name: 'e' }, { n: 6 }),
        [...each('findOneAndUpdate')],
      ],
      // juggler's destroyById is a destroyAll by id
      ['destroyById', () => Item.destroyById(a.id), each('deleteMany')],
      ['destroyAll', () => Item.destroyAll({ name: 'e' }), each('deleteMany')],
      ['execute', () => ds.execute('Item', 'aggregate', [{ $match: {} }]), each('aggregate')],
    ];
    for (const [name, run, expected] of cases) {
      expect([name, await calls(run)]).toEqual([name, expected]);
    }
    // streaming: the hooks see the cursor's creation
    log.length = 0;
    for await (const item of mongoConnector(ds).iterate('Item')) expect(item).toBeDefined();
    expect(log.map((l) => `${l.event}: ${l.command}`)).toEqual(each('find'));
  });

  it('costs nothing when no hook is registered: no observer is built', () => {
    for (const event of ['before execute', 'after execute', 'after execute error']) {
      observable(ds).clearObservers(event);
    }
    expect(mongoConnector(ds).context('Item').observer).toBeUndefined();
    const hook: Hook = (_ctx, next) => next();
    observable(ds).observe('after execute error', hook);
    expect(mongoConnector(ds).context('Item').observer).toBeInstanceOf(Function);
    observable(ds).removeObserver('after execute error', hook);
    expect(mongoConnector(ds).context('Item').observer).toBeUndefined();
  });
});
