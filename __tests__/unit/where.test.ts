import { BSONRegExp, Decimal128, ObjectId } from 'mongodb';
import {
  InvalidQueryError,
  InvalidValueError,
  OperatorNotAllowedError,
  UnknownOperatorError,
} from '../../src/errors';
import { buildFilter, buildNearFilter, sortsByDistance } from '../../src/query/where';
import { ObjectIdType } from '../../src/model-info';
import { EXTENDED, HEX, OTHER_HEX, STRICT, UNSANITIZED, customerInfo, modelInfo } from './fixtures';

type NearFilter = { location: { $nearSphere: Record<string, unknown> } };

const info = customerInfo();
const geoInfo = customerInfo({}, { enableGeoIndexing: true });

function filter(where: unknown, options = STRICT) {
  return buildFilter(info, where, options);
}

describe('buildFilter', () => {
  describe('shape', () => {
    it('gives an empty filter for no where', () => {
      expect(filter(undefined)).toEqual({});
      expect(filter(null)).toEqual({});
      expect(filter({})).toEqual({});
    });

    it('refuses a where that is not an object', () => {
      for (const where of ['name', 3, [{ name: 'a' }], new Date()]) {
        expect(() => filter(where)).toThrow(InvalidQueryError);
      }
      expect(() => filter('name')).toThrow('Customer: where must be an object, got "name"');
    });

    it('skips undefined values, as juggler removes them', () => {
      expect(filter({ name: undefined, age: 3 })).toEqual({ age: 3 });
      expect(filter({ age: { gt: undefined, lt: 5 } })).toEqual({ age: { $lt: 5 } });
    });
  });

  describe('equality', () => {
    it('matches plain values implicitly', () => {
      expect(filter({ name: 'Ann', age: 3, vip: true })).toEqual({
        name: 'Ann',
        age: 3,
        vip: true,
      });
    });

    it('supports eq and neq', () => {
      expect(filter({ name: { eq: 'Ann' } })).toEqual({ name: { $eq: 'Ann' } });
      expect(filter({ name: { neq: 'Ann' } })).toEqual({ name: { $ne: 'Ann' } });
    });

    it('matches null the way juggler memory does: null or missing', () => {
      // MongoDB's {field: null} matches both, as memory's `value == null` does
      expect(filter({ name: null })).toEqual({ name: null });
      expect(filter({ name: { eq: null } })).toEqual({ name: { $eq: null } });
      expect(filter({ name: { neq: null } })).toEqual({ name: { $ne: null } });
      expect(filter({ accountId: null })).toEqual({ accountId: null });
    });

    it('matches a document exactly when an untyped property is given an object', () => {
      expect(filter({ address: { city: 'Paris' } })).toEqual({ address: { city: 'Paris' } });
    });

    it('matches an array exactly, coercing its items', () => {
      expect(filter({ friendIds: [HEX] })).toEqual({ friendIds: [new ObjectId(HEX)] });
      expect(filter({ tags: ['a', 'b'] })).toEqual({ tags: ['a', 'b'] });
    });

    it('matches one element of an array field with a single value', () => {
      expect(filter({ tags: 'a' })).toEqual({ tags: 'a' });
      // a foreign key array juggler types after an ObjectId id may hold either form
      expect(filter({ friendIds: HEX })).toEqual({
        friendIds: { $in: [new ObjectId(HEX).toHexString(), new ObjectId(HEX)] },
      });
    });
  });

  describe('comparison', () => {
    it('supports gt, gte, lt and lte, combined on one property', () => {
      expect(filter({ age: { gt: 1, lte: 9 } })).toEqual({ age: { $gt: 1, $lte: 9 } });
      expect(filter({ age: { gte: 1, lt: 9 } })).toEqual({ age: { $gte: 1, $lt: 9 } });
    });

    it('coerces operands to the property type', () => {
      expect(filter({ born: { gt: '2020-01-01' } })).toEqual({
        born: { $gt: new Date('2020-01-01') },
      });
      expect(filter({ balance: { lt: 10 } })).toEqual({
        balance: { $lt: Decimal128.fromString('10') },
      });
    });

    it('supports between as gte and lte', () => {
      expect(filter({ age: { between: [1, 9] } })).toEqual({ age: { $gte: 1, $lte: 9 } });
      expect(filter({ born: { between: ['2020-01-01', '2021-01-01'] } })).toEqual({
        born: { $gte: new Date('2020-01-01'), $lte: new Date('2021-01-01') },
      });
    });

    it('refuses between without exactly two values, naming model and property', () => {
      for (const operand of [[1], [1, 2, 3], 5, 'a,b']) {
        expect(() => filter({ age: { between: operand } })).toThrow(InvalidQueryError);
      }
      expect(() => filter({ age: { between: [1] } })).toThrow(
        'Customer.age: between expects exactly two values, got [1]',
      );
    });

    it('refuses two conditions that translate to the same operator', () => {
      expect(() => filter({ age: { between: [1, 2], gte: 0 } })).toThrow(
        'Customer.age: two conditions translate to $gte; combine them with and',
      );
    });
  });

  describe('inq and nin', () => {
    it('translate to $in and $nin', () => {
      expect(filter({ name: { inq: ['a', 'b'] } })).toEqual({ name: { $in: ['a', 'b'] } });
      expect(filter({ name: { nin: ['a'] } })).toEqual({ name: { $nin: ['a'] } });
      expect(filter({ name: { inq: [] } })).toEqual({ name: { $in: [] } });
    });

    it('coerce ids to ObjectIds and match 24-hex strings of string properties in both forms', () => {
      expect(filter({ id: { inq: [HEX, OTHER_HEX] } })).toEqual({
        _id: { $in: [new ObjectId(HEX), new ObjectId(OTHER_HEX)] },
      });
      expect(filter({ name: { inq: [HEX, 'x'] } })).toEqual({
        name: { $in: [HEX, new ObjectId(HEX), 'x'] },
      });
      expect(filter({ name: { nin: [HEX] } })).toEqual({
        name: { $nin: [HEX, new ObjectId(HEX)] },
      });
    });

    it('refuse an operand that is not an array, naming model and property', () => {
      expect(() => filter({ name: { inq: 'a' } })).toThrow(
        'Customer.name: inq expects an array, got "a"',
      );
      expect(() => filter({ name: { nin: 1 } })).toThrow('Customer.name: nin expects an array');
    });
  });

  describe('ids and field names', () => {
    it('maps the id to _id and coerces a 24-hex string to an ObjectId', () => {
      expect(filter({ id: HEX })).toEqual({ _id: new ObjectId(HEX) });
      expect(filter({ id: { neq: HEX } })).toEqual({ _id: { $ne: new ObjectId(HEX) } });
    });

    it('matches a 24-hex string of a string or untyped property in both stored forms', () => {
      const either = { $in: [HEX, new ObjectId(HEX)] };
      expect(filter({ name: HEX })).toEqual({ name: either });
      expect(filter({ address: HEX })).toEqual({ address: either });
      expect(filter({ unknownProp: HEX })).toEqual({ unknownProp: either });
      expect(filter({ name: { eq: HEX } })).toEqual({ name: either });
      expect(filter({ name: { neq: HEX } })).toEqual({ name: { $nin: [HEX, new ObjectId(HEX)] } });
      // ranges compare one form: values of two BSON types never order together
      expect(filter({ name: { gt: HEX } })).toEqual({ name: { $gt: HEX } });
    });

    it('keeps an id that is not 24-hex as given on a default-id model', () => {
      expect(filter({ id: 'nope' })).toEqual({ _id: 'nope' });
      expect(filter({ accountId: { inq: ['nope'] } })).toEqual({ accountId: { $in: ['nope'] } });
    });

    it('reports an invalid value for a property declared ObjectId, naming model and property', () => {
      const declared = modelInfo('Order', {
        id: { type: String, id: true, mongodb: { dataType: 'ObjectId' } },
        ownerId: { type: String, mongodb: { dataType: 'ObjectId' } },
      });
      expect(() => buildFilter(declared, { id: 'nope' }, STRICT)).toThrow(InvalidValueError);
      expect(() => buildFilter(declared, { ownerId: { inq: ['nope'] } }, STRICT)).toThrow(
        'Order.ownerId: "nope" is not a valid ObjectId',
      );
      // declared ObjectIds are matched exactly
      expect(buildFilter(declared, { ownerId: HEX }, STRICT)).toEqual({
        ownerId: new ObjectId(HEX),
      });
    });

    it('matches exactly with strictObjectIDCoercion', () => {
      const strict = customerInfo({}, { strictObjectIDCoercion: true });
      expect(buildFilter(strict, { name: HEX, 'address.x': HEX }, STRICT)).toEqual({
        name: HEX,
        'address.x': HEX,
      });
      expect(buildFilter(strict, { accountId: { inq: [HEX] } }, STRICT)).toEqual({
        accountId: { $in: [new ObjectId(HEX)] },
      });
    });

    it('maps renamed fields', () => {
      expect(filter({ email: 'a@b.c' })).toEqual({ mail: 'a@b.c' });
      expect(filter({ email: { like: 'b.c' } })).toEqual({ mail: { $regex: expect.anything() } });
    });

    it('maps the first segment of a nested path only', () => {
      expect(filter({ 'address.city': 'Paris' })).toEqual({ 'address.city': 'Paris' });
      expect(filter({ 'email.domain': 'b.c' })).toEqual({ 'mail.domain': 'b.c' });
      expect(filter({ 'id.x': 1 })).toEqual({ '_id.x': 1 });
    });

    it('does not coerce values under nested paths, but matches a 24-hex one in both forms', () => {
      expect(filter({ 'accountId.x': 'a' })).toEqual({ 'accountId.x': 'a' });
      expect(filter({ 'accountId.x': HEX })).toEqual({
        'accountId.x': { $in: [HEX, new ObjectId(HEX)] },
      });
    });

    it('treats names that Object.prototype also has as plain properties', () => {
      expect(filter({ toString: 'a', valueOf: { gt: 1 } })).toEqual({
        toString: 'a',
        valueOf: { $gt: 1 },
      });
    });

    it('joins two conditions on the same field with $and', () => {
      expect(filter({ id: HEX, _id: { neq: OTHER_HEX } })).toEqual({
        _id: new ObjectId(HEX),
        $and: [{ _id: { $ne: new ObjectId(OTHER_HEX) } }],
      });
    });
  });

  describe('like family', () => {
    const regex = (pattern: string, options = '') => new BSONRegExp(pattern, options);

    it('reads a pattern as an unanchored regular expression with % and _ wildcards', () => {
      expect(filter({ name: { like: 'John' } })).toEqual({ name: { $regex: regex('John') } });
      expect(filter({ name: { like: '%St%' } })).toEqual({ name: { $regex: regex('.*St.*') } });
      expect(filter({ name: { like: 'J_hn' } })).toEqual({ name: { $regex: regex('J.hn') } });
      expect(filter({ name: { like: '^J' } })).toEqual({ name: { $regex: regex('^J') } });
    });

    it('keeps escaped wildcards literal', () => {
      expect(filter({ name: { like: '100\\%' } })).toEqual({ name: { $regex: regex('100\\%') } });
      expect(filter({ name: { like: 'a\\_b' } })).toEqual({ name: { $regex: regex('a\\_b') } });
      // juggler escapes a pattern that does not compile before it reaches us
      expect(filter({ name: { like: '\\[' } })).toEqual({ name: { $regex: regex('\\[') } });
    });

    it('negates with nlike and ignores case with ilike and nilike', () => {
      expect(filter({ name: { nlike: 'John' } })).toEqual({ name: { $not: regex('John') } });
      expect(filter({ name: { ilike: 'john' } })).toEqual({ name: { $regex: regex('john', 'i') } });
      expect(filter({ name: { nilike: 'john' } })).toEqual({ name: { $not: regex('john', 'i') } });
    });

    it('takes a RegExp as it is, keeping the flags MongoDB understands', () => {
      expect(filter({ name: { like: /^J.*n$/gi } })).toEqual({
        name: { $regex: regex('^J.*n$', 'i') },
      });
      expect(filter({ name: { ilike: /x/i } })).toEqual({ name: { $regex: regex('x', 'i') } });
      expect(filter({ name: { nlike: /x/ms } })).toEqual({ name: { $not: regex('x', 'ms') } });
    });

    it('adds the options given beside the operator', () => {
      expect(filter({ name: { like: 'john', options: 'i' } })).toEqual({
        name: { $regex: regex('john', 'i') },
      });
      expect(filter({ name: { ilike: 'john', options: 'mi' } })).toEqual({
        name: { $regex: regex('john', 'im') },
      });
    });

    it('refuses options MongoDB does not know', () => {
      expect(() => filter({ name: { like: 'a', options: 'g' } })).toThrow(
        'Customer.name: options must be made of i, m, s, x; got "g"',
      );
      expect(() => filter({ name: { like: 'a', options: 1 } })).toThrow(InvalidQueryError);
    });

    it('refuses a pattern that is neither a string nor a RegExp', () => {
      expect(() => filter({ name: { like: 123 } })).toThrow(
        'Customer.name: like expects a string or RegExp, got 123',
      );
      expect(() => filter({ name: { nilike: {} } })).toThrow(InvalidQueryError);
    });

    it('refuses a pattern that does not compile', () => {
      expect(() => filter({ name: { like: '[' } })).toThrow(
        'Customer.name: "[" with flags "" is not a valid regular expression',
      );
    });
  });

  describe('regexp', () => {
    it('takes a RegExp, a /source/flags string or a bare source', () => {
      expect(filter({ name: { regexp: /^A/i } })).toEqual({
        name: { $regex: new BSONRegExp('^A', 'i') },
      });
      expect(filter({ name: { regexp: '/^A/im' } })).toEqual({
        name: { $regex: new BSONRegExp('^A', 'im') },
      });
      expect(filter({ name: { regexp: '^A' } })).toEqual({
        name: { $regex: new BSONRegExp('^A') },
      });
      expect(filter({ name: { regexp: '/a/b/' } })).toEqual({
        name: { $regex: new BSONRegExp('a/b') },
      });
    });

    it('takes a RegExp given as the value itself', () => {
      expect(filter({ name: /^A/ })).toEqual({ name: { $regex: new BSONRegExp('^A') } });
    });

    it('adds options given beside it', () => {
      expect(filter({ name: { regexp: '^a', options: 'i' } })).toEqual({
        name: { $regex: new BSONRegExp('^a', 'i') },
      });
    });

    it('refuses a string that does not compile, naming model and property', () => {
      expect(() => filter({ name: { regexp: '(' } })).toThrow(
        'Customer.name: "(" with flags "" is not a valid regular expression',
      );
      expect(() => filter({ name: { regexp: '/a/q' } })).toThrow(InvalidQueryError);
    });

    it('refuses operands of other types', () => {
      for (const operand of [0, true, {}, [], null]) {
        expect(() => filter({ name: { regexp: operand } })).toThrow(
          'Customer.name: regexp expects a string or RegExp',
        );
      }
    });
  });

  describe('exists', () => {
    it('translates to $exists', () => {
      expect(filter({ name: { exists: true } })).toEqual({ name: { $exists: true } });
      expect(filter({ name: { exists: false } })).toEqual({ name: { $exists: false } });
      expect(filter({ name: { exists: 'false' } })).toEqual({ name: { $exists: false } });
    });

    it('refuses anything but a boolean', () => {
      expect(() => filter({ name: { exists: 1 } })).toThrow(
        'Customer.name: exists expects true or false, got 1',
      );
    });
  });

  describe('and, or, nor', () => {
    it('translate to $and, $or and $nor, each clause translated in turn', () => {
      expect(filter({ and: [{ name: 'a' }, { id: HEX }] })).toEqual({
        $and: [{ name: 'a' }, { _id: new ObjectId(HEX) }],
      });
      expect(filter({ or: [{ age: { gt: 1 } }, { email: 'x' }] })).toEqual({
        $or: [{ age: { $gt: 1 } }, { mail: 'x' }],
      });
      expect(filter({ nor: [{ vip: true }] })).toEqual({ $nor: [{ vip: true }] });
    });

    it('nest and sit beside property conditions', () => {
      expect(filter({ name: 'a', or: [{ and: [{ age: 1 }, { vip: true }] }, { age: 2 }] })).toEqual(
        { name: 'a', $or: [{ $and: [{ age: 1 }, { vip: true }] }, { age: 2 }] },
      );
    });

    it('read empty lists the way juggler memory does', () => {
      expect(filter({ and: [] })).toEqual({});
      expect(filter({ nor: [] })).toEqual({});
      // an empty or matches nothing; $nor over the match-all clause says so
      expect(filter({ or: [] })).toEqual({ $nor: [{}] });
    });

    it('refuse clauses that are not an array of objects', () => {
      expect(() => filter({ and: { name: 'a' } })).toThrow(
        'Customer: and expects an array of where clauses',
      );
      expect(() => filter({ or: ['name'] })).toThrow('Customer: where must be an object');
    });

    it('check operators inside their clauses', () => {
      expect(() => filter({ or: [{ name: { $ne: 'a' } }] })).toThrow(OperatorNotAllowedError);
      expect(() => filter({ and: [{ age: { between: [1] } }] })).toThrow('Customer.age');
    });
  });

  describe('bad operators', () => {
    it('refuses an unknown operator on a typed property, naming model and property', () => {
      expect(() => filter({ age: { gtt: 5 } })).toThrow('Customer.age: unknown operator gtt');
      expect(() => filter({ name: { like: 'a', foo: 1 } })).toThrow(
        'Customer.name: unknown operator foo',
      );
    });

    it('refuses a condition with no operator for a typed property', () => {
      expect(() => filter({ name: {} })).toThrow('Customer.name: {} has no operator');
      expect(() => filter({ name: { options: 'i' } })).toThrow('has no operator');
    });
  });

  describe('$ operators', () => {
    it('are refused by default, naming model and property', () => {
      expect(() => filter({ age: { $gt: 1 } })).toThrow(
        /^Customer\.age: operator \$gt is not allowed/,
      );
      expect(() => filter({ $where: 'true' })).toThrow(/^Customer: operator \$where/);
      expect(() => filter({ $expr: { $gt: ['$a', '$b'] } })).toThrow(OperatorNotAllowedError);
    });

    it('are refused anywhere inside a value', () => {
      expect(() => filter({ address: { city: { $ne: 'x' } } })).toThrow(
        'Customer.address: operator $ne is not allowed',
      );
      expect(() => filter({ name: { eq: { $gt: '' } } })).toThrow(OperatorNotAllowedError);
      expect(() => filter({ name: { inq: [{ $gt: '' }] } })).toThrow(OperatorNotAllowedError);
    });

    it('pass through as MongoDB operators with allowExtendedOperators', () => {
      expect(filter({ age: { $gt: 1, lt: 9 } }, EXTENDED)).toEqual({ age: { $gt: 1, $lt: 9 } });
      expect(filter({ tags: { $size: 2 } }, EXTENDED)).toEqual({ tags: { $size: 2 } });
      expect(filter({ $text: { $search: 'a' } }, EXTENDED)).toEqual({ $text: { $search: 'a' } });
      expect(filter({ $expr: { $gt: ['$a', '$b'] } }, EXTENDED)).toEqual({
        $expr: { $gt: ['$a', '$b'] },
      });
    });

    it('never pass the JS-executing ones unless sanitization is disabled', () => {
      expect(() => filter({ $where: 'sleep(1)' }, EXTENDED)).toThrow(OperatorNotAllowedError);
      expect(() =>
        filter({ $expr: { $function: { body: 'x', args: [], lang: 'js' } } }, EXTENDED),
      ).toThrow('operator $function is not allowed');
      expect(() => filter({ or: [{ $where: '1' }] }, EXTENDED)).toThrow(OperatorNotAllowedError);
      expect(() => filter({ mapReduce: 'x' }, EXTENDED)).toThrow(OperatorNotAllowedError);
      expect(filter({ $where: 'true' }, UNSANITIZED)).toEqual({ $where: 'true' });
    });
  });

  describe("MongoDB's field operators by name", () => {
    const teamProperties = {
      id: { type: ObjectIdType, id: true, generated: true },
      people: { type: [Object] },
      list: { type: Array },
      scores: { type: [Number] },
      meta: { type: Object },
      xid: { type: String, mongodb: { dataType: 'ObjectId' } },
      xids: { type: [ObjectIdType] },
      members: {
        // a stand-in for a juggler model class: a function with a definition
        type: [
          Object.assign(function Member() {}, {
            definition: {
              properties: {
                name: { type: String },
                joined: { type: Date },
                refId: { type: String, mongodb: { dataType: 'ObjectId' } },
              },
            },
          }),
        ],
      },
    };
    const people = modelInfo('Team', teamProperties);
    const strictPeople = modelInfo('Team', teamProperties, {}, { strictObjectIDCoercion: true });
    const STRICT_IDS = { ...STRICT, ids: 'strict' };
    const EXTENDED_IDS = { ...EXTENDED, ids: 'strict' };
    const team = (where: unknown, options: typeof STRICT & { ids?: string } = STRICT) =>
      buildFilter(options.ids ? strictPeople : people, where, options);

    it('translate elemMatch on documents as a where clause on the items', () => {
      expect(team({ people: { elemMatch: { pid: 'p1', role: 'admin' } } })).toEqual({
        people: { $elemMatch: { pid: 'p1', role: 'admin' } },
      });
      expect(team({ people: { elemMatch: { pid: 'p1', n: { gt: 2 }, type: 'x' } } })).toEqual({
        people: { $elemMatch: { pid: 'p1', n: { $gt: 2 }, type: 'x' } },
      });
      expect(team({ people: { elemMatch: { or: [{ pid: 'a' }, { pid: 'b' }] } } })).toEqual({
        people: { $elemMatch: { $or: [{ pid: 'a' }, { pid: 'b' }] } },
      });
      // untyped fields inside match a 24-hex string in both stored forms
      expect(team({ people: { elemMatch: { pid: HEX, x: 1 } } })).toEqual({
        people: { $elemMatch: { pid: { $in: [HEX, new ObjectId(HEX)] }, x: 1 } },
      });
    });

    it('convert the fields of an embedded model inside elemMatch', () => {
      expect(
        team({ members: { elemMatch: { name: 'a', joined: { gt: '2020-01-01' }, refId: HEX } } }),
      ).toEqual({
        members: {
          $elemMatch: {
            name: 'a',
            joined: { $gt: new Date('2020-01-01') },
            refId: new ObjectId(HEX),
          },
        },
      });
    });

    it('translate elemMatch on scalars, or with operator names only, as conditions', () => {
      expect(team({ scores: { elemMatch: { gte: 80, lt: 90 } } })).toEqual({
        scores: { $elemMatch: { $gte: 80, $lt: 90 } },
      });
      expect(team({ list: { elemMatch: { gte: 80 } } })).toEqual({
        list: { $elemMatch: { $gte: 80 } },
      });
      expect(() => team({ scores: { elemMatch: { gte: 80, x: 1 } } })).toThrow(
        'Team.scores: unknown operator x',
      );
    });

    it('name the field path inside elemMatch in errors', () => {
      expect(() => team({ people: { elemMatch: { pid: 'a', n: { between: [1] } } } })).toThrow(
        'Team.people.n: between expects exactly two values',
      );
      expect(() => team({ people: { elemMatch: 'p1' } })).toThrow(
        'Team.people: elemMatch expects conditions or a where clause',
      );
    });

    it('translate all, size, mod and type', () => {
      expect(team({ list: { all: ['a', 'b'] } })).toEqual({ list: { $all: ['a', 'b'] } });
      expect(team({ list: { size: 2 } })).toEqual({ list: { $size: 2 } });
      expect(team({ list: { size: '2' } })).toEqual({ list: { $size: 2 } });
      expect(team({ meta: { mod: [4, 0] } })).toEqual({ meta: { $mod: [4, 0] } });
      expect(team({ meta: { type: 'string' } })).toEqual({ meta: { $type: 'string' } });
      expect(team({ meta: { type: ['int', 2] } })).toEqual({ meta: { $type: ['int', 2] } });
      expect(filter({ age: { mod: ['4', '1'] } })).toEqual({ age: { $mod: [4, 1] } });
    });

    it('convert the items of all, and match 24-hex items in either stored form', () => {
      expect(team({ xids: { all: [HEX, OTHER_HEX] } }, STRICT_IDS)).toEqual({
        xids: { $all: [new ObjectId(HEX), new ObjectId(OTHER_HEX)] },
      });
      // a foreign key array juggler types after an ObjectId id may hold either form
      expect(team({ xids: { all: [HEX] } })).toEqual({
        xids: { $all: [{ $elemMatch: { $in: [HEX, new ObjectId(HEX)] } }] },
      });
      expect(filter({ tags: { all: [HEX, 'b'] } })).toEqual({
        tags: {
          $all: [{ $elemMatch: { $in: [HEX, new ObjectId(HEX)] } }, { $elemMatch: { $eq: 'b' } }],
        },
      });
    });

    it('translate in, ne, not, regex and the bitwise operators', () => {
      expect(filter({ age: { in: [1, 2] } })).toEqual({ age: { $in: [1, 2] } });
      expect(filter({ age: { ne: 1 } })).toEqual({ age: { $ne: 1 } });
      expect(filter({ age: { not: { gt: 5 } } })).toEqual({ age: { $not: { $gt: 5 } } });
      expect(filter({ name: { not: /a/i } })).toEqual({
        name: { $not: new BSONRegExp('a', 'i') },
      });
      expect(filter({ name: { regex: 'a.c' } })).toEqual({
        name: { $regex: new BSONRegExp('a.c', '') },
      });
      expect(filter({ age: { bitsAllSet: [1, 5] } })).toEqual({ age: { $bitsAllSet: [1, 5] } });
      expect(filter({ age: { bitsAnyClear: 35 } })).toEqual({ age: { $bitsAnyClear: 35 } });
      expect(() => filter({ age: { not: 5 } })).toThrow('Customer.age: not expects operator');
    });

    it('translate geoWithin and geoIntersects, shape keys with or without $', () => {
      const polygon = {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [3, 0],
            [3, 3],
            [0, 0],
          ],
        ],
      };
      const geo = customerInfo({}, { enableGeoIndexing: true });
      expect(buildFilter(geo, { location: { geoWithin: { geometry: polygon } } }, STRICT)).toEqual({
        location: { $geoWithin: { $geometry: polygon } },
      });
      expect(
        buildFilter(geo, { location: { geoWithin: { $centerSphere: [[1, 2], 0.1] } } }, STRICT),
      ).toEqual({
        location: { $geoWithin: { $centerSphere: [[1, 2], 0.1] } },
      });
      expect(
        buildFilter(geo, { location: { geoIntersects: { $geometry: polygon } } }, STRICT),
      ).toEqual({
        location: { $geoIntersects: { $geometry: polygon } },
      });
      expect(() => buildFilter(geo, { location: { geoWithin: { $where: 'x' } } }, STRICT)).toThrow(
        'Customer.location: geoWithin expects one of',
      );
      expect(() =>
        buildFilter(
          geo,
          {
            location: {
              geoWithin: {
                box: [
                  [0, 0],
                  ['a', 1],
                ],
              },
            },
          },
          STRICT,
        ),
      ).toThrow('geoWithin box expects coordinates');
      expect(() =>
        buildFilter(
          geo,
          { location: { geoWithin: { geometry: { type: 'Point', $x: 1 } } } },
          STRICT,
        ),
      ).toThrow(OperatorNotAllowedError);
    });

    it('refuse bad operands, naming model and property', () => {
      expect(() => team({ list: { size: -1 } })).toThrow('Team.list: size expects a non-negative');
      expect(() => team({ meta: { mod: [0, 1] } })).toThrow('Team.meta: mod cannot divide by zero');
      expect(() => team({ meta: { mod: 4 } })).toThrow(
        'Team.meta: mod expects [divisor, remainder]',
      );
      expect(() => team({ meta: { type: 'click' } })).toThrow(
        /^Team\.meta: type expects a BSON type name .* use \{eq: \{\.\.\.\}\}/,
      );
      expect(() => team({ meta: { type: [] } })).toThrow('Team.meta: type expects a BSON type');
      expect(team({ meta: { type: '2' } })).toEqual({ meta: { $type: 2 } });
      expect(() => filter({ age: { bitsAllSet: [-1] } })).toThrow(
        'bitsAllSet expects a non-negative',
      );
      expect(() => team({ list: { all: 'a' } })).toThrow('Team.list: all expects an array');
    });

    it('are refused with $ unless allowed, and converted to the stored form when allowed', () => {
      expect(() => team({ xids: { $all: [HEX] } })).toThrow(OperatorNotAllowedError);
      expect(team({ xids: { $all: [HEX, OTHER_HEX] } }, EXTENDED_IDS)).toEqual({
        xids: { $all: [new ObjectId(HEX), new ObjectId(OTHER_HEX)] },
      });
      expect(team({ xids: { $in: [HEX] } }, EXTENDED_IDS)).toEqual({
        xids: { $in: [new ObjectId(HEX)] },
      });
      expect(team({ xid: { $eq: HEX } }, EXTENDED)).toEqual({ xid: { $eq: new ObjectId(HEX) } });
      expect(team({ xid: { $ne: HEX } }, EXTENDED)).toEqual({ xid: { $ne: new ObjectId(HEX) } });
      expect(filter({ born: { $gte: '2020-01-01' } }, EXTENDED)).toEqual({
        born: { $gte: new Date('2020-01-01') },
      });
      expect(filter({ balance: { $lt: '10' } }, EXTENDED)).toEqual({
        balance: { $lt: Decimal128.fromString('10') },
      });
      expect(filter({ name: { $regex: '^a', $options: 'i' } }, EXTENDED)).toEqual({
        name: { $regex: new BSONRegExp('^a', 'i') },
      });
      expect(team({ people: { $elemMatch: { pid: 'p1', n: { $gt: 1 } } } }, EXTENDED)).toEqual({
        people: { $elemMatch: { pid: 'p1', n: { $gt: 1 } } },
      });
      expect(() => team({ xid: { $in: ['nope'] } }, EXTENDED)).toThrow(InvalidValueError);
    });

    it('refuse unknown operator names, typed, naming model, property and operator', () => {
      for (const where of [
        { age: { foo: 1 } },
        { tags: { $foo: 1 } },
        { address: { gt: 1, city: 'x' } },
        { $foo: 1 },
        { and: [{ age: { $bar: 1 } }] },
      ]) {
        expect(() => filter(where, EXTENDED)).toThrow(UnknownOperatorError);
      }
      try {
        filter({ address: { gt: 1, city: 'x' } });
        throw new Error('not refused');
      } catch (error) {
        expect(error).toMatchObject({
          statusCode: 400,
          code: 'UNKNOWN_OPERATOR',
          model: 'Customer',
          property: 'address',
          operator: 'city',
          message:
            'Customer.address: unknown operator city; to match a document holding "city" ' +
            'exactly, use {eq: {...}}',
        });
      }
      expect(() => filter({ $foo: 1 }, EXTENDED)).toThrow('Customer: unknown operator $foo');
    });

    it('match a document exactly when no key is an operator name, or with eq', () => {
      expect(team({ meta: { colour: 'red', n: 1 } })).toEqual({ meta: { colour: 'red', n: 1 } });
      expect(team({ meta: { eq: { type: 'click', n: 1 } } })).toEqual({
        meta: { $eq: { type: 'click', n: 1 } },
      });
      // modifiers alone name no operator
      expect(team({ meta: { unit: 'kg' } })).toEqual({ meta: { unit: 'kg' } });
    });

    it('keep refusing JavaScript-executing operators, at the top and below $expr', () => {
      expect(() => filter({ $where: 'true' }, EXTENDED)).toThrow(OperatorNotAllowedError);
      expect(() => filter({ $expr: { $function: {} } }, EXTENDED)).toThrow(OperatorNotAllowedError);
      expect(() => filter({ age: { $where: 'x' } }, EXTENDED)).toThrow(OperatorNotAllowedError);
    });

    it('translate $and, $or and $nor like and, or and nor', () => {
      expect(team({ $or: [{ xid: HEX }, { xids: { $size: 0 } }] }, EXTENDED)).toEqual({
        $or: [{ xid: new ObjectId(HEX) }, { xids: { $size: 0 } }],
      });
    });
  });

  describe('text search', () => {
    it('accepts $text and text without allowExtendedOperators, keys with or without $', () => {
      expect(filter({ $text: { search: 'fox' } })).toEqual({ $text: { $search: 'fox' } });
      expect(
        filter({
          text: {
            $search: 'fox',
            language: 'en',
            caseSensitive: 'true',
            diacriticSensitive: false,
          },
          age: { gt: 1 },
        }),
      ).toEqual({
        $text: {
          $search: 'fox',
          $language: 'en',
          $caseSensitive: true,
          $diacriticSensitive: false,
        },
        age: { $gt: 1 },
      });
      expect(filter({ or: [{ $text: { search: 'a' } }] })).toEqual({
        $or: [{ $text: { $search: 'a' } }],
      });
    });

    it('reads text as a property where the model defines one', () => {
      const notes = modelInfo('Note', { text: { type: String } });
      expect(buildFilter(notes, { text: 'hello' }, STRICT)).toEqual({ text: 'hello' });
    });

    it('refuses anything else in a text search, naming the model', () => {
      expect(() => filter({ $text: 'fox' })).toThrow('Customer: text search expects {search');
      expect(() => filter({ text: 'fox' })).toThrow('a property named text must be defined');
      expect(() => filter({ $text: { search: 'a', $where: 'x' } })).toThrow(
        'Customer: text search takes search, language, caseSensitive, diacriticSensitive; got "$where"',
      );
      expect(() => filter({ $text: { language: 'en' } })).toThrow('text search needs search');
      expect(() => filter({ $text: { search: 'a', caseSensitive: 1 } })).toThrow(
        'text search caseSensitive expects a boolean, got 1',
      );
      expect(() => filter({ $text: { search: { $gt: '' } } })).toThrow(InvalidQueryError);
    });
  });

  describe('prototype keys', () => {
    // dropping one would widen the match, and with it what a deleteAll removes
    it('are refused at every level and pollute nothing', () => {
      const wheres = [
        '{"__proto__": {"polluted": true}, "name": "a"}',
        '{"address": {"__proto__": {"polluted": true}, "city": "x"}}',
        '{"or": [{"constructor": {"prototype": {"polluted": true}}}]}',
        '{"name": {"eq": {"prototype": 1}}}',
        '{"name": {"constructor": 1}}',
      ];
      for (const where of wheres) {
        expect(() => filter(JSON.parse(where))).toThrow(InvalidQueryError);
        expect(() => filter(JSON.parse(where), UNSANITIZED)).toThrow(InvalidQueryError);
      }
      expect(() => filter(JSON.parse(wheres[1]))).toThrow(
        'Customer.address: key __proto__ is not allowed in user input',
      );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('near', () => {
    const geoFilter = (where: unknown) => buildFilter(geoInfo, where, STRICT);
    const point = { type: 'Point', coordinates: [2.35, 48.85] };

    it('translates to $nearSphere over a GeoJSON point', () => {
      expect(geoFilter({ location: { near: { lat: 48.85, lng: 2.35 } } })).toEqual({
        location: { $nearSphere: { $geometry: point } },
      });
    });

    it("reads a list as GeoJSON's [lng, lat] and a string as 'lng,lat', as the official does", () => {
      const expected = { location: { $nearSphere: { $geometry: point } } };
      expect(geoFilter({ location: { near: [2.35, 48.85] } })).toEqual(expected);
      expect(geoFilter({ location: { near: '2.35,48.85' } })).toEqual(expected);
      expect(geoFilter({ location: { near: ' 2.35 , 48.85 ' } })).toEqual(expected);
      expect(geoFilter({ location: { near: ['2.35', '48.85'] } })).toEqual(expected);
      // [lat, lng] is read as [lng, lat] as the official reads it; an impossible latitude is refused
      expect(geoFilter({ location: { near: [48.85, 2.35] } })).toEqual({
        location: { $nearSphere: { $geometry: { type: 'Point', coordinates: [48.85, 2.35] } } },
      });
      expect(() => geoFilter({ location: { near: [10, 95] } })).toThrow(/near expects a point/);
      expect(() => geoFilter({ location: { near: [1, 2, 3] } })).toThrow(/near expects a point/);
    });

    it('converts distances to meters, meters when no unit is given', () => {
      const distances = (clause: object) =>
        (geoFilter({ location: { near: [2.35, 48.85], ...clause } }) as NearFilter).location
          .$nearSphere;
      expect(distances({ maxDistance: 2 })).toMatchObject({ $maxDistance: 2 });
      expect(distances({ minDistance: 7 })).toMatchObject({ $minDistance: 7 });
      expect(distances({ maxDistance: 2, unit: 'miles' }).$maxDistance).toBe(3218.688);
      expect(distances({ maxDistance: 2, unit: 'meters' }).$maxDistance).toBe(2);
      expect(distances({ maxDistance: 2, unit: 'kilometers' }).$maxDistance).toBe(2000);
      expect(distances({ maxDistance: 10, unit: 'feet' }).$maxDistance).toBeCloseTo(3.048);
      expect(distances({ maxDistance: 1, unit: 'radians' }).$maxDistance).toBe(6378100);
      expect(distances({ maxDistance: 1, unit: 'degrees' }).$maxDistance).toBeCloseTo(111318.8, 1);
      expect(distances({ minDistance: 1, maxDistance: 3, unit: 'kilometers' })).toMatchObject({
        $minDistance: 1000,
        $maxDistance: 3000,
      });
      expect(distances({ maxDistance: '5', unit: 'meters' }).$maxDistance).toBe(5);
    });

    it('treats a zero distance as no bound, as juggler does', () => {
      expect(geoFilter({ location: { near: [2.35, 48.85], maxDistance: 0 } })).toEqual({
        location: { $nearSphere: { $geometry: point } },
      });
    });

    it('refuses bad points, distances and units, naming model and property', () => {
      expect(() => geoFilter({ location: { near: 'here' } })).toThrow(
        `Customer.location: near expects a point ({lat, lng}, [lng, lat] or 'lng,lat'), got "here"`,
      );
      expect(() => geoFilter({ location: { near: [1, 2], maxDistance: -1 } })).toThrow(
        'Customer.location: maxDistance expects a non-negative number, got -1',
      );
      expect(() => geoFilter({ location: { near: [1, 2], minDistance: 'far' } })).toThrow(
        'Customer.location: minDistance expects a non-negative number',
      );
      expect(() => geoFilter({ location: { near: [1, 2], unit: 'leagues' } })).toThrow(
        'Customer.location: unknown distance unit "leagues"',
      );
    });

    it('needs enableGeoIndexing', () => {
      expect(() => filter({ location: { near: [1, 2] } })).toThrow(
        'Customer.location: near needs the enableGeoIndexing setting',
      );
    });

    it('matches a GeoPoint by equality in its stored form', () => {
      expect(geoFilter({ location: { lat: 48.85, lng: 2.35 } })).toEqual({ location: point });
    });
  });
});

describe('buildNearFilter', () => {
  it('gives the filter for one near clause on the stored field', () => {
    expect(
      buildNearFilter(geoInfo, 'location', {
        near: { lat: 1, lng: 2 },
        maxDistance: 3,
        unit: 'kilometers',
      }),
    ).toEqual({
      location: {
        $nearSphere: { $geometry: { type: 'Point', coordinates: [2, 1] }, $maxDistance: 3000 },
      },
    });
  });
});

describe('sortsByDistance', () => {
  it('sees $nearSphere at the top and inside $and', () => {
    const near = { location: { near: [1, 2] } };
    expect(sortsByDistance(buildFilter(geoInfo, near, STRICT))).toBe(true);
    expect(sortsByDistance(buildFilter(geoInfo, { and: [{ name: 'a' }, near] }, STRICT))).toBe(
      true,
    );
    expect(sortsByDistance(buildFilter(geoInfo, { name: 'a' }, STRICT))).toBe(false);
    expect(sortsByDistance({})).toBe(false);
  });
});
