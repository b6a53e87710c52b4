/**
 * A LoopBack 3.28 app (examples/lb3-app: built-in User/Role with enableAuth, Customer with hasMany,
 * embedsMany, referencesMany and hasAndBelongsToMany, a Product with a unique sku and a GeoPoint,
 * autoupdate at boot) booted twice: on this connector, resolved from datasources.json's
 * `"connector": "mongo"`, and on loopback-connector-mongodb 7.0.5 (`"connector": "mongodb"`). The
 * same REST requests go to both over HTTP; the answers must be the same, ids aside, except where
 * README's "Coming from loopback-connector-mongodb" table says ours differs on purpose.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import createApp from '../../examples/lb3-app/server/server';
import datasources from '../../examples/lb3-app/server/datasources.json';
import * as ours from '../../src';
import { testDatabaseUrl } from '../support/database';

type App = createApp.LoopBackApp;

interface Request {
  method?: string;
  path: string;
  body?: unknown;
  token?: string;
}

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of many shapes
  body: any;
}

/** Values one app's answers gave (its ids, its token), for the requests after them. */
type Context = Record<string, string>;

interface Step {
  label: string;
  /** The request, from what earlier answers gave this app. */
  send: (ctx: Context) => Request;
  /** Keeps what later requests need. */
  keep?: (body: Answer['body'], ctx: Context) => void;
  /** What is compared, when not the whole body (answers with generated tokens and times). */
  view?: (body: Answer['body']) => unknown;
  /** App code run before the request (the same on both apps). */
  before?: (app: App, ctx: Context) => Promise<void>;
  /** The status our app answers; 200 unless given. */
  status?: number;
}

const json = (filter: unknown) => encodeURIComponent(JSON.stringify(filter));

/** Resolves once the clock has moved into the next whole second (an ObjectId's timestamp). */
function nextSecond(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 10));
}
const missingId = '0123456789abcdef01234567';
const alexanderplatz = { lat: 52.5219, lng: 13.4132 };
const ids = (body: Array<{ id: string }>) => body.map((item) => item.id);

