/**
 * find and findById through the server's `find` command (src/operations/find-command.ts): what
 * is sent, read from the driver's command monitoring; a result larger than one reply read whole
 * through getMores in the find's own session; and the deployments that keep the driver's cursor.
 * Failures (a retried find, a failed getMore) are in faults.test.ts, whose server takes fail
 * points.
 */
import type { DataSource } from 'loopback-datasource-juggler';
import type { CommandStartedEvent, Document } from 'mongodb';
import {
  createDataSource,
  defineModel,
  mongoConnector,
  type TestModel,
} from '../support/datasource';

/** Over the 16 MiB a reply holds: 30 documents of 700 kB. */
const BIG_DOCS = 30;
const BLOB = 'x'.repeat(700_000);
const WHOLE_BATCH = 0x7fffffff;

let ds: DataSource;
let Item: TestModel;
let Big: TestModel;
let commands: CommandStartedEvent[] = [];

function monitored(source: DataSource): void {
  mongoConnector(source).client!.on('commandStarted', (event) => commands.push(event));
}

/** The find, getMore and killCursors commands sent while `run` ran. */
async function readCommands(run: () => Promise<unknown>): Promise<CommandStartedEvent[]> {
  commands = [];
  await run();
  return commands.filter((e) => ['find', 'getMore', 'killCursors'].includes(e.commandName));
}

function sessionId(event: CommandStartedEvent): string {
  return (event.command.lsid as { id: { toString(format: string): string } }).id.toString('hex');
}

beforeAll(async () => {
  ds = createDataSource('find-command', { monitorCommands: true });
  Item = defineModel(ds, 'Item', { n: Number, name: String });
  Big = defineModel(ds, 'Big', { n: Number, blob: String });
  await ds.connect();
  await ds.automigrate();
  monitored(ds);
  await Item.createAll(Array.from({ length: 30 }, (_, n) => ({ n, name: `item ${n}` })));
  await Big.createAll(Array.from({ length: BIG_DOCS }, (_, n) => ({ n, blob: BLOB })));
}, 120_000);

afterAll(() => ds.disconnect());

