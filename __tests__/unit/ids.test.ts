/** The rules that let upserts by a String id stay atomic when it matches both stored forms. */
import { MongoServerError, ObjectId } from 'mongodb';
import {
  idToInsert,
  newStoredId,
  replacementKeepingId,
  retryingIdRace,
  selectsIdForms,
} from '../../src/ids';
import type { PropertyDefinition } from 'loopback-connector';
import { ModelDefinitionError } from '../../src/errors';
import {
  assertIdStoredAsId,
  buildModelInfo,
  ObjectIdType,
  useObjectIdType,
} from '../../src/model-info';
import { buildFilter } from '../../src/query/where';
import { HEX, STRICT } from './fixtures';

const oid = new ObjectId(HEX);

function thing(idType: unknown, strictObjectIDCoercion?: boolean) {
  return buildModelInfo(
    {
      model: { modelName: 'Thing' },
      properties: { id: { type: idType, id: true }, name: { type: String } },
      settings: {},
    },
    strictObjectIDCoercion === undefined ? {} : { strictObjectIDCoercion },
  );
}

describe('selectsIdForms', () => {
  it('is true for an $in on _id, false for an equality or no _id', () => {
    expect(selectsIdForms({ _id: { $in: [HEX, oid] } })).toBe(true);
    expect(selectsIdForms({ _id: oid })).toBe(false);
    expect(selectsIdForms({ name: { $in: ['a'] } })).toBe(false);
  });
});

describe('replacementKeepingId', () => {
  it('keeps a matched _id, inserts the given one, and reads no value as a field path', () => {
    expect(replacementKeepingId({ name: '$name' }, oid)).toEqual([
      {
        $replaceWith: {
          $mergeObjects: [
            { _id: { $ifNull: ['$_id', { $literal: oid }] } },
            { $literal: { name: '$name' } },
          ],
        },
      },
    ]);
  });
});

describe('idToInsert', () => {
  const info = thing(String);
  const filterOf = (where: unknown) => buildFilter(info, where, STRICT);

  it('takes the one id a two-form where names, as stored', () => {
    expect(idToInsert(info, { id: HEX }, filterOf({ id: HEX }))).toEqual(oid);
    expect(idToInsert(info, { id: { eq: HEX } }, filterOf({ id: { eq: HEX } }))).toEqual(oid);
  });

  it('leaves the id to the server for an equality, a list or a where on other properties', () => {
    expect(idToInsert(info, { id: 'k' }, filterOf({ id: 'k' }))).toBeUndefined();
    const inq = { id: { inq: [HEX, 'k'] } };
    expect(idToInsert(info, inq, filterOf(inq))).toBeUndefined();
    expect(idToInsert(info, { name: 'a' }, filterOf({ name: 'a' }))).toBeUndefined();
  });

  it('makes a 24-hex string id for a strict String id the where does not name', () => {
    const strict = thing(String, true);
    const id = idToInsert(strict, { name: 'a' }, buildFilter(strict, { name: 'a' }, STRICT));
    expect(id).toMatch(/^[0-9a-f]{24}$/);
  });
});

describe('newStoredId', () => {
  it('is a 24-hex string only where text is matched exactly: a strict String or loose id', () => {
    expect(newStoredId(thing(String, true))).toMatch(/^[0-9a-f]{24}$/);
    expect(newStoredId(thing('any', true))).toMatch(/^[0-9a-f]{24}$/);
    expect(newStoredId(thing(String))).toBeUndefined();
    expect(newStoredId(thing(Number, true))).toBeUndefined();
  });
});

describe('retryingIdRace', () => {
  const duplicateId = () =>
    new MongoServerError({ code: 11000, errmsg: 'E11000 dup', keyPattern: { _id: 1 } });

  it('runs a two-form upsert once more after losing the insert race on _id', async () => {
    let calls = 0;
    const upsert = async () => {
      if (++calls === 1) throw duplicateId();
      return 'updated';
    };
    await expect(retryingIdRace({ _id: { $in: [HEX, oid] } }, upsert)).resolves.toBe('updated');
    expect(calls).toBe(2);
  });

  it('lets other errors, and duplicates under an equality, through at once', async () => {
    let calls = 0;
    const failing = (error: Error) => async () => {
      calls++;
      throw error;
    };
    await expect(retryingIdRace({ _id: oid }, failing(duplicateId()))).rejects.toThrow('E11000');
    const email = new MongoServerError({ code: 11000, errmsg: 'dup', keyPattern: { email: 1 } });
    await expect(retryingIdRace({ _id: { $in: [HEX, oid] } }, failing(email))).rejects.toBe(email);
    expect(calls).toBe(2);
  });
});

describe('model definitions', () => {
  const definition = (mongodb: Record<string, unknown>) => ({
    model: { modelName: 'Named' },
    properties: { code: { type: String, id: true, mongodb }, name: { type: String } },
    settings: {},
  });

  it('refuse a stored field name on the id, naming model, property and setting', () => {
    for (const setting of ['fieldName', 'field', 'columnName', 'column']) {
      expect(() => assertIdStoredAsId(definition({ [setting]: 'x' }))).toThrow(
        new ModelDefinitionError(
          'Named',
          'code',
          `mongodb.${setting} "x" cannot rename the id: ` +
            'MongoDB stores it as _id whatever the property is called; remove the setting',
        ),
      );
    }
    expect(() => assertIdStoredAsId(definition({ fieldName: '_id' }))).not.toThrow();
    expect(() => assertIdStoredAsId(definition({ dataType: 'ObjectId' }))).not.toThrow();
  });

  it('retype ObjectId classes to ObjectIdType, which hands the app 24-hex strings', () => {
    const properties: Record<string, PropertyDefinition> = {
      _id: { type: ObjectId, id: true },
      xids: { type: [ObjectId] },
      name: { type: String },
    };
    useObjectIdType(properties);
    expect(properties._id.type).toBe(ObjectIdType);
    expect(properties.xids.type).toEqual([ObjectIdType]);
    expect(properties.name.type).toBe(String);
    expect(ObjectIdType(oid)).toBe(HEX);
  });
});
