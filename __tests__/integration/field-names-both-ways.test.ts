/**
 * Renamed fields on both connectors, on ONE database: documents one connector writes under
 * `mongodb: {column}` (and the other spellings) are read, queried, sorted and projected through
 * the other, and the raw documents hold the same field names whichever wrote them. Updates run
 * through ours: the official's updates null every renamed field they are not given.
 */
import type { DataSource } from 'loopback-datasource-juggler';
import { ObjectId } from 'mongodb';
import { CONNECTORS, oneDatabaseForBoth, type ConnectorLabel } from '../support/connectors';
import { defineModel, mongoConnector, type TestModel } from '../support/datasource';

const SHOP = {
  name: { type: String, mongodb: { column: 'shop_name' } },
  city: { type: String, columnName: 'town' },
  code: { type: String, mongodb: { columnName: 'shop_code' } },
  rank: { type: Number, mongodb: { fieldName: 'r', column: 'ignored' } },
};
const ALPHA = { name: 'Alpha', city: 'Lyon', code: 'A1', rank: 2 };
const PROJECTION = { projection: { _id: 0 } };
const STORED_FIELDS = ['_id', 'shop_name', 'town', 'shop_code', 'r'];

describe('property field names shared by both connectors', () => {
  const shops = new Map<string, TestModel>();
  let sources: Map<ConnectorLabel, DataSource>;

  beforeAll(async () => {
    sources = await oneDatabaseForBoth('field_names_both');
    for (const [label, ds] of sources) shops.set(label, defineModel(ds, 'Shop', SHOP));
    await sources.get('ours')!.automigrate('Shop');
  });
  afterAll(() => Promise.all([...sources.values()].map((ds) => ds.disconnect())));

  const raw = () => mongoConnector(sources.get('ours')!).collection('Shop');

  describe.each([
    ['ours', 'loopback-connector-mongodb'],
    ['loopback-connector-mongodb', 'ours'],
  ])('written by %s, read by %s', (writer, reader) => {
    beforeEach(() => raw().deleteMany({}));

    it('stores the renamed fields, which the other connector finds, sorts and projects', async () => {
      const Writer = shops.get(writer)!;
      const Reader = shops.get(reader)!;
      const a = await Writer.create(ALPHA);
      await Writer.create({ name: 'Beta', city: 'Nice', code: 'B2', rank: 1 });

      const docs = await raw().find({}).toArray();
      for (const doc of docs) expect(Object.keys(doc).sort()).toEqual([...STORED_FIELDS].sort());

      const found = await Reader.findById(a.id);
      expect(found.toObject()).toMatchObject({ name: 'Alpha', city: 'Lyon', code: 'A1', rank: 2 });
      const byName: TestModel[] = await Reader.find({
        where: { name: { inq: ['Alpha', 'Beta'] }, city: { neq: 'Paris' } },
        order: 'rank ASC',
        fields: { name: true, code: true },
      });
      expect(byName.map((shop) => shop.toObject())).toEqual([
        { name: 'Beta', code: 'B2' },
        { name: 'Alpha', code: 'A1' },
      ]);
      expect(await Reader.count({ code: 'A1' })).toBe(1);
    });
  });

  it('updates the renamed fields of what the official wrote, touching no other field', async () => {
    await raw().deleteMany({});
    const a = await shops.get('loopback-connector-mongodb')!.create(ALPHA);
    const Shop = shops.get('ours')!;
    await Shop.updateAll({ name: 'Alpha' }, { city: 'Dijon' });
    await (await Shop.findById(a.id)).updateAttributes({ code: 'A9' });
    await Shop.upsertWithWhere({ name: 'Alpha' }, { rank: 3 });
    expect(await raw().findOne({ _id: new ObjectId(String(a.id)) }, PROJECTION)).toEqual({
      shop_name: 'Alpha',
      town: 'Dijon',
      shop_code: 'A9',
      r: 3,
    });
  });

  it.each([
    ['updateAll', (Shop: TestModel, id: unknown) => Shop.updateAll({ id }, { city: 'Dijon' })],
    [
      'updateAttributes',
      async (Shop: TestModel, id: unknown) =>
        (await Shop.findById(id)).updateAttributes({ city: 'Dijon' }),
    ],
  ])(
    '%s leaves the renamed fields it is not given alone (ours; the official nulls them)',
    async (_name, update) => {
      await raw().deleteMany({});
      const results = new Map<string, unknown>();
      for (const [label] of CONNECTORS) {
        const Shop = shops.get(label)!;
        const a = await Shop.create(ALPHA);
        await update(Shop, a.id);
        results.set(label, await raw().findOne({ _id: new ObjectId(String(a.id)) }, PROJECTION));
      }
      expect(results.get('ours')).toEqual({
        shop_name: 'Alpha',
        town: 'Dijon',
        shop_code: 'A1',
        r: 2,
      });
      expect(results.get('loopback-connector-mongodb')).toEqual({
        shop_name: null,
        town: 'Dijon',
        shop_code: null,
        r: null,
      });
    },
  );
});
