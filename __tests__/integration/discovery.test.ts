/**
 * Schema discovery against the server: a collection written by a raw driver client with every
 * kind of value, discovered, built into a model, and written back through it with the same BSON
 * types; and the calls `lb4 discover` makes, through a LoopBack 4 datasource.
 */
import * as os from 'node:os';
import { juggler } from '@loopback/repository';
import type { DataSource } from 'loopback-datasource-juggler';
import {
  Binary,
  Decimal128,
  Double,
  BSON,
  Int32,
  MongoClient,
  ObjectId,
  type Db,
  type Document,
} from 'mongodb';
import * as connector from '../../src';
import type { DiscoveredModelDefinition, DiscoveredProperty, DiscoveredSchema } from '../../src';
import { testDatabaseUrl } from '../support/database';
import { createDataSource, mongoConnector, type TestModel } from '../support/datasource';

const NAME = 'discovery';
let client: MongoClient;
let db: Db;
let ds: DataSource;

function catalogDocument(i: number): Document {
  return {
    _id: new ObjectId(),
    title: `item ${i}`,
    stock: new Int32(10 + i),
    rating: new Double(i + 0.5),
    active: i % 2 === 0,
    addedAt: new Date(Date.UTC(2024, 0, i + 1)),
    photo: new Binary(Buffer.from(`png ${i}`)),
    supplierId: new ObjectId(),
    price: Decimal128.fromString(`${i}9.90`),
    location: { type: 'Point', coordinates: [13.4 + i, 52.5] },
    tags: ['a', `t${i}`],
    relatedIds: [new ObjectId(), new ObjectId()],
    history: [new Date(Date.UTC(2023, i, 1))],
    dimensions: { width: new Int32(i + 1), label: 'box', madeBy: new ObjectId() },
    'shelf code': `S-${i}`,
    ...(i === 0 ? { note: 'only in the first' } : {}),
  };
}

/** A document in canonical extended JSON, without its _id: every BSON type spelled out. */
function bsonTypes(doc: Document | null): Record<string, unknown> {
  if (!doc) throw new Error('document not found');
  const rest: Document = { ...doc };
  delete rest._id;
  const canonical = JSON.parse(BSON.EJSON.stringify(rest, { relaxed: false })) as Record<
    string,
    unknown
  >;
  return Object.fromEntries(Object.entries(canonical).sort(([a], [b]) => a.localeCompare(b)));
}

const DOCS = [0, 1, 2].map(catalogDocument);

beforeAll(async () => {
  // runtimeAdapters: inside jest's VM the driver cannot import `os` by itself
  client = await MongoClient.connect(testDatabaseUrl(NAME), { runtimeAdapters: { os } });
  db = client.db();
  await db.dropDatabase();
  await db.collection('catalog').insertMany(DOCS.map((d) => ({ ...d })));
  await db.collection('catalog').createIndex({ title: 1 }, { unique: true });
  await db.collection('catalog').createIndex({ location: '2dsphere' });
  await db.collection('catalog').createIndex({ active: 1, addedAt: -1 }, { name: 'active_recent' });
  await db.createCollection('activeCatalog', {
    viewOn: 'catalog',
    pipeline: [{ $match: { active: true } }],
  });
  ds = createDataSource(NAME);
  await ds.connect();
});

afterAll(async () => {
  await ds.disconnect();
  await client.close();
});

describe('discoverModelDefinitions', () => {
  it('lists collections as tables and views as views, owned by the database', async () => {
    const definitions = await ds.discoverModelDefinitions({});
    expect(definitions).toEqual([
      { type: 'view', name: 'activeCatalog', owner: db.databaseName },
      { type: 'table', name: 'catalog', owner: db.databaseName },
    ]);
  });

  it('answers a callback too, and leaves views out when asked', (done) => {
    ds.discoverModelDefinitions({ views: false }, (err: unknown, definitions: unknown) => {
      expect(err).toBeFalsy();
      expect(definitions).toEqual([{ type: 'table', name: 'catalog', owner: db.databaseName }]);
      done();
    });
  });
});

