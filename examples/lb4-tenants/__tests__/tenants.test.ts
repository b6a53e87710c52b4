/**
 * The tenant shop over real HTTP, on the run's replica set: two tenants' concurrent requests on
 * the same repositories each see only their own data (checked with a raw driver client per
 * database), and the datasource's one pool does not grow with the number of tenants.
 */
import * as os from 'node:os';
import type { juggler } from '@loopback/repository';
import { MongoClient } from 'mongodb';
import type { MongoDB } from '../../../src';
import { testDatabaseName, testDatabaseUrl } from '../../../__tests__/support/database';
import { Context } from '@loopback/core';
import { TenancyBindings, TenantShopApplication } from '../src';
import { CustomerRepository } from '../src/repositories';

// tenant databases are named lbtest_<run>_..., so the run's teardown drops them all
const PREFIX = `${testDatabaseName('lb4_tenants')}_`;

let app: TenantShopApplication;
let base: string;
let raw: MongoClient;
let connector: MongoDB;
/** The datasource client's own pool, counted from the driver's connection events (CMAP). */
const pool = { created: 0, open: 0 };

interface Reply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of many shapes
  body: any;
}

async function call(
  tenant: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (tenant !== undefined) headers['x-tenant'] = tenant;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const q = (filter: unknown) => encodeURIComponent(JSON.stringify(filter));
const tenantDb = (tenant: string) => raw.db(PREFIX + tenant);
const stored = async (tenant: string, collection: string, field: string) =>
  (await tenantDb(tenant).collection(collection).find().toArray()).map((d) => d[field]).sort();

beforeAll(async () => {
  app = new TenantShopApplication({
    rest: { port: 0, host: '127.0.0.1' },
    mongo: {
      url: testDatabaseUrl('lb4_tenants', { replicaSet: true }),
      tenantDatabases: { prefix: PREFIX },
    },
  });
  const ds = await app.get<juggler.DataSource>('datasources.mongo');
  connector = ds.connector as unknown as MongoDB;
  await ds.connect();
  connector.client!.on('connectionCreated', () => {
    pool.created++;
    pool.open++;
  });
  connector.client!.on('connectionClosed', () => pool.open--);
  for (const tenant of ['acme', 'globex']) await app.migrateTenant(tenant);
  await app.start();
  base = app.restServer.url!;
  raw = new MongoClient(process.env.MONGODB_TEST_RS_URL!, { runtimeAdapters: { os } });
  await raw.connect();
});

afterAll(async () => {
  await raw?.close();
  await app?.stop();
  const ds = await app?.get<{ disconnect(): Promise<void> }>('datasources.mongo');
  await ds?.disconnect();
});

/** One tenant's session with the shop; every name it writes carries the tenant's name. */
async function shopAs(tenant: string) {
  const [ada, bob] = await Promise.all(
    ['ada', 'bob'].map(async (name) => {
      const res = await call(tenant, 'POST', '/customers', {
        name: `${tenant}-${name}`,
        email: `${name}@example.com`,
      });
      expect(res.status).toBe(200);
      return res.body as { id: string };
    }),
  );
  await Promise.all(
    [ada, ada, bob].map((c, i) =>
      call(tenant, 'POST', `/customers/${c.id}/orders`, {
        description: `${tenant}-order-${i}`,
        total: 10 * (i + 1),
      }).then((res) => expect(res.status).toBe(200)),
    ),
  );
  // the same email twice in one tenant: the unique index migrateTenant made there
  expect(
    (await call(tenant, 'POST', '/customers', { name: 'x', email: 'ada@example.com' })).status,
  ).toBe(409);
  const checkout = await call(tenant, 'POST', '/checkout', {
    customer: { name: `${tenant}-tx`, email: 'tx@example.com' },
    orders: [{ description: `${tenant}-tx-order`, total: 5 }],
  });
  expect(checkout.status).toBe(200);
  const dryRun = await call(tenant, 'POST', '/checkout?dryRun=true', {
    customer: { name: `${tenant}-rolled-back`, email: 'rb@example.com' },
    orders: [{ description: `${tenant}-rolled-back-order`, total: 5 }],
  });
  expect(dryRun.status).toBe(200);
  expect(
    (await call(tenant, 'PATCH', `/customers/${bob.id}`, { name: `${tenant}-bobby` })).status,
  ).toBe(204);

  const withOrders = await call(
    tenant,
    'GET',
    `/customers?filter=${q({ include: ['orders'], order: 'name' })}`,
  );
  const count = await call(tenant, 'GET', '/customers/count');
  const ordersWithCustomer = await call(
    tenant,
    'GET',
    `/orders?filter=${q({ include: ['customer'], order: 'description' })}`,
  );
  const adaOrders = await call(tenant, 'GET', `/customers/${ada.id}/orders`);
  return { ada, bob, withOrders, count, ordersWithCustomer, adaOrders };
}

describe('two tenants at once on the same repositories', () => {
  it('each sees only its own data, in its own database', async () => {
    const [acme, globex] = await Promise.all([shopAs('acme'), shopAs('globex')]);
    for (const [tenant, seen] of [
      ['acme', acme],
      ['globex', globex],
    ] as const) {
      const other = tenant === 'acme' ? 'globex' : 'acme';
      // what the tenant's requests answered
      expect(seen.count.body).toEqual({ count: 3 });
      expect(seen.withOrders.body.map((c: { name: string }) => c.name)).toEqual([
        `${tenant}-ada`,
        `${tenant}-bobby`,
        `${tenant}-tx`,
      ]);
      const orderNames = seen.withOrders.body.map((c: { orders?: { description: string }[] }) =>
        (c.orders ?? []).map((o) => o.description).sort(),
      );
      expect(orderNames).toEqual([
        [`${tenant}-order-0`, `${tenant}-order-1`],
        [`${tenant}-order-2`],
        [`${tenant}-tx-order`],
      ]);
      expect(
        seen.ordersWithCustomer.body.map((o: { customer: { name: string } }) => o.customer.name),
      ).toEqual([`${tenant}-ada`, `${tenant}-ada`, `${tenant}-bobby`, `${tenant}-tx`]);
      expect(seen.adaOrders.body).toHaveLength(2);
      // another tenant's id is not found here
      const otherAda = (tenant === 'acme' ? globex : acme).ada.id;
      expect((await call(tenant, 'GET', `/customers/${otherAda}`)).status).toBe(404);
      expect((await call(tenant, 'DELETE', `/customers/${otherAda}`)).status).toBe(404);

      // what the database holds, read with the raw driver
      expect(await stored(tenant, 'Customer', 'name')).toEqual([
        `${tenant}-ada`,
        `${tenant}-bobby`,
        `${tenant}-tx`,
      ]);
      expect(await stored(tenant, 'Order', 'description')).toEqual([
        `${tenant}-order-0`,
        `${tenant}-order-1`,
        `${tenant}-order-2`,
        `${tenant}-tx-order`,
      ]);
      const all = JSON.stringify(await tenantDb(tenant).collection('Customer').find().toArray());
      expect(all).not.toContain(other);
      expect(all).not.toContain('rolled-back');
    }
    // the datasource's own database got nothing
    expect(await raw.db(connector.db!.databaseName).collection('Customer').countDocuments()).toBe(
      0,
    );
  });

  it("execute runs in the tenant's database too", async () => {
    // a context standing for one tenant's request, as migrateTenant makes
    const asAcme = new Context(app);
    asAcme.bind(TenancyBindings.OPTIONS).to({ database: PREFIX + 'acme' });
    const customers = await asAcme.get<CustomerRepository>('repositories.CustomerRepository');
    const found = (await customers.execute('Customer', 'find', {})) as { name: string }[];
    expect(found.map((c) => c.name).sort()).toEqual(['acme-ada', 'acme-bobby', 'acme-tx']);
  });

  it('refuses a request without a usable tenant, writing nothing', async () => {
    const before = (await raw.db('admin').admin().listDatabases({ nameOnly: true })).databases
      // this file's databases only: other test files share the server
      .map((d) => d.name)
      .filter((name) => name.startsWith(PREFIX))
      .sort();
    for (const tenant of [undefined, '', 'Acme', 'a.b', '../admin', 'x'.repeat(40)]) {
      const res = await call(tenant, 'POST', '/customers', { name: 'n', email: 'n@example.com' });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/X-Tenant header/);
    }
    const after = (await raw.db('admin').admin().listDatabases({ nameOnly: true })).databases
      // this file's databases only: other test files share the server
      .map((d) => d.name)
      .filter((name) => name.startsWith(PREFIX))
      .sort();
    expect(after).toEqual(before);
  });
});

