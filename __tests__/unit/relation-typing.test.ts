import {
  isLooseType,
  looksLikeReference,
  objectIdCoercion,
  relationReferences,
  type RelatedModel,
  type RelationFacts,
} from '../../src/relation-typing';

const model = (modelName: string) => ({ modelName });

/** Models whose id (key undefined or 'id') stores ObjectIds, except `Tag` (string codes). */
const storesObjectIds = (name: string, key: string | undefined) =>
  name !== 'Tag' && (key === undefined || key === 'id');

function references(models: RelatedModel[]): Record<string, string[]> {
  const found = relationReferences(models, storesObjectIds);
  return Object.fromEntries([...found].map(([name, keys]) => [name, [...keys].sort()]));
}

function withRelations(name: string, relations: Record<string, RelationFacts>): RelatedModel {
  return { name, relations };
}

describe('relationReferences', () => {
  it('belongsTo: the source key, when the target key stores ObjectIds', () => {
    expect(
      references([
        withRelations('Order', {
          customer: {
            type: 'belongsTo',
            modelFrom: model('Order'),
            keyFrom: 'buyer',
            modelTo: model('Customer'),
            keyTo: 'id',
          },
          tag: {
            type: 'belongsTo',
            modelFrom: model('Order'),
            keyFrom: 'tagCode',
            modelTo: model('Tag'),
            keyTo: 'id',
          },
        }),
      ]),
    ).toEqual({ Order: ['buyer'] });
  });

  it('hasMany and hasOne: the key on the target, pointing at the source', () => {
    expect(
      references([
        withRelations('Customer', {
          orders: {
            type: 'hasMany',
            modelFrom: model('Customer'),
            keyFrom: 'id',
            modelTo: model('Order'),
            keyTo: 'placedBy',
          },
          profile: {
            type: 'hasOne',
            modelFrom: model('Customer'),
            keyFrom: 'id',
            modelTo: model('Profile'),
            keyTo: 'owner',
          },
        }),
        withRelations('Tag', {
          uses: {
            type: 'hasMany',
            modelFrom: model('Tag'),
            keyFrom: 'id',
            modelTo: model('Use'),
            keyTo: 'tag',
          },
        }),
      ]),
    ).toEqual({ Order: ['placedBy'], Profile: ['owner'] });
  });

  it('hasMany through: both keys on the through model', () => {
    expect(
      references([
        withRelations('Physician', {
          patients: {
            type: 'hasMany',
            modelFrom: model('Physician'),
            keyFrom: 'id',
            modelTo: model('Patient'),
            keyTo: 'doctor',
            modelThrough: model('Appointment'),
            keyThrough: 'patient',
          },
        }),
      ]),
    ).toEqual({ Appointment: ['doctor', 'patient'] });
  });

  it('referencesMany: the id array on the source', () => {
    expect(
      references([
        withRelations('Post', {
          readers: {
            type: 'referencesMany',
            modelFrom: model('Post'),
            keyFrom: 'readerList',
            modelTo: model('User'),
            keyTo: 'id',
          },
        }),
      ]),
    ).toEqual({ Post: ['readerList'] });
  });

  it('polymorphic relations: the discriminated key, also with no known target', () => {
    const polymorphic = { foreignKey: 'imageable', discriminator: 'imageableType' };
    expect(
      references([
        withRelations('Picture', {
          imageable: {
            type: 'belongsTo',
            modelFrom: model('Picture'),
            keyFrom: 'imageable',
            modelTo: null,
            keyTo: 'id',
            polymorphic,
          },
        }),
        withRelations('Author', {
          pictures: {
            type: 'hasMany',
            modelFrom: model('Author'),
            keyFrom: 'id',
            modelTo: model('Photo'),
            keyTo: 'subject',
            polymorphic: { foreignKey: 'subject', discriminator: 'subjectType' },
          },
        }),
      ]),
    ).toEqual({ Picture: ['imageable'], Photo: ['subject'] });
  });

  it('ignores embedded relations and models without relations', () => {
    expect(
      references([
        withRelations('Customer', {
          address: {
            type: 'embedsOne',
            modelFrom: model('Customer'),
            keyFrom: 'addressItem',
            modelTo: model('Address'),
            keyTo: 'id',
          },
        }),
        { name: 'Loner', relations: undefined },
      ]),
    ).toEqual({});
  });
});

describe('looksLikeReference', () => {
  it('accepts the names LoopBack and apps give foreign keys', () => {
    for (const name of ['customerId', 'tagIds', 'userID', 'userIDs', 'customer_id', 'tag_ids']) {
      expect(looksLikeReference(name)).toBe(true);
    }
  });

  it('refuses other names, and a bare suffix', () => {
    for (const name of ['id', 'Id', 'ID', '_id', 'paid', 'valid', 'android', 'identity', 'ids']) {
      expect(looksLikeReference(name)).toBe(false);
    }
  });
});

describe('isLooseType', () => {
  it('is true for types that say nothing about the value', () => {
    for (const name of ['object', 'any', 'json', 'array', undefined]) {
      expect(isLooseType(name)).toBe(true);
    }
    for (const name of ['string', 'number', 'date', 'objectid', 'customer']) {
      expect(isLooseType(name)).toBe(false);
    }
  });
});

describe('objectIdCoercion', () => {
  it('reads the strictObjectIDCoercion setting', () => {
    expect(objectIdCoercion(undefined)).toBe('references');
    expect(objectIdCoercion(true)).toBe('strict');
    expect(objectIdCoercion(false)).toBe('allHex');
  });
});
