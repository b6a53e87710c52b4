import { ObjectId } from 'mongodb';
import { InvalidQueryError, OperatorNotAllowedError } from '../../src/errors';
import {
  assertKeyAllowed,
  assertValueAllowed,
  isOperatorKey,
  isPlainObject,
  isPrototypeKey,
  resolveSanitizeOptions,
  sanitizeData,
} from '../../src/sanitize';
import { EXTENDED, STRICT, UNSANITIZED, customerInfo } from './fixtures';

const info = customerInfo();
const BOTH = { allowExtendedOperators: true, disableSanitization: true };

describe('resolveSanitizeOptions', () => {
  it('defaults to refusing operators', () => {
    expect(resolveSanitizeOptions(info, {})).toEqual(STRICT);
  });

  it('takes the model setting (top level or under mongodb) or the datasource setting', () => {
    expect(resolveSanitizeOptions(customerInfo({ allowExtendedOperators: true }), {})).toEqual(
      EXTENDED,
    );
    expect(
      resolveSanitizeOptions(customerInfo({ mongodb: { allowExtendedOperators: true } }), {}),
    ).toEqual(EXTENDED);
    expect(resolveSanitizeOptions(info, { allowExtendedOperators: true })).toEqual(EXTENDED);
    expect(
      resolveSanitizeOptions(customerInfo({ mongodb: { disableSanitization: true } }), {}),
    ).toEqual(UNSANITIZED);
    expect(resolveSanitizeOptions(info, { disableSanitization: true })).toEqual(UNSANITIZED);
  });

  it('lets the model win over a datasource that allows or says nothing', () => {
    const refusing = customerInfo({ mongodb: { allowExtendedOperators: false } });
    expect(resolveSanitizeOptions(refusing, { allowExtendedOperators: true })).toEqual(STRICT);
    const allowing = customerInfo({ allowExtendedOperators: true });
    expect(resolveSanitizeOptions(allowing, {})).toEqual(EXTENDED);
    expect(resolveSanitizeOptions(allowing, { allowExtendedOperators: 'yes' })).toEqual(EXTENDED);
  });

  // call option, model (top level), model.mongodb, datasource -> allowExtendedOperators
  const precedence: [unknown, unknown, unknown, unknown, boolean][] = [
    [undefined, undefined, undefined, undefined, false],
    [undefined, undefined, undefined, true, true],
    [undefined, undefined, undefined, false, false],
    [undefined, true, undefined, undefined, true],
    [undefined, undefined, true, undefined, true],
    [undefined, false, undefined, true, false],
    [undefined, undefined, false, true, false],
    [undefined, true, undefined, false, false],
    [undefined, undefined, true, false, false],
    [undefined, true, true, false, false],
    [true, undefined, undefined, false, true],
    [true, false, false, false, true],
    [false, true, true, true, false],
    [false, undefined, undefined, undefined, false],
  ];
  it.each(precedence)(
    'call %p, model %p, model.mongodb %p, datasource %p: allowed = %p',
    (call, model, mongo, dataSource, allowed) => {
      const settings = mongo === undefined ? {} : { mongodb: { allowExtendedOperators: mongo } };
      const modelInfo = customerInfo(
        model === undefined ? settings : { ...settings, allowExtendedOperators: model },
      );
      const dsSettings = dataSource === undefined ? {} : { allowExtendedOperators: dataSource };
      const callOptions = call === undefined ? undefined : { allowExtendedOperators: call };
      expect(
        resolveSanitizeOptions(modelInfo, dsSettings, callOptions).allowExtendedOperators,
      ).toBe(allowed);
    },
  );

  it('reads the settings at each call, so a later change counts', () => {
    const settings: Record<string, unknown> = {};
    const model = customerInfo(settings);
    const dataSource: Record<string, unknown> = {};
    expect(resolveSanitizeOptions(model, dataSource)).toEqual(STRICT);
    dataSource.allowExtendedOperators = true;
    expect(resolveSanitizeOptions(model, dataSource)).toEqual(EXTENDED);
    settings.allowExtendedOperators = false;
    expect(resolveSanitizeOptions(model, dataSource)).toEqual(STRICT);
  });

  it("lets a call's own option win over the model's", () => {
    const allowing = customerInfo({ allowExtendedOperators: true });
    expect(resolveSanitizeOptions(allowing, {}, { allowExtendedOperators: false })).toEqual(STRICT);
    expect(resolveSanitizeOptions(info, {}, { allowExtendedOperators: true })).toEqual(EXTENDED);
    expect(resolveSanitizeOptions(info, {}, { disableSanitization: true })).toEqual(UNSANITIZED);
    // anything but a boolean says nothing
    expect(resolveSanitizeOptions(allowing, {}, { allowExtendedOperators: 'no' })).toEqual(
      EXTENDED,
    );
  });
});

describe('key classification', () => {
  it('knows operator keys', () => {
    expect(isOperatorKey('$gt')).toBe(true);
    expect(isOperatorKey('mapReduce')).toBe(true);
    expect(isOperatorKey('name')).toBe(false);
    expect(isOperatorKey('a$b')).toBe(false);
  });

  it('knows prototype keys', () => {
    expect(['__proto__', 'constructor', 'prototype'].every(isPrototypeKey)).toBe(true);
    expect(isPrototypeKey('proto')).toBe(false);
  });

  it('walks only plain objects', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(new Date())).toBe(false);
    expect(isPlainObject(new ObjectId())).toBe(false);
    expect(isPlainObject(null)).toBe(false);
  });
});

