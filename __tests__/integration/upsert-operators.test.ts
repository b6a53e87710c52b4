/**
 * Extended update operators carried by a whole instance (`p.$addToSet = {...}`), as LoopBack 3
 * apps write them: the instance also holds the property the operator changes, so the implicit
 * `$set` of its properties must leave that path to the operator. Both connectors run the same
 * calls on one database and the stored documents are compared; `save`, which fails on the
 * official, is ours alone and must store what the official's updateOrCreate stores.
 */
import type { DataSource } from 'loopback-datasource-juggler';
import { ObjectId, type Document } from 'mongodb';
import { CONNECTORS, oneDatabaseForBoth, type ConnectorLabel } from '../support/connectors';
import { defineModel, mongoConnector, type TestModel } from '../support/datasource';

const PRODUCT = {
  name: String,
  price: Number,
  pricehistory: [Object],
  tags: [String],
  stock: Object,
};
const SEED = {
  name: 'lamp',
  price: 10,
  pricehistory: [{ price: 8 }, { price: 9 }],
  tags: ['a', 'b', 'c'],
  stock: { n: 5, where: 'north' },
};

/** An operator and its operand, each touching a property the instance also carries. */
const OPERATORS: ReadonlyArray<[string, Document]> = [
  ['$addToSet', { pricehistory: { price: 10 } }],
  ['$addToSet', { tags: { $each: ['c', 'd'] } }],
  ['$push', { pricehistory: { price: 10 } }],
  ['$pull', { tags: 'b' }],
  ['$pullAll', { tags: ['a', 'c'] }],
  ['$pop', { pricehistory: -1 }],
  ['$inc', { price: 2 }],
  ['$inc', { 'stock.n': -1 }],
  ['$max', { price: 12 }],
];

/** The instance method or model call that hands the whole instance to the connector. */
type Write = (Product: TestModel, p: TestModel) => Promise<unknown>;
const WRITES: ReadonlyArray<[string, Write]> = [
  ['updateOrCreate', (Product, p) => Product.updateOrCreate(p)],
  ['upsert', (Product, p) => Product.upsert(p)],
  ['updateAttributes', (_Product, p) => p.updateAttributes(p.toObject())],
  [
    'upsertWithWhere',
    (Product, p) => {
      // juggler refuses an id in upsertWithWhere's data
      const { id, ...data } = p.toObject();
      return Product.upsertWithWhere({ id }, data);
    },
  ],
];

describe('extended operators in whole-instance writes, on both connectors', () => {
  const products = new Map<string, TestModel>();
  let sources: Map<ConnectorLabel, DataSource>;

  beforeAll(async () => {
    sources = await oneDatabaseForBoth('upsert_operators', { allowExtendedOperators: true });
    for (const [label, ds] of sources) products.set(label, defineModel(ds, 'Product', PRODUCT));
    await sources.get('ours')!.automigrate('Product');
  });
  afterAll(() => Promise.all([...sources.values()].map((ds) => ds.disconnect())));

  async function stored(id: unknown): Promise<Document | null> {
    const filter = { _id: new ObjectId(String(id)) };
    return mongoConnector(sources.get('ours')!)
      .collection('Product')
      .findOne(filter, { projection: { _id: 0 } });
  }

  /** The stored document after `write` on a fresh instance carrying `operator`, per connector. */
  async function afterWrite(
    label: string,
    write: Write,
    operator: string,
    operand: Document,
    change: Document = {},
  ): Promise<Document | null> {
    const Product = products.get(label)!;
    const p = await Product.create(structuredClone(SEED));
    p[operator] = structuredClone(operand);
    Object.assign(p, change);
    await write(Product, p);
    return stored(p.id);
  }

  describe.each(WRITES)('%s', (_name, write) => {
    it.each(OPERATORS)('applies %s %j as the official does', async (operator, operand) => {
      const [mine, theirs] = await Promise.all(
        CONNECTORS.map(([label]) => afterWrite(label, write, operator, operand)),
      );
      expect(mine).toEqual(theirs);
      expect(mine).not.toEqual(SEED);
    });
  });

  it('gives the documents these operators should make', async () => {
    const write = WRITES[0][1];
    const expected: Document[] = [
      { pricehistory: [{ price: 8 }, { price: 9 }, { price: 10 }] },
      { tags: ['a', 'b', 'c', 'd'] },
      { pricehistory: [{ price: 8 }, { price: 9 }, { price: 10 }] },
      { tags: ['a', 'c'] },
      { tags: ['b'] },
      { pricehistory: [{ price: 9 }] },
      { price: 12 },
      { stock: { n: 4, where: 'north' } },
      { price: 12 },
    ];
    for (const [i, [operator, operand]] of OPERATORS.entries()) {
      expect(await afterWrite('ours', write, operator, operand)).toEqual({
        ...SEED,
        ...expected[i],
      });
    }
  });

  it.each(OPERATORS)(
    'save applies %s %j, storing what updateOrCreate stores on the official (ours; the official fails)',
    async (operator, operand) => {
      const save: Write = (_Product, p) => p.save();
      const [saved, official] = await Promise.all([
        afterWrite('ours', save, operator, operand),
        afterWrite('loopback-connector-mongodb', WRITES[0][1], operator, operand),
      ]);
      expect(saved).toEqual(official);
      await expect(
        afterWrite('loopback-connector-mongodb', save, operator, operand),
      ).rejects.toThrow(/dollar \(\$\) prefixed field/);
    },
  );

  it('also sets the properties changed beside the operator (ours; the official drops them)', async () => {
    const operand = { pricehistory: { price: 10 } };
    const change = { name: 'desk lamp' };
    const write = WRITES[0][1];
    const [mine, theirs] = await Promise.all(
      CONNECTORS.map(([label]) => afterWrite(label, write, '$addToSet', operand, change)),
    );
    const pricehistory = [{ price: 8 }, { price: 9 }, { price: 10 }];
    expect(mine).toEqual({ ...SEED, name: 'desk lamp', pricehistory });
    expect(theirs).toEqual({ ...SEED, pricehistory });
    const saved = await afterWrite('ours', (_P, p) => p.save(), '$addToSet', operand, change);
    expect(saved).toEqual(mine);
  });

  it('still refuses the operators without allowExtendedOperators, writing nothing', async () => {
    const Product = products.get('ours')!;
    const p = await Product.create(structuredClone(SEED));
    p.$inc = { price: 1 };
    await expect(p.save({ allowExtendedOperators: false })).rejects.toThrow(/\$inc/);
    await expect(Product.updateOrCreate(p, { allowExtendedOperators: false })).rejects.toThrow(
      /\$inc/,
    );
    expect(await stored(p.id)).toEqual(SEED);
  });
});
