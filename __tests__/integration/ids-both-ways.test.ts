/**
 * Ids found whichever connector wrote them: the same LoopBack 3-style juggler code on ours and on
 * loopback-connector-mongodb 7.0.5, on the same server. Where ours deliberately differs, the test
 * is ours alone and README's "Coming from loopback-connector-mongodb" table says why.
 */
import * as os from 'node:os';
import { inspect } from 'node:util';
import { DataSource } from 'loopback-datasource-juggler';
import { MongoClient, ObjectId, type Db, type Document } from 'mongodb';
import * as ours from '../../src';
import { ModelDefinitionError } from '../../src';
import { CONNECTORS, connectedDataSource } from '../support/connectors';
import { testDatabaseUrl } from '../support/database';
import type { TestModel } from '../support/datasource';

/** LoopBack 3's usual id: a String, not generated. */
const THING = { id: { type: String, id: true }, name: String };

/** The database a datasource of connectedDataSource writes to, for the raw driver. */
async function rawDb(
  name: string,
  connector: unknown,
): Promise<{ db: Db; close(): Promise<void> }> {
  const suffix = connector === ours ? 'ours' : 'official';
  const client = new MongoClient(testDatabaseUrl(`${name}_${suffix}`), { runtimeAdapters: { os } });
  return { db: client.db(), close: () => client.close() };
}

const hex = () => new ObjectId().toHexString();
/** An id as the app holds it: ours hands strings back, the official ObjectIds. */
const text = (id: unknown) => String(id);

