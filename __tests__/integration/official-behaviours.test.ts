/**
 * Behaviours an app switching from loopback-connector-mongodb meets. Where both connectors are
 * meant to behave alike, the same app code runs on both (describe.each); where ours deliberately
 * differs, the test is ours alone and the README's switching table says why.
 */
import type { DataSource } from 'loopback-datasource-juggler';
import { Decimal128, type Db } from 'mongodb';
import { OperatorNotAllowedError } from '../../src';
import * as ours from '../../src';
import { CONNECTORS, connectedDataSource } from '../support/connectors';
import type { TestModel } from '../support/datasource';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- juggler's define is untyped here
const define = (ds: DataSource, ...args: unknown[]): TestModel => (ds as any).define(...args);

const COUNTER = { name: String, n: Number, tags: [String] };
const ALLOW = { allowExtendedOperators: true };

describe.each(CONNECTORS)('allowExtendedOperators on %s', (label, connector) => {
  let ds: DataSource;
  let Counter: TestModel;
  let ByModel: TestModel;
  let Loose: TestModel;
  let Strict: TestModel;

  beforeAll(async () => {
    ds = await connectedDataSource(connector, 'ob_ext');
    Counter = define(ds, 'Counter', COUNTER, { forceId: false });
    ByModel = define(ds, 'ByModel', COUNTER, { mongodb: { allowExtendedOperators: true } });
    Loose = define(ds, 'Loose', COUNTER, { strict: false, forceId: false });
    Strict = define(ds, 'Strict', COUNTER, { strict: true, forceId: false });
    await ds.automigrate();
  });
  afterAll(() => ds.disconnect());
  afterEach(() => {
    delete ds.settings.allowExtendedOperators;
  });

  async function seed(Model: TestModel): Promise<TestModel> {
    await Model.destroyAll();
    return Model.create({ name: 'a', n: 1, tags: ['t'] });
  }
  const stored = async (Model: TestModel, id: unknown) => (await Model.findById(id)).toObject();

  it('honours the datasource setting when it is turned on after the models are in use', async () => {
    const c = await seed(Counter);
    ds.settings.allowExtendedOperators = true;
    await Counter.updateAll({ name: 'a' }, { $inc: { n: 2 }, $push: { tags: 'u' } });
    expect(await stored(Counter, c.id)).toMatchObject({ n: 3, tags: ['t', 'u'] });
    // juggler reads the same setting for where clauses
    expect(await Counter.count({ n: { $gt: 2 } })).toBe(1);
  });

  it('honours the model setting under mongodb', async () => {
    const c = await seed(ByModel);
    await ByModel.updateAll({ name: 'a' }, { $inc: { n: 2 } });
    expect(await stored(ByModel, c.id)).toMatchObject({ n: 3 });
  });

  it('honours the per-call option in updateAll, updateAttributes and upsertWithWhere', async () => {
    const c = await seed(Counter);
    await Counter.updateAll({ name: 'a' }, { $inc: { n: 10 } }, ALLOW);
    await (await Counter.findById(c.id)).updateAttributes({ $push: { tags: 'v' } }, ALLOW);
    await Counter.upsertWithWhere({ name: 'a' }, { $inc: { n: 100 } }, ALLOW);
    expect(await stored(Counter, c.id)).toMatchObject({ n: 111, tags: ['t', 'v'] });
  });

  it('applies $inc and $push in updateOrCreate on a non-strict model', async () => {
    const c = await seed(Loose);
    await Loose.updateOrCreate({ id: c.id, $inc: { n: 1 }, $push: { tags: 'w' } }, ALLOW);
    expect(await stored(Loose, c.id)).toMatchObject({ n: 2, tags: ['t', 'w'] });
  });

  it('gets no operators in updateOrCreate on a strict model: juggler strips them first', async () => {
    const c = await seed(Strict);
    // juggler logs "Ignoring validation errors in updateOrCreate()" and drops $push; the plain
    // property still reaches the connector
    await Strict.updateOrCreate({ id: c.id, name: 'b', $push: { tags: 'x' } }, ALLOW);
    expect(await stored(Strict, c.id)).toMatchObject({ name: 'b', n: 1, tags: ['t'] });
  });

  it('passes $where with the per-call disableSanitization option', async () => {
    await seed(Counter);
    await Counter.create({ name: 'b', n: 5 });
    const found = await Counter.find(
      { where: { $where: 'this.n > 2' } },
      { disableSanitization: true },
    );
    expect(found.map((c: TestModel) => c.name)).toEqual(['b']);
  });

  if (label !== 'ours') return;

  // ---- where ours differs (README: switching table) ----------------------------------------

  it('refuses operators again when the datasource setting is turned off', async () => {
    const c = await seed(Counter);
    ds.settings.allowExtendedOperators = true;
    await Counter.updateAll({ name: 'a' }, { $inc: { n: 1 } });
    ds.settings.allowExtendedOperators = false;
    await expect(Counter.updateAll({ name: 'a' }, { $inc: { n: 1 } })).rejects.toBeInstanceOf(
      OperatorNotAllowedError,
    );
    expect(await stored(Counter, c.id)).toMatchObject({ n: 2 });
  });

  it('honours the model setting at the top level, where juggler reads it', async () => {
    const Top = define(ds, 'Top', COUNTER, { allowExtendedOperators: true });
    const c = await seed(Top);
    await Top.updateAll({ name: 'a' }, { $inc: { n: 2 } });
    expect(await stored(Top, c.id)).toMatchObject({ n: 3 });
  });

  it('lets a call refuse what the model allows', async () => {
    const c = await seed(ByModel);
    await expect(
      ByModel.updateAll({ name: 'a' }, { $inc: { n: 2 } }, { allowExtendedOperators: false }),
    ).rejects.toBeInstanceOf(OperatorNotAllowedError);
    expect(await stored(ByModel, c.id)).toMatchObject({ n: 1 });
  });

  it('sets the plain properties beside the operators in updateOrCreate', async () => {
    // loopback-connector-mongodb applies the operators and drops `name`
    const c = await seed(Loose);
    await Loose.updateOrCreate({ id: c.id, name: 'b', $inc: { n: 1 } }, ALLOW);
    expect(await stored(Loose, c.id)).toMatchObject({ name: 'b', n: 2 });
  });

  it('answers a strict updateOrCreate whose operators juggler stripped without an error', async () => {
    // loopback-connector-mongodb sends an empty update and fails with the server's error
    const c = await seed(Strict);
    await Strict.updateOrCreate({ id: c.id, $inc: { n: 1 } }, ALLOW);
    expect(await stored(Strict, c.id)).toMatchObject({ n: 1 });
  });

  it('refuses $where, even with allowExtendedOperators, unless sanitization is disabled', async () => {
    await seed(Counter);
    await expect(Counter.find({ where: { $where: 'this.n > 0' } }, ALLOW)).rejects.toBeInstanceOf(
      OperatorNotAllowedError,
    );
  });
});

