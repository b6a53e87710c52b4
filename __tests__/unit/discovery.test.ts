import { DataSource } from 'loopback-datasource-juggler';
import { Binary, BSONRegExp, Decimal128, ObjectId } from 'mongodb';
import {
  inferSchema,
  kindOf,
  modelDefinitions,
  pascalCase,
  propertyNameFor,
} from '../../src/discovery/infer';

const oid = () => new ObjectId();

describe('modelDefinitions', () => {
  const listed = [
    { name: 'orders', type: 'collection' },
    { name: 'system.views', type: 'collection' },
    { name: 'openOrders', type: 'view' },
    { name: 'customers', type: 'collection' },
  ];

  it('lists collections as tables and views as views, sorted, without system collections', () => {
    expect(modelDefinitions('shop', listed)).toEqual([
      { type: 'table', name: 'customers', owner: 'shop' },
      { type: 'view', name: 'openOrders', owner: 'shop' },
      { type: 'table', name: 'orders', owner: 'shop' },
    ]);
  });

  it('leaves views out with views: false, and pages with offset and limit', () => {
    expect(modelDefinitions('shop', listed, { views: false }).map((d) => d.name)).toEqual([
      'customers',
      'orders',
    ]);
    expect(modelDefinitions('shop', listed, { offset: 1, limit: 1 }).map((d) => d.name)).toEqual([
      'openOrders',
    ]);
  });
});

describe('kindOf', () => {
  it.each([
    ['a', 'string'],
    [1.5, 'number'],
    [true, 'boolean'],
    [new Date(0), 'date'],
    [new ObjectId(), 'objectId'],
    [Decimal128.fromString('1.10'), 'decimal128'],
    [new Binary(Buffer.from('x')), 'buffer'],
    [new Binary(Buffer.alloc(16), Binary.SUBTYPE_UUID), 'other:binary(4)'],
    [new BSONRegExp('a', 'i'), 'other:regex'],
    [{ type: 'Point', coordinates: [13.4, 52.5] }, 'geoJsonPoint'],
    [{ lat: 52.5, lng: 13.4 }, 'latLng'],
    [{ type: 'Point', coordinates: [1, 2], extra: 1 }, 'object'],
    [[1], 'array'],
    [null, 'null'],
  ])('%p is %s', (value, kind) => {
    expect(kindOf(value)).toBe(kind);
  });
});

describe('propertyNameFor', () => {
  it('keeps valid names and camel-cases the others, uniquely', () => {
    const taken = new Set(['firstName']);
    expect(propertyNameFor('email', taken)).toBe('email');
    expect(propertyNameFor('e-mail', taken)).toBe('eMail');
    expect(propertyNameFor('first name', taken)).toBe('firstName2');
    expect(propertyNameFor('1st', taken)).toBe('_1st');
    expect(propertyNameFor('constructor', taken)).toBe('constructorField');
  });

  it('pascal-cases model names', () => {
    expect(pascalCase('order_items')).toBe('OrderItems');
    expect(pascalCase('customers')).toBe('Customers');
  });
});

