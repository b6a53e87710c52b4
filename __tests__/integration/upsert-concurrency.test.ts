/**
 * The upsert paths are single server operations: many clients racing on the same new key end with
 * one document, no errors, and exactly one caller told it created it.
 */
import type { DataSource } from 'loopback-datasource-juggler';
import { ObjectId } from 'mongodb';
import {
  createDataSource,
  defineModel,
  mongoConnector,
  type TestModel,
} from '../support/datasource';

const PARALLEL = 50;

describe('concurrent upserts', () => {
  let ds: DataSource;
  let Account: TestModel;

  beforeAll(async () => {
    ds = createDataSource('upsert_concurrency');
    Account = defineModel(
      ds,
      'Account',
      { email: { type: String, index: { unique: true } }, visits: Number },
      // without forceId: false juggler turns an upsert with a generated id into find-then-update
      { forceId: false },
    );
    await mongoConnector(ds).collection('Account').createIndex({ email: 1 }, { unique: true });
  });

  beforeEach(() => Account.destroyAll());
  afterAll(() => ds.disconnect());

  async function documentsFor(filter: object): Promise<number> {
    return mongoConnector(ds).collection('Account').countDocuments(filter);
  }

  it(`${PARALLEL} parallel updateOrCreate with the same new id make one document`, async () => {
    const id = new ObjectId().toHexString();
    const hooks: boolean[] = [];
    Account.observe('after save', async (ctx: { isNewInstance?: boolean }) => {
      hooks.push(Boolean(ctx.isNewInstance));
    });
    try {
      const results = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) =>
          Account.updateOrCreate({ id, email: 'same-id@example.com', visits: i }),
        ),
      );
      expect(results).toHaveLength(PARALLEL);
      expect(results.every((r: TestModel) => r.id === id)).toBe(true);
      expect(await documentsFor({})).toBe(1);
      expect(hooks.filter(Boolean)).toHaveLength(1);
    } finally {
      Account.clearObservers('after save');
    }
  });

  it(`${PARALLEL} parallel findOrCreate on a unique field: one created === true`, async () => {
    const results: [TestModel, boolean][] = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        Account.findOrCreate(
          { where: { email: 'race@example.com' } },
          { email: 'race@example.com', visits: 1 },
        ),
      ),
    );
    expect(results.filter(([, created]) => created)).toHaveLength(1);
    expect(new Set(results.map(([account]) => account.id)).size).toBe(1);
    expect(await documentsFor({ email: 'race@example.com' })).toBe(1);
  });

  it(`${PARALLEL} parallel upsertWithWhere on a unique field make one document`, async () => {
    const created: boolean[] = [];
    Account.observe('after save', async (ctx: { isNewInstance?: boolean }) => {
      created.push(Boolean(ctx.isNewInstance));
    });
    try {
      await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) =>
          Account.upsertWithWhere(
            { email: 'where@example.com' },
            { email: 'where@example.com', visits: i },
          ),
        ),
      );
      expect(await documentsFor({ email: 'where@example.com' })).toBe(1);
      expect(created).toHaveLength(PARALLEL);
      expect(created.filter(Boolean)).toHaveLength(1);
    } finally {
      Account.clearObservers('after save');
    }
  });
});
