/**
 * LoopBack 4's `repository.execute(collectionName, command, ...args)`: juggler's
 * DataSource.execute hands the arguments to the connector's execute with a callback appended, and
 * returns a promise of what the callback gets.
 */
import { ObjectId } from 'mongodb';
import type { ReaderRepository } from '../src';
import { type App, openApp } from './support/app';

let ours: App;
let official: App;
let readers: ReaderRepository;

beforeAll(async () => {
  ours = openApp('ours', 'lb4_execute');
  await ours.ds.automigrate();
  readers = ours.repos.readers;
  await readers.createAll([{ name: 'Rae' }, { name: 'Sam' }, { name: 'Tom' }]);
  official = openApp('official', 'lb4_execute');
});

afterAll(async () => {
  await Promise.all([ours?.ds.disconnect(), official?.ds.disconnect()]);
});

describe('on our connector', () => {
  it('gives the documents of aggregate and find as arrays', async () => {
    const grouped = await readers.execute('Reader', 'aggregate', [
      { $match: { name: { $ne: 'Tom' } } },
      { $group: { _id: null, names: { $push: '$name' } } },
    ]);
    expect(grouped).toEqual([{ _id: null, names: expect.arrayContaining(['Rae', 'Sam']) }]);
    const found = (await readers.execute('Reader', 'find', { name: 'Sam' })) as unknown[];
    expect(found).toEqual([{ _id: expect.any(ObjectId), name: 'Sam' }]);
    const sorted = await readers.execute('Reader', 'find', {}, { sort: { name: -1 }, limit: 1 });
    expect(sorted).toEqual([expect.objectContaining({ name: 'Tom' })]);
  });

  it('gives what the driver returns for other commands', async () => {
    expect(await readers.execute('Reader', 'countDocuments', {})).toBe(3);
    expect(await readers.execute('Reader', 'findOne', { name: 'Rae' })).toMatchObject({
      name: 'Rae',
    });
    const inserted = (await readers.execute('Reader', 'insertOne', { name: 'Uma' })) as {
      insertedId: ObjectId;
    };
    expect(inserted.insertedId).toBeInstanceOf(ObjectId);
    // and the app sees the document as it sees its own
    expect((await readers.findById(inserted.insertedId.toHexString())).name).toBe('Uma');
    expect(await readers.execute('Reader', 'deleteOne', { name: 'Uma' })).toMatchObject({
      deletedCount: 1,
    });
  });

  it('works as the first call of a datasource', async () => {
    const fresh = openApp('ours', 'lb4_execute');
    try {
      expect(await fresh.repos.readers.execute('Reader', 'estimatedDocumentCount')).toBe(3);
    } finally {
      await fresh.ds.disconnect();
    }
  });

  it('rejects an unknown command, naming it, and maps driver errors', async () => {
    await expect(readers.execute('Reader', 'nope', {})).rejects.toThrow(
      'execute: "nope" is not a method of collection Reader',
    );
    const _id = new ObjectId();
    await readers.execute('Reader', 'insertOne', { _id, name: 'Vic' });
    await expect(
      readers.execute('Reader', 'insertOne', { _id, name: 'Vic' }),
    ).rejects.toMatchObject({ statusCode: 409 });
    await readers.execute('Reader', 'deleteOne', { _id });
  });
});

describe('on loopback-connector-mongodb 7.0.5, for comparison', () => {
  it('returns the driver cursor of find and fails aggregate', async () => {
    const cursor = (await official.repos.readers.execute('Reader', 'find', {})) as {
      toArray(): Promise<unknown[]>;
    };
    expect(Array.isArray(cursor)).toBe(false);
    expect(await cursor.toArray()).toHaveLength(3);
    // it hands the driver's cursor to util.callbackify, which needs a promise
    await expect(
      official.repos.readers.execute('Reader', 'aggregate', [{ $match: {} }]),
    ).rejects.toThrow(/then is not a function/);
    expect(await official.repos.readers.execute('Reader', 'countDocuments', {})).toBe(3);
  });
});
