/**
 * The README's LoopBack 4 transaction recipe on the example's repositories, against the run's
 * one-member replica set: DataSource.beginTransaction, then `{transaction}` on repository calls.
 */
import { juggler } from '@loopback/repository';
import { testDatabaseUrl } from '../../../__tests__/support/database';
import { ShopApplication } from '../src';
import { CustomerRepository, OrderRepository } from '../src/repositories';

let app: ShopApplication;
let ds: juggler.DataSource;
let customers: CustomerRepository;
let orders: OrderRepository;

beforeAll(async () => {
  app = new ShopApplication({
    mongo: { url: testDatabaseUrl('lb4_app_tx', { replicaSet: true }) },
  });
  await app.migrateSchema({ existingSchema: 'drop' });
  ds = await app.get<juggler.DataSource>('datasources.mongo');
  customers = await app.getRepository(CustomerRepository);
  orders = await app.getRepository(OrderRepository);
});

afterAll(async () => {
  await ds?.disconnect();
});

async function orderAndRename(customerId: string, commit: boolean): Promise<void> {
  const tx = await ds.beginTransaction({ isolationLevel: 'READ COMMITTED', timeout: 30_000 });
  try {
    await orders.create({ customerId, description: 'desk', total: 250 }, { transaction: tx });
    await customers.updateById(customerId, { name: 'Renamed' }, { transaction: tx });
    // inside the transaction the writes are visible, outside not yet
    expect(await orders.count({ customerId }, { transaction: tx })).toEqual({ count: 1 });
    expect(await orders.count({ customerId })).toEqual({ count: 0 });
    if (commit) await tx.commit();
    else await tx.rollback();
  } catch (err) {
    await tx.rollback();
    throw err;
  }
}

it('rolls back every write of the transaction', async () => {
  const c = await customers.create({ name: 'Rollback', email: 'rollback@example.com' });
  await orderAndRename(c.id!, false);
  expect(await orders.count({ customerId: c.id })).toEqual({ count: 0 });
  expect((await customers.findById(c.id)).name).toBe('Rollback');
});

it('commits every write of the transaction', async () => {
  const c = await customers.create({ name: 'Commit', email: 'commit@example.com' });
  await orderAndRename(c.id!, true);
  expect(await customers.orders(c.id).find()).toEqual([
    expect.objectContaining({ description: 'desk', customerId: c.id }),
  ]);
  expect((await customers.findById(c.id)).name).toBe('Renamed');
});

it('refuses SERIALIZABLE', async () => {
  await expect(ds.beginTransaction({ isolationLevel: 'SERIALIZABLE' })).rejects.toThrow(
    /SERIALIZABLE/,
  );
});
