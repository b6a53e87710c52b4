/**
 * Includes over many instances: ours runs juggler's include in slices of 2 x inqLimit instances
 * (src/operations/include.ts), which keeps juggler's key dedupe linear. With `inqLimit: 3` the 20
 * authors here make 4 slices; every relation kind must come back as juggler gives it in one go,
 * and as loopback-connector-mongodb gives it.
 */
import type { DataSource } from 'loopback-datasource-juggler';
import { CONNECTORS, connectedDataSource } from '../support/connectors';
import { defineModel, type TestModel } from '../support/datasource';

const AUTHORS = 20;

interface Plain {
  name: string;
  books?: Plain[];
  author?: Plain;
  tags?: Plain[];
  [key: string]: unknown;
}

describe.each(CONNECTORS)(
  'include over more instances than a slice, on %s',
  (_label, connector) => {
    let ds: DataSource;
    let Author: TestModel;
    let Book: TestModel;
    let Tag: TestModel;

    beforeAll(async () => {
      ds = await connectedDataSource(connector, 'include_slices', { inqLimit: 3 });
      Author = defineModel(ds, 'Author', { name: String, n: Number });
      Book = defineModel(ds, 'Book', { name: String, n: Number });
      Tag = defineModel(ds, 'Tag', { name: String });
      const Tagging = defineModel(ds, 'Tagging', {});
      Author.hasMany(Book, { as: 'books', foreignKey: 'authorId' });
      Book.belongsTo(Author, { as: 'author', foreignKey: 'authorId' });
      Author.hasMany(Tag, {
        as: 'tags',
        through: Tagging,
        foreignKey: 'authorId',
        keyThrough: 'tagId',
      });
      Tagging.belongsTo(Author, { as: 'author', foreignKey: 'authorId' });
      Tagging.belongsTo(Tag, { as: 'tag', foreignKey: 'tagId' });
      await ds.automigrate();
      const tags = await Tag.create([{ name: 'even' }, { name: 'odd' }]);
      for (let i = 0; i < AUTHORS; i++) {
        const author = await Author.create({ name: `author ${i}`, n: i });
        await Book.create([
          { name: `book ${i}a`, n: 2 * i, authorId: author.id },
          { name: `book ${i}b`, n: 2 * i + 1, authorId: author.id },
        ]);
        await Tagging.create({ authorId: author.id, tagId: tags[i % 2].id });
      }
    });

    afterAll(() => ds.disconnect());

    const plain = (found: { toJSON(): Plain }[]) => found.map((x) => x.toJSON());

    it('hasMany: every author gets its own books', async () => {
      const found = plain(await Author.find({ order: 'n ASC', include: 'books' }));
      expect(found).toHaveLength(AUTHORS);
      found.forEach((author, i) => {
        expect((author.books ?? []).map((b) => b.name).sort()).toEqual([
          `book ${i}a`,
          `book ${i}b`,
        ]);
      });
    });

    it('belongsTo: every book gets its author, the same author across slices', async () => {
      const found = plain(await Book.find({ order: 'n ASC', include: 'author' }));
      expect(found).toHaveLength(2 * AUTHORS);
      found.forEach((book, j) => expect(book.author?.name).toBe(`author ${j >> 1}`));
    });

    it('hasMany through, a scope with a limit, and a nested include', async () => {
      const found = plain(
        await Author.find({
          order: 'n ASC',
          include: [
            'tags',
            { relation: 'books', scope: { order: 'n DESC', limit: 1, include: 'author' } },
          ],
        }),
      );
      expect(found).toHaveLength(AUTHORS);
      found.forEach((author, i) => {
        expect((author.tags ?? []).map((t) => t.name)).toEqual([i % 2 ? 'odd' : 'even']);
        expect(author.books).toHaveLength(1);
        expect(author.books?.[0].name).toBe(`book ${i}b`);
        expect(author.books?.[0].author?.name).toBe(`author ${i}`);
      });
    });

    it('a where and an include together', async () => {
      const found = plain(
        await Author.find({ where: { n: { gte: 5 } }, order: 'n ASC', include: 'books' }),
      );
      expect(found.map((a) => a.name)).toEqual(
        Array.from({ length: AUTHORS - 5 }, (_, i) => `author ${i + 5}`),
      );
      for (const author of found) expect(author.books).toHaveLength(2);
    });
  },
);
