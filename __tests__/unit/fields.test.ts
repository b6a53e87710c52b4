import { InvalidQueryError } from '../../src/errors';
import { buildProjection } from '../../src/query/fields';
import { customerInfo } from './fixtures';

const info = customerInfo();

function projection(fields: unknown) {
  return buildProjection(info, fields);
}

describe('buildProjection', () => {
  it('needs no projection when no fields are selected', () => {
    for (const fields of [undefined, null, [], {}]) {
      expect(projection(fields)).toBeUndefined();
    }
  });

  it('includes listed properties only, leaving the id out unless listed', () => {
    expect(projection(['name', 'age'])).toEqual({ name: 1, age: 1, _id: 0 });
    expect(projection(['id', 'name'])).toEqual({ _id: 1, name: 1 });
    expect(projection('name')).toEqual({ name: 1, _id: 0 });
  });

  it('includes only the true ones when any is true', () => {
    expect(projection({ name: true, age: false, vip: 1 })).toEqual({ name: 1, vip: 1, _id: 0 });
    expect(projection({ id: true, name: true })).toEqual({ _id: 1, name: 1 });
  });

  it('excludes the false ones when none is true', () => {
    expect(projection({ name: false, age: 0 })).toEqual({ name: 0, age: 0 });
    expect(projection({ id: false })).toEqual({ _id: 0 });
  });

  it('maps renamed fields and the first segment of nested paths', () => {
    expect(projection(['email', 'address.city'])).toEqual({
      mail: 1,
      'address.city': 1,
      _id: 0,
    });
    expect(projection({ email: false })).toEqual({ mail: 0 });
    expect(projection(['email.domain'])).toEqual({ 'mail.domain': 1, _id: 0 });
  });

  it('keeps properties the model does not know under their own name', () => {
    expect(projection(['extra'])).toEqual({ extra: 1, _id: 0 });
  });

  it('refuses what cannot name a property', () => {
    for (const fields of [[3], [''], ['$where'], ['__proto__'], { constructor: true }]) {
      expect(() => projection(fields)).toThrow(InvalidQueryError);
    }
    expect(() => projection(['$where'])).toThrow('Customer: fields cannot select "$where"');
  });

  it('refuses a selection that is neither names nor an object', () => {
    expect(() => projection(3)).toThrow(
      'Customer: fields must be an array of property names or an object, got 3',
    );
    expect(() => projection(new Date(0))).toThrow(InvalidQueryError);
  });

  it('does not pollute prototypes with a parsed __proto__ key', () => {
    const fields = JSON.parse('{"__proto__": {"polluted": true}}');
    expect(() => projection(fields)).toThrow(InvalidQueryError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
