/**
 * Loosely typed properties (`Object`, 'any', what LoopBack 4 infers for unions) keep exactly what
 * the app gave, and every DAO method hands ids back in one form.
 */
import { DefaultCrudRepository, Entity, ModelDefinition, juggler } from '@loopback/repository';
import type { DataSource } from 'loopback-datasource-juggler';
import { ObjectId } from 'mongodb';
import * as connector from '../../src';
import { testDatabaseUrl } from '../support/database';
import {
  createDataSource,
  defineModel,
  mongoConnector,
  type TestModel,
} from '../support/datasource';

const HEX = '6b0f49a1c2d3e4f5a6b7c8d9';
const WHEN = new Date('2024-05-06T07:08:09.000Z');

/** Each kind of value a loose property may hold. */
const VALUES: ReadonlyArray<[string, unknown]> = [
  ['hex string', HEX],
  ['string', 'plain'],
  ['number', 5],
  ['zero', 0],
  ['boolean', true],
  ['false', false],
  ['null', null],
  ['date', WHEN],
  ['array', ['a', 1, true, null]],
  ['nested object', { a: { b: [1, 'x'] }, c: null }],
];

describe('loosely typed properties through juggler', () => {
  let ds: DataSource;
  let Box: TestModel;

  beforeAll(() => {
    ds = createDataSource('loose_types');
    Box = defineModel(ds, 'Box', { label: String, value: Object, anything: 'any', list: [Object] });
  });

  afterAll(() => ds.disconnect());

  it.each(VALUES)('stores and reads back a %s as given', async (_kind, value) => {
    const created = await Box.create({ label: _kind, value, anything: value });
    const stored = await mongoConnector(ds).collection('Box').findOne({ label: _kind });
    // the server holds the value itself, not a document of a boxed primitive's characters
    expect(stored?.value).toEqual(value);
    expect(stored?.anything).toEqual(value);
    const found = await Box.findById(created.id);
    expect(found.value).toEqual(value);
    expect(found.anything).toEqual(value);
    if (value !== null && typeof value !== 'object') {
      expect(typeof found.value).toBe(typeof value);
      expect(await Box.count({ label: _kind, value })).toBe(1);
      expect(await Box.count({ label: _kind, value: { inq: [value] } })).toBe(1);
    }
  });

  it('stores the items of an [Object] array unboxed', async () => {
    await Box.create({ label: 'list', list: ['s', 1, false] });
    const stored = await mongoConnector(ds).collection('Box').findOne({ label: 'list' });
    expect(stored?.list).toEqual(['s', 1, false]);
    expect(typeof stored?.list[0]).toBe('string');
  });
});

describe('loosely typed properties through a LoopBack 4 repository', () => {
  class Note extends Entity {
    static override definition = new ModelDefinition('Note')
      .addProperty('id', { type: 'string', id: true, generated: true })
      .addProperty('label', { type: 'string' })
      // what @property() gives `value?: string | number` and `extra?: any`
      .addProperty('value', { type: Object })
      .addProperty('extra', { type: 'any' });
    // `declare`: with ES2022 class fields, plain ones would shadow the data juggler sets
    declare id?: string;
    declare label?: string;
    declare value?: unknown;
    declare extra?: unknown;
  }

  let ds: juggler.DataSource;
  let notes: DefaultCrudRepository<Note, string>;

  beforeAll(() => {
    ds = new juggler.DataSource({
      name: 'db',
      connector,
      url: testDatabaseUrl('loose_types_lb4'),
    });
    notes = new DefaultCrudRepository(Note, ds);
  });

  afterAll(() => ds.disconnect());

  it.each(VALUES)('stores and reads back a %s as given', async (kind, value) => {
    const created = await notes.create({ label: kind, value, extra: value });
    expect(typeof created.id).toBe('string');
    const found = await notes.findById(created.id as string);
    expect(found.value).toEqual(value);
    expect(found.extra).toEqual(value);
    if (value !== null && typeof value !== 'object') {
      expect(await notes.count({ label: kind, value })).toEqual({ count: 1 });
    }
  });
});

describe('ids in one form from every DAO method', () => {
  let ds: DataSource;
  let Item: TestModel;

  beforeAll(() => {
    ds = createDataSource('loose_types_ids');
    // forceId off: the app may give ids, as databases with ids of their own need
    Item = defineModel(ds, 'Item', { name: String }, { forceId: false });
  });

  afterAll(() => ds.disconnect());

  const isHex = (id: unknown) => typeof id === 'string' && /^[0-9a-f]{24}$/.test(id);

  it('hands back 24-hex strings for ids given as strings, as ObjectIds, or generated', async () => {
    const given = new ObjectId();
    const results: Record<string, unknown> = {
      create: (await Item.create({ name: 'a' })).id,
      createAll: (await Item.create([{ name: 'b' }, { name: 'c' }]))[0].id,
      createWithObjectId: (await Item.create({ id: given, name: 'd' })).id,
      updateOrCreateNew: (await Item.updateOrCreate({ name: 'e' })).id,
      updateOrCreateObjectId: (await Item.updateOrCreate({ id: given, name: 'd2' })).id,
      replaceOrCreate: (await Item.replaceOrCreate({ id: new ObjectId(), name: 'f' })).id,
      replaceById: (await Item.replaceById(given, { name: 'd3' })).id,
      findOrCreate: (await Item.findOrCreate({ where: { name: 'g' } }, { name: 'g' }))[0].id,
      upsertWithWhere: (await Item.upsertWithWhere({ name: 'h' }, { name: 'h' })).id,
      findById: (await Item.findById(given)).id,
      find: (await Item.find({ where: { id: given.toHexString() } }))[0].id,
    };
    const saved = await Item.findById(given);
    saved.name = 'd4';
    results.save = (await saved.save()).id;
    results.updateAttributes = (await saved.updateAttributes({ name: 'd5' })).id;
    const direct = await new Promise<unknown>((resolve, reject) =>
      mongoConnector(ds).replaceById('Item', given, { name: 'd6' }, {}, (err, data) =>
        err ? reject(err) : resolve(data.id),
      ),
    );
    results.connectorReplaceById = direct;
    for (const [method, id] of Object.entries(results)) {
      expect([method, isHex(id)]).toEqual([method, true]);
    }
    expect(results.findById).toBe(given.toHexString());
  });

  it('keeps an id that is not 24-hex as a string, and finds nothing for an unknown one', async () => {
    const item = await Item.create({ id: 'item-17', name: 'x' });
    expect(item.id).toBe('item-17');
    const stored = await mongoConnector(ds)
      .collection('Item')
      .findOne({ _id: 'item-17' as never });
    expect(stored?.name).toBe('x');
    expect((await Item.findById('item-17')).name).toBe('x');
    expect(await Item.findById('not-an-id')).toBeNull();
  });
});
