/**
 * Per-call driver options (issue 16.8): the same app calls on both connectors, and the commands
 * the server receives, read from the driver's command monitoring.
 */
import type { DataSource } from 'loopback-datasource-juggler';
import type { CommandStartedEvent, Document, MongoClient } from 'mongodb';
import { InvalidOptionError, QueryTimeoutError } from '../../src';
import * as ours from '../../src';
import { CONNECTORS, connectedDataSource } from '../support/connectors';
import { testDatabaseUrl } from '../support/database';
import type { TestModel } from '../support/datasource';

const OPTIONS = {
  maxTimeMS: 5000,
  hint: { n: 1 },
  comment: 'report-7',
  readPreference: 'secondaryPreferred',
  allowDiskUse: true,
  batchSize: 500,
};

/** The commands the datasource's client sends from now on, by command name. */
function recordCommands(ds: DataSource): Map<string, Document[]> {
  const sent = new Map<string, Document[]>();
  const client = (ds.connector as unknown as { client: MongoClient }).client;
  client.on('commandStarted', (event: CommandStartedEvent) => {
    const list = sent.get(event.commandName) ?? [];
    list.push(event.command);
    sent.set(event.commandName, list);
  });
  return sent;
}

describe.each(CONNECTORS)('per-call driver options on %s', (label, connector) => {
  let ds: DataSource;
  let Item: TestModel;
  let sent: Map<string, Document[]>;

  beforeAll(async () => {
    const suffix = connector === ours ? 'ours' : 'official';
    // a replica set, where a read preference other than primary is sent with the command
    ds = await connectedDataSource(connector, 'drvopt', {
      url: testDatabaseUrl(`drvopt_${suffix}`, { replicaSet: true }),
      monitorCommands: true,
    });
    Item = ds.createModel('Item', { name: String, n: { type: Number, index: true } });
    await ds.automigrate();
    await Item.create([
      { name: 'a', n: 1 },
      { name: 'b', n: 2 },
    ]);
    sent = recordCommands(ds);
  });
  afterAll(() => ds.disconnect());
  beforeEach(() => sent.clear());

  const last = (name: string) => (sent.get(name) ?? []).at(-1);

  it('hands find its options: maxTimeMS, hint, comment, readPreference, allowDiskUse, batchSize', async () => {
    const found = await Item.find({ where: { n: { gt: 0 } } }, OPTIONS);
    expect(found).toHaveLength(2);
    expect(last('find')).toMatchObject({
      maxTimeMS: 5000,
      hint: { n: 1 },
      comment: 'report-7',
      allowDiskUse: true,
      batchSize: 500,
      $readPreference: { mode: 'secondaryPreferred' },
    });
  });

  it('hands a filtered count maxTimeMS, hint and comment', async () => {
    expect(await Item.count({ n: { gt: 1 } }, OPTIONS)).toBe(1);
    expect(last('aggregate')).toMatchObject({
      maxTimeMS: 5000,
      hint: { n: 1 },
      comment: 'report-7',
    });
  });

  it('hands writes maxTimeMS and comment, and updates and deletes their hint', async () => {
    const options = { maxTimeMS: 5000, comment: 'w-1', hint: { n: 1 } };
    const c = await Item.create({ name: 'c', n: 3 }, { comment: 'w-1', maxTimeMS: 5000 });
    expect(last('insert')).toMatchObject({ comment: 'w-1', maxTimeMS: 5000 });
    await Item.updateAll({ n: 3 }, { name: 'cc' }, options);
    expect(last('update')).toMatchObject({ comment: 'w-1', maxTimeMS: 5000 });
    expect(last('update')?.updates[0]).toMatchObject({ hint: { n: 1 } });
    await Item.upsertWithWhere({ n: 3 }, { name: 'c3' }, options);
    expect(last('findAndModify')).toMatchObject({
      comment: 'w-1',
      maxTimeMS: 5000,
      hint: { n: 1 },
    });
    await Item.destroyAll({ id: c.id }, options);
    expect(last('delete')).toMatchObject({ comment: 'w-1', maxTimeMS: 5000 });
    expect(last('delete')?.deletes[0]).toMatchObject({ hint: { n: 1 } });
  });

  it('stops a query at its maxTimeMS with the server error MaxTimeMSExpired, not a hang', async () => {
    // $where runs JavaScript on the server: it sleeps there past the limit, for each document
    const slow = { where: { $where: 'sleep(300) || true' } };
    const error = await Item.find(slow, { maxTimeMS: 50, disableSanitization: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const server = error instanceof QueryTimeoutError ? error.cause : error;
    expect(server).toMatchObject({ code: 50, codeName: 'MaxTimeMSExpired' });
    if (label === 'ours') {
      expect(error).toBeInstanceOf(QueryTimeoutError);
      expect(error).toMatchObject({ statusCode: 504, code: 'QUERY_TIMEOUT', model: 'Item' });
      expect((error as Error).message).toMatch(/^Item: the operation exceeded its time limit/);
    }
  });
});

describe('per-call driver options on ours only', () => {
  let ds: DataSource;
  let Item: TestModel;
  let Tag: TestModel;
  let sent: Map<string, Document[]>;

  beforeAll(async () => {
    ds = await connectedDataSource(ours, 'drvopt_ours_only', { monitorCommands: true });
    Item = ds.createModel('Item', { name: String, n: { type: Number, index: true } });
    Tag = ds.createModel('Tag', { label: String });
    Item.hasMany(Tag, { as: 'tags', foreignKey: 'itemId' });
    await ds.automigrate();
    const item = await Item.create({ name: 'a', n: 1 });
    await Tag.create({ label: 't', itemId: item.id });
    sent = recordCommands(ds);
  });
  afterAll(() => ds.disconnect());
  beforeEach(() => sent.clear());

  it('refuses a value that cannot work, naming the model, option and value, and sends nothing', async () => {
    const error = await Item.find({}, { maxTimeMS: '50ms' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as Error).message).toBe(
      'Item: option maxTimeMS = "50ms" cannot work: expected a whole number of milliseconds (0 or more)',
    );
    expect(sent.get('find')).toBeUndefined();
  });

  it("keeps the hint off an include's queries of other collections, and the rest on", async () => {
    const [item] = await Item.find({ include: 'tags' }, { hint: { n: 1 }, comment: 'inc' });
    expect(item.toJSON().tags).toHaveLength(1);
    const [items, tags] = sent.get('find') ?? [];
    expect(items).toMatchObject({ hint: { n: 1 }, comment: 'inc' });
    expect(tags).toMatchObject({ comment: 'inc' });
    expect(tags).not.toHaveProperty('hint');
  });
});
