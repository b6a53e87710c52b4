/** The three strictObjectIDCoercion behaviours, the reference rule, loose types and id forms. */
import type { PropertyDefinition } from 'loopback-connector';
import { ObjectId } from 'mongodb';
import { buildModelInfo, keyStoresObjectIds, ObjectIdType } from '../../src/model-info';
import { buildFilter } from '../../src/query/where';
import { toAppId, toStoredDocument, toStoredId } from '../../src/values';
import { HEX, OTHER_HEX, STRICT } from './fixtures';

const PROPERTIES: Record<string, PropertyDefinition> = {
  id: { type: ObjectIdType, id: true, generated: true },
  customerId: { type: String },
  tagIds: { type: [String] },
  user_id: { type: Object },
  buyer: { type: String },
  code: { type: String },
  note: { type: Object },
  count: { type: Number },
  accountId: { type: ObjectIdType },
  ownerId: { type: String, mongodb: { dataType: 'ObjectId' } },
};

function info(strictObjectIDCoercion?: boolean, references: string[] = []) {
  return buildModelInfo(
    { model: { modelName: 'Order' }, properties: PROPERTIES, settings: {} },
    strictObjectIDCoercion === undefined ? {} : { strictObjectIDCoercion },
    new Set(references),
  );
}

const DATA = {
  id: HEX,
  customerId: HEX,
  tagIds: [HEX, 'plain'],
  user_id: HEX,
  buyer: HEX,
  code: HEX,
  note: HEX,
  accountId: OTHER_HEX,
  ownerId: OTHER_HEX,
  extraId: HEX,
  extra: HEX,
};

const oid = (hex: string) => new ObjectId(hex);

describe('stored forms of 24-hex strings', () => {
  it('by default: ids, ObjectId-typed properties, references by relation or by name', () => {
    expect(toStoredDocument(info(undefined, ['buyer']), DATA)).toEqual({
      _id: oid(HEX),
      customerId: oid(HEX),
      tagIds: [oid(HEX), 'plain'],
      user_id: oid(HEX),
      buyer: oid(HEX),
      code: HEX,
      note: HEX,
      accountId: oid(OTHER_HEX),
      ownerId: oid(OTHER_HEX),
      // properties a non-strict model does not define are untyped: the name rule applies
      extraId: oid(HEX),
      extra: HEX,
    });
  });

  it('keeps values that are not 24-hex strings of references as given', () => {
    expect(
      toStoredDocument(info(), { customerId: 'c-17', user_id: 5, tagIds: ['a', 'b'] }),
    ).toEqual({ customerId: 'c-17', user_id: 5, tagIds: ['a', 'b'] });
  });

  it('with strictObjectIDCoercion true: only ids and ObjectId-typed properties', () => {
    // everything else is stored exactly as given
    const { id, ...rest } = DATA;
    expect(toStoredDocument(info(true, ['buyer']), DATA)).toEqual({
      ...rest,
      _id: oid(id),
      accountId: oid(OTHER_HEX),
      ownerId: oid(OTHER_HEX),
    });
  });

  it('with strictObjectIDCoercion false: every 24-hex string, as the official connector', () => {
    expect(toStoredDocument(info(false), DATA)).toEqual({
      _id: oid(HEX),
      customerId: oid(HEX),
      tagIds: [oid(HEX), 'plain'],
      user_id: oid(HEX),
      buyer: oid(HEX),
      code: oid(HEX),
      note: oid(HEX),
      accountId: oid(OTHER_HEX),
      ownerId: oid(OTHER_HEX),
      extraId: oid(HEX),
      extra: oid(HEX),
    });
  });

  it('takes the model setting over the datasource setting', () => {
    const strict = buildModelInfo(
      {
        model: { modelName: 'Order' },
        properties: PROPERTIES,
        settings: { strictObjectIDCoercion: true },
      },
      { strictObjectIDCoercion: false },
    );
    expect(toStoredDocument(strict, { code: HEX, customerId: HEX })).toEqual({
      code: HEX,
      customerId: HEX,
    });
  });
});

describe('loosely typed properties', () => {
  it('store boxed primitives (juggler wraps Object-typed values) as the primitives', () => {
    expect(
      toStoredDocument(info(), {
        note: Object('6b0f49'),
        user_id: Object(5),
      }),
    ).toEqual({ note: '6b0f49', user_id: 5 });
    const stored = toStoredDocument(info(), { note: [Object('a'), Object(1), Object(true)] });
    expect(stored.note).toEqual(['a', 1, true]);
    expect(typeof stored.note[0]).toBe('string');
    const boxedHex = toStoredDocument(info(), { user_id: Object(HEX) });
    expect(boxedHex.user_id).toEqual(oid(HEX));
  });

  it('store dates, nulls and nested documents as given', () => {
    const when = new Date(0);
    const nested = { a: { b: [1, 'x'] } };
    expect(toStoredDocument(info(), { note: when })).toEqual({ note: when });
    expect(toStoredDocument(info(), { note: null })).toEqual({ note: null });
    expect(toStoredDocument(info(), { note: nested })).toEqual({ note: nested });
  });

  it('compare where operands as given, unboxed', () => {
    expect(buildFilter(info(), { note: Object(5) }, STRICT)).toEqual({ note: 5 });
    expect(buildFilter(info(), { note: { inq: [Object('a'), 2] } }, STRICT)).toEqual({
      note: { $in: ['a', 2] },
    });
  });
});

