/**
 * Change streams as model events, on the replica set: every kind of write through the model comes
 * out in order and in the app's terms, where filters, resuming after a restart, and closing the
 * server cursor; a standalone server is refused up front.
 */
import type { DataSource } from 'loopback-datasource-juggler';
import { ObjectId } from 'mongodb';
import {
  ChangeStreamsNotSupportedError,
  InvalidQueryError,
  OperatorNotAllowedError,
  type ModelChange,
  type ModelChangeStream,
} from '../../src';
import {
  createDataSource,
  defineModel,
  mongoConnector,
  type TestModel,
} from '../support/datasource';

let ds: DataSource;
let Todo: TestModel;

beforeAll(async () => {
  ds = createDataSource('change_streams', { onReplicaSet: true });
  Todo = defineModel(
    ds,
    'Todo',
    {
      title: String,
      done: Boolean,
      ownerId: { type: String, mongodb: { dataType: 'ObjectId' } },
      note: { type: String, mongodb: { fieldName: 'remark' } },
    },
    { mongodb: { collection: 'todos' } },
  );
  await ds.automigrate();
});

afterAll(() => ds.disconnect());

const watch = (options = {}) => mongoConnector(ds).watch('Todo', options);

/** The next `n` changes of a stream, failing rather than hanging if they do not come. */
async function take(stream: ModelChangeStream, n: number): Promise<ModelChange[]> {
  const changes: ModelChange[] = [];
  while (changes.length < n) {
    const result = await stream.next();
    if (result.done) break;
    changes.push(result.value);
  }
  return changes;
}

/** The change stream cursors the server holds open on the todos collection. */
async function openChangeStreamCursors(): Promise<unknown[]> {
  const connector = mongoConnector(ds);
  const ns = `${connector.db!.databaseName}.todos`;
  return connector
    .client!.db('admin')
    .aggregate([
      { $currentOp: { idleCursors: true, allUsers: true } },
      { $match: { ns, 'cursor.originatingCommand.pipeline.0.$changeStream': { $exists: true } } },
    ])
    .toArray();
}