describe('find through the find command', () => {
  it('a page is one find: filter, sort, skip, limit, and a batch past the limit; no getMore', async () => {
    let found: Document[] = [];
    const sent = await readCommands(async () => {
      found = await Item.find({ where: { n: { gte: 5 } }, order: 'n DESC', limit: 10, skip: 2 });
    });
    expect(found.map((item) => item.n)).toEqual([27, 26, 25, 24, 23, 22, 21, 20, 19, 18]);
    expect(sent.map((e) => e.commandName)).toEqual(['find']);
    expect(sent[0].command).toMatchObject({
      find: 'Item',
      filter: { n: { $gte: 5 } },
      sort: { n: -1 },
      skip: 2,
      limit: 10,
      batchSize: 11,
    });
  });

  it('findById is one find of one document, with no default sort', async () => {
    const [first] = await Item.find({ where: { n: 3 } });
    const sent = await readCommands(async () =>
      expect((await Item.findById(first.id)).name).toBe('item 3'),
    );
    expect(sent.map((e) => e.commandName)).toEqual(['find']);
    expect(sent[0].command).toMatchObject({ find: 'Item', limit: 1 });
    expect(sent[0].command.sort).toBeUndefined();
    expect(await Item.findById('0123456789abcdef01234567')).toBeNull();
  });

  it('the connector’s find by id (its `find` method) is one find in a single batch', async () => {
    const [first] = await Item.find({ where: { n: 4 } });
    const connector = mongoConnector(ds);
    let found: Document | null = null;
    const sent = await readCommands(
      async () =>
        (found = await new Promise((resolve, reject) =>
          connector.find('Item', first.id, {}, (err: unknown, doc: unknown) =>
            err ? reject(err) : resolve(doc as Document | null),
          ),
        )),
    );
    expect(found).toMatchObject({ n: 4, name: 'item 4' });
    expect(sent.map((e) => e.commandName)).toEqual(['find']);
    expect(sent[0].command).toMatchObject({ find: 'Item', limit: 1, singleBatch: true });
  });

  it('without a limit, the first reply holds as much as 16 MiB allows', async () => {
    const sent = await readCommands(async () => expect(await Item.find()).toHaveLength(30));
    expect(sent.map((e) => e.commandName)).toEqual(['find']);
    expect(sent[0].command.batchSize).toBe(WHOLE_BATCH);
  });

  it('a per-call batchSize pages through getMores of that size; 0 leaves them to the server', async () => {
    let found: Document[] = [];
    const paged = await readCommands(async () => (found = await Item.find({}, { batchSize: 7 })));
    expect(found).toHaveLength(30);
    expect(paged[0].command.batchSize).toBe(7);
    const getMores = paged.filter((e) => e.commandName === 'getMore');
    expect(getMores.length).toBeGreaterThanOrEqual(4);
    expect(getMores.every((e) => e.command.batchSize === 7)).toBe(true);
    const none = await readCommands(async () => (found = await Item.find({}, { batchSize: 0 })));
    expect(found).toHaveLength(30);
    expect(none.map((e) => [e.commandName, e.command.batchSize])).toEqual([
      ['find', 0],
      ['getMore', undefined],
    ]);
  });

  it('a result over one reply is read whole, in order, through getMores in the find’s session', async () => {
    let found: Document[] = [];
    const sent = await readCommands(async () => (found = await Big.find({ order: 'n ASC' })));
    expect(found.map((doc) => doc.n)).toEqual(Array.from({ length: BIG_DOCS }, (_, n) => n));
    expect(found.every((doc) => doc.blob === BLOB)).toBe(true);
    const names = sent.map((e) => e.commandName);
    expect(names[0]).toBe('find');
    expect(names.slice(1).length).toBeGreaterThan(0);
    expect(names.slice(1).every((name) => name === 'getMore')).toBe(true);
    // one session for the cursor's whole life, as the server requires
    expect(new Set(sent.map(sessionId)).size).toBe(1);
  });

  it('a read’s session serves the next read; reads at the same time each have their own', async () => {
    const one = await readCommands(() => Item.find({ limit: 1 }));
    const two = await readCommands(() => Item.find({ limit: 1 }));
    expect(sessionId(two[0])).toBe(sessionId(one[0]));
    const together = await readCommands(() =>
      Promise.all([Item.find({ limit: 1 }), Big.find({ order: 'n ASC' }), Item.find({ limit: 2 })]),
    );
    const finds = together.filter((e) => e.commandName === 'find');
    expect(finds).toHaveLength(3);
    expect(new Set(finds.map(sessionId)).size).toBe(3);
    // each getMore in the session of its own find
    const bigFind = finds.find((e) => e.command.find === 'Big') as CommandStartedEvent;
    for (const getMore of together.filter((e) => e.commandName === 'getMore')) {
      expect(sessionId(getMore)).toBe(sessionId(bigFind));
    }
  });

  it('cursor ids survive every BSON option that changes how an int64 comes back', async () => {
    for (const options of [
      { promoteLongs: false },
      { useBigInt64: true },
      { promoteValues: false },
    ]) {
      const other = createDataSource('find-command', { monitorCommands: true, ...options });
      try {
        const OtherBig = defineModel(other, 'Big', { n: Number, blob: String });
        await other.connect();
        monitored(other);
        let found: Document[] = [];
        const sent = await readCommands(
          async () => (found = await OtherBig.find({ fields: { n: true } })),
        );
        expect(found).toHaveLength(BIG_DOCS);
        expect(sent.map((e) => e.commandName)).toEqual(['find']);
        const paged = await readCommands(async () => (found = await OtherBig.find()));
        expect(found).toHaveLength(BIG_DOCS);
        expect(paged.filter((e) => e.commandName === 'getMore').length).toBeGreaterThan(0);
      } finally {
        await other.disconnect();
      }
    }
  }, 60_000);

  it('a read preference other than primary keeps the driver’s cursor, with the same answers', async () => {
    const other = createDataSource('find-command', {
      monitorCommands: true,
      readPreference: 'secondaryPreferred',
    });
    try {
      const OtherItem = defineModel(other, 'Item', { n: Number, name: String });
      await other.connect();
      monitored(other);
      let found: Document[] = [];
      const sent = await readCommands(
        async () => (found = await OtherItem.find({ order: 'n ASC' })),
      );
      expect(found.map((item) => item.n)).toEqual(Array.from({ length: 30 }, (_, n) => n));
      expect(sent[0].commandName).toBe('find');
      expect(sent[0].command.batchSize).not.toBe(WHOLE_BATCH);
    } finally {
      await other.disconnect();
    }
  });
});

describe('find through the find command, in a transaction', () => {
  let rs: DataSource;
  let Note: TestModel;

  beforeAll(async () => {
    rs = createDataSource('find-command', { onReplicaSet: true, monitorCommands: true });
    Note = defineModel(rs, 'Note', { n: Number });
    await rs.connect();
    await rs.automigrate();
    monitored(rs);
  }, 60_000);

  afterAll(() => rs.disconnect());

  it('sees the transaction’s own writes and carries its number', async () => {
    await Note.create({ n: 1 });
    const tx = await Note.beginTransaction({});
    try {
      await Note.create({ n: 2 }, { transaction: tx });
      let inside: Document[] = [];
      const sent = await readCommands(
        async () => (inside = await Note.find({ order: 'n ASC' }, { transaction: tx })),
      );
      expect(inside.map((note) => note.n)).toEqual([1, 2]);
      expect(sent[0].command.txnNumber).toBeDefined();
      expect(sent[0].command.readConcern).toBeUndefined();
      expect((await Note.find()).map((note: Document) => note.n)).toEqual([1]);
    } finally {
      await tx.rollback();
    }
    expect(await Note.count()).toBe(1);
  });
});