describe('tolerant reads', () => {
  const either = (hex: string) => ({ $in: [hex, oid(hex)] });

  it('match a 24-hex operand of a string, loose or reference property in both forms', () => {
    expect(
      buildFilter(info(), { code: HEX, customerId: HEX, note: HEX, accountId: HEX }, STRICT),
    ).toEqual({
      code: either(HEX),
      customerId: either(HEX),
      note: either(HEX),
      accountId: either(HEX),
    });
    expect(buildFilter(info(false), { code: { inq: [HEX, 'x'] } }, STRICT)).toEqual({
      code: { $in: [HEX, oid(HEX), 'x'] },
    });
  });

  it('match the id and declared ObjectId properties exactly', () => {
    expect(buildFilter(info(), { id: HEX, ownerId: { inq: [HEX] } }, STRICT)).toEqual({
      _id: oid(HEX),
      ownerId: { $in: [oid(HEX)] },
    });
  });

  it('are exact with strictObjectIDCoercion true', () => {
    expect(buildFilter(info(true), { code: HEX, customerId: { nin: [HEX] } }, STRICT)).toEqual({
      code: HEX,
      customerId: { $nin: [HEX] },
    });
  });
});

describe('ids', () => {
  it('keep a string that is not 24-hex on a generated id; hand every id back as given or hex', () => {
    expect(toStoredId(info(), 'user-17')).toBe('user-17');
    expect(toAppId(info(), oid(HEX))).toBe(HEX);
    expect(toAppId(info(), HEX)).toBe(HEX);
    expect(toAppId(info(), 'user-17')).toBe('user-17');
    expect(toAppId(info(), 7)).toBe(7);
  });

  describe("of type String (LoopBack 3's usual id)", () => {
    const withStringId = (strictObjectIDCoercion?: boolean) =>
      buildModelInfo(
        {
          model: { modelName: 'Thing' },
          properties: { id: { type: String, id: true }, name: { type: String } },
          settings: {},
        },
        strictObjectIDCoercion === undefined ? {} : { strictObjectIDCoercion },
      );

    it('store a 24-hex string as an ObjectId and match both forms, unless strict', () => {
      for (const model of [withStringId(), withStringId(false)]) {
        expect(toStoredId(model, HEX)).toEqual(oid(HEX));
        expect(toStoredId(model, oid(HEX))).toEqual(oid(HEX));
        expect(buildFilter(model, { id: HEX }, STRICT)).toEqual({ _id: { $in: [HEX, oid(HEX)] } });
        expect(buildFilter(model, { id: oid(HEX) }, STRICT)).toEqual({
          _id: { $in: [HEX, oid(HEX)] },
        });
        expect(buildFilter(model, { id: { inq: [HEX, 'k'] } }, STRICT)).toEqual({
          _id: { $in: [HEX, oid(HEX), 'k'] },
        });
        expect(buildFilter(model, { id: 'k' }, STRICT)).toEqual({ _id: 'k' });
      }
    });

    it('store and match text exactly with strictObjectIDCoercion true', () => {
      const strict = withStringId(true);
      expect(toStoredId(strict, HEX)).toBe(HEX);
      expect(toStoredId(strict, oid(HEX))).toBe(HEX);
      expect(buildFilter(strict, { id: oid(HEX) }, STRICT)).toEqual({ _id: HEX });
    });

    it('are handed back as 24-hex strings, whichever form was given', () => {
      for (const model of [withStringId(), withStringId(true)]) {
        expect(toAppId(model, oid(HEX))).toBe(HEX);
        expect(toAppId(model, HEX)).toBe(HEX);
      }
    });
  });

  it('refuse a string that is not 24-hex for an id declared ObjectId', () => {
    const declared = buildModelInfo(
      {
        model: { modelName: 'Order' },
        properties: { id: { type: String, id: true, mongodb: { dataType: 'ObjectId' } } },
        settings: {},
      },
      {},
    );
    expect(() => toStoredId(declared, 'user-17')).toThrow(
      'Order.id: "user-17" is not a valid ObjectId',
    );
  });
});

describe('keyStoresObjectIds', () => {
  const definition = {
    model: { modelName: 'Order' },
    properties: PROPERTIES,
    settings: {},
  };

  it('is true for the generated id, ObjectId-typed properties and String ids only', () => {
    expect(keyStoresObjectIds(definition, undefined)).toBe(true);
    expect(keyStoresObjectIds(definition, 'id')).toBe(true);
    expect(keyStoresObjectIds(definition, 'accountId')).toBe(true);
    expect(keyStoresObjectIds(definition, 'ownerId')).toBe(true);
    expect(keyStoresObjectIds(definition, 'customerId')).toBe(false);
    expect(keyStoresObjectIds(definition, 'missing')).toBe(false);
    const coded = { ...definition, properties: { code: { type: String, id: true } } };
    // a String id stores 24-hex strings as ObjectIds, so keys pointing at it are references
    expect(keyStoresObjectIds(coded, undefined)).toBe(true);
    expect(keyStoresObjectIds(coded, undefined, { strictObjectIDCoercion: false })).toBe(true);
    expect(keyStoresObjectIds(coded, undefined, { strictObjectIDCoercion: true })).toBe(false);
    const strictModel = { ...coded, settings: { strictObjectIDCoercion: true } };
    expect(keyStoresObjectIds(strictModel, undefined)).toBe(false);
  });
});