describe.each(CONNECTORS)('a String id on %s', (label, connector) => {
  let ds: DataSource;
  let raw: { db: Db; close(): Promise<void> };
  let Thing: TestModel;
  const stored = (filter: Document = {}) => raw.db.collection('Thing').find(filter).toArray();

  beforeAll(async () => {
    ds = await connectedDataSource(connector, 'ids_string');
    raw = await rawDb('ids_string', connector);
    Thing = ds.createModel('Thing', THING);
  });
  beforeEach(() => raw.db.collection('Thing').deleteMany({}));
  afterAll(async () => {
    await raw.close();
    await ds.disconnect();
  });

  it('finds an instance created without an id by the id it was given back', async () => {
    const created = await Thing.create({ name: 'a' });
    expect(text(created.id)).toMatch(/^[0-9a-f]{24}$/);
    expect((await Thing.findById(text(created.id)))?.name).toBe('a');
    expect((await stored())[0]._id).toBeInstanceOf(ObjectId);
  });

  it('stores a 24-hex id it is given as an ObjectId, and finds it', async () => {
    const id = hex();
    const created = await Thing.create({ id, name: 'b' });
    expect(text(created.id)).toBe(id);
    expect((await stored())[0]._id).toEqual(new ObjectId(id));
    expect((await Thing.findById(id))?.name).toBe('b');
  });

  it('finds a document stored with an ObjectId _id through every by-id path', async () => {
    const [a, b] = [new ObjectId(), new ObjectId()];
    await raw.db.collection('Thing').insertMany([
      { _id: a, name: 'a' },
      { _id: b, name: 'b' },
    ]);
    expect((await Thing.findById(a.toHexString()))?.name).toBe('a');
    expect(await Thing.exists(a.toHexString())).toBe(true);
    expect(await Thing.count({ id: a.toHexString() })).toBe(1);
    const inq = await Thing.find({ where: { id: { inq: [a.toHexString(), b.toHexString()] } } });
    expect(inq.map((t: TestModel) => t.name).sort()).toEqual(['a', 'b']);
    const found = await Thing.findById(a.toHexString());
    await found.updateAttributes({ name: 'a2' });
    await Thing.replaceById(b.toHexString(), { name: 'b2' });
    expect((await stored()).map((d) => d.name).sort()).toEqual(['a2', 'b2']);
    await Thing.destroyById(a.toHexString());
    expect(await stored()).toEqual([{ _id: b, name: 'b2' }]);
  });

  it('takes an ObjectId instance for the id: found, and stored as an ObjectId', async () => {
    const oid = new ObjectId();
    const created = await Thing.create({ id: oid, name: 'c' });
    expect(text(created.id)).toBe(oid.toHexString());
    expect((await stored())[0]._id).toEqual(oid);
    expect(text((await Thing.findById(oid))?.id)).toBe(oid.toHexString());
    expect(await Thing.exists(oid)).toBe(true);
  });

  it('upserts by a 24-hex id: inserts it as an ObjectId, then updates that document', async () => {
    const [u, r, f] = [hex(), hex(), hex()];
    await Thing.updateOrCreate({ id: u, name: 'u1' });
    await Thing.updateOrCreate({ id: u, name: 'u2' });
    await Thing.replaceOrCreate({ id: r, name: 'r1' });
    await Thing.replaceOrCreate({ id: r, name: 'r2' });
    const [, created] = await Thing.findOrCreate({ where: { id: f } }, { id: f, name: 'f1' });
    const [, again] = await Thing.findOrCreate({ where: { id: f } }, { id: f, name: 'f2' });
    expect([created, again]).toEqual([true, false]);
    const docs = await stored();
    expect(docs.map((d) => [d._id, d.name])).toEqual([
      [new ObjectId(u), 'u2'],
      [new ObjectId(r), 'r2'],
      [new ObjectId(f), 'f1'],
    ]);
  });

  it('saves an instance read back by its id in place', async () => {
    const oid = new ObjectId();
    await raw.db.collection('Thing').insertOne({ _id: oid, name: 's' });
    const found = await Thing.findById(oid.toHexString());
    found.name = 's2';
    await found.save();
    expect(await stored()).toEqual([{ _id: oid, name: 's2' }]);
  });

  it('stores relation keys pointing at it as ObjectIds, and includes across them', async () => {
    const Keeper = ds.createModel('Keeper', THING) as TestModel;
    const Pet = ds.createModel('Pet', { name: String }) as TestModel;
    // a key name the LoopBack 4 name rule would not take for a reference
    Keeper.hasMany(Pet, { as: 'pets', foreignKey: 'keeper' });
    Pet.belongsTo(Keeper, { as: 'owner', foreignKey: 'keeper' });
    await Promise.all([Keeper.destroyAll(), Pet.destroyAll()]);
    const keeper = await Keeper.create({ name: 'k' });
    await keeper.pets.create({ name: 'p' });
    expect((await raw.db.collection('Pet').findOne())?.keeper).toEqual(
      new ObjectId(text(keeper.id)),
    );
    const [pet] = await Pet.find({ include: 'owner' });
    expect(pet.toJSON().owner.name).toBe('k');
    expect((await keeper.pets.find()).map((p: TestModel) => p.name)).toEqual(['p']);
  });

  if (label !== 'ours') return;

  // ---- ours alone: data written with the id as text (README: Ids and ObjectIds) ------------

  it('also finds and updates documents whose _id is the 24-hex string itself', async () => {
    const [a, b, c] = [hex(), hex(), hex()];
    await raw.db.collection<Document>('Thing').insertMany([
      { _id: a as never, name: 'a' },
      { _id: b as never, name: 'b' },
      { _id: c as never, name: 'c' },
    ]);
    expect((await Thing.findById(a))?.name).toBe('a');
    expect(await Thing.exists(new ObjectId(a))).toBe(true);
    await Thing.updateOrCreate({ id: a, name: 'a2' });
    await Thing.replaceOrCreate({ id: b, name: 'b2' });
    const [, created] = await Thing.findOrCreate({ where: { id: c } }, { id: c, name: 'c2' });
    expect(created).toBe(false);
    await Thing.replaceById(c, { name: 'c3' });
    // updated where they are: no second document under the ObjectId form
    expect((await stored()).map((d) => [d._id, d.name])).toEqual([
      [a, 'a2'],
      [b, 'b2'],
      [c, 'c3'],
    ]);
  });

  it('gives an upsert by where on the id the id it names', async () => {
    const [f, w] = [hex(), hex()];
    await Thing.findOrCreate({ where: { id: f } }, { name: 'f' });
    await Thing.upsertWithWhere({ id: w }, { name: 'w' });
    expect((await stored()).map((d) => [d._id, d.name])).toEqual([
      [new ObjectId(f), 'f'],
      [new ObjectId(w), 'w'],
    ]);
  });

  it('runs concurrent upserts of one new id into one document, without an error', async () => {
    for (let round = 0; round < 5; round++) {
      const id = hex();
      await Promise.all([
        Thing.updateOrCreate({ id, name: 'x' }),
        Thing.updateOrCreate({ id, name: 'y' }),
        Thing.replaceOrCreate({ id, name: 'z' }),
        Thing.findOrCreate({ where: { id } }, { id, name: 'w' }),
      ]);
      expect(await stored({ _id: new ObjectId(id) })).toHaveLength(1);
    }
    expect(await stored()).toHaveLength(5);
  });
});