describe('assertKeyAllowed', () => {
  const allowed =
    (key: string, options = STRICT) =>
    () =>
      assertKeyAllowed('Customer', key, 'name', options);

  it('lets field names through', () => {
    expect(allowed('city')).not.toThrow();
    expect(allowed('a$b')).not.toThrow();
  });

  it('refuses every operator by default, naming model, property and operator', () => {
    expect(allowed('$gt')).toThrow(OperatorNotAllowedError);
    expect(allowed('$gt')).toThrow(/^Customer\.name: operator \$gt is not allowed/);
  });

  it('lets operators through with allowExtendedOperators', () => {
    for (const operator of ['$gt', '$expr', '$elemMatch', '$set']) {
      expect(allowed(operator, EXTENDED)).not.toThrow();
    }
  });

  it('refuses the JS-executing ones even with allowExtendedOperators', () => {
    for (const operator of ['$where', '$function', '$accumulator', 'mapReduce']) {
      expect(allowed(operator, EXTENDED)).toThrow(OperatorNotAllowedError);
    }
  });

  it('lets every operator through with disableSanitization', () => {
    for (const operator of ['$gt', '$where', '$function', '$accumulator', '$expr', 'mapReduce']) {
      expect(allowed(operator, UNSANITIZED)).not.toThrow();
      expect(allowed(operator, BOTH)).not.toThrow();
    }
  });

  it('refuses prototype keys whatever the options', () => {
    for (const options of [STRICT, EXTENDED, UNSANITIZED, BOTH]) {
      for (const key of ['__proto__', 'constructor', 'prototype']) {
        expect(allowed(key, options)).toThrow(InvalidQueryError);
      }
    }
    expect(allowed('__proto__')).toThrow(
      'Customer.name: key __proto__ is not allowed in user input',
    );
  });
});

describe('assertValueAllowed', () => {
  const check =
    (property: string | undefined, value: unknown, options = STRICT) =>
    () =>
      assertValueAllowed('Customer', property, value, options);

  it('accepts plain values and leaves them unchanged', () => {
    const value = { a: [1, { b: 'c' }], d: null, e: new Date(0), f: new ObjectId() };
    const before = JSON.stringify(value);
    expect(check('address', value)).not.toThrow();
    expect(JSON.stringify(value)).toBe(before);
  });

  it('finds operator keys nested anywhere, in objects and arrays', () => {
    expect(check('address', { a: [{ b: { $where: 'sleep(1000)' } }] })).toThrow(
      'Customer.address: operator $where is not allowed',
    );
    expect(check('address', [{ $gt: 1 }])).toThrow(OperatorNotAllowedError);
  });

  it('does not walk into objects that are values, such as ObjectIds or Dates', () => {
    expect(check('x', { id: new ObjectId(), at: new Date() })).not.toThrow();
  });

  it('lets nested operators through when allowed, but never JS-executing ones', () => {
    expect(check('age', { $gt: 1 }, EXTENDED)).not.toThrow();
    expect(check('age', { $expr: { $function: { body: 'x' } } }, EXTENDED)).toThrow(
      'operator $function is not allowed',
    );
    expect(check('age', { $where: 'x' }, UNSANITIZED)).not.toThrow();
  });

  it('refuses prototype keys at any depth, before anything can be polluted', () => {
    const parsed = (json: string) => JSON.parse(json) as unknown;
    expect(check('address', parsed('{"__proto__": {"polluted": true}}'))).toThrow(
      'Customer.address: key __proto__ is not allowed in user input',
    );
    expect(check('address', parsed('{"a": [{"constructor": {"prototype": {"x": 1}}}]}'))).toThrow(
      InvalidQueryError,
    );
    expect(check(undefined, parsed('{"nested": {"prototype": 1}}'), UNSANITIZED)).toThrow(
      'Customer.nested: key prototype is not allowed',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('sanitizeData', () => {
  it('returns the data once nothing in it is refused', () => {
    const data = { name: 'x', address: { city: 'y' } };
    expect(sanitizeData(info, data, STRICT)).toBe(data);
  });

  it('names the top-level property that holds a refused operator', () => {
    expect(() => sanitizeData(info, { name: 'x', address: { $set: 1 } }, STRICT)).toThrow(
      'Customer.address: operator $set is not allowed',
    );
  });

  it('refuses top-level update operators unless allowed, naming the property below them', () => {
    expect(() => sanitizeData(info, { $set: { name: 'x' } }, STRICT)).toThrow(
      /^Customer: operator \$set is not allowed/,
    );
    expect(sanitizeData(info, { $set: { name: 'x' } }, EXTENDED)).toEqual({ $set: { name: 'x' } });
    expect(() => sanitizeData(info, { $set: { name: { $where: '1' } } }, EXTENDED)).toThrow(
      'Customer.name: operator $where is not allowed',
    );
  });

  it('refuses mapReduce as a key', () => {
    expect(() => sanitizeData(info, { mapReduce: 'x' }, EXTENDED)).toThrow(
      'operator mapReduce is not allowed',
    );
  });

  it('refuses a parsed __proto__ key rather than dropping data', () => {
    const data = JSON.parse('{"name": "x", "__proto__": {"isAdmin": true}}');
    expect(() => sanitizeData(info, data, STRICT)).toThrow(
      'Customer: key __proto__ is not allowed in user input',
    );
    expect(({} as { isAdmin?: boolean }).isAdmin).toBeUndefined();
  });
});
