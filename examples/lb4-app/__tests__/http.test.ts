/**
 * The example app over real HTTP: started on an ephemeral port against the run's embedded mongod
 * (its own database), driven with Node's fetch.
 */
import { testDatabaseUrl } from '../../../__tests__/support/database';
import { ShopApplication } from '../src';

let app: ShopApplication;
let base: string;

interface Reply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of many shapes
  body: any;
}

async function call(method: string, path: string, body?: unknown): Promise<Reply> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const q = (filter: unknown) => encodeURIComponent(JSON.stringify(filter));
const missingId = '0123456789abcdef01234567';

beforeAll(async () => {
  app = new ShopApplication({
    rest: { port: 0, host: '127.0.0.1' },
    mongo: { url: testDatabaseUrl('lb4_app') },
  });
  // drops and recreates the collections, creating the unique index on Customer.email
  await app.migrateSchema({ existingSchema: 'drop' });
  await app.start();
  base = app.restServer.url!;
});

afterAll(async () => {
  await app?.stop();
  // also when start() was never reached: an open pool would keep the worker alive
  const ds = await app?.get<{ disconnect(): Promise<void> }>('datasources.mongo');
  await ds?.disconnect();
});

describe('customers CRUD', () => {
  let ada: { id: string; name: string; email: string };

  beforeAll(async () => {
    for (const [name, email] of [
      ['Ada', 'ada@example.com'],
      ['Grace', 'grace@example.com'],
      ['Linus', 'linus@example.com'],
      ['Barbara', 'barbara@example.com'],
    ]) {
      const res = await call('POST', '/customers', { name, email });
      expect(res.status).toBe(200);
      if (name === 'Ada') ada = res.body;
    }
  });

  it('creates with a generated 24-hex id', () => {
    expect(ada).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      name: 'Ada',
      email: 'ada@example.com',
    });
  });

  it('gets by id', async () => {
    const res = await call('GET', `/customers/${ada.id}`);
    expect(res).toEqual({ status: 200, body: ada });
  });

  it('lists with a JSON filter: where, order, limit, skip, fields', async () => {
    const res = await call(
      'GET',
      '/customers?filter=' +
        q({
          where: { name: { neq: 'Ada' } },
          order: ['name ASC'],
          limit: 2,
          skip: 1,
          fields: { name: true },
        }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual([{ name: 'Grace' }, { name: 'Linus' }]);
  });

  it('lists with filter[...] query strings', async () => {
    const res = await call(
      'GET',
      '/customers?filter[where][name][inq][0]=Ada&filter[where][name][inq][1]=Linus' +
        '&filter[order][0]=name%20DESC&filter[limit]=5&filter[fields][email]=true',
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual([{ email: 'linus@example.com' }, { email: 'ada@example.com' }]);
  });

  it('finds by id given as a where string', async () => {
    const res = await call('GET', `/customers?filter[where][id]=${ada.id}`);
    expect(res.body).toEqual([ada]);
  });

  it('counts', async () => {
    expect(await call('GET', '/customers/count')).toEqual({ status: 200, body: { count: 4 } });
    const res = await call('GET', '/customers/count?where=' + q({ name: { like: '^[AB]' } }));
    expect(res.body).toEqual({ count: 2 });
    const qs = await call('GET', '/customers/count?where[email]=grace@example.com');
    expect(qs.body).toEqual({ count: 1 });
  });

  it('patches, replaces and deletes', async () => {
    const created = await call('POST', '/customers', { name: 'Temp', email: 'temp@example.com' });
    const id = created.body.id;

    expect((await call('PATCH', `/customers/${id}`, { name: 'Patched' })).status).toBe(204);
    expect((await call('GET', `/customers/${id}`)).body).toEqual({
      id,
      name: 'Patched',
      email: 'temp@example.com',
    });

    const put = await call('PUT', `/customers/${id}`, {
      name: 'Replaced',
      email: 'replaced@example.com',
    });
    expect(put.status).toBe(204);
    expect((await call('GET', `/customers/${id}`)).body).toEqual({
      id,
      name: 'Replaced',
      email: 'replaced@example.com',
    });

    expect((await call('DELETE', `/customers/${id}`)).status).toBe(204);
    expect((await call('GET', `/customers/${id}`)).status).toBe(404);
  });
});

describe('orders: hasMany / belongsTo with an ObjectId foreign key', () => {
  let customer: { id: string };
  let other: { id: string };

  beforeAll(async () => {
    customer = (await call('POST', '/customers', { name: 'Orderer', email: 'orderer@example.com' }))
      .body;
    other = (await call('POST', '/customers', { name: 'Other', email: 'other@example.com' })).body;
    for (const [description, total] of [
      ['book', 12],
      ['lamp', 40],
      ['desk', 250],
    ] as const) {
      const res = await call('POST', `/customers/${customer.id}/orders`, { description, total });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ description, total, customerId: customer.id });
    }
    await call('POST', `/customers/${other.id}/orders`, { description: 'pen', total: 2 });
  });

  it('stores the foreign key as an ObjectId', async () => {
    const ds = await app.get<{
      connector: { collection(name: string): import('mongodb').Collection };
    }>('datasources.mongo');
    const doc = await ds.connector.collection('Order').findOne({ description: 'book' });
    expect(doc?.customerId?.constructor.name).toBe('ObjectId');
    expect(String(doc?.customerId)).toBe(customer.id);
  });

  it("lists a customer's orders, filtered and ordered", async () => {
    const res = await call(
      'GET',
      `/customers/${customer.id}/orders?filter=` +
        q({ where: { total: { gt: 20 } }, order: 'total DESC' }),
    );
    expect(res.status).toBe(200);
    expect(res.body.map((o: { description: string }) => o.description)).toEqual(['desk', 'lamp']);
  });

  it('includes the relation both ways', async () => {
    const customers = await call(
      'GET',
      '/customers?filter=' +
        q({
          where: { id: customer.id },
          include: [{ relation: 'orders', scope: { order: 'total ASC' } }],
        }),
    );
    expect(customers.body).toHaveLength(1);
    expect(customers.body[0].orders.map((o: { total: number }) => o.total)).toEqual([12, 40, 250]);

    const orders = await call(
      'GET',
      '/orders?filter[where][description]=pen&filter[include][0]=customer',
    );
    expect(orders.status).toBe(200);
    expect(orders.body).toEqual([
      expect.objectContaining({
        description: 'pen',
        customer: expect.objectContaining({ id: other.id, name: 'Other' }),
      }),
    ]);
  });

  it('finds orders by the foreign key given as a hex string', async () => {
    const res = await call('GET', `/orders?filter[where][customerId]=${other.id}`);
    expect(res.body.map((o: { description: string }) => o.description)).toEqual(['pen']);
  });

  it("gets an order's customer", async () => {
    const order = (await call('GET', '/orders?filter[where][description]=lamp')).body[0];
    const res = await call('GET', `/orders/${order.id}/customer`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: customer.id, name: 'Orderer' });
  });

  it('patches and deletes through the relation, scoped to the customer', async () => {
    const patched = await call(
      'PATCH',
      `/customers/${customer.id}/orders?where=` + q({ total: { lt: 50 } }),
      {
        description: 'cheap',
      },
    );
    expect(patched.body).toEqual({ count: 2 });
    // the other customer's cheap order is untouched
    expect((await call('GET', '/orders?filter[where][description]=pen')).body).toHaveLength(1);

    const deleted = await call(
      'DELETE',
      `/customers/${customer.id}/orders?where[description]=cheap`,
    );
    expect(deleted.body).toEqual({ count: 2 });
    const left = await call('GET', `/customers/${customer.id}/orders`);
    expect(left.body.map((o: { description: string }) => o.description)).toEqual(['desk']);
  });

  it('refuses an order for a customer that does not exist', async () => {
    const res = await call('POST', `/customers/${missingId}/orders`, {
      description: 'x',
      total: 1,
    });
    expect(res.status).toBe(404);
  });
});

