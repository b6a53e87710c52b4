import { Binary, Decimal128, ObjectId } from 'mongodb';
import { InvalidValueError } from '../../src/errors';
import type { ModelInfo, PropertyInfo } from '../../src/model-info';
import {
  fromStoredDocument,
  fromStoredValue,
  toLatLng,
  toStoredDocument,
  toStoredId,
  toStoredValue,
} from '../../src/values';
import { HEX, OTHER_HEX, customerInfo, modelInfo } from './fixtures';

const info = customerInfo();
const STRICT_IDS = { strictObjectIDCoercion: true };
const geoInfo = customerInfo({}, { enableGeoIndexing: true });

function prop(model: ModelInfo, name: string): PropertyInfo {
  const found = model.properties.get(name);
  if (!found) throw new Error(`no property ${name}`);
  return found;
}

function storeOf(name: string, value: unknown, model: ModelInfo = info): unknown {
  return toStoredValue(model, prop(model, name), value);
}

describe('toStoredValue', () => {
  describe('ObjectId properties', () => {
    it('turns a 24-hex string into an ObjectId', () => {
      const stored = storeOf('accountId', HEX);
      expect(stored).toBeInstanceOf(ObjectId);
      expect((stored as ObjectId).toHexString()).toBe(HEX);
    });

    it('keeps an ObjectId', () => {
      const id = new ObjectId(HEX);
      expect(storeOf('accountId', id)).toBe(id);
    });

    it('refuses any other string for a property declared ObjectId, naming model and property', () => {
      const declared = modelInfo('Order', {
        ownerId: { type: String, mongodb: { dataType: 'ObjectId' } },
        watcherIds: { type: [String], mongodb: { dataType: 'ObjectId' } },
      });
      expect(() => storeOf('ownerId', 'not-an-id', declared)).toThrow(InvalidValueError);
      expect(() => storeOf('ownerId', 'not-an-id', declared)).toThrow(
        'Order.ownerId: "not-an-id" is not a valid ObjectId',
      );
      // 12 characters would make a valid ObjectId for the driver, but not an id we handed out
      expect(() => storeOf('ownerId', 'abcdefghijkl', declared)).toThrow(InvalidValueError);
      expect(() => storeOf('watcherIds', [HEX, 'x'], declared)).toThrow('Order.watcherIds');
    });

    it('keeps any other string where nothing declares ObjectIds (generated ids, their keys)', () => {
      expect(storeOf('accountId', 'not-an-id')).toBe('not-an-id');
      expect(storeOf('id', 'user-17')).toBe('user-17');
    });

    it('lets numbers through on the id, as juggler suites give default-id models numeric ids', () => {
      expect(storeOf('id', 42)).toBe(42);
      expect(toStoredId(info, 7)).toBe(7);
    });

    it('coerces the id through toStoredId', () => {
      expect(toStoredId(info, HEX)).toEqual(new ObjectId(HEX));
      expect(toStoredId(info, 'nope')).toBe('nope');
    });

    it('coerces each item of an ObjectId array', () => {
      expect(storeOf('friendIds', [HEX, OTHER_HEX])).toEqual([
        new ObjectId(HEX),
        new ObjectId(OTHER_HEX),
      ]);
      expect(storeOf('friendIds', [HEX, 'x'])).toEqual([new ObjectId(HEX), 'x']);
    });

    it('treats a single value for an array property as one item', () => {
      expect(storeOf('friendIds', HEX)).toEqual(new ObjectId(HEX));
    });

    it('stores an id declared with dataType ObjectId as an ObjectId', () => {
      const declared = modelInfo('Order', {
        id: { type: String, id: true, mongodb: { dataType: 'ObjectId' } },
      });
      expect(toStoredId(declared, HEX)).toEqual(new ObjectId(HEX));
    });

    it('stores a 24-hex String id as an ObjectId, as loopback-connector-mongodb does', () => {
      const named = modelInfo('Tag', { code: { type: String, id: true } });
      expect(toStoredId(named, HEX)).toEqual(new ObjectId(HEX));
      expect(toStoredId(named, 'tag-1')).toBe('tag-1');
    });

    it('leaves a String id as text with strictObjectIDCoercion, an ObjectId as its hex', () => {
      const strict = modelInfo('Tag', { code: { type: String, id: true } }, {}, STRICT_IDS);
      expect(toStoredId(strict, HEX)).toBe(HEX);
      expect(toStoredId(strict, new ObjectId(HEX))).toBe(HEX);
    });
  });

  describe('Decimal128 properties', () => {
    it('stores numbers and strings as Decimal128', () => {
      expect(storeOf('balance', 12.5)).toEqual(Decimal128.fromString('12.5'));
      expect(storeOf('price', '0.10')).toEqual(Decimal128.fromString('0.10'));
    });

    it('keeps a Decimal128', () => {
      const value = Decimal128.fromString('1');
      expect(storeOf('balance', value)).toBe(value);
    });

    it('refuses what is not a decimal, naming model and property', () => {
      expect(() => storeOf('price', 'ten')).toThrow(
        'Customer.price: "ten" is not a valid Decimal128',
      );
      expect(() => storeOf('price', true)).toThrow(InvalidValueError);
    });
  });

  describe('Date properties', () => {
    it('turns strings and numbers into Dates', () => {
      expect(storeOf('born', '2020-01-02T03:04:05.000Z')).toEqual(
        new Date('2020-01-02T03:04:05.000Z'),
      );
      expect(storeOf('born', 0)).toEqual(new Date(0));
    });

    it('keeps a Date', () => {
      const date = new Date();
      expect(storeOf('born', date)).toBe(date);
    });

    it('refuses an invalid date, naming model and property', () => {
      expect(() => storeOf('born', 'yesterday-ish')).toThrow(
        'Customer.born: "yesterday-ish" is not a valid Date',
      );
      expect(() => storeOf('born', new Date('nope'))).toThrow(InvalidValueError);
    });

    it('coerces each item of a Date array', () => {
      expect(storeOf('visits', ['2020-01-01', 86400000])).toEqual([
        new Date('2020-01-01'),
        new Date(86400000),
      ]);
    });
  });

  describe('GeoPoint properties', () => {
    it('keeps {lat, lng} when geo indexing is off', () => {
      const point = { lat: 48.85, lng: 2.35 };
      expect(storeOf('location', point)).toBe(point);
    });

    it('stores a GeoJSON point, longitude first, when geo indexing is on', () => {
      expect(storeOf('location', { lat: 48.85, lng: 2.35 }, geoInfo)).toEqual({
        type: 'Point',
        coordinates: [2.35, 48.85],
      });
    });

    it('keeps a GeoJSON point as it is', () => {
      const point = { type: 'Point', coordinates: [2.35, 48.85] };
      expect(storeOf('location', point, geoInfo)).toBe(point);
    });

    it('refuses what is not a point when geo indexing is on', () => {
      expect(() => storeOf('location', { lat: 200, lng: 0 }, geoInfo)).toThrow(
        'Customer.location: {"lat":200,"lng":0} is not a valid GeoPoint',
      );
    });
  });

  it('passes null and undefined through', () => {
    expect(storeOf('accountId', null)).toBeNull();
    expect(storeOf('born', undefined)).toBeUndefined();
  });

  it('leaves other kinds and unknown properties unchanged', () => {
    expect(storeOf('name', HEX)).toBe(HEX);
    expect(storeOf('age', '12')).toBe('12');
    expect(toStoredValue(info, undefined, HEX)).toBe(HEX);
  });
});

