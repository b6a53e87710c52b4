import { ReadPreference } from 'mongodb';
import { InvalidOptionError, type MongoDriverCallOptions } from '../../src';
import { driverOptionsFor, forRelatedQueries, pickDriverOptions } from '../../src/driver-options';

const ALL: MongoDriverCallOptions = {
  maxTimeMS: 50,
  hint: { n: 1 },
  comment: 'report-7',
  readPreference: 'secondary',
  readConcern: 'majority',
  allowDiskUse: true,
  batchSize: 500,
  writeConcern: { w: 'majority' },
  bypassDocumentValidation: true,
};

describe('pickDriverOptions', () => {
  it('picks the named driver options and nothing else', () => {
    const tx = { connection: {} };
    expect(pickDriverOptions('Item', { ...ALL, transaction: tx, notify: false, skip: 3 })).toEqual(
      ALL,
    );
  });

  it('answers calls without driver options with one shared empty object', () => {
    const none = pickDriverOptions('Item', undefined);
    expect(none).toEqual({});
    expect(pickDriverOptions('Item', { transaction: {}, allowExtendedOperators: true })).toBe(none);
  });

  it('accepts an index name as hint, ReadPreference instances and {level} read concerns', () => {
    const rp = new ReadPreference('nearest');
    expect(
      pickDriverOptions('Item', {
        hint: 'n_1',
        readPreference: rp,
        readConcern: { level: 'local' },
      }),
    ).toEqual({ hint: 'n_1', readPreference: rp, readConcern: { level: 'local' } });
  });

  it.each([
    ['maxTimeMS', '50'],
    ['maxTimeMS', -1],
    ['maxTimeMS', 1.5],
    ['batchSize', 'many'],
    ['allowDiskUse', 'yes'],
    ['hint', 5],
    ['readPreference', 'secondry'],
    ['readConcern', 'strong'],
    ['writeConcern', 'majority'],
    ['comment', () => 'x'],
  ])('refuses %s = %p, naming the model, option and value', (option, value) => {
    let error: unknown;
    try {
      pickDriverOptions('Item', { [option]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).statusCode).toBe(400);
    expect((error as Error).message).toContain(`Item: option ${option} = `);
    if (typeof value !== 'function') expect((error as Error).message).toContain(String(value));
  });
});

describe('driverOptionsFor', () => {
  it('hands each kind of call only what it takes', () => {
    expect(Object.keys(driverOptionsFor('find', ALL)).sort()).toEqual([
      'allowDiskUse',
      'batchSize',
      'comment',
      'hint',
      'maxTimeMS',
      'readConcern',
      'readPreference',
    ]);
    expect(Object.keys(driverOptionsFor('count', ALL)).sort()).toEqual([
      'comment',
      'hint',
      'maxTimeMS',
      'readConcern',
      'readPreference',
    ]);
    expect(Object.keys(driverOptionsFor('insert', ALL)).sort()).toEqual([
      'bypassDocumentValidation',
      'comment',
      'maxTimeMS',
      'writeConcern',
    ]);
    expect(Object.keys(driverOptionsFor('delete', ALL)).sort()).toEqual([
      'comment',
      'hint',
      'maxTimeMS',
      'writeConcern',
    ]);
    expect(Object.keys(driverOptionsFor('update', ALL)).sort()).toEqual([
      'bypassDocumentValidation',
      'comment',
      'hint',
      'maxTimeMS',
      'writeConcern',
    ]);
    expect(Object.keys(driverOptionsFor('findAndModify', ALL)).sort()).toEqual([
      'bypassDocumentValidation',
      'comment',
      'hint',
      'maxTimeMS',
      'writeConcern',
    ]);
    expect(driverOptionsFor('aggregate', ALL)).not.toHaveProperty('writeConcern');
    expect(driverOptionsFor('distinct', ALL)).not.toHaveProperty('batchSize');
  });

  it('gives an empty object for calls without driver options', () => {
    expect(driverOptionsFor('find', pickDriverOptions('Item', {}))).toEqual({});
  });
});

describe('forRelatedQueries', () => {
  it("leaves out the hint, which names an index of the queried model's collection", () => {
    const options = { hint: { n: 1 }, maxTimeMS: 5, transaction: undefined };
    expect(forRelatedQueries(options)).toEqual({ maxTimeMS: 5, transaction: undefined });
    expect(options.hint).toEqual({ n: 1 });
    const plain = { maxTimeMS: 5 };
    expect(forRelatedQueries(plain)).toBe(plain);
  });
});