describe('errors', () => {
  it('answers 404 for an unknown id', async () => {
    expect((await call('GET', `/customers/${missingId}`)).status).toBe(404);
    expect((await call('PATCH', `/customers/${missingId}`, { name: 'x' })).status).toBe(404);
    expect(
      (await call('PUT', `/customers/${missingId}`, { name: 'x', email: 'x@example.com' })).status,
    ).toBe(404);
    expect((await call('DELETE', `/customers/${missingId}`)).status).toBe(404);
    expect((await call('GET', `/orders/${missingId}`)).status).toBe(404);
  });

  it('answers 422 for an invalid body', async () => {
    const missing = await call('POST', '/customers', { name: 'No email' });
    expect(missing.status).toBe(422);
    expect(missing.body.error.code).toBe('VALIDATION_FAILED');
    expect((await call('POST', '/customers', { name: 'x', email: 'not-an-email' })).status).toBe(
      422,
    );
    expect(
      (await call('POST', '/customers', { name: 'x', email: 'y@example.com', extra: 1 })).status,
    ).toBe(422);
    expect((await call('PATCH', '/customers/' + missingId, { name: 42 })).status).toBe(422);
  });

  it('answers 409 with a clear message for a duplicate email', async () => {
    const first = await call('POST', '/customers', { name: 'Dup', email: 'dup@example.com' });
    expect(first.status).toBe(200);
    const res = await call('POST', '/customers', { name: 'Dup again', email: 'dup@example.com' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/Customer: duplicate key for unique index .*email/);
    // and the same through PATCH onto another customer
    const other = await call('POST', '/customers', { name: 'Dup 2', email: 'dup2@example.com' });
    const patched = await call('PATCH', `/customers/${other.body.id}`, {
      email: 'dup@example.com',
    });
    expect(patched.status).toBe(409);
  });

  it('never answers 500 for a malformed ObjectId', async () => {
    for (const [method, path, body] of [
      ['GET', '/customers/not-an-id', undefined],
      ['PATCH', '/customers/not-an-id', { name: 'x' }],
      ['PUT', '/customers/not-an-id', { name: 'x', email: 'x@example.com' }],
      ['DELETE', '/customers/not-an-id', undefined],
      ['GET', '/customers/not-an-id/orders', undefined],
      ['GET', '/orders/not-an-id/customer', undefined],
      ['GET', '/orders?filter[where][customerId]=not-an-id', undefined],
    ] as const) {
      const res = await call(method, path, body);
      expect({ method, path, status: [400, 404].includes(res.status) }).toEqual({
        method,
        path,
        status: true,
      });
    }
  });

  it('refuses $where and $ne from a filter', async () => {
    const attempts = [
      '/customers?filter=' + q({ where: { $where: 'sleep(1000) || true' } }),
      '/customers?filter=' + q({ where: { email: { $ne: null } } }),
      '/customers?filter[where][email][$ne]=nobody',
      '/customers?filter[where][$where]=true',
      '/customers/count?where[name][$ne]=x',
      '/customers?filter=' + q({ where: { or: [{ name: { $regex: '.*' } }] } }),
    ];
    for (const path of attempts) {
      const res = await call('GET', path);
      // refused (400, naming the operator), never answered with every customer
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body.error.message).toMatch(/\$\w+.* not allowed/);
    }
  });
});