describe('ids written by one connector, read by the other, on one database', () => {
  let mine: DataSource;
  let theirs: DataSource;
  let Mine: TestModel;
  let Theirs: TestModel;

  beforeAll(async () => {
    const url = testDatabaseUrl('ids_switch');
    [mine, theirs] = await Promise.all(
      CONNECTORS.map(([, connector]) => connectedDataSource(connector, 'ids_switch', { url })),
    );
    Mine = mine.createModel('Thing', THING);
    Theirs = theirs.createModel('Thing', THING);
    await Mine.destroyAll();
  });
  afterAll(() => Promise.all([mine.disconnect(), theirs.disconnect()]));

  it('each finds, updates and deletes what the other created', async () => {
    const given = hex();
    const fromThem = [await Theirs.create({ name: 't1' }), await Theirs.create({ id: given })];
    const fromUs = [await Mine.create({ name: 'o1' }), await Mine.create({ id: hex() })];
    for (const t of fromThem) {
      expect(await Mine.exists(text(t.id))).toBe(true);
      await Mine.updateAll({ id: text(t.id) }, { name: 'seen by ours' });
    }
    for (const o of fromUs) {
      expect(await Theirs.exists(o.id)).toBe(true);
      await Theirs.updateAll({ id: o.id }, { name: 'seen by the official' });
    }
    const names = (await Mine.find({ order: 'name' })).map((t: TestModel) => t.name);
    expect(names).toEqual([
      'seen by ours',
      'seen by ours',
      'seen by the official',
      'seen by the official',
    ]);
    await Mine.destroyById(given);
    expect(await Theirs.exists(given)).toBe(false);
  });
});

describe('strictObjectIDCoercion true with a String id (ours; README: Ids and ObjectIds)', () => {
  let ds: DataSource;
  let raw: { db: Db; close(): Promise<void> };
  let Thing: TestModel;
  const stored = () => raw.db.collection('Thing').find().toArray();

  beforeAll(async () => {
    ds = await connectedDataSource(ours, 'ids_strict', { strictObjectIDCoercion: true });
    raw = await rawDb('ids_strict', ours);
    Thing = ds.createModel('Thing', THING);
    await Thing.destroyAll();
  });
  afterAll(async () => {
    await raw.close();
    await ds.disconnect();
  });

  it('stores ids as text, generated ones too, and finds each by its string or its ObjectId', async () => {
    const given = hex();
    const generated = await Thing.create({ name: 'g' });
    await Thing.create({ id: given, name: 'h' });
    await Thing.create({ id: new ObjectId(), name: 'o' });
    await Thing.updateOrCreate({ id: hex(), name: 'u' });
    for (const doc of await stored()) expect(typeof doc._id).toBe('string');
    expect((await Thing.findById(generated.id))?.name).toBe('g');
    expect((await Thing.findById(new ObjectId(given)))?.name).toBe('h');
    await Thing.updateOrCreate({ id: given, name: 'h2' });
    expect(await Thing.count()).toBe(4);
  });
});

describe('strictObjectIDCoercion true with a String id on loopback-connector-mongodb', () => {
  it('stores a generated id as an ObjectId that findById then does not find', async () => {
    const ds = await connectedDataSource(CONNECTORS[1][1], 'ids_strict', {
      strictObjectIDCoercion: true,
    });
    try {
      const Thing = ds.createModel('Thing', THING) as TestModel;
      const generated = await Thing.create({ name: 'g' });
      expect(await Thing.findById(text(generated.id))).toBeNull();
    } finally {
      await ds.disconnect();
    }
  });
});