const STEPS: Step[] = [
  {
    label: 'create customers (an array body)',
    send: () => ({
      method: 'POST',
      path: '/Customers',
      body: [
        { name: 'Ada', age: 36, email: 'ada@example.com', joined: '2019-03-01T00:00:00.000Z' },
        { name: 'Bob', age: 25, email: 'bob@example.com', joined: '2021-06-15T00:00:00.000Z' },
        { name: 'Cy', age: 41, email: 'cy@example.com', joined: '2018-01-10T00:00:00.000Z' },
        { name: 'Dee', age: 30, email: null, joined: '2022-09-30T00:00:00.000Z' },
      ],
    }),
    keep: (body, ctx) => {
      [ctx.ada, ctx.bob, ctx.cy, ctx.dee] = ids(body);
    },
  },
  {
    // created far to near, so that distance order is not id order
    label: 'create products',
    send: () => ({
      method: 'POST',
      path: '/Products',
      body: [
        { name: 'Marienplatz', sku: 'MP-1', price: 5, location: { lat: 48.1374, lng: 11.5755 } },
        { name: 'Elbphilharmonie', sku: 'EL-1', price: 9, location: { lat: 53.5413, lng: 9.9841 } },
        { name: 'Sanssouci', sku: 'SA-1', price: 7, location: { lat: 52.4044, lng: 13.0383 } },
        {
          name: 'Brandenburg Gate',
          sku: 'BG-1',
          price: 3,
          location: { lat: 52.5163, lng: 13.3777 },
        },
      ],
    }),
    keep: (body, ctx) => {
      [ctx.munich, ctx.hamburg, ctx.potsdam, ctx.berlin] = ids(body);
    },
  },
  {
    label: 'duplicate sku',
    status: 409,
    send: () => ({ method: 'POST', path: '/Products', body: { name: 'Copy', sku: 'SA-1' } }),
  },
  {
    label: 'filter as JSON',
    send: () => ({
      path: `/Customers?filter=${json({ where: { age: { gt: 30 } }, order: 'age DESC' })}`,
    }),
  },
  {
    label: 'bracket filter, number coerced',
    send: () => ({ path: '/Customers?filter[where][age][gt]=30' }),
  },
  {
    label: 'bracket filter: inq, order, fields, limit, skip',
    send: () => ({
      path:
        '/Customers?filter[where][name][inq]=Ada&filter[where][name][inq]=Bob' +
        '&filter[where][name][inq]=Cy&filter[order]=name%20DESC&filter[fields][name]=true' +
        '&filter[fields][age]=true&filter[limit]=2&filter[skip]=1',
    }),
  },
  {
    label: 'bracket filter, date coerced',
    send: () => ({ path: '/Customers?filter[where][joined][gte]=2020-01-01&filter[order]=joined' }),
  },
  {
    label: 'bracket filter, boolean coerced',
    send: () => ({ path: '/Customers?filter[where][vip]=false' }),
  },
  {
    label: 'and/or',
    send: () => ({
      path: `/Customers?filter=${json({ where: { or: [{ age: { lt: 26 } }, { and: [{ age: { gte: 36 } }, { name: { neq: 'Cy' } }] }] } })}`,
    }),
  },
  {
    label: 'where on an id hex (bracket)',
    send: (c) => ({ path: `/Customers?filter[where][id]=${c.bob}` }),
  },
  {
    label: 'where on ids with inq (JSON)',
    send: (c) => ({ path: `/Customers?filter=${json({ where: { id: { inq: [c.ada, c.cy] } } })}` }),
  },
  { label: 'findById', send: (c) => ({ path: `/Customers/${c.ada}` }) },
  {
    label: 'findById of an unknown id',
    status: 404,
    send: () => ({ path: `/Customers/${missingId}` }),
  },
  {
    label: 'findById of an invalid id',
    status: 404,
    send: () => ({ path: '/Customers/not-an-id' }),
  },
  { label: 'count', send: () => ({ path: '/Customers/count?where[age][gt]=30' }) },
  {
    label: 'count with JSON where',
    send: () => ({ path: `/Customers/count?where=${json({ name: { inq: ['Ada', 'Bob'] } })}` }),
  },
  { label: 'exists', send: (c) => ({ path: `/Customers/${c.cy}/exists` }) },
  { label: 'exists of an unknown id', send: () => ({ path: `/Customers/${missingId}/exists` }) },
  { label: 'findOne', send: () => ({ path: '/Customers/findOne?filter[where][name]=Bob' }) },
  {
    label: 'findOne without a match',
    status: 404,
    send: () => ({ path: '/Customers/findOne?filter[where][name]=Zed' }),
  },
  {
    label: 'upsertWithWhere updates the match',
    send: () => ({
      method: 'POST',
      path: `/Customers/upsertWithWhere?where=${json({ email: 'bob@example.com' })}`,
      body: { name: 'Bob', age: 26, email: 'bob@example.com' },
    }),
  },
  {
    label: 'upsertWithWhere creates',
    // The server makes this upsert's ObjectId, the app's driver made Dee's: ids from two makers
    // order by their second only, and lists without an order come back in id order. A later
    // second puts Eve after Dee on both apps, however fast the steps run.
    before: () => nextSecond(),
    send: () => ({
      method: 'POST',
      path: `/Customers/upsertWithWhere?where=${json({ email: 'eve@example.com' })}`,
      body: { name: 'Eve', age: 52, email: 'eve@example.com' },
    }),
    keep: (body, ctx) => {
      ctx.eve = body.id;
    },
  },
  {
    label: 'update?where= answers {count}',
    send: () => ({
      method: 'POST',
      path: `/Customers/update?where=${json({ age: { lt: 31 } })}`,
      body: { vip: true },
    }),
  },
  { label: 'after update?where=', send: () => ({ path: '/Customers?filter[where][vip]=true' }) },
  {
    label: 'patch an instance',
    send: (c) => ({ method: 'PATCH', path: `/Customers/${c.eve}`, body: { age: 53 } }),
  },
  {
    label: 'replace an instance',
    send: (c) => ({ method: 'PUT', path: `/Customers/${c.eve}`, body: { name: 'Eve R', age: 54 } }),
  },
  {
    label: 'hasMany create',
    send: (c) => ({
      method: 'POST',
      path: `/Customers/${c.ada}/orders`,
      body: [
        { description: 'desk', total: 250 },
        { description: 'lamp', total: 40 },
      ],
    }),
    keep: (body, ctx) => {
      [ctx.desk, ctx.lamp] = ids(body);
    },
  },
  {
    label: 'hasMany create (second customer)',
    send: (c) => ({
      method: 'POST',
      path: `/Customers/${c.bob}/orders`,
      body: { description: 'chair', total: 90 },
    }),
  },
  {
    label: 'hasMany get',
    send: (c) => ({ path: `/Customers/${c.ada}/orders?filter[order]=total` }),
  },
  { label: 'hasMany count', send: (c) => ({ path: `/Customers/${c.ada}/orders/count` }) },
  {
    label: 'hasMany of an unknown parent',
    status: 404,
    send: () => ({ path: `/Customers/${missingId}/orders` }),
  },
  {
    label: 'where on a foreign key hex',
    send: (c) => ({ path: `/Orders?filter[where][customerId]=${c.ada}` }),
  },
  { label: 'belongsTo get', send: (c) => ({ path: `/Orders/${c.lamp}/customer` }) },
  {
    label: 'include hasMany with a scope',
    send: () => ({
      path: `/Customers?filter=${json({ where: { name: { inq: ['Ada', 'Bob', 'Cy'] } }, include: { relation: 'orders', scope: { where: { total: { gt: 50 } } } } })}`,
    }),
  },
  {
    label: 'include belongsTo',
    send: () => ({ path: '/Orders?filter[include]=customer&filter[order]=total' }),
  },
  {
    label: 'embedsMany create',
    send: (c) => ({
      method: 'POST',
      path: `/Customers/${c.ada}/addresses`,
      body: { street: '1 Main St', city: 'Berlin' },
    }),
    keep: (body, ctx) => {
      ctx.address = body.id;
    },
  },
  {
    label: 'embedsMany create (second)',
    send: (c) => ({
      method: 'POST',
      path: `/Customers/${c.ada}/addresses`,
      body: { street: '2 Side St', city: 'Potsdam' },
    }),
  },
  { label: 'embedsMany get', send: (c) => ({ path: `/Customers/${c.ada}/addresses` }) },
  {
    label: 'embedsMany findById',
    send: (c) => ({ path: `/Customers/${c.ada}/addresses/${c.address}` }),
  },
  {
    label: 'embedded list in the parent',
    send: (c) => ({ path: `/Customers/${c.ada}?filter[fields][addressList]=true` }),
  },
  {
    label: 'referencesMany link',
    send: (c) => ({ method: 'PUT', path: `/Customers/${c.ada}/products/rel/${c.berlin}` }),
  },
  {
    label: 'referencesMany link (second)',
    send: (c) => ({ method: 'PUT', path: `/Customers/${c.ada}/products/rel/${c.hamburg}` }),
  },
  { label: 'referencesMany get', send: (c) => ({ path: `/Customers/${c.ada}/products` }) },
  {
    label: 'include referencesMany',
    send: (c) => ({ path: `/Customers/${c.ada}?filter[include]=products` }),
  },
  {
    label: 'include referencesMany under fields',
    send: (c) => ({
      path: `/Customers/${c.ada}?filter=${json({ include: 'products', fields: { name: true, productIds: true } })}`,
    }),
  },
  {
    label: 'hasAndBelongsToMany create',
    send: (c) => ({ method: 'POST', path: `/Customers/${c.ada}/tags`, body: { name: 'gold' } }),
    keep: (body, ctx) => {
      ctx.gold = body.id;
    },
  },
  {
    label: 'hasAndBelongsToMany link',
    send: (c) => ({ method: 'PUT', path: `/Customers/${c.bob}/tags/rel/${c.gold}` }),
  },
  { label: 'hasAndBelongsToMany get', send: (c) => ({ path: `/Customers/${c.bob}/tags` }) },
  {
    label: 'hasAndBelongsToMany exists',
    send: (c) => ({ method: 'HEAD', path: `/Customers/${c.bob}/tags/rel/${c.gold}` }),
  },
  {
    label: 'include hasAndBelongsToMany',
    send: () => ({ path: '/Customers?filter[include]=tags&filter[order]=name' }),
  },
  {
    label: 'include hasAndBelongsToMany under fields',
    send: () => ({
      path: `/Customers?filter=${json({ include: 'tags', fields: { name: true, id: true }, order: 'name' })}`,
    }),
  },
  {
    label: 'near',
    send: () => ({
      path: `/Products?filter=${json({ where: { location: { near: alexanderplatz } } })}`,
    }),
  },
  {
    label: 'near with maxDistance (meters)',
    send: () => ({
      path: `/Products?filter=${json({ where: { location: { near: alexanderplatz, maxDistance: 30000 } } })}`,
    }),
  },
  {
    label: 'near with maxDistance and unit',
    send: () => ({
      path: `/Products?filter=${json({ where: { location: { near: alexanderplatz, maxDistance: 300, unit: 'kilometers' } } })}`,
    }),
  },
  {
    label: "near as a bracket 'lng,lat' string, with limit",
    send: () => ({
      path: '/Products?filter[where][location][near]=13.4132,52.5219&filter[limit]=3&filter[fields][name]=true',
    }),
  },
  {
    label: 'near as bracket values with maxDistance and unit',
    send: () => ({
      path:
        '/Products?filter[where][location][near]=13.4132,52.5219&filter[where][location][maxDistance]=300' +
        '&filter[where][location][unit]=kilometers&filter[fields][name]=true',
    }),
  },
  {
    label: 'near with another condition',
    send: () => ({
      path: `/Products?filter=${json({ where: { location: { near: alexanderplatz }, price: { gt: 4 } } })}`,
    }),
  },
  {
    label: 'near after another condition',
    send: () => ({
      path: `/Products?filter=${json({ where: { price: { gt: 4 }, location: { near: alexanderplatz } }, fields: { name: true } })}`,
    }),
  },
  {
    label: 'count with near',
    send: () => ({
      path: `/Products/count?where=${json({ location: { near: alexanderplatz, maxDistance: 30000 } })}`,
    }),
  },
  { label: 'like', send: () => ({ path: '/Customers?filter[where][name][like]=A%25' }) },
  {
    label: '{prop: null}',
    send: () => ({
      path: `/Customers?filter=${json({ where: { email: null }, fields: { name: true } })}`,
    }),
  },
  {
    label: 'sign up',
    send: () => ({
      method: 'POST',
      path: '/Users',
      body: { email: 'root@example.com', password: 's3cret!' },
    }),
    keep: (body, ctx) => {
      ctx.user = body.id;
    },
  },
  {
    label: 'log in',
    send: () => ({
      method: 'POST',
      path: '/Users/login',
      body: { email: 'root@example.com', password: 's3cret!' },
    }),
    keep: (body, ctx) => {
      ctx.token = body.id;
    },
    view: (body) => ({ userId: body.userId, ttl: body.ttl, tokenLength: body.id?.length }),
  },
  { label: 'a user without a token', status: 401, send: (c) => ({ path: `/Users/${c.user}` }) },
  { label: 'a user with its token', send: (c) => ({ path: `/Users/${c.user}`, token: c.token }) },
  {
    label: 'an ACL-denied delete without the role',
    status: 401,
    send: (c) => ({ method: 'DELETE', path: `/Customers/${c.cy}`, token: c.token }),
  },
  {
    label: 'the same delete with the admin role',
    before: async (app, ctx) => {
      const role = await app.models.Role.create({ name: 'admin' });
      await app.models.RoleMapping.create({
        principalType: 'USER',
        principalId: ctx.user,
        roleId: role.id,
      });
    },
    send: (c) => ({ method: 'DELETE', path: `/Customers/${c.cy}`, token: c.token }),
  },
  { label: 'gone after delete', send: (c) => ({ path: `/Customers/${c.cy}/exists` }) },
  {
    label: 'log out',
    status: 204,
    send: (c) => ({ method: 'POST', path: '/Users/logout', token: c.token }),
  },
  {
    label: 'the token after log out',
    status: 401,
    send: (c) => ({ path: `/Users/${c.user}`, token: c.token }),
  },
  { label: 'delete an order', send: (c) => ({ method: 'DELETE', path: `/Orders/${c.desk}` }) },
  { label: 'the orders left', send: () => ({ path: '/Orders?filter[fields][description]=true' }) },
];

