/**
 * MongoDB's query operators written the juggler way (`elemMatch`, `all`, `size`...), `$`-operators
 * whose operands need the stored form, `$text` search, and which allowExtendedOperators setting
 * wins: the same LoopBack 3-style app code on ours and on loopback-connector-mongodb 7.0.5, on the
 * same server. Where ours deliberately differs, the test is ours alone and README's "Coming from
 * loopback-connector-mongodb" table says why.
 */
import type { DataSource } from 'loopback-datasource-juggler';
import { OperatorNotAllowedError, UnknownOperatorError } from '../../src';
import * as ours from '../../src';
import { CONNECTORS, connectedDataSource } from '../support/connectors';
import type { TestModel } from '../support/datasource';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- juggler's define is untyped here
const define = (ds: DataSource, ...args: unknown[]): TestModel => (ds as any).define(...args);

const ALLOW = { allowExtendedOperators: true };
const HEX_1 = '5f1d7a3b9c8e4d2a1b0c3d4e';
const HEX_2 = '6a2b3c4d5e6f708192a3b4c5';

const point = (lng: number, lat: number) => ({ type: 'Point', coordinates: [lng, lat] });
const names = (found: Array<{ name: string }>) => found.map((item) => item.name).sort();

describe.each(CONNECTORS)('on %s', (_label, connector) => {
  let ds: DataSource;
  let Doc: TestModel;
  let Ref: TestModel;
  let Article: TestModel;

  beforeAll(async () => {
    ds = await connectedDataSource(connector, 'ops_both');
    // LoopBack 3-style: object, array and loosely typed properties
    Doc = define(ds, 'OpDoc', {
      name: String,
      people: [Object],
      tags: Array,
      words: [String],
      n: Number,
      v: 'any',
      loc: Object,
      flags: Number,
    });
    const { ObjectID } = connector as unknown as { ObjectID: unknown };
    Ref = define(ds, 'OpRef', { name: String, xid: { type: ObjectID }, xidArr: [ObjectID] });
    Article = define(
      ds,
      'OpArticle',
      { name: String, title: String, body: String },
      {
        indexes: {
          article_text: {
            keys: { title: 'text', body: 'text' },
            options: { weights: { title: 10, body: 1 }, default_language: 'english' },
          },
        },
      },
    );
    await ds.automigrate();
    await Doc.create([
      {
        name: 'a',
        people: [
          { pid: 'p1', role: 'admin' },
          { pid: 'p2', role: 'user' },
        ],
        tags: ['a', 'b', 'c'],
        words: ['x', 'y'],
        n: 8,
        v: 'text',
        loc: point(2.35, 48.85),
        flags: 5,
      },
      {
        name: 'b',
        people: [
          { pid: 'p1', role: 'user' },
          { pid: 'p2', role: 'admin' },
        ],
        tags: ['a', 'b'],
        words: ['x'],
        n: 6,
        v: 42,
        loc: point(-0.12, 51.5),
        flags: 2,
      },
      {
        name: 'c',
        people: [],
        tags: ['c'],
        words: [],
        n: 12,
        v: { k: 1 },
        loc: point(13.4, 52.5),
        flags: 7,
      },
    ]);
    await Ref.create([
      { name: 'r1', xid: HEX_1, xidArr: [HEX_1, HEX_2] },
      { name: 'r2', xid: HEX_2, xidArr: [HEX_2] },
    ]);
    await Article.create([
      { name: 'title', title: 'The quick brown fox', body: 'jumps over the dog' },
      { name: 'body', title: 'A cat', body: 'The fox and the other fox sleep; no Fox here' },
      { name: 'none', title: 'Nothing', body: 'to see' },
    ]);
  });
  afterAll(() => ds.disconnect());

  const found = async (Model: TestModel, where: unknown, options?: unknown) =>
    names(await Model.find({ where }, options));

  describe('juggler-style names of MongoDB operators (item 2)', () => {
    it('elemMatch finds the document with one item matching every condition', async () => {
      expect(await found(Doc, { people: { elemMatch: { pid: 'p1', role: 'admin' } } })).toEqual([
        'a',
      ]);
    });

    it('all, size, mod and type', async () => {
      expect(await found(Doc, { tags: { all: ['a', 'b'] } })).toEqual(['a', 'b']);
      expect(await found(Doc, { tags: { size: 2 } })).toEqual(['b']);
      expect(await found(Doc, { n: { mod: [4, 0] } })).toEqual(['a', 'c']);
      expect(await found(Doc, { v: { type: 'string' } })).toEqual(['a']);
    });

    it('geoWithin, without a geo index', async () => {
      // 0.01 radians around Paris: about 64 km
      const nearParis = { $centerSphere: [[2.35, 48.85], 0.01] };
      expect(await found(Doc, { loc: { geoWithin: nearParis } })).toEqual(['a']);
    });

    it('the bitwise operators', async () => {
      expect(await found(Doc, { flags: { bitsAllSet: [0, 2] } })).toEqual(['a', 'c']);
      expect(await found(Doc, { flags: { bitsAnySet: 2 } })).toEqual(['b', 'c']);
    });

    it('on a typed array property, with allowExtendedOperators so juggler does not stringify them', async () => {
      // without it juggler turns {all: [...]} given for [String] into "[object Object]" first
      expect(await found(Doc, { words: { all: ['x', 'y'] } }, ALLOW)).toEqual(['a']);
      expect(await found(Doc, { words: { size: 0 } }, ALLOW)).toEqual(['c']);
    });
  });

  describe('$-operator operands in the stored form (item 5)', () => {
    it('converts 24-hex operands of ObjectId-typed properties', async () => {
      expect(await found(Ref, { xidArr: { $all: [HEX_1, HEX_2] } }, ALLOW)).toEqual(['r1']);
      expect(await found(Ref, { xidArr: { $in: [HEX_1] } }, ALLOW)).toEqual(['r1']);
      expect(await found(Ref, { xid: { $eq: HEX_1 } }, ALLOW)).toEqual(['r1']);
      expect(await found(Ref, { xid: { $in: [HEX_1, HEX_2] } }, ALLOW)).toEqual(['r1', 'r2']);
    });

    it('and the juggler-style names too', async () => {
      // without allowExtendedOperators juggler itself runs {all: [...]} through the property's
      // type first, and driver 7's ObjectId class refuses an object
      expect(await found(Ref, { xidArr: { all: [HEX_1, HEX_2] } }, ALLOW)).toEqual(['r1']);
      expect(await found(Ref, { xidArr: { size: 1 } }, ALLOW)).toEqual(['r2']);
    });
  });

  describe('$text search (item 3)', () => {
    it('finds with $text by default, juggler-style or $-keys inside', async () => {
      expect(await found(Article, { $text: { search: 'fox' } })).toEqual(['body', 'title']);
      expect(await found(Article, { $text: { $search: 'fox' } })).toEqual(['body', 'title']);
      expect(await found(Article, { $text: { search: 'dog', language: 'english' } })).toEqual([
        'title',
      ]);
      expect(await Article.count({ $text: { search: 'sleep' } })).toBe(1);
    });

    it('combines with other conditions', async () => {
      expect(await found(Article, { $text: { search: 'fox' }, name: 'body' })).toEqual(['body']);
    });
  });

  describe('allowExtendedOperators precedence (item 11)', () => {
    let Locked: DataSource;
    let Counter: TestModel;

    beforeAll(async () => {
      Locked = await connectedDataSource(connector, 'ops_locked', {
        allowExtendedOperators: false,
      });
      Counter = define(
        Locked,
        'OpCounter',
        { name: String, n: Number },
        { mongodb: { allowExtendedOperators: true } },
      );
      await Locked.automigrate();
    });
    afterAll(() => Locked.disconnect());

    it("a datasource's explicit false is not reopened by the model's mongodb setting", async () => {
      const c = await Counter.create({ name: 'c', n: 1 });
      await Counter.updateAll({ name: 'c' }, { $inc: { n: 1 } }).catch(() => undefined);
      expect((await Counter.findById(c.id)).n).toBe(1);
    });

    it("a call's own option still decides for that call", async () => {
      const c = await Counter.create({ name: 'd', n: 1 });
      await Counter.updateAll({ name: 'd' }, { $inc: { n: 1 } }, ALLOW);
      expect((await Counter.findById(c.id)).n).toBe(2);
    });
  });

  if (connector !== ours) {
    // ---- what ours refuses, as the official answers it (README: switching table) -----------
    it('reads only the first key of an operator object and drops the rest', async () => {
      expect(await found(Doc, { v: { type: 'string', foo: 2 } })).toEqual(['a']);
      expect(await found(Article, { $text: { search: 'Fox', caseSensitive: true } })).toEqual([
        'body',
        'title',
      ]);
    });

    it('hands a name that is no operator to the server, which refuses it', async () => {
      await expect(Doc.find({ where: { n: { foo: 1 } } })).rejects.toThrow(/unknown operator/);
    });
    return;
  }

  // ---- where ours deliberately differs (README: switching table) ---------------------------

  describe('unknown operators: a 400 naming them, never a guess', () => {
    it('refuses an operator name that is no operator, on typed and loose properties', async () => {
      for (const where of [
        { n: { foo: 1 } },
        // loopback-connector-mongodb reads only the first key of each: {$type: 'string'}...
        { v: { type: 'string', foo: 2 } },
        { tags: { size: 2, sizes: 2 } },
        { 'v.k': { gt: 0, foo: 2 } },
      ]) {
        await expect(Doc.find({ where })).rejects.toMatchObject({
          name: 'UnknownOperatorError',
          statusCode: 400,
          model: 'OpDoc',
        });
      }
      await expect(Doc.find({ where: { n: { $foo: 1 } } }, ALLOW)).rejects.toBeInstanceOf(
        UnknownOperatorError,
      );
      await expect(Doc.find({ where: { v: { type: 'string', foo: 2 } } })).rejects.toThrow(
        'OpDoc.v: unknown operator foo; to match a document holding "foo" exactly, use {eq: {...}}',
      );
    });

    it('matches a document exactly when none of its keys is an operator name', async () => {
      expect(await found(Doc, { v: { k: 1 } })).toEqual(['c']);
      expect(await found(Doc, { v: { eq: { k: 1 } } })).toEqual(['c']);
    });

    it('refuses JavaScript-executing operators even inside elemMatch', async () => {
      await expect(
        Doc.find({ where: { people: { elemMatch: { $where: 'true' } } } }, ALLOW),
      ).rejects.toBeInstanceOf(OperatorNotAllowedError);
    });

    it('refuses $-operators inside juggler-style ones unless allowed', async () => {
      await expect(
        Doc.find({ where: { people: { elemMatch: { pid: { $ne: 'p1' } } } } }),
      ).rejects.toBeInstanceOf(OperatorNotAllowedError);
    });

    it('elemMatch with conditions on scalar items', async () => {
      expect(await found(Doc, { tags: { elemMatch: { gte: 'b', lt: 'c' } } })).toEqual(['a', 'b']);
    });
  });

  describe('$text search, ours only', () => {
    it('honours caseSensitive and diacriticSensitive (the official reads only the first key)', async () => {
      expect(await found(Article, { $text: { search: 'Fox', caseSensitive: true } })).toEqual([
        'body',
      ]);
      expect(
        await found(Article, {
          $text: { search: 'fox', caseSensitive: false, diacriticSensitive: true },
        }),
      ).toEqual(['body', 'title']);
    });

    it('takes the juggler spelling text when the model has no such property', async () => {
      expect(await found(Article, { text: { search: 'dog' } })).toEqual(['title']);
    });

    it('orders by relevance with $textScore, weights from the index definition', async () => {
      const ranked = await Article.find({
        where: { $text: { search: 'fox' } },
        order: '$textScore DESC',
      });
      // title weighs 10: one fox in the title beats three in the body
      expect(ranked.map((a: { name: string }) => a.name)).toEqual(['title', 'body']);
      await expect(Article.find({ order: '$textScore' })).rejects.toThrow(
        'OpArticle: order $textScore needs a text search in the where',
      );
    });

    it('refuses a text search with keys it does not know', async () => {
      await expect(Article.find({ where: { $text: { search: 'fox', foo: 1 } } })).rejects.toThrow(
        'OpArticle: text search takes search, language, caseSensitive, diacriticSensitive; got "foo"',
      );
    });
  });

  describe('allowExtendedOperators precedence, ours only', () => {
    it("a model's top-level setting does not reopen where operators either", async () => {
      const Locked = await connectedDataSource(connector, 'ops_locked_top', {
        allowExtendedOperators: false,
      });
      try {
        const Top = define(Locked, 'OpTop', { n: Number }, { allowExtendedOperators: true });
        await Locked.automigrate();
        await Top.create({ n: 3 });
        // juggler's own check lets it through (its model setting wins); ours refuses it
        await expect(Top.find({ where: { n: { $gt: 1 } } })).rejects.toBeInstanceOf(
          OperatorNotAllowedError,
        );
        expect(await Top.count({ n: { $gt: 1 } }, ALLOW)).toBe(1);
      } finally {
        await Locked.disconnect();
      }
    });
  });
});
