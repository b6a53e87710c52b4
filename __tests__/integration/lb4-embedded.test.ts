/**
 * LoopBack 4 models with embedded models (`@property({type: Address})`, `@property.array(Address)`)
 * through a DefaultCrudRepository, on both connectors. The decorators are applied as functions:
 * the test project compiles without decorator syntax.
 */
import {
  DefaultCrudRepository,
  Entity,
  Model,
  juggler,
  model,
  property,
} from '@loopback/repository';
import { Decimal128, type Db } from 'mongodb';
import { CONNECTORS, connectedDataSource } from '../support/connectors';

class Address extends Model {
  declare street: string;
  declare scan?: Buffer;
  declare amount?: string;
}
property({ type: 'string' })(Address.prototype, 'street');
property({ type: 'buffer' })(Address.prototype, 'scan');
property({ type: 'string', mongodb: { dataType: 'Decimal128' } })(Address.prototype, 'amount');
model()(Address);

class Shopper extends Entity {
  declare id?: string;
  declare name: string;
  declare address?: Address;
  declare previous?: Address[];
}
property({ type: 'string', id: true, generated: true, mongodb: { dataType: 'ObjectId' } })(
  Shopper.prototype,
  'id',
);
property({ type: 'string' })(Shopper.prototype, 'name');
property({ type: Address })(Shopper.prototype, 'address');
// the array form of property.array, which needs decorator metadata to check the field's type
property({ type: 'array', itemType: Address })(Shopper.prototype, 'previous');
model()(Shopper);

const SCAN = Buffer.from([9, 8, 7]);

describe.each(CONNECTORS)('LoopBack 4 embedded models on %s', (label, connector) => {
  let ds: juggler.DataSource;
  let shoppers: DefaultCrudRepository<Shopper, string>;

  beforeAll(async () => {
    ds = await connectedDataSource(connector, 'lb4_embedded', {}, juggler.DataSource);
    shoppers = new DefaultCrudRepository(Shopper, ds);
    await ds.automigrate();
  });
  afterAll(() => ds.disconnect());

  it('finds an instance by id and reads its embedded models back whole', async () => {
    const created = await shoppers.create({
      name: 'ann',
      address: { street: 'rue A', scan: SCAN, amount: '3.50' } as Address,
      previous: [{ street: 'old' } as Address],
    });
    const found = await shoppers.findById(created.id as string);
    expect(found.toJSON()).toMatchObject({
      name: 'ann',
      address: { street: 'rue A' },
      previous: [{ street: 'old' }],
    });
    expect(Buffer.isBuffer(found.address?.scan) && found.address.scan.equals(SCAN)).toBe(true);
    // ours reads a Decimal128 back as its text; loopback-connector-mongodb as a Decimal128
    if (label === 'ours') {
      expect(found.address?.amount).toBe('3.50');
      const raw = await (ds.connector as unknown as { db: Db }).db.collection('Shopper').findOne();
      expect(raw?.address.amount).toBeInstanceOf(Decimal128);
    }
    expect(await shoppers.count({ 'address.street': 'rue A' } as object)).toEqual({ count: 1 });
  });
});
