import type { PropertyDefinition } from 'loopback-connector';
import {
  buildIndexSpecs,
  defaultIndexName,
  IndexDefinitionError,
  indexMatches,
  mergeIndexSpecs,
  planIndexUpdate,
  storedFilterFields,
  type IndexSpec,
} from '../../src/migrate/indexes';
import { modelInfo } from './fixtures';
import type { MongoDBSettings } from '../../src/settings';

const ID: PropertyDefinition = { type: String, id: true, generated: true };

/** The specs for a model `Place`, as tuples easy to compare: [name, keys, options]. */
function specs(
  properties: Record<string, PropertyDefinition>,
  settings: Record<string, unknown> = {},
  dataSourceSettings: MongoDBSettings = {},
): Array<[string, Record<string, unknown>, Record<string, unknown>]> {
  return build(properties, settings, dataSourceSettings).map((spec) => [
    spec.name,
    Object.fromEntries(spec.key),
    spec.options as Record<string, unknown>,
  ]);
}

function build(
  properties: Record<string, PropertyDefinition>,
  settings: Record<string, unknown> = {},
  dataSourceSettings: MongoDBSettings = {},
): IndexSpec[] {
  const props = { id: ID, ...properties };
  const info = modelInfo('Place', props, settings, dataSourceSettings);
  return buildIndexSpecs(info, { model: { modelName: 'Place' }, properties: props, settings });
}

function spec(key: IndexSpec['key'], options: IndexSpec['options'] = {}, name?: string): IndexSpec {
  return {
    name: name ?? defaultIndexName(key),
    key,
    options,
    model: 'Place',
    definedBy: 'Place test',
  };
}