describe.each(CONNECTORS)('a stored field name on the id, on %s', (label, connector) => {
  let ds: DataSource;
  let raw: { db: Db; close(): Promise<void> };

  beforeAll(async () => {
    ds = await connectedDataSource(connector, 'ids_named');
    raw = await rawDb('ids_named', connector);
  });
  afterAll(async () => {
    await raw.close();
    await ds.disconnect();
  });

  it('is refused with a message naming the model and the field; nothing is written', async () => {
    const attempt = async () => {
      const Named = ds.createModel('Named', {
        id: { type: String, id: true, mongodb: { fieldName: 'code' } },
        name: String,
      }) as TestModel;
      await Named.create({ id: 'k1', name: 'n' });
    };
    await expect(attempt()).rejects.toThrow(/Named.*code|code.*Named/);
    expect(await raw.db.collection('Named').countDocuments()).toBe(0);
  });

  if (label !== 'ours') return;

  it('is refused when the model is defined, with a ModelDefinitionError naming the property', () => {
    let error: unknown;
    try {
      ds.createModel('Renamed', { key: { type: String, id: true, mongodb: { field: 'k' } } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelDefinitionError);
    expect(error).toMatchObject({ model: 'Renamed', property: 'key', statusCode: 500 });
    expect((error as Error).message).toBe(
      'Renamed.key: mongodb.field "k" cannot rename the id: MongoDB stores it as _id whatever ' +
        'the property is called; remove the setting',
    );
  });

  it('accepts `_id`, which says what happens anyway', async () => {
    const Plain = ds.createModel('Plain', {
      id: { type: String, id: true, mongodb: { fieldName: '_id' } },
    }) as TestModel;
    await Plain.create({ id: 'p1' });
    expect(await raw.db.collection('Plain').findOne()).toEqual({ _id: 'p1' });
  });
});

/** The kinds of a value: ObjectIds and strings told apart, arrays item by item. */
function kinds(value: unknown): unknown {
  if (Array.isArray(value)) return [...value].map(kinds);
  return value instanceof ObjectId ? 'ObjectId' : typeof value;
}

describe.each(CONNECTORS)('properties typed with ds.ObjectID on %s', (label, connector) => {
  let ds: DataSource;
  let raw: { db: Db; close(): Promise<void> };
  let Doc: TestModel;

  beforeAll(async () => {
    ds = await connectedDataSource(connector, 'ids_class');
    raw = await rawDb('ids_class', connector);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- juggler types ObjectID loosely
    const ObjectID = (ds as any).ObjectID;
    Doc = ds.createModel('Doc', {
      _id: { type: ObjectID, id: true },
      name: String,
      xid: { type: ObjectID },
      xids: { type: [ObjectID] },
    });
    await Doc.destroyAll();
  });
  afterAll(async () => {
    await raw.close();
    await ds.disconnect();
  });

  it('stores ObjectIds and serialises them as 24-hex strings', async () => {
    const x = hex();
    const created = await Doc.create({ name: 'a', xid: x, xids: [x] });
    expect(kinds(Object.values((await raw.db.collection('Doc').findOne()) ?? {}))).toEqual([
      'ObjectId',
      'string',
      'ObjectId',
      ['ObjectId'],
    ]);
    const json = JSON.parse(JSON.stringify(await Doc.findById(created._id)));
    expect(json).toEqual({ _id: text(created._id), name: 'a', xid: x, xids: [x] });
  });

  if (label !== 'ours') return;

  it('hands 24-hex strings back from every method (README: one form of ids)', async () => {
    const x = hex();
    const created = await Doc.create({ name: 'a', xid: x, xids: [x] });
    const forms = (d: TestModel) => kinds([d._id, d.xid, ...(d.xids ?? [])]);
    const all = ['string', 'string', 'string'];
    expect(forms(created)).toEqual(all);
    expect(forms(await Doc.findById(created._id))).toEqual(all);
    expect(forms((await Doc.find({ where: { _id: created._id } }))[0])).toEqual(all);
    const replaced = await Doc.replaceById(created._id, { name: 'b', xid: x, xids: [x] });
    expect(forms(replaced)).toEqual(all);
    const found = await Doc.findById(created._id);
    await found.updateAttributes({ xid: new ObjectId(x) });
    expect(forms(found)).toEqual(all);
  });
});

describe('a connector inspected or serialised', () => {
  const PASSWORD = 'pa55-s3cret';

  it('(ours) gives JSON and util.inspect output without driver internals or the password', async () => {
    const ds = await connectedDataSource(ours, 'ids_inspect');
    const lazy = new DataSource({
      connector: ours,
      url: testDatabaseUrl('ids_inspect').replace('://', `://app:${PASSWORD}@`),
      password: PASSWORD,
      lazyConnect: true,
    } as never);
    try {
      ds.createModel('Thing', THING);
      // the driver client exists (not connected) and holds the credentials
      (lazy.connector as unknown as ours.MongoDB).collection('Thing');
      for (const source of [ds, lazy]) {
        const json = JSON.stringify(source.connector);
        const printed = inspect(source.connector, { depth: 5 });
        for (const text of [json, printed]) {
          expect(text).not.toContain(PASSWORD);
          // nothing of the `os` module the driver options carry
          expect(text).not.toContain('cpus');
          expect(text.length).toBeLessThan(5_000);
        }
        expect(JSON.parse(json)).toMatchObject({ name: 'mongodb', clientCreated: true });
      }
      expect(JSON.parse(JSON.stringify(lazy.connector)).settings).toMatchObject({
        password: '***',
        url: expect.stringContaining('app:***@'),
        lazyConnect: true,
      });
      expect(JSON.parse(JSON.stringify(ds.connector)).models).toEqual(['Thing']);
    } finally {
      await Promise.all([ds.disconnect(), lazy.disconnect()]);
    }
  });

  it('(loopback-connector-mongodb) cannot be serialised: its state is circular', async () => {
    const ds = await connectedDataSource(CONNECTORS[1][1], 'ids_inspect');
    try {
      expect(() => JSON.stringify(ds.connector)).toThrow(/circular/);
    } finally {
      await ds.disconnect();
    }
  });
});