describe('discoverSchemas', () => {
  let schema: DiscoveredSchema;

  beforeAll(async () => {
    const schemas = (await ds.discoverSchemas('catalog', {})) as unknown as Record<
      string,
      DiscoveredSchema
    >;
    expect(Object.keys(schemas)).toEqual([`${db.databaseName}.catalog`]);
    schema = schemas[`${db.databaseName}.catalog`];
  });

  it('infers every property type from the sample', () => {
    expect(schema.name).toBe('Catalog');
    expect(schema.options).toMatchObject({
      idInjection: false,
      mongodb: { collection: 'catalog', enableGeoIndexing: true },
      indexes: { active_recent: { keys: { active: 1, addedAt: -1 } } },
    });
    const p = schema.properties;
    expect(p.id).toMatchObject({ type: 'string', id: true, mongodb: { dataType: 'ObjectId' } });
    expect(p.title).toEqual({ type: 'string', required: true, index: { unique: true } });
    expect(p.stock).toEqual({ type: 'number', required: true });
    expect(p.active).toEqual({ type: 'boolean', required: true });
    expect(p.addedAt).toEqual({ type: 'date', required: true });
    expect(p.photo).toEqual({ type: 'buffer', required: true });
    expect(p.supplierId).toEqual({
      type: 'string',
      required: true,
      mongodb: { dataType: 'ObjectId' },
    });
    expect(p.price).toEqual({
      type: 'string',
      required: true,
      mongodb: { dataType: 'Decimal128' },
    });
    expect(p.location).toMatchObject({ type: 'geopoint', required: true });
    expect(p.relatedIds).toEqual({
      type: 'array',
      itemType: 'string',
      required: true,
      mongodb: { dataType: 'ObjectId' },
    });
    expect(p.history).toEqual({ type: 'array', itemType: 'date', required: true });
    expect(p.dimensions).toMatchObject({
      type: 'object',
      properties: { madeBy: { type: 'string', mongodb: { dataType: 'ObjectId' } } },
    });
    expect(p.shelfCode).toEqual({
      type: 'string',
      required: true,
      mongodb: { fieldName: 'shelf code' },
    });
    expect(p.note).toEqual({ type: 'string', required: false });
  });

  it('samples as many documents as sampleSize says', async () => {
    const schemas = (await mongoConnector(ds).discoverSchemas('catalog', {
      sampleSize: 1,
    })) as Record<string, DiscoveredSchema>;
    // one document: the field only the first has is either required or missing, never optional
    const note = schemas[`${db.databaseName}.catalog`].properties.note;
    expect(note === undefined || note.required).toBe(true);
  });

  it('refuses an unknown collection and a bad sampleSize, naming them', async () => {
    await expect(ds.discoverSchemas('nope', {})).rejects.toThrow(/no collection nope/);
    await expect(mongoConnector(ds).discoverSchemas('catalog', { sampleSize: 0 })).rejects.toThrow(
      /sampleSize must be a positive integer, got 0/,
    );
  });

  it('discoverSchema gives the one schema, by callback', (done) => {
    ds.discoverSchema('activeCatalog', {}, (err, result) => {
      expect(err).toBeFalsy();
      const found = result as DiscoveredSchema;
      expect(found.name).toBe('ActiveCatalog');
      expect(found.properties.title).toEqual({ type: 'string', required: true });
      done();
    });
  });
});