describe('one pool, whatever the number of tenants', () => {
  /** `concurrency` workers share the tenants; each tenant writes one customer, then counts. */
  async function serveTenants(count: number, concurrency: number, run: string): Promise<void> {
    const tenants = Array.from({ length: count }, (_, i) => `${run}-${i}`);
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < tenants.length) {
          const tenant = tenants[next++];
          const created = await call(tenant, 'POST', '/customers', {
            name: tenant,
            email: `${tenant}@example.com`,
          });
          expect(created.status).toBe(200);
          expect((await call(tenant, 'GET', '/customers/count')).body).toEqual({ count: 1 });
        }
      }),
    );
  }

  it('opens no more connections for 200 tenants than for 10 (at the same concurrency)', async () => {
    const concurrency = 8;
    const client = connector.client;
    const serverConnections = async () =>
      ((await raw.db('admin').command({ serverStatus: 1 })) as { connections: { current: number } })
        .connections.current;
    const figures: string[] = [];
    const openAfter: Record<number, number> = {};
    for (const tenants of [1, 10, 200]) {
      const createdBefore = pool.created;
      const serverBefore = await serverConnections();
      const started = Date.now();
      await serveTenants(tenants, concurrency, `p${tenants}`);
      const created = pool.created - createdBefore;
      openAfter[tenants] = pool.open;
      figures.push(
        `${tenants} tenants: pool ${pool.open} connections open (${created} opened for them), ` +
          `serverStatus connections.current ${serverBefore} -> ${await serverConnections()} ` +
          `(the whole shared server), ${Date.now() - started} ms`,
      );
      // a request holds one connection at a time: the pool grows with concurrency only
      expect(created).toBeLessThanOrEqual(concurrency);
    }
    // still the one client, and every tenant database is on it
    expect(connector.client).toBe(client);
    const databases = (await raw.db('admin').admin().listDatabases({ nameOnly: true })).databases;
    expect(databases.filter((d) => d.name.startsWith(`${PREFIX}p200-`))).toHaveLength(200);
    console.log(
      `one pool for every tenant (concurrency ${concurrency}):\n  ${figures.join('\n  ')}`,
    );
    expect(openAfter[200]).toBeLessThanOrEqual(Math.max(openAfter[10], concurrency));
    // 211 new databases on the emulated server: about 20 s on the development machine
  }, 180_000);
});
