/**
 * Hostile input against a real server. Every refusal is checked against the database as well: a
 * test fails if anything was matched, written or deleted that should not have been, or if a
 * prototype was polluted along the way.
 */
import type { DataSource } from 'loopback-datasource-juggler';
import { ObjectId, type Document } from 'mongodb';
import {
  DocumentTooLargeError,
  InvalidQueryError,
  InvalidValueError,
  OperatorNotAllowedError,
  type Callback,
  type MongoDB,
} from '../../src';
import {
  createDataSource,
  defineModel,
  mongoConnector,
  type TestModel,
} from '../support/datasource';

const DB = 'security';

/** One of each kind of property an attacker can aim at. */
const PERSON = {
  name: String,
  email: String,
  // untyped: may legitimately hold documents, so juggler does not coerce what is inside
  meta: Object,
  items: [Object],
  tags: [String],
  n: Number,
  when: Date,
  price: { type: Number, mongodb: { dataType: 'Decimal128' } },
  amount: { type: String, mongodb: { dataType: 'Decimal128' } },
  ownerId: { type: String, mongodb: { dataType: 'ObjectId' } },
};

/** Without forceId: false juggler turns updateOrCreate into find + updateAttributes. */
const MODEL_SETTINGS = { forceId: false };

const SEED = [
  { name: 'ann', email: 'ann@example.com', n: 1, meta: { level: 1 }, tags: ['a'] },
  { name: 'bob', email: null, n: 2, meta: { level: 2 }, tags: ['b'] },
  { name: 'cy(', email: 'cy@example.com', n: 3, meta: null, tags: [] },
];

/** A node-style connector call as a promise (the connector API under juggler's DAO). */
function viaCallback<T>(call: (cb: Callback) => void): Promise<T> {
  return new Promise((resolve, reject) =>
    call((err: unknown, result: T) => (err ? reject(err) : resolve(result))),
  );
}

/** Every document of a collection, in id order: what "nothing changed" is compared against. */
function snapshot(ds: DataSource, collection: string): Promise<Document[]> {
  return mongoConnector(ds)
    .collection(collection)
    .find({}, { sort: { _id: 1 } })
    .toArray();
}

/** Runs an attempt that must be refused; fails if it succeeds or if the collection changed. */
async function refused(
  ds: DataSource,
  collection: string,
  attempt: () => Promise<unknown>,
): Promise<unknown> {
  const before = await snapshot(ds, collection);
  // juggler throws some refusals synchronously; to the app that is a refusal all the same
  const outcome = await Promise.resolve()
    .then(attempt)
    .then(
      (result) => ({ refused: false as const, result }),
      (error: unknown) => ({ refused: true as const, error }),
    );
  if (!outcome.refused) {
    throw new Error(
      `not refused; answered ${String(JSON.stringify(outcome.result)).slice(0, 300)}`,
    );
  }
  expect(await snapshot(ds, collection)).toEqual(before);
  return outcome.error;
}

function expectOperatorNotAllowed(error: unknown, model: string, property?: string): void {
  expect(error).toBeInstanceOf(OperatorNotAllowedError);
  const refusal = error as OperatorNotAllowedError;
  expect(refusal.model).toBe(model);
  expect(refusal.property).toBe(property);
  expect(refusal.statusCode).toBe(400);
  expect(refusal.message).toMatch(new RegExp(`^${model}${property ? `\\.${property}` : ''}: `));
}

/**
 * Juggler's where coercion refuses `$`-keys on typed properties before the connector is called;
 * either refusal is fine, ours must name model and property.
 */
function expectOperatorRefused(error: unknown, model: string, property?: string): void {
  if (error instanceof OperatorNotAllowedError) {
    expectOperatorNotAllowed(error, model, property);
  } else {
    expect(error).toMatchObject({ code: 'OPERATOR_NOT_ALLOWED_IN_QUERY', statusCode: 400 });
  }
}