describe('watch', () => {
  it('gives inserts, updates, replaces and deletes through the model in order, in app terms', async () => {
    const stream = await watch();
    try {
      const ownerId = new ObjectId().toHexString();
      const todo = await Todo.create({ title: 'write', done: false, ownerId, note: 'soon' });
      await todo.updateAttributes({ done: true });
      await Todo.replaceById(todo.id, { title: 'write more', done: false, ownerId });
      await Todo.destroyById(todo.id);
      const changes = await take(stream, 4);
      expect(changes.map((c) => c.operationType)).toEqual([
        'insert',
        'update',
        'replace',
        'delete',
      ]);
      for (const change of changes) expect(change.id).toBe(todo.id);
      expect(changes[0].data).toEqual({
        id: todo.id,
        title: 'write',
        done: false,
        ownerId,
        note: 'soon',
      });
      expect(changes[1].updatedFields).toEqual({ done: true });
      expect(changes[1].removedFields).toEqual([]);
      expect(changes[2].data).toEqual({ id: todo.id, title: 'write more', done: false, ownerId });
      expect(changes[3].data).toBeUndefined();
      expect(new Set(changes.map((c) => JSON.stringify(c.token))).size).toBe(4);
    } finally {
      await stream.close();
    }
  });

  it('names updated and removed fields by property name', async () => {
    const todo = await Todo.create({ title: 'rename', note: 'x' });
    const stream = await watch();
    try {
      await Todo.updateAll({ id: todo.id }, { note: 'y' });
      await mongoConnector(ds)
        .collection('Todo')
        .updateOne({ _id: new ObjectId(todo.id as string) }, { $unset: { remark: '' } });
      const [set, unset] = await take(stream, 2);
      expect(set.updatedFields).toEqual({ note: 'y' });
      expect(unset.removedFields).toEqual(['note']);
    } finally {
      await stream.close();
    }
  });

  it('filters by a where translated as find translates it, applied to the whole instance', async () => {
    const ownerId = new ObjectId().toHexString();
    const stream = await watch({ where: { ownerId, done: true } });
    try {
      const other = await Todo.create({ title: 'other owner', done: true });
      const open = await Todo.create({ title: 'open', done: false, ownerId });
      await Todo.create({ title: 'finished', done: true, ownerId });
      await open.updateAttributes({ done: true });
      await other.updateAttributes({ title: 'still other' });
      const changes = await take(stream, 2);
      expect(changes.map((c) => [c.operationType, c.data?.title])).toEqual([
        ['insert', 'finished'],
        ['update', 'open'],
      ]);
      // the update event carries the whole instance, looked up, mapped as find maps it
      expect(changes[1].data).toMatchObject({ id: open.id, ownerId, done: true });
    } finally {
      await stream.close();
    }
  });

  it('with a where on the id, gives only that instance, its delete included', async () => {
    const [a, b] = await Todo.create([{ title: 'a' }, { title: 'b' }]);
    const stream = await watch({ where: { id: a.id } });
    try {
      await Todo.destroyById(b.id);
      await a.updateAttributes({ title: 'a2' });
      await Todo.destroyById(a.id);
      await Todo.create({ title: 'c' });
      const changes = await take(stream, 2);
      expect(changes.map((c) => [c.operationType, c.id])).toEqual([
        ['update', a.id],
        ['delete', a.id],
      ]);
      expect(changes[0].updatedFields).toEqual({ title: 'a2' });
    } finally {
      await stream.close();
    }
  });

  it('with pre- and post-images, judges each change, deletes included, by the where', async () => {
    const collection = mongoConnector(ds).collection('Todo');
    await mongoConnector(ds).db!.command({
      collMod: collection.collectionName,
      changeStreamPreAndPostImages: { enabled: true },
    });
    try {
      const stream = await watch({
        where: { title: 'keep' },
        fullDocument: 'required',
        fullDocumentBeforeChange: 'required',
      });
      try {
        const kept = await Todo.create({ title: 'keep' });
        const dropped = await Todo.create({ title: 'drop' });
        await kept.updateAttributes({ done: true });
        await Todo.destroyById(dropped.id);
        await Todo.destroyById(kept.id);
        const changes = await take(stream, 3);
        expect(changes.map((c) => [c.operationType, c.id])).toEqual([
          ['insert', kept.id],
          ['update', kept.id],
          ['delete', kept.id],
        ]);
        // the post-image is the document right after the update, though it is gone by now
        expect(changes[1].data).toMatchObject({ title: 'keep', done: true });
        expect(changes[2].before).toMatchObject({ title: 'keep', done: true });
      } finally {
        await stream.close();
      }
    } finally {
      await mongoConnector(ds).db!.command({
        collMod: collection.collectionName,
        changeStreamPreAndPostImages: { enabled: false },
      });
    }
  });

  it('resumes after a restart from the last token with exactly the missed changes', async () => {
    const first = await watch();
    await Todo.create({ title: 'r1' });
    await Todo.create({ title: 'r2' });
    const seen = await take(first, 2);
    // the app keeps the token (as JSON, say) and stops
    const saved = JSON.stringify(seen[1].token);
    await first.close();
    // written while no one watches
    await Todo.create({ title: 'r3' });
    await Todo.create({ title: 'r4' });
    // a new process: its own datasource and model
    const restarted = createDataSource('change_streams', { onReplicaSet: true });
    defineModel(restarted, 'Todo', { title: String }, { mongodb: { collection: 'todos' } });
    const resumed = await mongoConnector(restarted).watch('Todo', {
      resumeAfter: JSON.parse(saved),
    });
    try {
      await Todo.create({ title: 'r5' });
      const changes = await take(resumed, 3);
      expect(changes.map((c) => c.data?.title)).toEqual(['r3', 'r4', 'r5']);
    } finally {
      await resumed.close();
      await restarted.disconnect();
    }
  });

  it('resumes from resumeToken even when no change came in between', async () => {
    const first = await watch({ maxAwaitTimeMS: 50 });
    await Todo.create({ title: 'seen' });
    await take(first, 1);
    const token = first.resumeToken;
    await first.close();
    await Todo.create({ title: 'missed' });
    const resumed = await watch({ resumeAfter: token });
    try {
      expect((await take(resumed, 1)).map((c) => c.data?.title)).toEqual(['missed']);
    } finally {
      await resumed.close();
    }
  });

  it('closes the server cursor when the loop ends', async () => {
    expect(await openChangeStreamCursors()).toHaveLength(0);
    const stream = await watch({ maxAwaitTimeMS: 50 });
    await Todo.create({ title: 'open a cursor' });
    for await (const change of stream) {
      expect(change.operationType).toBe('insert');
      expect(await openChangeStreamCursors()).toHaveLength(1);
      break;
    }
    expect(stream.closed).toBe(true);
    expect(await openChangeStreamCursors()).toHaveLength(0);
  });

  it('emits change events, then close, as an event emitter', async () => {
    const stream = await watch();
    const titles: unknown[] = [];
    const closed = new Promise((resolve) => stream.once('close', resolve));
    const twoChanges = new Promise<void>((resolve) =>
      stream.on('change', (change: ModelChange) => {
        titles.push(change.data?.title);
        if (titles.length === 2) resolve();
      }),
    );
    await Todo.create({ title: 'e1' });
    await Todo.create({ title: 'e2' });
    await twoChanges;
    await stream.close();
    await closed;
    expect(titles).toEqual(['e1', 'e2']);
    expect(await openChangeStreamCursors()).toHaveLength(0);
  });

  it('refuses a bad where before opening anything', async () => {
    await expect(watch({ where: { $where: 'true' } })).rejects.toBeInstanceOf(
      OperatorNotAllowedError,
    );
    await expect(watch({ where: { title: { near: { lat: 1, lng: 2 } } } })).rejects.toBeInstanceOf(
      InvalidQueryError,
    );
  });
});

describe('on a standalone server', () => {
  const sameServer = process.env.MONGODB_TEST_URL === process.env.MONGODB_TEST_RS_URL;

  (sameServer ? it.skip : it)(
    'watch fails at once, saying change streams need a replica set',
    async () => {
      const standalone = createDataSource('change_streams_standalone');
      defineModel(standalone, 'Note', { text: String });
      try {
        const error = await mongoConnector(standalone)
          .watch('Note')
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ChangeStreamsNotSupportedError);
        expect((error as Error).message).toMatch(/Note: change streams require a replica set/);
      } finally {
        await standalone.disconnect();
      }
    },
  );
});
