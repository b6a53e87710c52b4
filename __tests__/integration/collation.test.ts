import type { DataSource } from 'loopback-datasource-juggler';
import { DuplicateKeyError } from '../../src';
import {
  createDataSource,
  defineModel,
  mongoConnector,
  type TestModel,
} from '../support/datasource';

/** English, comparing letters without their case. */
const CASE_INSENSITIVE = { locale: 'en', strength: 2 };
const CASE_SENSITIVE = { locale: 'en', strength: 3 };

const PEOPLE = [
  { name: 'Ann', team: 'red' },
  { name: 'ANN', team: 'blue' },
  { name: 'Bob', team: 'red' },
];

/**
 * Written past the connector's create, so that these tests of reading, updating and deleting do
 * not depend on how create treats a collation.
 */
async function seed(ds: DataSource, model: string): Promise<void> {
  const collection = mongoConnector(ds).collection(model);
  await collection.deleteMany({});
  await collection.insertMany(PEOPLE.map((person) => ({ ...person })));
}

function teamsOf(found: TestModel[]): string[] {
  return found.map((person: TestModel) => person.team).sort();
}

describe('collation on a real mongod', () => {
  describe('per query, through options.collation', () => {
    let ds: DataSource;
    let Person: TestModel;
    const ci = { collation: CASE_INSENSITIVE };

    beforeAll(async () => {
      ds = createDataSource('collation');
      Person = defineModel(ds, 'QueryPerson', { name: String, team: String });
      await ds.automigrate('QueryPerson');
    });

    beforeEach(() => seed(ds, 'QueryPerson'));
    afterAll(() => ds.disconnect());

    it('find and findOne match regardless of case with it, and exactly without it', async () => {
      expect(teamsOf(await Person.find({ where: { name: 'ann' } }, ci))).toEqual(['blue', 'red']);
      expect(await Person.find({ where: { name: 'ann' } })).toEqual([]);
      expect(await Person.findOne({ where: { name: 'bOB' } }, ci)).toMatchObject({ name: 'Bob' });
      // range operators compare through the collation too
      expect(teamsOf(await Person.find({ where: { name: { inq: ['bob'] } } }, ci))).toEqual([
        'red',
      ]);
    });

    it('count uses it', async () => {
      expect(await Person.count({ name: 'ann' }, ci)).toBe(2);
      expect(await Person.count({ name: 'ann' })).toBe(0);
    });

    it('updateAll uses it', async () => {
      expect(await Person.updateAll({ name: 'ann' }, { team: 'green' })).toEqual({ count: 0 });
      expect(await Person.updateAll({ name: 'ann' }, { team: 'green' }, ci)).toEqual({ count: 2 });
      expect(teamsOf(await Person.find({ where: { team: 'green' } }))).toEqual(['green', 'green']);
    });

    it('destroyAll uses it', async () => {
      expect(await Person.destroyAll({ name: 'ann' })).toEqual({ count: 0 });
      expect(await Person.destroyAll({ name: 'ann' }, ci)).toEqual({ count: 2 });
      expect((await Person.find()).map((p: TestModel) => p.name)).toEqual(['Bob']);
    });
  });

  describe('as a datasource setting', () => {
    let ds: DataSource;
    let Person: TestModel;

    beforeAll(async () => {
      ds = createDataSource('collation', { collation: CASE_INSENSITIVE });
      Person = defineModel(ds, 'SettingPerson', { name: String, team: String });
      await ds.automigrate('SettingPerson');
    });

    beforeEach(() => seed(ds, 'SettingPerson'));
    afterAll(() => ds.disconnect());

    it('applies to find, count, updateAll and destroyAll', async () => {
      expect(teamsOf(await Person.find({ where: { name: 'aNn' } }))).toEqual(['blue', 'red']);
      expect(await Person.count({ name: 'ann' })).toBe(2);
      expect(await Person.updateAll({ name: 'BOB' }, { team: 'green' })).toEqual({ count: 1 });
      expect(await Person.findOne({ where: { team: 'GREEN' } })).toMatchObject({ name: 'Bob' });
      expect(await Person.destroyAll({ name: 'ann' })).toEqual({ count: 2 });
      expect(await Person.count()).toBe(1);
    });

    it('does not stop create: inserts take no collation', async () => {
      await Person.create({ name: 'Cy', team: 'blue' });
      await Person.create([{ name: 'Di' }, { name: 'Ed' }]);
      expect(await Person.count({ name: { inq: ['cy', 'di', 'ed'] } })).toBe(3);
    });

    it('gives way to a collation given with the call', async () => {
      const exact = { collation: CASE_SENSITIVE };
      expect(teamsOf(await Person.find({ where: { name: 'ANN' } }, exact))).toEqual(['blue']);
      expect(await Person.count({ name: 'ann' }, exact)).toBe(0);
      expect(await Person.updateAll({ name: 'bob' }, { team: 'x' }, exact)).toEqual({ count: 0 });
      expect(await Person.destroyAll({ name: 'ann' }, exact)).toEqual({ count: 0 });
      expect(await Person.count()).toBe(3);
    });
  });

  describe('in index options', () => {
    let ds: DataSource;
    let User: TestModel;

    beforeAll(async () => {
      ds = createDataSource('collation');
      User = defineModel(
        ds,
        'CollationUser',
        { login: String },
        {
          indexes: {
            login_ci: {
              keys: { login: 1 },
              options: { unique: true, collation: CASE_INSENSITIVE },
            },
          },
        },
      );
      await ds.automigrate('CollationUser');
    });

    afterAll(() => ds.disconnect());

    it('makes a unique index that refuses the same login in another case', async () => {
      await User.create({ login: 'Ann' });
      const error = await User.create({ login: 'aNN' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuplicateKeyError);
      expect((error as Error).message).toMatch(
        /^CollationUser: duplicate key for unique index login_ci/,
      );
      await User.create({ login: 'Bob' });
      expect((await User.find({ order: 'login ASC' })).map((u: TestModel) => u.login)).toEqual([
        'Ann',
        'Bob',
      ]);
    });
  });
});
