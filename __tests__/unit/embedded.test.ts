import { Binary, Decimal128 } from 'mongodb';
import type { PropertyDefinition } from 'loopback-connector';
import { InvalidValueError } from '../../src/errors';
import { storedPath } from '../../src/model-info';
import { buildFilter } from '../../src/query/where';
import { fromStoredDocument, toStoredDocument } from '../../src/values';
import { STRICT, modelInfo } from './fixtures';

/** A stand-in for a juggler model class used as a property type: a function with a definition. */
function embeddedModel(name: string, properties: Record<string, PropertyDefinition>): unknown {
  const model = function () {};
  Object.defineProperty(model, 'name', { value: name });
  return Object.assign(model, { definition: { properties } });
}

const Money = embeddedModel('Money', {
  amount: { type: String, mongodb: { dataType: 'Decimal128' } },
  currency: { type: String },
});
const Address = embeddedModel('Address', {
  id: { type: String, id: true },
  street: { type: String },
  price: { type: Money },
  scan: { type: Buffer },
  location: { type: 'GeoPoint' },
});
// a model that embeds itself: describing it must end
const Node = embeddedModel('Node', { label: { type: String } });
(Node as { definition: { properties: Record<string, unknown> } }).definition.properties.children = {
  type: [Node],
};

const info = modelInfo(
  'Customer',
  {
    id: { type: String, id: true },
    address: { type: Address },
    previous: { type: [Address] },
    plain: { type: embeddedModel('Plain', { note: { type: String } }) },
    tree: { type: Node },
  },
  {},
  { enableGeoIndexing: true },
);

describe('embedded model facts', () => {
  it('keep the embedded properties that are coerced, at any depth', () => {
    const address = info.properties.get('address');
    expect([...(address?.embedded?.keys() ?? [])]).toEqual(['price', 'scan', 'location']);
    expect(address?.embedded?.get('price')?.embedded?.get('amount')).toMatchObject({
      name: 'address.price.amount',
      storedAs: 'decimal128',
    });
    expect(info.properties.get('previous')?.embedded?.has('scan')).toBe(true);
  });

  it('leave out embedded models with nothing to coerce, their ids, and self-embedding', () => {
    expect(info.properties.get('plain')?.embedded).toBeUndefined();
    expect(info.properties.get('address')?.embedded?.has('id')).toBe(false);
    expect(info.properties.get('tree')?.embedded).toBeUndefined();
  });

  it('give dotted paths into embedded models their property, array indexes skipped', () => {
    expect(storedPath(info, 'address.price.amount').property?.storedAs).toBe('decimal128');
    expect(storedPath(info, 'previous.0.scan').property?.storedAs).toBe('buffer');
    expect(storedPath(info, 'address.street').property).toBeUndefined();
    expect(storedPath(info, 'address.nowhere.amount').property).toBeUndefined();
  });
});

describe('embedded values', () => {
  const data = {
    address: {
      street: 's',
      price: { amount: '12.50', currency: 'EUR' },
      scan: Buffer.from('ab'),
      location: { lat: 48.8, lng: 2.3 },
    },
    previous: [{ price: { amount: '1' } }],
  };

  it('are stored coerced, without changing the app data', () => {
    const before = JSON.stringify(data);
    const doc = toStoredDocument(info, data);
    expect(doc.address.price.amount).toEqual(Decimal128.fromString('12.50'));
    expect(doc.address.location).toEqual({ type: 'Point', coordinates: [2.3, 48.8] });
    expect(doc.previous[0].price.amount).toEqual(Decimal128.fromString('1'));
    expect(JSON.stringify(data)).toBe(before);
  });

  it('name the embedded path in an error', () => {
    expect(() => toStoredDocument(info, { address: { price: { amount: 'x' } } })).toThrow(
      InvalidValueError,
    );
    expect(() => toStoredDocument(info, { address: { price: { amount: 'x' } } })).toThrow(
      /address\.price\.amount/,
    );
  });

  it('are read back as the app wrote them: Binary to Buffer, Decimal128 to string, points', () => {
    const read = fromStoredDocument(info, {
      _id: 'c1',
      address: {
        street: 's',
        price: { amount: Decimal128.fromString('12.50') },
        scan: new Binary(Buffer.from('ab')),
        location: { type: 'Point', coordinates: [2.3, 48.8] },
      },
      previous: [{ scan: new Binary(Buffer.from('cd')) }],
    });
    expect(read).toEqual({
      id: 'c1',
      address: {
        street: 's',
        price: { amount: '12.50' },
        scan: Buffer.from('ab'),
        location: { lat: 48.8, lng: 2.3 },
      },
      previous: [{ scan: Buffer.from('cd') }],
    });
  });

  it('coerce where operands on dotted paths into embedded models', () => {
    expect(buildFilter(info, { 'address.price.amount': '12.50' }, STRICT)).toEqual({
      'address.price.amount': Decimal128.fromString('12.50'),
    });
    expect(buildFilter(info, { 'address.price.amount': { gt: '1' } }, STRICT)).toEqual({
      'address.price.amount': { $gt: Decimal128.fromString('1') },
    });
  });
});