const names = (answer: Answer) => answer.body.map((item: { name: string }) => item.name);
const failure = (answer: Answer) => ({ status: answer.status, name: answer.body?.error?.name });

/**
 * The requests that answer differently on purpose: what each connector answers, seen through
 * `view`, and why (README's "Coming from loopback-connector-mongodb" table has a row for each).
 * Every other request must answer the same on both.
 */
const DIFFERENCES: Record<
  string,
  { readme: string; view: (answer: Answer) => unknown; ours: unknown; official: unknown }
> = {
  'duplicate sku': {
    readme: 'Errors: a duplicate key is a 409 DuplicateKeyError naming the index',
    view: failure,
    ours: { status: 409, name: 'DuplicateKeyError' },
    official: { status: 500, name: 'MongoServerError' },
  },
  'count with near': {
    readme: '`count` with `near` counts what `find` returns; the server refuses $nearSphere there',
    view: (answer) => (answer.status < 400 ? answer.body : failure(answer)),
    ours: { count: 2 },
    official: { status: 500, name: 'MongoServerError' },
  },
  'near with another condition': {
    readme: '`near` beside other conditions: the official sorts by id when a key follows `near`',
    view: names,
    ours: ['Sanssouci', 'Elbphilharmonie', 'Marienplatz'],
    official: ['Marienplatz', 'Elbphilharmonie', 'Sanssouci'],
  },
  like: {
    readme: '`like`: `%` is any run; the official reads a plain regular expression',
    view: names,
    ours: ['Ada'],
    official: [],
  },
  '{prop: null}': {
    readme: '`{prop: null}` matches null or missing; the official matches a stored null only',
    view: names,
    ours: ['Dee', 'Eve R'],
    official: ['Dee'],
  },
  'include referencesMany under fields': {
    readme: "`include` under `fields`: the official applies the parent's projection to the include",
    view: (answer) => answer.body.products.map((product: object) => Object.keys(product).sort()),
    ours: [
      ['id', 'location', 'name', 'price', 'sku'],
      ['id', 'location', 'name', 'price', 'sku'],
    ],
    official: [
      ['id', 'name'],
      ['id', 'name'],
    ],
  },
  'include hasAndBelongsToMany under fields': {
    readme: "`include` under `fields`: the official applies the parent's projection to the include",
    // there the through model's rows come back without their keys, so no tag is found
    view: (answer) =>
      answer.body.map((c: { name: string; tags: Array<{ name: string }> }) => [
        c.name,
        c.tags.map((tag) => tag.name),
      ]),
    ours: [
      ['Ada', ['gold']],
      ['Bob', ['gold']],
      ['Cy', []],
      ['Dee', []],
      ['Eve R', []],
    ],
    official: [
      ['Ada', []],
      ['Bob', []],
      ['Cy', []],
      ['Dee', []],
      ['Eve R', []],
    ],
  },
};