describe('discoverAndBuildModels', () => {
  let Catalog: TestModel;

  beforeAll(async () => {
    const models = await new Promise<Record<string, TestModel>>((resolve, reject) =>
      ds.discoverAndBuildModels('catalog', {}, (err, built) =>
        err ? reject(err) : resolve(built as Record<string, TestModel>),
      ),
    );
    Catalog = models.Catalog;
  });

  it('reads the documents it was discovered from', async () => {
    const found = await Catalog.find({ order: 'title' });
    expect(found.map((c: { title: string }) => c.title)).toEqual(['item 0', 'item 1', 'item 2']);
    const first = found[0];
    expect(first.id).toBe(DOCS[0]._id.toHexString());
    expect(first.supplierId).toBe(DOCS[0].supplierId.toHexString());
    expect(first.shelfCode).toBe('S-0');
    expect(first.location).toEqual({ lat: 52.5, lng: 13.4 });
    // Decimal128 keeps every digit as a string
    expect(first.price).toBe('9.90');
  });

  it('writes new documents with the same BSON types as the originals', async () => {
    for (const original of await Catalog.find({ order: 'title' })) {
      const { id, ...data } = original.toObject();
      const copy = await Catalog.create({ ...data, title: `${data.title} copy` });
      const stored = await db.collection('catalog').findOne({ _id: new ObjectId(copy.id) });
      const source = await db.collection('catalog').findOne({ _id: new ObjectId(id) });
      expect(bsonTypes(stored)).toEqual({ ...bsonTypes(source), title: `${data.title} copy` });
    }
  });

  it('saves a read document back unchanged', async () => {
    const before = await db.collection('catalog').findOne({ title: 'item 1' });
    const instance = await Catalog.findOne({ where: { title: 'item 1' } });
    await instance.save();
    const after = await db.collection('catalog').findOne({ title: 'item 1' });
    expect(bsonTypes(after)).toEqual(bsonTypes(before));
  });

  it('finds by the discovered types: ObjectId properties and renamed fields in where', async () => {
    const found = await Catalog.find({
      where: { supplierId: DOCS[2].supplierId.toHexString(), shelfCode: 'S-2' },
    });
    expect(found.map((c: { title: string }) => c.title).sort()).toEqual(['item 2', 'item 2 copy']);
  });

  it('has indexes that migrations take as already there', async () => {
    const actual = await new Promise((resolve, reject) =>
      // juggler's typings leave isActual out
      (ds as TestModel).isActual(['Catalog'], (err: unknown, ok: boolean) =>
        err ? reject(err) : resolve(ok),
      ),
    );
    expect(actual).toBe(true);
  });
});

/** The types @loopback/cli's model generator knows (its built-ins, plus array and buffer). */
const GENERATOR_TYPES = [
  'string',
  'number',
  'object',
  'boolean',
  'any',
  'geopoint',
  'date',
  'array',
  'buffer',
];

describe('lb4 discover, through a LoopBack 4 datasource', () => {
  it('lists, then discovers each model in the form the model generator reads', async () => {
    const lb4 = new juggler.DataSource({ name: 'mongo', connector, url: testDatabaseUrl(NAME) });
    try {
      if (!lb4.connected) await new Promise((resolve) => lb4.once('connected', resolve));
      // @loopback/cli's discover generator: discoverModelDefinitions, then discoverSchema per model
      const definitions = (await lb4.discoverModelDefinitions({
        views: true,
        schema: '',
      })) as unknown as DiscoveredModelDefinition[];
      expect(definitions.map((d: { name: string }) => d.name)).toEqual([
        'activeCatalog',
        'catalog',
      ]);
      for (const definition of definitions) {
        const found = (await lb4.discoverSchema(definition.name, {
          schema: definition.owner,
          disableCamelCase: false,
        })) as unknown as DiscoveredSchema;
        expect(found.options.mongodb.collection).toBe(definition.name);
        // the generator lower-cases each type to find the built-in one, and maps array, buffer
        // and their item types to TypeScript: every type must be one of those names
        for (const property of Object.values(found.properties) as DiscoveredProperty[]) {
          expect(GENERATOR_TYPES).toContain(property.type);
          if (property.type === 'array') expect(GENERATOR_TYPES).toContain(property.itemType);
        }
        // and it disconnects after each model; the next call connects again by itself
        await lb4.disconnect();
      }
    } finally {
      await lb4.disconnect();
    }
  });
});
