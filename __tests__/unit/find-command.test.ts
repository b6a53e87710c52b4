/** The pure parts of src/operations/find-command.ts: the command, the routing rule, retryability. */
import { MongoNetworkError, MongoServerError, type FindOptions } from 'mongodb';
import { findCommand, isRetryableRead, routesToOne } from '../../src/operations/find-command';

const WHOLE_BATCH = 0x7fffffff;

describe('findCommand', () => {
  it('writes the find options it knows into the command, not the session', () => {
    const written: FindOptions = {
      projection: { title: 1 },
      sort: { _id: 1 },
      skip: 20,
      limit: 10,
      hint: 'done_1',
      comment: 'page',
      maxTimeMS: 500,
      allowDiskUse: true,
      collation: { locale: 'fr' },
    };
    const command = findCommand('Todo', { done: false }, { ...written, session: {} as never });
    // a batch of one more than the limit, so that the server closes the cursor at the limit
    expect(command).toEqual({ find: 'Todo', filter: { done: false }, ...written, batchSize: 11 });
  });

  it('asks for the whole result in one batch without a limit, and keeps a batchSize given', () => {
    expect(findCommand('Todo', {}, {})).toEqual({
      find: 'Todo',
      filter: {},
      batchSize: WHOLE_BATCH,
    });
    expect(findCommand('Todo', {}, { batchSize: 50, limit: 200 })).toMatchObject({
      batchSize: 50,
      limit: 200,
    });
    expect(findCommand('Todo', {}, { limit: WHOLE_BATCH })?.batchSize).toBe(WHOLE_BATCH);
  });

  it('one document in a single batch for a lookup by id', () => {
    expect(findCommand('Todo', { _id: 1 }, {}, true)).toEqual({
      find: 'Todo',
      filter: { _id: 1 },
      limit: 1,
      singleBatch: true,
      batchSize: 2,
    });
  });

  it('leaves to the driver’s cursor any option it does not write', () => {
    expect(findCommand('Todo', {}, { readPreference: 'secondary' })).toBeUndefined();
    expect(findCommand('Todo', {}, { readConcern: { level: 'majority' } })).toBeUndefined();
    expect(findCommand('Todo', {}, { tailable: true })).toBeUndefined();
    // an option that is present but undefined is no option
    expect(findCommand('Todo', {}, { hint: undefined })).toEqual({
      find: 'Todo',
      filter: {},
      batchSize: WHOLE_BATCH,
    });
  });
});

describe('routesToOne', () => {
  const servers = (n: number) => new Map(Array.from({ length: n }, (_, i) => [`h${i}:27017`, {}]));
  it.each([
    ['Single', 1, true],
    ['ReplicaSetWithPrimary', 3, true],
    ['ReplicaSetNoPrimary', 3, true],
    ['Sharded', 1, true],
    ['Sharded', 2, false],
    ['LoadBalanced', 1, false],
    ['Unknown', 1, false],
  ])('%s with %i server(s): %s', (type, n, expected) => {
    expect(routesToOne({ type, servers: servers(n) } as never)).toBe(expected);
  });
});

describe('isRetryableRead', () => {
  it('network errors and the retryable read codes; not other server errors', () => {
    expect(isRetryableRead(new MongoNetworkError('connection reset'))).toBe(true);
    for (const code of [6, 7, 89, 91, 134, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]) {
      expect(isRetryableRead(new MongoServerError({ code, errmsg: 'x' }))).toBe(true);
    }
    expect(isRetryableRead(new MongoServerError({ code: 2, errmsg: 'BadValue' }))).toBe(false);
    expect(isRetryableRead(new MongoServerError({ code: 50, errmsg: 'time limit' }))).toBe(false);
    expect(isRetryableRead(new MongoServerError({ errmsg: 'not master and slaveOk=false' }))).toBe(
      true,
    );
    expect(isRetryableRead(new Error('ECONNRESET'))).toBe(false);
  });
});