/**
 * The answer with each id replaced by the order in which this app's answers first showed it
 * (`<id 3>`), so that two apps' answers compare though the ids differ; error messages are each
 * connector's own wording, so only the status and error name are compared.
 */
function comparable(answers: Map<string, Answer>): Map<string, unknown> {
  const seen = new Map<string, string>();
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string' && /^[0-9a-f]{24}$/.test(value)) {
      if (!seen.has(value)) seen.set(value, `<id ${seen.size + 1}>`);
      return seen.get(value);
    }
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    }
    return value;
  };
  const result = new Map<string, unknown>();
  for (const [label, answer] of answers) {
    const body =
      answer.status >= 400
        ? { name: answer.body?.error?.name }
        : walk(STEPS.find((step) => step.label === label)?.view?.(answer.body) ?? answer.body);
    result.set(label, { status: answer.status, body });
  }
  return result;
}

interface Running {
  app: App;
  server: Server;
  base: string;
}

async function start(dataSource?: Record<string, unknown>, name = 'ours'): Promise<Running> {
  const mongoUrl = testDatabaseUrl(`lb3_app_${name}`);
  const app = await createApp({
    mongoUrl,
    dataSources: dataSource && {
      ...datasources,
      db: { ...datasources.db, url: mongoUrl, ...dataSource },
    },
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { app, server, base: `http://127.0.0.1:${port}/api` };
}

async function stop(running: Running | undefined): Promise<void> {
  if (!running) return;
  await new Promise((resolve) => running.server.close(resolve));
  await running.app.dataSources.db.disconnect();
}

async function send(base: string, request: Request): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (request.token) headers.authorization = request.token;
  const res = await fetch(base + request.path, {
    method: request.method ?? 'GET',
    headers,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Each step's answer, and what LoopBack logged as errors or warnings meanwhile. */
async function runSteps({ app, base }: Running): Promise<[Map<string, Answer>, string[]]> {
  const ctx: Context = {};
  const answers = new Map<string, Answer>();
  const logged: string[] = [];
  // juggler's warnings (strong-globalize) go to console.error: recorded, so each app's are known
  const spy = jest.spyOn(console, 'error').mockImplementation((...args) => {
    logged.push(args.map(String).join(' ').trim());
  });
  try {
    for (const step of STEPS) {
      await step.before?.(app, ctx);
      const answer = await send(base, step.send(ctx));
      if (answer.status < 400) step.keep?.(answer.body, ctx);
      answers.set(step.label, answer);
    }
  } finally {
    spy.mockRestore();
  }
  return [answers, logged];
}

const root = path.join(__dirname, '..', '..');
const JUGGLER_3 = path.join(root, 'node_modules/loopback/node_modules/loopback-datasource-juggler');
/** The copies at the top of node_modules: juggler 6 and 7, which the connector would resolve. */
const TOP_LEVEL_JUGGLERS = ['loopback-datasource-juggler', 'loopback-datasource-juggler-7'].map(
  (name) => path.join(root, 'node_modules', name) + path.sep,
);
const jugglerFiles = () =>
  Object.keys(require.cache).filter((file) => /loopback-datasource-juggler/.test(file));

let oursApp: Running | undefined;
let officialApp: Running | undefined;
/** The juggler modules loaded once the app on our connector had booted: before the official's. */
let jugglerAfterOurs: string[] = [];

beforeAll(async () => {
  // datasources.json as it is: "connector": "mongo"
  oursApp = await start();
  jugglerAfterOurs = jugglerFiles();
  officialApp = await start({ connector: 'mongodb' }, 'official');
});

afterAll(async () => {
  await stop(oursApp);
  await stop(officialApp);
});

describe('a LoopBack 3 app', () => {
  it('resolves "connector": "mongo" in datasources.json to this package', () => {
    expect(datasources.db.connector).toBe('mongo');
    expect(oursApp!.app.dataSources.db.connector).toBeInstanceOf(ours.MongoDB);
    expect(officialApp!.app.dataSources.db.connector).not.toBeInstanceOf(ours.MongoDB);
  });

  it.each([
    ['the full package name', 'loopback-connector-mongo'],
    ['the module itself (a JavaScript datasources config)', ours],
  ])('takes "connector" given as %s', async (_form, connector) => {
    const running = await start({ connector }, 'forms');
    try {
      expect(running.app.dataSources.db.connector).toBeInstanceOf(ours.MongoDB);
      expect(await send(running.base, { path: '/Products/count' })).toEqual({
        status: 200,
        body: { count: 0 },
      });
    } finally {
      await stop(running);
    }
  });

  it("runs on the app's own juggler 3, and the connector loads none", () => {
    const { DataSource, version } = loopbackJuggler();
    expect(version).toMatch(/^3\./);
    expect(oursApp!.app.dataSources.db).toBeInstanceOf(DataSource);
    expect(jugglerAfterOurs).toContain(path.join(JUGGLER_3, 'lib', 'datasource.js'));
    // loopback's dependencies bring their own jugglers (loopback-connector-remote's); none was
    // loaded from the top of node_modules, where the connector itself would find one
    expect(
      jugglerAfterOurs.filter((file) => TOP_LEVEL_JUGGLERS.some((dir) => file.startsWith(dir))),
    ).toEqual([]);
  });

  it('answers every request as loopback-connector-mongodb does, but for the differences README names', async () => {
    const [mine, oursLogged] = await runSteps(oursApp!);
    const [theirs, officialLogged] = await runSteps(officialApp!);
    // so that two apps failing alike cannot pass: each request answers as it should on ours
    expect(STEPS.map(({ label }) => [label, mine.get(label)!.status])).toEqual(
      STEPS.map(({ label, status }) => [label, status ?? 200]),
    );
    expect(oursLogged).toEqual([]);
    // juggler 3 compares the ObjectId the official hands back from replaceById with the request's
    // string id, and warns that the id changed
    expect(officialLogged).toEqual([
      expect.stringMatching(
        /^WARNING: id property cannot be changed .* 'before save' operation hook$/,
      ),
      expect.stringMatching(/^WARNING: id property cannot be changed .* 'loaded' operation hook$/),
    ]);
    const a = comparable(mine);
    const b = comparable(theirs);
    const differing = STEPS.map((step) => step.label).filter(
      (label) => !(label in DIFFERENCES) && !isDeepStrictEqual(a.get(label), b.get(label)),
    );
    expect(
      differing.map((label) => ({ label, ours: a.get(label), official: b.get(label) })),
    ).toEqual([]);
    for (const [label, expected] of Object.entries(DIFFERENCES)) {
      const { readme, view } = expected;
      expect({ label, readme, ours: view(mine.get(label)!) }).toEqual({
        label,
        readme,
        ours: expected.ours,
      });
      expect({ label, readme, official: view(theirs.get(label)!) }).toEqual({
        label,
        readme,
        official: expected.official,
      });
    }
  });
});

/** The juggler that loopback 3 brought along, nested under it. */
function loopbackJuggler(): { DataSource: new () => unknown; version: string } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the app's own nested copy
  const juggler = require(JUGGLER_3) as { DataSource: new () => unknown };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- its version
  const { version } = require(path.join(JUGGLER_3, 'package.json')) as { version: string };
  return { DataSource: juggler.DataSource, version };
}