describe('toLatLng', () => {
  it('reads every form juggler GeoPoint accepts', () => {
    expect(toLatLng({ lat: 1, lng: 2 })).toEqual({ lat: 1, lng: 2 });
    expect(toLatLng({ lat: '1', lng: '2' })).toEqual({ lat: 1, lng: 2 });
    expect(toLatLng([1, 2])).toEqual({ lat: 1, lng: 2 });
    expect(toLatLng('1, 2')).toEqual({ lat: 1, lng: 2 });
  });

  it('refuses what is off the globe or not a point', () => {
    expect(toLatLng({ lat: 91, lng: 0 })).toBeUndefined();
    expect(toLatLng({ lat: 0, lng: -181 })).toBeUndefined();
    expect(toLatLng({ lat: 1 })).toBeUndefined();
    expect(toLatLng('here')).toBeUndefined();
    expect(toLatLng(null)).toBeUndefined();
    expect(toLatLng({ lat: '', lng: '' })).toBeUndefined();
  });
});

describe('toStoredDocument', () => {
  it('renames the id and mapped fields and coerces values', () => {
    expect(
      toStoredDocument(info, {
        id: HEX,
        name: 'Ann',
        email: 'ann@example.com',
        accountId: OTHER_HEX,
        born: '2020-01-01',
      }),
    ).toEqual({
      _id: new ObjectId(HEX),
      name: 'Ann',
      mail: 'ann@example.com',
      accountId: new ObjectId(OTHER_HEX),
      born: new Date('2020-01-01'),
    });
  });

  it('keeps unknown properties under their own name without coercing ObjectId-looking values', () => {
    expect(toStoredDocument(info, { extra: HEX, nested: { a: 1 } })).toEqual({
      extra: HEX,
      nested: { a: 1 },
    });
  });

  it('drops undefined values and a null id, so that MongoDB generates the id', () => {
    expect(toStoredDocument(info, { id: null, name: undefined, age: null })).toEqual({
      age: null,
    });
    expect(toStoredDocument(info, { id: undefined, name: 'x' })).toEqual({ name: 'x' });
  });

  it('maps a custom id property to _id', () => {
    const named = modelInfo('Tag', { code: { type: String, id: true }, label: { type: String } });
    expect(toStoredDocument(named, { code: 'a', label: 'A' })).toEqual({ _id: 'a', label: 'A' });
  });

  it('never lets __proto__ reach the stored document', () => {
    const data = JSON.parse('{"name": "x", "__proto__": {"polluted": true}}');
    const doc = toStoredDocument(info, data);
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(doc).toEqual({ name: 'x' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('fromStoredDocument', () => {
  it('renames _id and mapped fields back and turns ObjectIds into hex strings', () => {
    expect(
      fromStoredDocument(info, {
        _id: new ObjectId(HEX),
        name: 'Ann',
        mail: 'ann@example.com',
        accountId: new ObjectId(OTHER_HEX),
        friendIds: [new ObjectId(HEX), new ObjectId(OTHER_HEX)],
      }),
    ).toEqual({
      id: HEX,
      name: 'Ann',
      email: 'ann@example.com',
      accountId: OTHER_HEX,
      friendIds: [HEX, OTHER_HEX],
    });
  });

  it('turns ObjectIds into strings in fields the model does not know', () => {
    expect(
      fromStoredDocument(info, { other: new ObjectId(HEX), list: [new ObjectId(HEX)] }),
    ).toEqual({ other: HEX, list: [HEX] });
  });

  it('reads Decimal128 back as a number for Number properties and a string otherwise', () => {
    expect(
      fromStoredDocument(info, {
        balance: Decimal128.fromString('12.50'),
        price: Decimal128.fromString('0.10'),
        unknown: Decimal128.fromString('3'),
      }),
    ).toEqual({ balance: 12.5, price: '0.10', unknown: '3' });
  });

  it('reads a GeoJSON point back as {lat, lng} for GeoPoint properties only', () => {
    const point = { type: 'Point', coordinates: [2.35, 48.85] };
    expect(fromStoredDocument(geoInfo, { location: point, address: point })).toEqual({
      location: { lat: 48.85, lng: 2.35 },
      address: point,
    });
  });

  it('reads BinData back as a Buffer for Buffer properties', () => {
    const data = fromStoredDocument(info, { photo: new Binary(Buffer.from('abc')) });
    expect(Buffer.isBuffer(data.photo)).toBe(true);
    expect((data.photo as Buffer).toString()).toBe('abc');
  });

  it('keeps primitives, dates and nested documents as they are', () => {
    const born = new Date(0);
    const address = { city: 'Paris' };
    const data = fromStoredDocument(info, { name: 'x', age: 3, vip: false, born, address });
    expect(data).toEqual({ name: 'x', age: 3, vip: false, born, address });
    expect(data.address).toBe(address);
  });

  it('names the id after a custom id property, with and without renamed fields', () => {
    const plain = modelInfo('Tag', { code: { type: String, id: true } });
    expect(fromStoredDocument(plain, { _id: 'a', x: 1 })).toEqual({ code: 'a', x: 1 });
    const renamed = modelInfo('Tag', {
      code: { type: Number, id: true },
      label: { type: String, mongodb: { fieldName: 'l' } },
    });
    expect(renamed.renamesFields).toBe(true);
    expect(fromStoredDocument(renamed, { _id: 5, l: 'A' })).toEqual({ code: 5, label: 'A' });
  });

  it('round-trips a document through toStoredDocument', () => {
    const data = { id: HEX, name: 'Ann', email: 'a@b.c', friendIds: [OTHER_HEX], balance: 2.5 };
    expect(fromStoredDocument(info, toStoredDocument(info, data))).toEqual(data);
  });

  it('never lets a stored __proto__ field reach the result', () => {
    const doc = JSON.parse('{"name": "x", "__proto__": {"polluted": true}}');
    const data = fromStoredDocument(info, doc);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(data).toEqual({ name: 'x' });
  });
});

describe('fromStoredValue', () => {
  it('reads one stored value, e.g. a generated id', () => {
    expect(fromStoredValue(info.idProperty, new ObjectId(HEX))).toBe(HEX);
    expect(fromStoredValue(undefined, 3)).toBe(3);
  });
});