describe('buildIndexSpecs', () => {
  describe('property indexes', () => {
    it('makes none for a model without index settings', () => {
      expect(specs({ name: { type: String } })).toEqual([]);
    });

    it('reads index: true, index: {unique: true} and unique: true', () => {
      expect(
        specs({
          a: { type: String, index: true },
          b: { type: String, index: { unique: true } },
          c: { type: String, unique: true },
          d: { type: String, index: false },
        }),
      ).toEqual([
        ['a_1', { a: 1 }, {}],
        ['b_1', { b: 1 }, { unique: true }],
        ['c_1', { c: 1 }, { unique: true }],
      ]);
    });

    it("takes kind: 'unique', a name, and options beside them or in a mongodb object", () => {
      expect(
        specs({
          a: { type: String, index: { kind: 'UNIQUE', name: 'a_unique' } },
          b: {
            type: Date,
            index: { expireAfterSeconds: 60, mongodb: { sparse: true } },
          },
        }),
      ).toEqual([
        ['a_unique', { a: 1 }, { unique: true }],
        ['b_1', { b: 1 }, { expireAfterSeconds: 60, sparse: true }],
      ]);
    });

    it('ignores what SQL connectors put in index objects', () => {
      expect(specs({ a: { type: String, index: { type: 'btree', unique: true } } })).toEqual([
        ['a_1', { a: 1 }, { unique: true }],
      ]);
    });

    it('refuses an unknown option in a mongodb object, naming model and property', () => {
      expect(() => specs({ a: { type: String, index: { mongodb: { uniq: true } } } })).toThrow(
        new IndexDefinitionError(
          'Place property "a"',
          '"uniq" is not a MongoDB index option; use one of name, unique, sparse, ' +
            'partialFilterExpression, expireAfterSeconds, collation, hidden, weights, ' +
            'default_language, language_override, textIndexVersion, 2dsphereIndexVersion, bits, ' +
            'min, max, wildcardProjection, storageEngine, background',
          'Place',
          'a',
        ),
      );
    });

    it('indexes the stored field name', () => {
      expect(
        specs({ email: { type: String, index: { unique: true }, mongodb: { fieldName: 'mail' } } }),
      ).toEqual([['mail_1', { mail: 1 }, { unique: true }]]);
    });

    it('leaves the id alone: MongoDB indexes _id itself', () => {
      expect(specs({ id: { type: String, id: true, index: true, unique: true } })).toEqual([]);
    });
  });

  describe('GeoPoint properties', () => {
    const geo: MongoDBSettings = { enableGeoIndexing: true };

    it('get a 2dsphere index when geo indexing is on', () => {
      expect(specs({ location: { type: 'GeoPoint' } }, {}, geo)).toEqual([
        ['location_2dsphere', { location: '2dsphere' }, {}],
      ]);
      expect(specs({ stops: { type: ['GeoPoint'] } }, {}, geo)).toEqual([
        ['stops_2dsphere', { stops: '2dsphere' }, {}],
      ]);
    });

    it('keep the options of their index object, and index: false opts out', () => {
      expect(
        specs(
          {
            location: { type: 'GeoPoint', index: { sparse: true }, mongodb: { fieldName: 'loc' } },
            other: { type: 'GeoPoint', index: false },
          },
          {},
          geo,
        ),
      ).toEqual([['loc_2dsphere', { loc: '2dsphere' }, { sparse: true }]]);
    });

    it('get no index, or a plain one, when geo indexing is off', () => {
      expect(specs({ location: { type: 'GeoPoint' } })).toEqual([]);
      expect(specs({ location: { type: 'GeoPoint', index: true } })).toEqual([
        ['location_1', { location: 1 }, {}],
      ]);
      expect(
        specs({ location: { type: 'GeoPoint' } }, { mongodb: { enableGeoIndexing: true } }),
      ).toEqual([['location_2dsphere', { location: '2dsphere' }, {}]]);
    });
  });

  describe('model indexes', () => {
    const props: Record<string, PropertyDefinition> = {
      name: { type: String },
      age: { type: Number, mongodb: { fieldName: 'years' } },
      address: { type: Object, mongodb: { fieldName: 'addr' } },
    };

    it('reads {keys, options}', () => {
      expect(
        specs(props, {
          indexes: { name_age: { keys: { name: 1, age: -1 }, options: { unique: true } } },
        }),
      ).toEqual([['name_age', { name: 1, years: -1 }, { unique: true }]]);
    });

    it('reads the keys directly, with an optional options entry', () => {
      expect(
        specs(props, {
          indexes: {
            by_age: { age: -1 },
            by_city: { 'address.city': 1, options: { sparse: true } },
          },
        }),
      ).toEqual([
        ['by_age', { years: -1 }, {}],
        ['by_city', { 'addr.city': 1 }, { sparse: true }],
      ]);
    });

    it('reads columns, with kind and directions', () => {
      expect(
        specs(props, {
          indexes: {
            a: { columns: 'name, age DESC', kind: 'unique' },
            b: { columns: ['age', 'name asc'], options: { sparse: true } },
          },
        }),
      ).toEqual([
        ['a', { name: 1, years: -1 }, { unique: true }],
        ['b', { years: 1, name: 1 }, { sparse: true }],
      ]);
    });

    it('keeps the order of compound keys', () => {
      const [index] = build(props, { indexes: { i: { keys: { age: 1, name: -1 } } } });
      expect(index.key).toEqual([
        ['years', 1],
        ['name', -1],
      ]);
    });

    it('takes a name from options over the entry name', () => {
      expect(
        specs(props, { indexes: { i: { keys: { name: 1 }, options: { name: 'n' } } } }),
      ).toEqual([['n', { name: 1 }, {}]]);
    });

    it('passes MongoDB options on, with the fields of a partial filter mapped', () => {
      expect(
        specs(props, {
          indexes: {
            adults: {
              keys: { name: 1 },
              options: {
                unique: true,
                partialFilterExpression: { age: { $gte: 18 }, $or: [{ name: { $exists: true } }] },
                collation: { locale: 'en', strength: 2 },
              },
            },
            ttl: { keys: { age: 1 }, options: { expireAfterSeconds: 3600 } },
            text: { keys: { name: 'text' }, options: { default_language: 'none' } },
          },
        }),
      ).toEqual([
        [
          'adults',
          { name: 1 },
          {
            unique: true,
            partialFilterExpression: { years: { $gte: 18 }, $or: [{ name: { $exists: true } }] },
            collation: { locale: 'en', strength: 2 },
          },
        ],
        ['ttl', { years: 1 }, { expireAfterSeconds: 3600 }],
        ['text', { name: 'text' }, { default_language: 'none' }],
      ]);
    });

    it('makes text indexes with weights named by property and a default language', () => {
      expect(
        specs(props, {
          indexes: {
            search: {
              keys: { name: 'text', age: 'text' },
              options: { weights: { name: 10, age: 2 }, default_language: 'english' },
            },
          },
        }),
      ).toEqual([
        [
          'search',
          { name: 'text', years: 'text' },
          { weights: { name: 10, years: 2 }, default_language: 'english' },
        ],
      ]);
      expect(() =>
        specs(props, { indexes: { t: { keys: { name: 'text' }, weights: 3 } } }),
      ).toThrow('weights must be an object');
    });

    it('combines with property indexes', () => {
      expect(
        specs(
          { name: { type: String, index: true }, age: { type: Number } },
          { indexes: { age_name: { age: 1, name: 1 } } },
        ),
      ).toEqual([
        ['name_1', { name: 1 }, {}],
        ['age_name', { age: 1, name: 1 }, {}],
      ]);
    });

    describe('one name given twice to the same index', () => {
      it("merges LoopBack 3's location_2dsphere with the GeoPoint's own index", () => {
        const merged = build(
          { location: { type: 'GeoPoint' }, sku: { type: String, index: { unique: true } } },
          { indexes: { location_2dsphere: { keys: { location: '2dsphere' } } } },
          { enableGeoIndexing: true },
        );
        expect(merged).toEqual([
          {
            name: 'location_2dsphere',
            key: [['location', '2dsphere']],
            options: {},
            model: 'Place',
            definedBy: 'Place property "location" and Place index "location_2dsphere"',
          },
          {
            name: 'sku_1',
            key: [['sku', 1]],
            options: { unique: true },
            model: 'Place',
            definedBy: 'Place property "sku"',
          },
        ]);
      });

      it("merges a property's index with an explicit one of its default name", () => {
        expect(
          specs(
            { sku: { type: String, unique: true }, name: { type: String, index: true } },
            {
              indexes: {
                // background is ignored by the server, so it tells no index apart
                sku_1: { keys: { sku: 1 }, options: { unique: true, background: true } },
                name_1: { name: 1 },
              },
            },
          ),
        ).toEqual([
          ['sku_1', { sku: 1 }, { unique: true }],
          ['name_1', { name: 1 }, {}],
        ]);
      });
    });

    describe('refuses, naming the model and index', () => {
      const cases: Array<[string, unknown, string]> = [
        [
          'a key with an option for a value',
          { i: { name: 1, unique: true } },
          'Place index "i": key "unique" has true; an index key takes 1, -1, "2dsphere", "2d", ' +
            '"text" or "hashed" (options go in {keys, options})',
        ],
        [
          'empty keys',
          { i: { keys: {} } },
          'Place index "i": keys must be an object such as {name: 1, age: -1}, got {}',
        ],
        [
          'bad columns',
          { i: { columns: 'a,,b' } },
          `Place index "i": columns must list property names such as 'name, age DESC', got "a,,b"`,
        ],
        [
          'an unknown option',
          { i: { keys: { name: 1 }, options: { uniqe: true } } },
          'Place index "i": "uniqe" is not a MongoDB index option',
        ],
        [
          'options that are not an object',
          { i: { keys: { name: 1 }, options: 'unique' } },
          'Place index "i": index options must be an object, got "unique"',
        ],
        [
          'a definition that is not an object',
          { i: 'name' },
          'Place index "i": expected {keys: {...}, options: {...}}',
        ],
        [
          'a partial filter that is not an object',
          { i: { keys: { name: 1 }, options: { partialFilterExpression: 3 } } },
          'Place index "i": partialFilterExpression must be a filter object, got 3',
        ],
      ];
      it.each(cases)('%s', (_label, indexes, message) => {
        expect(() => specs(props, { indexes })).toThrow(IndexDefinitionError);
        expect(() => specs(props, { indexes })).toThrow(message);
      });

      it('a name given twice to other keys or options, naming both and what differs', () => {
        expect(() =>
          specs({ name: { type: String, index: true } }, { indexes: { name_1: { name: -1 } } }),
        ).toThrow(
          new IndexDefinitionError(
            'Place index "name_1"',
            'index name "name_1" is already used by Place property "name" for another index ' +
              '(keys {"name":-1} here, {"name":1} there); give one of them another name',
            'Place',
          ),
        );
        expect(() =>
          specs(
            { sku: { type: String, index: true } },
            { indexes: { sku_1: { keys: { sku: 1 }, options: { unique: true, sparse: false } } } },
          ),
        ).toThrow(
          'Place index "sku_1": index name "sku_1" is already used by Place property "sku" for ' +
            'another index (unique true here, absent there); give one of them another name',
        );
      });

      it('the name of the _id index', () => {
        expect(() => specs(props, { indexes: { _id_: { name: 1 } } })).toThrow(
          `_id_ is the name of MongoDB's own index on _id`,
        );
      });

      it('indexes that are not an object', () => {
        expect(() => specs(props, { indexes: ['name'] })).toThrow(
          'Place: indexes must be an object of named index definitions, got ["name"]',
        );
      });
    });
  });
});