describe('disableSanitization as a datasource setting (ours; the official reads only the option)', () => {
  let ds: DataSource;
  let Counter: TestModel;

  beforeAll(async () => {
    ds = await connectedDataSource(ours, 'ob_unsanitized', { disableSanitization: true });
    Counter = define(ds, 'Counter', COUNTER);
    await ds.automigrate();
    await Counter.create([
      { name: 'a', n: 1 },
      { name: 'b', n: 5 },
    ]);
  });
  afterAll(() => ds.disconnect());

  it('passes $where, as README promises', async () => {
    const found = await Counter.find({ where: { $where: 'this.n > 2' } });
    expect(found.map((c: TestModel) => c.name)).toEqual(['b']);
  });
});

/** Customers with an embedded Address (holding Money, a GeoPoint and a Buffer) and a list of them. */
function defineCustomer(ds: DataSource): TestModel {
  const Money = define(
    ds,
    'Money',
    { amount: { type: String, mongodb: { dataType: 'Decimal128' } }, currency: String },
    { strict: true },
  );
  const Address = define(
    ds,
    'Address',
    { street: String, location: 'GeoPoint', price: Money, scan: Buffer },
    { strict: true },
  );
  return define(
    ds,
    'Customer',
    {
      name: String,
      email: { type: String, mongodb: { fieldName: 'e_mail' } },
      address: Address,
      previous: [Address],
    },
    { indexes: { near_home: { keys: { 'address.location': '2dsphere' } } } },
  );
}