describe('inferSchema', () => {
  it('types each field from the kinds it held, and marks those in every document required', () => {
    const docs = [
      {
        _id: oid(),
        name: 'Ada',
        age: 36,
        vip: true,
        born: new Date(0),
        accountId: oid(),
        price: Decimal128.fromString('9.99'),
        photo: new Binary(Buffer.from('png')),
        location: { type: 'Point', coordinates: [13.4, 52.5] },
        tags: ['a', 'b'],
        friendIds: [oid()],
        address: { city: 'Berlin', zip: 10115 },
        note: 'x',
        code: 'A1',
      },
      {
        _id: oid(),
        name: 'Grace',
        age: 45,
        vip: false,
        born: new Date(1),
        accountId: oid(),
        price: Decimal128.fromString('1'),
        photo: new Binary(Buffer.from('jpg')),
        location: { type: 'Point', coordinates: [0, 0] },
        tags: [],
        friendIds: [],
        address: { city: 'NYC' },
        note: null,
        code: 7,
      },
    ];
    const schema = inferSchema('customers', docs);
    expect(schema.name).toBe('Customers');
    expect(schema.options).toEqual({
      idInjection: false,
      strict: false,
      mongodb: { collection: 'customers', enableGeoIndexing: true },
    });
    expect(schema.properties).toEqual({
      id: {
        type: 'string',
        id: true,
        generated: true,
        required: false,
        mongodb: { dataType: 'ObjectId' },
      },
      name: { type: 'string', required: true },
      age: { type: 'number', required: true },
      vip: { type: 'boolean', required: true },
      born: { type: 'date', required: true },
      accountId: { type: 'string', required: true, mongodb: { dataType: 'ObjectId' } },
      price: { type: 'string', required: true, mongodb: { dataType: 'Decimal128' } },
      photo: { type: 'buffer', required: true },
      // no 2dsphere index exists; migrations must not add one
      location: { type: 'geopoint', required: true, index: false },
      // one document holds [], which juggler's presence check calls blank
      tags: { type: 'array', itemType: 'string', required: false },
      friendIds: {
        type: 'array',
        itemType: 'string',
        required: false,
        mongodb: { dataType: 'ObjectId' },
      },
      address: {
        type: 'object',
        required: true,
        properties: {
          city: { type: 'string', required: true },
          zip: { type: 'number', required: false },
        },
      },
      note: { type: 'string', required: false },
      code: { type: 'any', required: true, mongodb: { kinds: ['number', 'string'] } },
    });
  });

  it("marks required only what no sampled document holds blank in juggler's eyes ('', [], NaN)", () => {
    const docs = [
      { _id: oid(), tags: ['a'], name: 'x', n: 1, code: 'k' },
      { _id: oid(), tags: [], name: '', n: NaN, code: 'j' },
    ];
    const { properties } = inferSchema('posts', docs);
    expect([properties.tags, properties.name, properties.n, properties.code]).toEqual([
      { type: 'array', itemType: 'string', required: false },
      { type: 'string', required: false },
      { type: 'number', required: false },
      { type: 'string', required: true },
    ]);
    // the model juggler builds from it accepts every sampled document back, as a PUT sends it
    const ds = new DataSource('memory');
    const Post = ds.createModel('Post', properties as never, { strict: false });
    const valid = (doc: object) => (new Post(doc) as unknown as { isValid(): boolean }).isValid();
    for (const doc of docs) expect(valid({ ...doc, _id: undefined })).toBe(true);
    // and the rule is juggler's: a required array refuses []
    const Strict = ds.createModel('Strict', { tags: { type: [String], required: true } });
    expect((new Strict({ tags: [] }) as unknown as { isValid(): boolean }).isValid()).toBe(false);
  });

  it('keeps a non-ObjectId _id as given, and names it _id when a field is called id', () => {
    const schema = inferSchema('legacy', [{ _id: 'k1', id: 5 }]);
    expect(schema.properties._id).toEqual({
      type: 'string',
      required: true,
      id: true,
      generated: false,
    });
    expect(schema.properties.id).toEqual({ type: 'number', required: true });
  });

  it('maps field names that are not property names with mongodb.fieldName', () => {
    const schema = inferSchema('people', [{ _id: oid(), 'first name': 'Ada' }]);
    expect(schema.properties.firstName).toEqual({
      type: 'string',
      required: true,
      mongodb: { fieldName: 'first name' },
    });
  });

  it('reads single-field indexes back as property index, the others as model indexes', () => {
    const docs = [
      {
        _id: oid(),
        email: 'a@x',
        'last name': 'L',
        age: 3,
        bio: 'b',
        spot: { type: 'Point', coordinates: [1, 2] },
      },
    ];
    const indexes = [
      { v: 2, key: { _id: 1 }, name: '_id_' },
      { v: 2, key: { email: 1 }, name: 'email_1', unique: true },
      { v: 2, key: { age: 1 }, name: 'age_1' },
      { v: 2, key: { 'last name': 1, age: -1 }, name: 'name_age' },
      { v: 2, key: { spot: '2dsphere' }, name: 'spot_2dsphere', '2dsphereIndexVersion': 3 },
      {
        v: 2,
        key: { _fts: 'text', _ftsx: 1 },
        name: 'bio_text',
        weights: { bio: 1 },
        default_language: 'english',
        language_override: 'language',
        textIndexVersion: 3,
      },
    ];
    const schema = inferSchema('users', docs, indexes);
    expect(schema.properties.email.index).toEqual({ unique: true });
    expect(schema.properties.age.index).toBe(true);
    expect(schema.properties.spot.index).toEqual({ '2dsphereIndexVersion': 3 });
    expect(schema.options.indexes).toEqual({
      name_age: { keys: { lastName: 1, age: -1 } },
      bio_text: {
        keys: { bio: 'text' },
        options: {
          weights: { bio: 1 },
          default_language: 'english',
          language_override: 'language',
          textIndexVersion: 3,
        },
      },
    });
  });

  it('keeps {lat, lng} points plain objects when GeoJSON points turn geo indexing on', () => {
    const schema = inferSchema('places', [
      { _id: oid(), spot: { type: 'Point', coordinates: [1, 2] }, legacy: { lat: 2, lng: 1 } },
    ]);
    expect(schema.options.mongodb.enableGeoIndexing).toBe(true);
    expect(schema.properties.spot.type).toBe('geopoint');
    expect(schema.properties.legacy.type).toBe('object');
    expect(
      inferSchema('old', [{ _id: oid(), legacy: { lat: 2, lng: 1 } }]).properties.legacy.type,
    ).toBe('geopoint');
  });

  it('gives an empty collection just the id', () => {
    expect(Object.keys(inferSchema('empty', []).properties)).toEqual(['id']);
  });
});