describe('storedFilterFields', () => {
  const info = modelInfo('Place', {
    id: ID,
    age: { type: Number, mongodb: { fieldName: 'years' } },
  });

  it('renames fields at the top and inside $and/$or, not inside conditions', () => {
    expect(
      storedFilterFields(info, {
        age: { $gt: 1 },
        $and: [{ age: { $lt: 9 } }, { other: 'age' }],
        'age.x': 1,
      }),
    ).toEqual({ years: { $gt: 1 }, $and: [{ years: { $lt: 9 } }, { other: 'age' }], 'years.x': 1 });
  });
});

describe('indexMatches', () => {
  it('compares keys in order', () => {
    const wanted = spec([
      ['a', 1],
      ['b', -1],
    ]);
    expect(indexMatches(wanted, { name: 'x', key: { a: 1, b: -1 } })).toBe(true);
    expect(indexMatches(wanted, { name: 'x', key: { b: -1, a: 1 } })).toBe(false);
    expect(indexMatches(wanted, { name: 'x', key: { a: 1, b: 1 } })).toBe(false);
    expect(indexMatches(wanted, { name: 'x', key: { a: 1 } })).toBe(false);
  });

  it('tells unique, sparse, partial and TTL indexes from plain ones, both ways', () => {
    const plain = spec([['a', 1]]);
    const unique = spec([['a', 1]], { unique: true });
    expect(indexMatches(plain, { name: 'a_1', key: { a: 1 }, unique: true })).toBe(false);
    expect(indexMatches(unique, { name: 'a_1', key: { a: 1 } })).toBe(false);
    expect(indexMatches(unique, { name: 'a_1', key: { a: 1 }, unique: true })).toBe(true);
    // the server keeps `sparse: false` as given
    expect(indexMatches(plain, { name: 'a_1', key: { a: 1 }, sparse: false })).toBe(true);
    expect(indexMatches(plain, { name: 'a_1', key: { a: 1 }, expireAfterSeconds: 5 })).toBe(false);
    expect(indexMatches(spec([['a', 1]], { expireAfterSeconds: 5 }), { key: { a: 1 } })).toBe(
      false,
    );
    const partial = spec([['a', 1]], { partialFilterExpression: { b: { $gt: 1 }, c: 2 } });
    expect(
      indexMatches(partial, { key: { a: 1 }, partialFilterExpression: { c: 2, b: { $gt: 1 } } }),
    ).toBe(true);
    expect(
      indexMatches(partial, { key: { a: 1 }, partialFilterExpression: { b: { $gt: 2 }, c: 2 } }),
    ).toBe(false);
    expect(indexMatches(plain, { key: { a: 1 }, partialFilterExpression: { c: 2 } })).toBe(false);
  });

  it('matches a collation by the fields the definition gives', () => {
    const server = {
      locale: 'en',
      caseLevel: false,
      caseFirst: 'off',
      strength: 2,
      numericOrdering: false,
      version: '57.1',
    };
    const ci = spec([['a', 1]], { collation: { locale: 'en', strength: 2 } });
    expect(indexMatches(ci, { key: { a: 1 }, collation: server })).toBe(true);
    expect(indexMatches(ci, { key: { a: 1 }, collation: { ...server, strength: 3 } })).toBe(false);
    expect(indexMatches(ci, { key: { a: 1 } })).toBe(false);
    expect(indexMatches(spec([['a', 1]]), { key: { a: 1 }, collation: server })).toBe(false);
    // the simple collation is no collation
    const simple = spec([['a', 1]], { collation: { locale: 'simple' } });
    expect(indexMatches(simple, { key: { a: 1 } })).toBe(true);
  });

  it('reads text indexes the way the server lists them', () => {
    const text = spec([
      ['kind', 1],
      ['title', 'text'],
      ['body', 'text'],
    ]);
    const listed = {
      key: { kind: 1, _fts: 'text', _ftsx: 1 },
      weights: { title: 1, body: 1 },
      default_language: 'english',
      language_override: 'language',
      textIndexVersion: 3,
    };
    expect(indexMatches(text, listed)).toBe(true);
    expect(indexMatches(text, { ...listed, weights: { title: 1 } })).toBe(false);
    const weighted = spec([['title', 'text']], { weights: { title: 5 } });
    expect(indexMatches(weighted, { key: { _fts: 'text', _ftsx: 1 }, weights: { title: 5 } })).toBe(
      true,
    );
    const german = spec([['title', 'text']], { default_language: 'german' });
    expect(
      indexMatches(german, { ...listed, key: { _fts: 'text', _ftsx: 1 }, weights: { title: 1 } }),
    ).toBe(false);
  });

  it('ignores what the server adds and background, and never matches _id_', () => {
    expect(
      indexMatches(spec([['g', '2dsphere']], { background: true }), {
        v: 2,
        name: 'g_2dsphere',
        key: { g: '2dsphere' },
        '2dsphereIndexVersion': 3,
      }),
    ).toBe(true);
    expect(indexMatches(spec([['_id', 1]]), { name: '_id_', key: { _id: 1 } })).toBe(false);
  });
});