describe('security: hostile input on a real server', () => {
  let ds: DataSource;
  let connector: MongoDB;
  let Person: TestModel;

  const people = () => snapshot(ds, 'Person');

  beforeAll(() => {
    ds = createDataSource(DB);
    connector = mongoConnector(ds);
    Person = defineModel(ds, 'Person', PERSON, MODEL_SETTINGS);
  });

  beforeEach(async () => {
    await connector.collection('Person').deleteMany({});
    await Person.create(SEED);
  });

  afterAll(() => ds.disconnect());

  // ---- query operator injection --------------------------------------------------------------

  describe('operators in where are refused unless allowed', () => {
    const WHERE_CASES: [string, Record<string, unknown>, string | undefined][] = [
      ['$where at the top', { $where: 'true' }, undefined],
      ['$where with a function body', { $where: 'function () { return true; }' }, undefined],
      ['$expr', { $expr: { $eq: [1, 1] } }, undefined],
      [
        '$function inside $expr',
        { $expr: { $function: { body: 'function () { return true; }', args: [], lang: 'js' } } },
        undefined,
      ],
      [
        '$accumulator inside $expr',
        { $expr: { $accumulator: { init: 'function () {}' } } },
        undefined,
      ],
      ['mapReduce', { mapReduce: 'function () { emit(1, 1); }' }, undefined],
      ['$or with an empty clause', { $or: [{}] }, undefined],
      ['$where inside or', { or: [{ name: 'nobody' }, { $where: 'true' }] }, undefined],
      ['$expr inside and', { and: [{ n: { gt: 0 } }, { $expr: { $eq: [1, 1] } }] }, undefined],
      ['$where inside nor', { nor: [{ $where: 'false' }] }, undefined],
      ['$ne on a typed String property', { email: { $ne: null } }, 'email'],
      ['$regex on a typed String property', { name: { $regex: '.*' } }, 'name'],
      ['$ne on an Object property', { meta: { $ne: null } }, 'meta'],
      ['$gt nested in an Object property value', { meta: { level: { $gt: 0 } } }, 'meta'],
      ['$exists inside or, on an Object property', { or: [{ meta: { $exists: true } }] }, 'meta'],
      ['$ne on an unknown property', { secret: { $ne: null } }, 'secret'],
      ['$gt on a dotted path', { 'meta.level': { $gt: 0 } }, 'meta.level'],
      ['$where inside an array value', { items: [{ $where: 'true' }] }, 'items'],
    ];

    it.each(WHERE_CASES)('%s: find, count, destroyAll and updateAll', async (_, where, prop) => {
      const attempts = [
        () => Person.find({ where }),
        () => Person.count(where),
        () => Person.destroyAll(where),
        () => Person.updateAll(where, { name: 'pwned' }),
      ];
      for (const attempt of attempts) {
        expectOperatorRefused(await refused(ds, 'Person', attempt), 'Person', prop);
      }
      // the connector refuses the same where when called without juggler in front of it
      const direct = await refused(ds, 'Person', () =>
        viaCallback((cb) => connector.all('Person', { where }, {}, cb)),
      );
      expectOperatorNotAllowed(direct, 'Person', prop);
    });

    it('refuses the JavaScript-executing ones even with allowExtendedOperators', async () => {
      const allowing = { allowExtendedOperators: true };
      const cases: [Record<string, unknown>, string | undefined][] = [
        [{ $where: 'true' }, undefined],
        [{ or: [{ $where: 'true' }] }, undefined],
        [{ $expr: { $function: { body: 'function () { return true; }', args: [] } } }, undefined],
        [{ $expr: { $accumulator: { init: 'function () {}' } } }, undefined],
        [{ mapReduce: 'function () {}' }, undefined],
        [{ meta: { level: { $where: 'true' } } }, 'meta'],
      ];
      for (const [where, prop] of cases) {
        expectOperatorNotAllowed(
          await refused(ds, 'Person', () => Person.destroyAll(where, allowing)),
          'Person',
          prop,
        );
        expectOperatorNotAllowed(
          await refused(ds, 'Person', () => Person.find({ where }, allowing)),
          'Person',
          prop,
        );
      }
    });

    it('with allowExtendedOperators, lets the others through and they match exactly', async () => {
      const allowing = { allowExtendedOperators: true };
      const names = (found: TestModel[]) => found.map((p: TestModel) => p.name).sort();
      expect(names(await Person.find({ where: { n: { $gt: 1 } } }, allowing))).toEqual([
        'bob',
        'cy(',
      ]);
      expect(names(await Person.find({ where: { email: { $ne: null } } }, allowing))).toEqual([
        'ann',
        'cy(',
      ]);
      expect(names(await Person.find({ where: { $expr: { $gte: ['$n', 3] } } }, allowing))).toEqual(
        ['cy('],
      );
      expect(await Person.count({ 'meta.level': { $gte: 2 } }, allowing)).toBe(1);
      expect(await Person.destroyAll({ n: { $lte: 1 } }, allowing)).toEqual({ count: 1 });
      expect((await people()).map((p) => p.name)).toEqual(['bob', 'cy(']);
    });

    it('a datasource that allows them can still be overruled by the call', async () => {
      const open = createDataSource(DB, { allowExtendedOperators: true });
      try {
        const Open = defineModel(open, 'OpenPerson', PERSON, {
          ...MODEL_SETTINGS,
          mongodb: { collection: 'Person' },
        });
        expect(await Open.count({ n: { $gte: 2 } })).toBe(2);
        const error = await refused(ds, 'Person', () =>
          Open.destroyAll({ n: { $gte: 2 } }, { allowExtendedOperators: false }),
        );
        expectOperatorRefused(error, 'OpenPerson', 'n');
        expect(await people()).toHaveLength(3);
      } finally {
        await open.disconnect();
      }
    });

    it('disableSanitization passes even $where to the server, which runs it', async () => {
      const trusting = createDataSource(DB, { disableSanitization: true });
      try {
        const Trusted = defineModel(trusting, 'TrustedPerson', PERSON, {
          ...MODEL_SETTINGS,
          mongodb: { collection: 'Person' },
        });
        const found = await Trusted.find({ where: { $where: 'this.n >= 2' } });
        expect(found.map((p: TestModel) => p.name).sort()).toEqual(['bob', 'cy(']);
        expect(await Trusted.count({ $expr: { $eq: ['$name', 'ann'] } })).toBe(1);
      } finally {
        await trusting.disconnect();
      }
    });
  });

  describe('operators in data are refused unless allowed', () => {
    const DATA_CASES: [string, Record<string, unknown>, string | undefined][] = [
      ['$set at the top', { $set: { name: 'pwned' } }, undefined],
      ['$rename at the top', { $rename: { name: 'email' } }, undefined],
      ['$where at the top', { $where: 'true' }, undefined],
      ['mapReduce at the top', { mapReduce: 'function () {}' }, undefined],
      ['$where in an Object property', { meta: { $where: 'true' } }, 'meta'],
      ['an operator deep inside an Object property', { meta: { a: { b: { $gt: 1 } } } }, 'meta'],
      ['an operator in an array of objects', { items: [{ ok: 1 }, { $inc: { n: 1 } }] }, 'items'],
      ['$ne on an unknown property', { extra: { $ne: null } }, 'extra'],
    ];

    it.each(DATA_CASES)('%s: every write path', async (_, data, prop) => {
      const [ann] = await people();
      const id = ann._id.toHexString();
      const attempts = [
        () => Person.create({ name: 'new', ...data }),
        () => Person.updateAll({ name: 'ann' }, data),
        async () => (await Person.findById(id)).updateAttributes(data),
        () => Person.replaceById(id, { name: 'ann', ...data }),
        () => Person.updateOrCreate({ id, ...data }),
        () => Person.replaceOrCreate({ id, name: 'ann', ...data }),
        () => Person.upsertWithWhere({ name: 'ann' }, data),
        () => Person.findOrCreate({ where: { name: 'nobody' } }, { name: 'nobody', ...data }),
      ];
      for (const attempt of attempts) {
        expectOperatorRefused(await refused(ds, 'Person', attempt), 'Person', prop);
      }
    });

    it('an operator object given for a typed property is coerced by juggler into a plain value', async () => {
      // not an operator by the time it reaches the server: a string, and matched as one
      const created = await Person.create({ name: 'eve', email: { $ne: null } });
      const stored = await connector.collection('Person').findOne({ name: 'eve' });
      expect(stored?.email).toBe('[object Object]');
      expect(created.email).toBe('[object Object]');
      expect(await Person.count({ email: '[object Object]' })).toBe(1);
    });
  });

  // ---- extended update operators ---------------------------------------------------------------

  describe('allowExtendedOperators: update operators', () => {
    const START = { name: 'a', n: 5, m: 10, bits: 6, tags: ['x', 'y', 'x'], old: 'o' };
    const { old, ...WITHOUT_OLD } = START;
    const COUNTER = {
      name: String,
      n: Number,
      m: Number,
      bits: Number,
      tags: [String],
      old: String,
      renamed: String,
      when: Date,
    };
    /** operator data, and the expected document (without _id) after applying it to START */
    const OPERATORS: [string, Document, Document][] = [
      ['$inc', { $inc: { n: 2 } }, { ...START, n: 7 }],
      ['$push', { $push: { tags: 'z' } }, { ...START, tags: ['x', 'y', 'x', 'z'] }],
      [
        '$addToSet',
        { $addToSet: { tags: { $each: ['y', 'w'] } } },
        { ...START, tags: ['x', 'y', 'x', 'w'] },
      ],
      ['$pull', { $pull: { tags: 'x' } }, { ...START, tags: ['y'] }],
      ['$unset', { $unset: { old: '' } }, WITHOUT_OLD],
      ['$min', { $min: { m: 3 } }, { ...START, m: 3 }],
      ['$max', { $max: { m: 30 } }, { ...START, m: 30 }],
      ['$mul', { $mul: { n: 3 } }, { ...START, n: 15 }],
      ['$rename', { $rename: { old: 'renamed' } }, { ...WITHOUT_OLD, renamed: old }],
      ['$currentDate', { $currentDate: { when: true } }, { ...START, when: expect.any(Date) }],
      // on an existing document $setOnInsert does nothing; the upserts below insert with it
      ['$setOnInsert', { $setOnInsert: { name: 'inserted' } }, START],
      ['$pop', { $pop: { tags: 1 } }, { ...START, tags: ['x', 'y'] }],
      ['$pullAll', { $pullAll: { tags: ['x', 'y'] } }, { ...START, tags: [] }],
      ['$bit', { $bit: { bits: { and: 3 } } }, { ...START, bits: 2 }],
    ];

    type Update = (M: TestModel, id: string, data: Document, options: object) => Promise<unknown>;
    const METHODS: [string, Update][] = [
      ['updateAll', (M, id, data, options) => M.updateAll({ id }, data, options)],
      [
        'updateAttributes',
        async (M, id, data, options) => (await M.findById(id)).updateAttributes(data, options),
      ],
      ['updateOrCreate', (M, id, data, options) => M.updateOrCreate({ id, ...data }, options)],
      ['upsertWithWhere', (M, id, data, options) => M.upsertWithWhere({ id }, data, options)],
    ];

    let open: DataSource;
    const models: Record<string, TestModel> = {};

    beforeAll(() => {
      open = createDataSource(DB, { allowExtendedOperators: true });
      models.datasource = defineModel(open, 'CounterDs', COUNTER, MODEL_SETTINGS);
      models.model = defineModel(ds, 'CounterModel', COUNTER, {
        ...MODEL_SETTINGS,
        allowExtendedOperators: true,
      });
      models.call = defineModel(ds, 'CounterCall', COUNTER, MODEL_SETTINGS);
      models.closed = defineModel(ds, 'CounterClosed', COUNTER, MODEL_SETTINGS);
    });

    afterAll(() => open.disconnect());

    async function fresh(M: TestModel): Promise<string> {
      await M.destroyAll();
      return (await M.create(START)).id;
    }

    async function stored(M: TestModel): Promise<Document[]> {
      const docs = await mongoConnector(M.getDataSource()).collection(M.modelName).find().toArray();
      return docs.map(({ _id, ...rest }) => rest);
    }

    describe.each(['datasource', 'model', 'call'])('enabled by the %s', (level) => {
      const options = () => (level === 'call' ? { allowExtendedOperators: true } : {});

      it.each(OPERATORS)('%s works in every update path', async (_, data, expected) => {
        const M = models[level];
        for (const [method, update] of METHODS) {
          const id = await fresh(M);
          await update(M, id, data, options());
          const docs = await stored(M);
          expect({ method, docs }).toEqual({ method, docs: [expected] });
          if (data.$currentDate) {
            const when = docs[0].when as Date;
            expect(Math.abs(when.getTime() - Date.now())).toBeLessThan(60_000);
          }
        }
      });

      it('$setOnInsert and $inc make the inserted document of an upsert', async () => {
        const M = models[level];
        await M.destroyAll();
        const id = new ObjectId().toHexString();
        await M.updateOrCreate(
          { id, $setOnInsert: { name: 'inserted' }, $inc: { n: 1 } },
          options(),
        );
        await M.upsertWithWhere(
          { name: 'other' },
          { $setOnInsert: { old: 'fresh' }, $push: { tags: 't' } },
          options(),
        );
        const docs = await mongoConnector(M.getDataSource())
          .collection(M.modelName)
          .find({}, { sort: { _id: 1 } })
          .toArray();
        expect(docs).toHaveLength(2);
        expect(docs.find((d) => d._id.equals(id))).toEqual({
          _id: new ObjectId(id),
          name: 'inserted',
          n: 1,
        });
        expect(docs.find((d) => !d._id.equals(id))).toMatchObject({
          name: 'other',
          old: 'fresh',
          tags: ['t'],
        });
      });

      it('mixes operators with plain properties', async () => {
        const M = models[level];
        const id = await fresh(M);
        await M.updateAll({ id }, { name: 'b', $inc: { n: 1 }, $push: { tags: 'q' } }, options());
        expect(await stored(M)).toEqual([
          { ...START, name: 'b', n: 6, tags: ['x', 'y', 'x', 'q'] },
        ]);
      });
    });

    it.each(OPERATORS)('%s is refused in every update path when not enabled', async (op, data) => {
      const M = models.closed;
      for (const [, update] of METHODS) {
        const id = await fresh(M);
        const before = await stored(M);
        const error = await update(M, id, data, {}).then(
          () => undefined,
          (e: unknown) => e,
        );
        expectOperatorNotAllowed(error, 'CounterClosed', undefined);
        expect((error as Error).message).toContain(`operator ${op} is not allowed`);
        expect(await stored(M)).toEqual(before);
      }
    });

    it('a call can switch them off where the datasource allows them', async () => {
      const M = models.datasource;
      const id = await fresh(M);
      for (const [, update] of METHODS) {
        const error = await update(
          M,
          id,
          { $inc: { n: 1 } },
          { allowExtendedOperators: false },
        ).then(
          () => undefined,
          (e: unknown) => e,
        );
        expectOperatorNotAllowed(error, 'CounterDs', undefined);
      }
      expect(await stored(M)).toEqual([START]);
    });

    it('strict models: juggler applies them in updateAll/updateAttributes only', async () => {
      // juggler builds a model instance from upsert data, and a strict model has no `$inc`
      // property: updateOrCreate drops it before we are called, upsertWithWhere fails validation
      const M = defineModel(open, 'CounterStrict', COUNTER, { ...MODEL_SETTINGS, strict: true });
      const id = await fresh(M);
      await M.updateAll({ id }, { $inc: { n: 1 } });
      await (await M.findById(id)).updateAttributes({ $inc: { n: 10 } });
      expect(await stored(M)).toEqual([{ ...START, n: 16 }]);
      await M.updateOrCreate({ id, $inc: { n: 100 } });
      expect(await stored(M)).toEqual([{ ...START, n: 16 }]);
      await expect(M.upsertWithWhere({ id }, { $inc: { n: 1000 } })).rejects.toMatchObject({
        name: 'ValidationError',
        statusCode: 422,
      });
      expect(await stored(M)).toEqual([{ ...START, n: 16 }]);
    });
  });

  // ---- prototype pollution ---------------------------------------------------------------------

  describe('__proto__, constructor and prototype keys', () => {
    const PAYLOADS = [
      '{"__proto__": {"polluted": "yes"}}',
      '{"constructor": {"prototype": {"polluted": "yes"}}}',
      '{"prototype": {"polluted": "yes"}}',
    ];

    function expectNoPollution(): void {
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
      expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
      expect((Person.prototype as Record<string, unknown>).polluted).toBeUndefined();
      expect((Person as Record<string, unknown>).polluted).toBeUndefined();
    }

    afterEach(() => {
      // a failed test must not leave the next one polluted
      for (const target of [Object.prototype, Array.prototype, Function.prototype]) {
        delete (target as Record<string, unknown>).polluted;
      }
    });

    it.each(PAYLOADS)('%s in where, at any depth, is refused', async (payload) => {
      const where = () => JSON.parse(payload);
      const placements = [
        () => where(),
        () => ({ meta: where() }),
        () => ({ or: [{ name: 'ann' }, where()] }),
        () => ({ name: 'ann', ...where() }),
      ];
      for (const place of placements) {
        for (const attempt of [
          () => Person.find({ where: place() }),
          () => Person.count(place()),
          () => Person.destroyAll(place()),
          () => Person.updateAll(place(), { name: 'pwned' }),
        ]) {
          await refused(ds, 'Person', attempt);
          expectNoPollution();
        }
      }
    });

    it.each(PAYLOADS)('%s in data, at any depth, is refused and never stored', async (payload) => {
      const [ann] = await people();
      const id = ann._id.toHexString();
      const placements = [
        () => ({ name: 'p', ...JSON.parse(payload) }),
        () => ({ name: 'p', meta: JSON.parse(payload) }),
        () => ({ name: 'p', items: [{ ok: 1 }, JSON.parse(payload)] }),
      ];
      for (const place of placements) {
        for (const attempt of [
          () => Person.create(place()),
          () => Person.updateAll({ name: 'ann' }, place()),
          async () => (await Person.findById(id)).updateAttributes(place()),
          () => Person.updateOrCreate({ ...place(), id }),
          () => Person.replaceById(id, place()),
          () => Person.upsertWithWhere({ name: 'ann' }, place()),
        ]) {
          await refused(ds, 'Person', attempt);
          expectNoPollution();
        }
      }
      const suspicious = await connector.collection('Person').countDocuments({
        $or: ['__proto__', 'constructor', 'prototype'].flatMap((key) => [
          { [key]: { $exists: true } },
          { [`meta.${key}`]: { $exists: true } },
          { [`items.${key}`]: { $exists: true } },
        ]),
      });
      expect(suspicious).toBe(0);
    });

    it('stays refused with disableSanitization, and the connector refuses it on its own', async () => {
      const trusting = createDataSource(DB, { disableSanitization: true });
      try {
        defineModel(trusting, 'TrustedPerson', PERSON, {
          ...MODEL_SETTINGS,
          mongodb: { collection: 'Person' },
        });
        const trusted = mongoConnector(trusting);
        for (const payload of PAYLOADS) {
          const error = await refused(ds, 'Person', () =>
            viaCallback((cb) =>
              trusted.create('TrustedPerson', { name: 'p', meta: JSON.parse(payload) }, {}, cb),
            ),
          );
          expect(error).toBeInstanceOf(InvalidQueryError);
          expect(error).toMatchObject({ model: 'TrustedPerson', property: 'meta' });
          const whereError = await refused(ds, 'Person', () =>
            viaCallback((cb) => trusted.destroyAll('TrustedPerson', JSON.parse(payload), {}, cb)),
          );
          expect(whereError).toBeInstanceOf(InvalidQueryError);
          expect(whereError).toMatchObject({ model: 'TrustedPerson', statusCode: 400 });
          expectNoPollution();
        }
      } finally {
        await trusting.disconnect();
      }
    });
  });

  // ---- invalid values --------------------------------------------------------------------------

  describe('invalid values: a clear error naming model and property, and no write', () => {
    function expectInvalidValue(error: unknown, property: string, text: RegExp): void {
      expect(error).toBeInstanceOf(InvalidValueError);
      expect(error).toMatchObject({ model: 'Person', property, statusCode: 400 });
      expect((error as Error).message).toMatch(text);
    }

    it('an invalid ObjectId string, wherever it is given', async () => {
      const text = /^Person\.ownerId: "not-an-id" is not a valid ObjectId$/;
      const attempts = [
        () => Person.create({ name: 'x', ownerId: 'not-an-id' }),
        () => Person.updateAll({}, { ownerId: 'not-an-id' }),
        () => Person.updateAll({ ownerId: 'not-an-id' }, { name: 'pwned' }),
        () => Person.destroyAll({ ownerId: 'not-an-id' }),
        () => Person.destroyAll({ ownerId: { inq: [new ObjectId().toHexString(), 'not-an-id'] } }),
        () => Person.find({ where: { ownerId: { neq: 'not-an-id' } } }),
      ];
      for (const attempt of attempts) {
        expectInvalidValue(await refused(ds, 'Person', attempt), 'ownerId', text);
      }
      // a default-id model's id may be any string (existing databases hold ids such as
      // 'user-17'), so these find nothing and write nothing instead of being refused
      const before = await snapshot(ds, 'Person');
      expect(await Person.findById('not-an-id')).toBeNull();
      expect(await Person.destroyById('not-an-id')).toEqual({ count: 0 });
      await expect(Person.replaceById('not-an-id', { name: 'pwned' })).rejects.toMatchObject({
        statusCode: 404,
      });
      expect(await snapshot(ds, 'Person')).toEqual(before);
    });

    it('a Date property given "not a date"', async () => {
      // juggler validates the instance for create and names model and property itself
      const invalid = await refused(ds, 'Person', () =>
        Person.create({ name: 'x', when: 'not a date' }),
      );
      expect(invalid).toMatchObject({ name: 'ValidationError', statusCode: 422 });
      expect((invalid as Error).message).toMatch(/`Person`.*`when` is not a valid date/);
      // juggler's Date coercion throws for updateAll and where before we are called
      await refused(ds, 'Person', () => Person.updateAll({}, { when: 'not a date' }));
      await refused(ds, 'Person', () => Person.destroyAll({ when: 'not a date' }));
      // without juggler in front, the connector refuses it naming model and property
      for (const attempt of [
        () =>
          viaCallback((cb) => connector.updateAll('Person', {}, { when: 'not a date' }, {}, cb)),
        () => viaCallback((cb) => connector.destroyAll('Person', { when: 'not a date' }, {}, cb)),
        () => viaCallback((cb) => connector.create('Person', { when: 'not a date' }, {}, cb)),
      ]) {
        expectInvalidValue(
          await refused(ds, 'Person', attempt),
          'when',
          /^Person\.when: "not a date" is not a valid Date$/,
        );
      }
    });

    it('a Decimal128 property given "abc"', async () => {
      // a String property stored as Decimal128 sees "abc" itself
      for (const attempt of [
        () => Person.create({ name: 'x', amount: 'abc' }),
        () => Person.updateAll({}, { amount: 'abc' }),
        () => Person.destroyAll({ amount: 'abc' }),
      ]) {
        expectInvalidValue(
          await refused(ds, 'Person', attempt),
          'amount',
          /^Person\.amount: "abc" is not a valid Decimal128$/,
        );
      }
      // juggler's create turns "abc" for a Number property into NaN, which no decimal takes either
      for (const attempt of [
        () => Person.create({ name: 'x', price: 'abc' }),
        () => Person.updateAll({}, { price: 'abc' }),
        () => Person.destroyAll({ price: 'abc' }),
      ]) {
        expectInvalidValue(
          await refused(ds, 'Person', attempt),
          'price',
          /^Person\.price: (NaN|"abc") is not a valid Decimal128$/,
        );
      }
    });

    it('a where that is not an object', async () => {
      for (const where of ['abc', ['name', 'ann'], 42]) {
        for (const attempt of [
          () => Person.find({ where }),
          () => Person.count(where),
          () => Person.destroyAll(where),
          () => Person.updateAll(where, { name: 'pwned' }),
        ]) {
          // juggler refuses these itself (400, or an assertion thrown at the call)
          // (node's assert errors come from another realm than jest's Error: check the shape)
          expect(await refused(ds, 'Person', attempt)).toHaveProperty('message');
        }
        for (const attempt of [
          () => viaCallback((cb) => connector.all('Person', { where }, {}, cb)),
          () => viaCallback((cb) => connector.destroyAll('Person', where, {}, cb)),
          () => viaCallback((cb) => connector.updateAll('Person', where, { name: 'x' }, {}, cb)),
        ]) {
          const error = await refused(ds, 'Person', attempt);
          expect(error).toBeInstanceOf(InvalidQueryError);
          expect(error).toMatchObject({ model: 'Person', statusCode: 400 });
          expect((error as Error).message).toMatch(/^Person: where must be an object/);
        }
      }
    });

    it('a regexp that does not compile', async () => {
      // juggler escapes a pattern that does not compile, so it matches the text literally
      const found = await Person.find({ where: { name: { regexp: '(' } } });
      expect(found.map((p: TestModel) => p.name)).toEqual(['cy(']);
      expect(await Person.destroyAll({ name: { like: 'b(' } })).toEqual({ count: 0 });
      expect(await people()).toHaveLength(3);
      // the connector, called directly, refuses it naming model and property
      for (const conditions of [{ regexp: '(' }, { like: '[' }, { regexp: '/a(/i' }]) {
        const error = await refused(ds, 'Person', () =>
          viaCallback((cb) => connector.destroyAll('Person', { name: conditions }, {}, cb)),
        );
        expect(error).toBeInstanceOf(InvalidQueryError);
        expect(error).toMatchObject({ model: 'Person', property: 'name', statusCode: 400 });
        expect((error as Error).message).toMatch(
          /^Person\.name: .* is not a valid regular expression/,
        );
      }
    });

    it('an order with an unknown direction', async () => {
      const error = await refused(ds, 'Person', () => Person.find({ order: 'name SIDEWAYS' }));
      expect(error).toMatchObject({ statusCode: 400 });
      expect((error as Error).message).toMatch(/name SIDEWAYS/);
      const direct = await refused(ds, 'Person', () =>
        viaCallback((cb) => connector.all('Person', { order: 'name SIDEWAYS' }, {}, cb)),
      );
      expect(direct).toBeInstanceOf(InvalidQueryError);
      expect(direct).toMatchObject({ model: 'Person', property: 'name', statusCode: 400 });
      expect((direct as Error).message).toMatch(/unknown direction/);
    });
  });

  // ---- the 16 MB limit -------------------------------------------------------------------------

  describe('a document over the 16 MB limit', () => {
    const MB = 1024 * 1024;
    // just over the limit: the server refuses it; well over it: the driver's serializer does
    const JUST_OVER = 'j'.repeat(16 * MB + 1024);
    const WELL_OVER = 'w'.repeat(18 * MB);
    let Blob: TestModel;

    beforeAll(() => {
      Blob = defineModel(ds, 'Blob', { name: String, body: String, meta: Object }, MODEL_SETTINGS);
    });

    beforeEach(async () => {
      await connector.collection('Blob').deleteMany({});
    });

    function expectTooLarge(error: unknown): void {
      expect(error).toBeInstanceOf(DocumentTooLargeError);
      expect(error).toMatchObject({ model: 'Blob', statusCode: 413, code: 'DOCUMENT_TOO_LARGE' });
      expect((error as Error).message).toBe(
        "Blob: the data is larger than MongoDB's 16 MB document limit",
      );
    }

    it('is refused with a clear error on every write path, and nothing is written', async () => {
      const client = connector.client;
      const kept = await Blob.create({ name: 'kept', body: 'small' });
      for (const body of [JUST_OVER, WELL_OVER]) {
        const attempts = [
          () => Blob.create({ name: 'big', body }),
          async () => (await Blob.findById(kept.id)).updateAttributes({ body }),
          () => Blob.replaceById(kept.id, { name: 'kept', body }),
          () => Blob.updateOrCreate({ id: kept.id, body }),
          () => Blob.updateOrCreate({ id: new ObjectId().toHexString(), body }),
          // nested, so that juggler's coercion passes it on (see below for a top-level string)
          () => Blob.upsertWithWhere({ name: 'kept' }, { meta: { body } }),
          () => Blob.updateAll({ name: 'kept' }, { meta: { body } }),
          () => viaCallback((cb) => connector.createAll('Blob', [{ name: 'big', body }], {}, cb)),
        ];
        for (const attempt of attempts) expectTooLarge(await refused(ds, 'Blob', attempt));
      }
      // juggler's coercion of updateAll/upsertWithWhere data enumerates the characters of a huge
      // top-level string and fails first, with a RangeError of its own
      await refused(ds, 'Blob', () => Blob.updateAll({ name: 'kept' }, { body: WELL_OVER }));
      await refused(ds, 'Blob', () => Blob.upsertWithWhere({ name: 'kept' }, { body: WELL_OVER }));

      // the connection is the same one and still works
      expect(connector.client).toBe(client);
      const after = await Blob.create({ name: 'after', body: 'x'.repeat(MB) });
      expect((await Blob.findById(after.id)).body).toHaveLength(MB);
      expect((await snapshot(ds, 'Blob')).map((doc) => doc.name)).toEqual(['kept', 'after']);
      expect((await Blob.findById(kept.id)).body).toBe('small');
    });
  });
});
