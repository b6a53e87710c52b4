/** What is stored, and what comes back, for each kind of value and name mapping. */
import type { DataSource } from 'loopback-datasource-juggler';
import { Decimal128, ObjectId, type Document } from 'mongodb';
import { InvalidValueError, OperatorNotAllowedError } from '../../src';
import {
  createDataSource,
  defineModel,
  mongoConnector,
  type TestModel,
} from '../support/datasource';

describe('values and names on a real server', () => {
  let ds: DataSource;
  let Thing: TestModel;
  let Owner: TestModel;

  const raw = (model: string, filter: Document = {}) =>
    mongoConnector(ds).collection(model).findOne(filter);

  beforeAll(() => {
    ds = createDataSource('values_and_names');
    Owner = defineModel(ds, 'Owner', { name: String });
    Thing = defineModel(
      ds,
      'Thing',
      {
        label: { type: String, mongodb: { fieldName: 'lbl' } },
        code: String,
        price: { type: Number, mongodb: { dataType: 'Decimal128' } },
        bigPrice: { type: String, mongodb: { dataType: 'Decimal128' } },
        when: Date,
        blob: Buffer,
        flag: Boolean,
        count: Number,
        tags: [String],
        address: { type: Object },
        location: 'GeoPoint',
        ownerId: { type: String, mongodb: { dataType: 'ObjectId' } },
        relatedIds: { type: [String], mongodb: { dataType: 'ObjectId' } },
      },
      { mongodb: { collection: 'things' } },
    );
  });

  beforeEach(() => Thing.destroyAll());
  afterAll(() => ds.disconnect());

  it('stores a generated id as an ObjectId and returns its hex string', async () => {
    const thing = await Thing.create({ label: 'a' });
    expect(thing.id).toMatch(/^[0-9a-f]{24}$/);
    const stored = await raw('things');
    expect(stored?._id).toBeInstanceOf(ObjectId);
    expect(stored?._id.toHexString()).toBe(thing.id);
    expect((await Thing.findById(thing.id)).label).toBe('a');
  });

  it('uses the collection and field names from the mongodb settings everywhere', async () => {
    await Thing.create([{ label: 'b' }, { label: 'a' }, { label: 'c' }]);
    const stored = await raw('things', { lbl: 'a' });
    expect(stored).toMatchObject({ lbl: 'a' });
    expect(stored).not.toHaveProperty('label');
    const found = await Thing.find({
      where: { label: { inq: ['a', 'c'] } },
      order: 'label DESC',
      fields: ['label'],
    });
    expect(found.map((t: TestModel) => t.toJSON())).toEqual([{ label: 'c' }, { label: 'a' }]);
    expect(await Thing.count({ label: 'b' })).toBe(1);
    await Thing.updateAll({ label: 'b' }, { label: 'B' });
    expect(await raw('things', { lbl: 'B' })).not.toBeNull();
  });

  it('keeps 24-hex strings in plain string properties as strings, also inside inq', async () => {
    const hex = new ObjectId().toHexString();
    await Thing.create({ code: hex });
    expect(typeof (await raw('things'))?.code).toBe('string');
    expect(await Thing.count({ code: hex })).toBe(1);
    expect(await Thing.count({ code: { inq: [hex] } })).toBe(1);
    expect(await Thing.count({ code: { nin: [hex] } })).toBe(0);
  });

  it('stores ObjectId-typed properties (foreign keys, arrays) as ObjectIds and queries them', async () => {
    const owner = await Owner.create({ name: 'o' });
    const other = new ObjectId().toHexString();
    await Thing.create({ ownerId: owner.id, relatedIds: [owner.id, other] });
    const stored = await raw('things');
    expect(stored?.ownerId).toBeInstanceOf(ObjectId);
    expect(stored?.relatedIds.every((id: unknown) => id instanceof ObjectId)).toBe(true);
    const found = await Thing.findOne({ where: { ownerId: owner.id } });
    expect(found.ownerId).toBe(owner.id);
    expect(found.relatedIds).toEqual([owner.id, other]);
    expect(await Thing.count({ ownerId: { inq: [owner.id] } })).toBe(1);
    expect(await Thing.count({ relatedIds: other })).toBe(1);
  });

  it('refuses an invalid ObjectId with a clear error and writes nothing', async () => {
    const error = await Thing.create({ ownerId: 'not-an-id' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as Error).message).toBe('Thing.ownerId: "not-an-id" is not a valid ObjectId');
    expect((error as InvalidValueError).statusCode).toBe(400);
    expect(await Thing.count()).toBe(0);
    // the id is generated, not declared ObjectId: any string may be an id there, so none matches
    expect(await Thing.findById('nope')).toBeNull();
  });

  it('stores Decimal128 and returns the app type', async () => {
    await Thing.create({ price: 10.25, bigPrice: '12345678901234567890.123456789' });
    const stored = await raw('things');
    expect(stored?.price).toBeInstanceOf(Decimal128);
    expect(stored?.bigPrice.toString()).toBe('12345678901234567890.123456789');
    const found = await Thing.findOne();
    expect(found.price).toBe(10.25);
    expect(found.bigPrice).toBe('12345678901234567890.123456789');
    expect(await Thing.count({ price: { gt: 10 } })).toBe(1);
  });

  it('round-trips Date, Buffer, boolean, number, nested objects, arrays and GeoPoint', async () => {
    const data = {
      when: new Date('2024-02-29T12:34:56.789Z'),
      blob: Buffer.from([0, 1, 2, 254, 255]),
      flag: false,
      count: 0,
      tags: ['x', 'y'],
      address: { city: 'Oslo', lines: ['a', 'b'], geo: { zip: '0150' } },
      location: { lat: 59.91, lng: 10.75 },
    };
    const created = await Thing.create(data);
    const found = (await Thing.findById(created.id)).toObject();
    expect(found.when).toEqual(data.when);
    expect(Buffer.isBuffer(found.blob)).toBe(true);
    expect([...found.blob]).toEqual([...data.blob]);
    expect(found.flag).toBe(false);
    expect(found.count).toBe(0);
    expect(found.tags).toEqual(['x', 'y']);
    expect(found.address).toEqual(data.address);
    expect({ lat: found.location.lat, lng: found.location.lng }).toEqual(data.location);
    expect(await Thing.count({ 'address.city': 'Oslo' })).toBe(1);
    expect(await Thing.count({ tags: 'y' })).toBe(1);
  });

  it('refuses operators smuggled into data or where unless allowed', async () => {
    await expect(Thing.create({ address: { $where: 'sleep(1000)' } })).rejects.toBeInstanceOf(
      OperatorNotAllowedError,
    );
    // juggler's own where coercion refuses an unknown operator before we are called
    await expect(Thing.find({ where: { code: { $ne: null } } })).rejects.toThrow(/\$ne/);
    // and we refuse what juggler lets through: operators inside untyped values
    await expect(
      Thing.find({ where: { address: { city: { $ne: null } } } }),
    ).rejects.toBeInstanceOf(OperatorNotAllowedError);
    expect(await Thing.count()).toBe(0);
  });
});