const PARIS = { lat: 48.8566, lng: 2.3522 };
const VERSAILLES = { lat: 48.8049, lng: 2.1204 }; // about 18 km from Paris
const SCAN = Buffer.from([0, 1, 2, 250]);

async function seedCustomers(Customer: TestModel): Promise<TestModel[]> {
  await Customer.destroyAll();
  return Promise.all([
    Customer.create({
      name: 'ann',
      email: 'ann@example.com',
      address: {
        street: 'rue A',
        location: PARIS,
        price: { amount: '12.50', currency: 'EUR' },
        scan: SCAN,
      },
      previous: [{ street: 'old', scan: SCAN, price: { amount: '1.25', currency: 'EUR' } }],
    }),
    Customer.create({
      name: 'bob',
      address: { street: 'rue B', location: VERSAILLES, price: { amount: '99', currency: 'EUR' } },
    }),
  ]);
}

async function names(Customer: TestModel, where: object): Promise<string[]> {
  return (await Customer.find({ where, order: 'name ASC' })).map((c: TestModel) => c.name);
}

describe.each(CONNECTORS)('embedded models on %s', (label, connector) => {
  let ds: DataSource;
  let Customer: TestModel;

  beforeAll(async () => {
    ds = await connectedDataSource(connector, 'ob_embedded');
    Customer = defineCustomer(ds);
    await ds.automigrate();
  });
  afterAll(() => ds.disconnect());

  it('finds an instance with embedded models by id and reads it back whole', async () => {
    const [ann] = await seedCustomers(Customer);
    const found = (await Customer.findById(ann.id)).toObject();
    expect(found).toMatchObject({
      name: 'ann',
      email: 'ann@example.com',
      address: { street: 'rue A', location: PARIS, price: { amount: '12.50', currency: 'EUR' } },
      previous: [{ street: 'old', price: { amount: '1.25', currency: 'EUR' } }],
    });
    expect(Buffer.isBuffer(found.address.scan) && found.address.scan.equals(SCAN)).toBe(true);
    // loopback-connector-mongodb leaves a Buffer inside an array of embedded models a Binary
    if (label === 'ours') {
      expect(Buffer.isBuffer(found.previous[0].scan) && found.previous[0].scan.equals(SCAN)).toBe(
        true,
      );
    }
  });

  it('matches a where on a Decimal128 inside an embedded model', async () => {
    await seedCustomers(Customer);
    expect(await names(Customer, { 'address.price.amount': '12.50' })).toEqual(['ann']);
  });

  it('stores a renamed property under its field name whichever name the data uses', async () => {
    await Customer.destroyAll();
    await Customer.create({ name: 'by-app-name', email: 'a@example.com' });
    // loopback-connector-mongodb reads data given under the field name back as null
    if (label === 'ours') await Customer.create({ name: 'by-field-name', e_mail: 'f@example.com' });
    const found = await Customer.find({ order: 'name ASC' });
    expect(found.map((c: TestModel) => [c.name, c.email])).toEqual([
      ['by-app-name', 'a@example.com'],
      ...(label === 'ours' ? [['by-field-name', 'f@example.com']] : []),
    ]);
  });
});