describe('planIndexUpdate', () => {
  const a = spec([['a', 1]]);
  const bUnique = spec([['b', 1]], { unique: true });
  const idIndex = { v: 2, name: '_id_', key: { _id: 1 } };

  it('creates every index on an empty collection', () => {
    expect(planIndexUpdate([a, bUnique], [])).toEqual({ create: [a, bUnique], replace: [] });
    expect(planIndexUpdate([a, bUnique], [idIndex])).toEqual({ create: [a, bUnique], replace: [] });
  });

  it('does nothing when the indexes are there', () => {
    expect(
      planIndexUpdate(
        [a, bUnique],
        [idIndex, { name: 'a_1', key: { a: 1 } }, { name: 'b_1', key: { b: 1 }, unique: true }],
      ),
    ).toEqual({ create: [], replace: [] });
  });

  it('replaces an index of a name it defines when keys or options differ', () => {
    expect(
      planIndexUpdate(
        [a, bUnique],
        [idIndex, { name: 'a_1', key: { a: -1 } }, { name: 'b_1', key: { b: 1 } }],
      ),
    ).toEqual({ create: [], replace: [a, bUnique] });
  });

  it('creates one index of definitions that differ only in name: MongoDB refuses twins', () => {
    const twin = spec([['a', 1]], {}, 'by_a');
    expect(planIndexUpdate([a, twin, bUnique], [])).toEqual({ create: [a, bUnique], replace: [] });
    expect(planIndexUpdate([a, twin], [idIndex, { name: 'a_1', key: { a: 1 } }])).toEqual({
      create: [],
      replace: [],
    });
  });

  it('leaves indexes of other names alone, and counts an exact one as done', () => {
    expect(
      planIndexUpdate(
        [a, bUnique],
        [
          idIndex,
          { name: 'foreign', key: { c: 1 } },
          { name: 'by_a', key: { a: 1 } },
          { name: 'b_plain', key: { b: 1 } },
        ],
      ),
    ).toEqual({ create: [bUnique], replace: [] });
  });
});

describe('mergeIndexSpecs', () => {
  const mine = (model: string, options: IndexSpec['options'] = {}): IndexSpec => ({
    name: 'code_1',
    key: [['code', 1]],
    options,
    model,
    definedBy: `${model} property "code"`,
  });

  it('merges the same index of two models sharing a collection', () => {
    expect(mergeIndexSpecs([mine('Item'), mine('LegacyItem')])).toEqual([
      { ...mine('Item'), definedBy: 'Item property "code" and LegacyItem property "code"' },
    ]);
  });

  it('refuses one name for two indexes across models, naming the later model', () => {
    expect(() => mergeIndexSpecs([mine('Item'), mine('LegacyItem', { sparse: true })])).toThrow(
      new IndexDefinitionError(
        'LegacyItem property "code"',
        'index name "code_1" is already used by Item property "code" for another index ' +
          '(sparse true here, absent there); give one of them another name',
        'LegacyItem',
      ),
    );
  });
});
