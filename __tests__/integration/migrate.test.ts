import type { DataSource } from 'loopback-datasource-juggler';
import type { Document } from 'mongodb';
import { DuplicateKeyError, MongoConnectorError } from '../../src';
import { IndexDefinitionError, IndexMigrationError } from '../../src/migrate';
import {
  createDataSource,
  defineModel,
  mongoConnector,
  type TestModel,
} from '../support/datasource';

/** A collection's indexes as listIndexes gives them, without the version, by name. */
async function indexesOf(ds: DataSource, model: string): Promise<Document[]> {
  const listed = await mongoConnector(ds).collection(model).listIndexes().toArray();
  return listed
    .map(({ v: _version, ...index }) => index)
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));
}

async function collectionNames(ds: DataSource): Promise<string[]> {
  const db = mongoConnector(ds).db;
  if (!db) throw new Error('not connected');
  return (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
}

/** Juggler's DataSource.isActual: answers only through its callback, and its typings omit it. */
function isActual(ds: DataSource, models: string): Promise<boolean> {
  const withIsActual = ds as unknown as {
    isActual(models: string, cb: (err: unknown, actual?: boolean) => void): void;
  };
  return new Promise((resolve, reject) =>
    withIsActual.isActual(models, (err, actual) => (err ? reject(err) : resolve(Boolean(actual)))),
  );
}

const ID_INDEX = { key: { _id: 1 }, name: '_id_' };
const CASE_INSENSITIVE = { locale: 'en', strength: 2 };

describe('automigrate, autoupdate and isActual on a real mongod', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = createDataSource('migrate');
    await ds.connect();
  });

  afterAll(() => ds.disconnect());

  describe('automigrate', () => {
    let Customer: TestModel;

    beforeAll(() => {
      Customer = defineModel(
        ds,
        'MigrateCustomer',
        {
          email: { type: String, index: { unique: true }, mongodb: { fieldName: 'mail' } },
          name: { type: String, index: true },
          code: { type: String, unique: true },
          age: { type: Number },
          city: { type: String },
          nickname: {
            type: String,
            index: { sparse: true, mongodb: { collation: CASE_INSENSITIVE } },
          },
          seenAt: { type: Date, index: { expireAfterSeconds: 3600 } },
        },
        {
          indexes: {
            name_age: { keys: { name: 1, age: -1 }, options: { unique: true } },
            by_city: { city: 1 },
            city_age: { columns: 'city, age DESC' },
            adult_mail: {
              keys: { email: 1 },
              options: { partialFilterExpression: { age: { $gte: 18 } } },
            },
          },
        },
      );
    });

    it('creates exactly the indexes the definition asks for', async () => {
      await ds.automigrate('MigrateCustomer');
      expect(await indexesOf(ds, 'MigrateCustomer')).toEqual([
        ID_INDEX,
        { key: { mail: 1 }, name: 'adult_mail', partialFilterExpression: { age: { $gte: 18 } } },
        { key: { city: 1 }, name: 'by_city' },
        { key: { city: 1, age: -1 }, name: 'city_age' },
        { key: { code: 1 }, name: 'code_1', unique: true },
        { key: { mail: 1 }, name: 'mail_1', unique: true },
        { key: { name: 1 }, name: 'name_1' },
        { key: { name: 1, age: -1 }, name: 'name_age', unique: true },
        {
          key: { nickname: 1 },
          name: 'nickname_1',
          sparse: true,
          collation: expect.objectContaining(CASE_INSENSITIVE),
        },
        { key: { seenAt: 1 }, name: 'seenAt_1', expireAfterSeconds: 3600 },
      ]);
      expect(await isActual(ds, 'MigrateCustomer')).toBe(true);
    });

    it('drops the data, and works on a collection that does not exist yet', async () => {
      await Customer.create({ email: 'a@x.org', name: 'Ann', code: 'A' });
      expect(await Customer.count()).toBe(1);
      await ds.automigrate('MigrateCustomer');
      expect(await Customer.count()).toBe(0);

      const Fresh = defineModel(ds, 'MigrateFresh', { title: String });
      await new Promise<void>((resolve, reject) =>
        ds.automigrate(['MigrateFresh'], (err?: unknown) => (err ? reject(err) : resolve())),
      );
      expect(await collectionNames(ds)).toContain('MigrateFresh');
      expect(await indexesOf(ds, 'MigrateFresh')).toEqual([ID_INDEX]);
      expect(await Fresh.count()).toBe(0);
    });

    it('migrates every model of the datasource when given none', async () => {
      const connector = mongoConnector(ds);
      await connector.collection('MigrateFresh').insertOne({ title: 'stale' });
      await connector.automigrate();
      expect(await connector.collection('MigrateFresh').countDocuments()).toBe(0);
      expect(await indexesOf(ds, 'MigrateCustomer')).toHaveLength(10);
      expect(await connector.isActual()).toBe(true);
    });

    it('refuses models not attached to the datasource', async () => {
      const error = await mongoConnector(ds)
        .automigrate(['MigrateCustomer', 'Nope'])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MongoConnectorError);
      expect((error as Error).message).toBe(
        'cannot migrate models not attached to this datasource: Nope',
      );
    });

    it('checks every definition before dropping anything', async () => {
      await Customer.create({ email: 'keep@x.org', name: 'Keep', code: 'K' });
      defineModel(ds, 'MigrateBroken', { name: String }, { indexes: { bad: { name: true } } });
      const error = await ds
        .automigrate(['MigrateCustomer', 'MigrateBroken'])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IndexDefinitionError);
      expect((error as Error).message).toMatch(/^MigrateBroken index "bad": key "name" has true/);
      expect(await Customer.count()).toBe(1);
      ds.deleteModelByName('MigrateBroken');
    });
  });

  describe('autoupdate', () => {
    const V1_PROPERTIES = {
      sku: { type: String, index: true },
      title: { type: String },
      price: { type: Number, index: true },
    };

    let v1: DataSource;
    let v2: DataSource;

    beforeAll(async () => {
      v1 = createDataSource('migrate');
      const Product = defineModel(v1, 'MigrateProduct', V1_PROPERTIES, {
        indexes: { title_price: { title: 1, price: 1 } },
      });
      await v1.automigrate('MigrateProduct');
      await Product.create([
        { sku: 'A', title: 'Apple', price: 1 },
        { sku: 'B', title: 'Banana', price: 2 },
      ]);
      // an index a person made: autoupdate must never touch it
      await mongoConnector(v1)
        .collection('MigrateProduct')
        .createIndex({ title: -1 }, { name: 'by_hand' });

      // the same model, changed: sku now unique, title_price in the other order, a new index on
      // title, the index on price removed
      v2 = createDataSource('migrate');
      defineModel(
        v2,
        'MigrateProduct',
        { ...V1_PROPERTIES, sku: { type: String, unique: true }, price: { type: Number } },
        { indexes: { title_price: { price: 1, title: 1 }, title_text: { title: 'text' } } },
      );
    });

    afterAll(() => Promise.all([v1.disconnect(), v2.disconnect()]));

    it('tells that indexes changed, then brings them in line and keeps the data', async () => {
      expect(await isActual(v1, 'MigrateProduct')).toBe(true);
      expect(await isActual(v2, 'MigrateProduct')).toBe(false);

      await v2.autoupdate('MigrateProduct');

      expect(await indexesOf(v2, 'MigrateProduct')).toEqual([
        ID_INDEX,
        // neither made by a definition of this model nor dropped
        { key: { title: -1 }, name: 'by_hand' },
        // no longer defined, but ours is only what the definitions name: it stays
        { key: { price: 1 }, name: 'price_1' },
        { key: { sku: 1 }, name: 'sku_1', unique: true },
        { key: { price: 1, title: 1 }, name: 'title_price' },
        expect.objectContaining({
          key: { _fts: 'text', _ftsx: 1 },
          name: 'title_text',
          weights: { title: 1 },
        }),
      ]);
      expect(await isActual(v2, 'MigrateProduct')).toBe(true);
      const Product = v2.getModel('MigrateProduct') as TestModel;
      expect((await Product.find({ order: 'sku ASC' })).map((p: TestModel) => p.title)).toEqual([
        'Apple',
        'Banana',
      ]);
    });

    it('does nothing when nothing changed', async () => {
      const before = await indexesOf(v2, 'MigrateProduct');
      await new Promise<void>((resolve, reject) =>
        v2.autoupdate(undefined, (err?: unknown) => (err ? reject(err) : resolve())),
      );
      expect(await indexesOf(v2, 'MigrateProduct')).toEqual(before);
    });

    it('creates the collection and its indexes when there is none', async () => {
      const Empty = defineModel(v2, 'MigrateNew', { code: { type: String, index: true } });
      expect(await isActual(v2, 'MigrateNew')).toBe(false);
      await v2.autoupdate('MigrateNew');
      expect(await indexesOf(v2, 'MigrateNew')).toEqual([
        ID_INDEX,
        { key: { code: 1 }, name: 'code_1' },
      ]);
      expect(await Empty.count()).toBe(0);
    });

    it('names the model and index the server refused: unique over duplicates', async () => {
      const Dup = defineModel(v2, 'MigrateDup', { code: String });
      await Dup.create([{ code: 'same' }, { code: 'same' }]);
      const Unique = defineModel(createDataSource('migrate'), 'MigrateDup', {
        code: { type: String, unique: true },
      });
      const error = await Unique.getDataSource()
        .autoupdate('MigrateDup')
        .catch((e: unknown) => e);
      await Unique.getDataSource().disconnect();
      expect(error).toBeInstanceOf(IndexMigrationError);
      expect((error as Error).message).toMatch(
        new RegExp(
          '^MigrateDup property "code": could not create index code_1 ' +
            'on collection MigrateDup: .*E11000 duplicate key',
        ),
      );
      expect(await Dup.count()).toBe(2);
    });
  });

  describe("LoopBack 3's Product: a GeoPoint's index declared again, a unique sku", () => {
    const PROPERTIES = {
      sku: { type: String, required: true, index: { unique: true } },
      location: { type: 'GeoPoint' },
    };
    // the same index as the GeoPoint's own (location_2dsphere), and sku's again under its name
    const SETTINGS = {
      indexes: {
        location_2dsphere: { keys: { location: '2dsphere' } },
        sku_1: { keys: { sku: 1 }, options: { unique: true, background: true } },
      },
    };
    const EXPECTED = [
      ID_INDEX,
      { key: { location: '2dsphere' }, name: 'location_2dsphere', '2dsphereIndexVersion': 3 },
      { key: { sku: 1 }, name: 'sku_1', unique: true },
    ];
    let geo: DataSource;

    beforeAll(() => {
      geo = createDataSource('migrate', { enableGeoIndexing: true });
    });

    afterAll(() => geo.disconnect());

    it.each(['autoupdate', 'automigrate'] as const)(
      '%s creates each index once; duplicates are refused, near runs',
      async (migration) => {
        const name = `MigrateGeo_${migration}`;
        const Product = defineModel(geo, name, PROPERTIES, SETTINGS);
        await geo[migration](name);
        expect(await indexesOf(geo, name)).toEqual(EXPECTED);
        expect(await isActual(geo, name)).toBe(true);
        await Product.create({ sku: 'SA-1', location: { lat: 52.4044, lng: 13.0383 } });
        await Product.create({ sku: 'BG-1', location: { lat: 52.5163, lng: 13.3777 } });
        await expect(Product.create({ sku: 'SA-1' })).rejects.toBeInstanceOf(DuplicateKeyError);
        const near = await Product.find({
          where: { location: { near: { lat: 52.5219, lng: 13.4132 } } },
        });
        expect(near.map((p: TestModel) => p.sku)).toEqual(['BG-1', 'SA-1']);
      },
    );

    it('refuses one name for two different indexes, naming both and what differs', async () => {
      defineModel(geo, 'MigrateGeoClash', PROPERTIES, {
        indexes: { location_2dsphere: { keys: { location: 1 } } },
      });
      const error = await geo.autoupdate('MigrateGeoClash').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IndexDefinitionError);
      expect((error as Error).message).toBe(
        'MigrateGeoClash index "location_2dsphere": index name "location_2dsphere" is already ' +
          'used by MigrateGeoClash property "location" for another index (keys {"location":1} ' +
          'here, {"location":"2dsphere"} there); give one of them another name',
      );
      expect(await collectionNames(geo)).not.toContain('MigrateGeoClash');
    });
  });

  describe('isActual', () => {
    it('is false when an index of the definition was dropped by hand', async () => {
      defineModel(ds, 'MigrateCheck', { code: { type: String, index: true } });
      await ds.automigrate('MigrateCheck');
      const actual = () => isActual(ds, 'MigrateCheck');
      expect(await actual()).toBe(true);
      await mongoConnector(ds).collection('MigrateCheck').dropIndex('code_1');
      expect(await actual()).toBe(false);
    });
  });

  describe('unique indexes', () => {
    let Account: TestModel;

    beforeAll(async () => {
      Account = defineModel(ds, 'MigrateAccount', {
        login: { type: String, index: { unique: true, name: 'unique_login' } },
        email: { type: String, unique: true, mongodb: { fieldName: 'mail' } },
      });
      await ds.automigrate('MigrateAccount');
    });

    it('refuse a duplicate create, naming the model and index; nothing is written', async () => {
      const first = await Account.create({ login: 'ann', email: 'ann@x.org' });
      const error = await Account.create({ login: 'ann', email: 'other@x.org' }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DuplicateKeyError);
      expect(error).toMatchObject({
        code: 'DUPLICATE_KEY',
        statusCode: 409,
        model: 'MigrateAccount',
      });
      expect((error as Error).message).toBe(
        'MigrateAccount: duplicate key for unique index unique_login ({"login":"ann"})',
      );
      expect(await Account.count()).toBe(1);
      expect(await Account.findById(first.id)).toMatchObject({ login: 'ann', email: 'ann@x.org' });
    });

    it('refuse an update that would duplicate a key; the instance is unchanged', async () => {
      const bob = await Account.create({ login: 'bob', email: 'bob@x.org' });
      const error = await bob.updateAttributes({ email: 'ann@x.org' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuplicateKeyError);
      expect((error as Error).message).toBe(
        'MigrateAccount: duplicate key for unique index mail_1 ({"mail":"ann@x.org"})',
      );
      expect(await Account.findById(bob.id)).toMatchObject({ email: 'bob@x.org' });
      expect(await Account.count({ email: 'ann@x.org' })).toBe(1);
    });
  });
});