describe.each(CONNECTORS)('near with enableGeoIndexing on %s', (label, connector) => {
  let ds: DataSource;
  let Place: TestModel;

  beforeAll(async () => {
    ds = await connectedDataSource(connector, 'ob_near', { enableGeoIndexing: true });
    // ours makes the 2dsphere index for a GeoPoint by itself; the official needs it declared
    const indexes = { location_2dsphere: { keys: { location: '2dsphere' } } };
    Place = define(
      ds,
      'Place',
      { name: String, location: 'GeoPoint' },
      label === 'ours' ? {} : { indexes },
    );
    await ds.automigrate();
    await Place.create([
      { name: 'paris', location: PARIS },
      { name: 'versailles', location: VERSAILLES },
    ]);
  });
  afterAll(() => ds.disconnect());

  const near = async (maxDistance: number, unit?: string) =>
    (
      await Place.find({
        where: { location: { near: PARIS, maxDistance, ...(unit ? { unit } : {}) } },
      })
    ).map((p: TestModel) => p.name);

  it('honours unit, nearest first', async () => {
    expect(await near(5, 'kilometers')).toEqual(['paris']);
    expect(await near(25, 'kilometers')).toEqual(['paris', 'versailles']);
    expect(await near(5000, 'meters')).toEqual(['paris']);
    expect(await near(15, 'miles')).toEqual(['paris', 'versailles']);
  });

  it('reads a distance without unit as meters, as MongoDB does', async () => {
    // 20 meters reach nothing but Paris itself; 20,000 reach Versailles (17 km)
    expect(await near(20)).toEqual(['paris']);
    expect(await near(20_000)).toEqual(['paris', 'versailles']);
  });
});

describe('near on a location inside an embedded model, with enableGeoIndexing (ours)', () => {
  // loopback-connector-mongodb stores a GeoPoint inside an embedded model as {lat, lng} and then
  // fails reading it back with enableGeoIndexing; juggler's in-memory near (without the setting)
  // does not look inside embedded models on either connector
  let ds: DataSource;
  let Customer: TestModel;

  beforeAll(async () => {
    ds = await connectedDataSource(ours, 'ob_nested_near', { enableGeoIndexing: true });
    Customer = defineCustomer(ds);
    await ds.automigrate();
    await seedCustomers(Customer);
  });
  afterAll(() => ds.disconnect());

  it('finds the documents, in the unit given, and reads the point back as {lat, lng}', async () => {
    const near = (maxDistance: number, unit: string) =>
      names(Customer, { 'address.location': { near: PARIS, maxDistance, unit } });
    expect(await near(5, 'kilometers')).toEqual(['ann']);
    expect(await near(25, 'kilometers')).toEqual(['ann', 'bob']);
    const [ann] = await Customer.find({ where: { name: 'ann' } });
    expect(ann.toObject().address.location).toEqual(PARIS);
  });
});

describe.each(CONNECTORS)('Decimal128 properties and ids on %s', (label, connector) => {
  let ds: DataSource;
  let Price: TestModel;

  beforeAll(async () => {
    ds = await connectedDataSource(connector, 'ob_decimal');
    Price = define(ds, 'Price', {
      text: { type: String, mongodb: { dataType: 'Decimal128' } },
      value: { type: Number, mongodb: { dataType: 'Decimal128' } },
    });
    await ds.automigrate();
  });
  afterAll(() => ds.disconnect());

  it('stores Decimal128 on the server and matches it by its text', async () => {
    await Price.create({ text: '12.50' });
    const db = (ds.connector as unknown as { db: Db }).db;
    expect((await db.collection('Price').findOne({}))?.text).toEqual(
      Decimal128.fromString('12.50'),
    );
    expect(await Price.count({ text: '12.5' })).toBe(1);
  });

  if (label !== 'ours') return;

  it('reads a String-typed Decimal128 back as its exact text (ours; the official: Decimal128)', async () => {
    const created = await Price.create({ text: '7.10' });
    expect((await Price.findById(created.id)).text).toBe('7.10');
  });

  it('reads a Number-typed Decimal128 back as a number (ours)', async () => {
    const created = await Price.create({ value: 0.1 });
    expect((await Price.findById(created.id)).value).toBe(0.1);
  });

  it('gives ids as 24-hex strings, not ObjectId instances (ours)', async () => {
    const created = await Price.create({ text: '1' });
    const found = await Price.findById(created.id);
    expect(typeof found.id).toBe('string');
    expect(found.id).toMatch(/^[0-9a-f]{24}$/);
  });
});
