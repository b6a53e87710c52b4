/**
 * `npm run demo`: a real MongoDB server (embedded, or MONGODB_URL), two related models on a
 * juggler DataSource with this connector, and a few operations with what came back.
 */
import { DataSource } from 'loopback-datasource-juggler';
import * as connector from '../src';
import { serverLine, startServer, urlForDatabase } from '../scripts/mongod/server';

// juggler's model classes are untyped for ad-hoc models; the demo only calls DAO methods
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Model = any;

const show = (label: string, value: unknown) =>
  console.log(`${label.padEnd(34)} ${JSON.stringify(value)}`);

async function main(): Promise<void> {
  const server = await startServer({ log: (line) => console.log(line) });
  console.log(serverLine(server));
  const ds = new DataSource({
    connector,
    url: urlForDatabase(server.url, `demo_${Date.now()}`),
  } as never);
  try {
    const Author: Model = ds.createModel('Author', {
      name: { type: String, required: true },
      email: { type: String, index: { unique: true } },
    });
    const Book: Model = ds.createModel('Book', {
      title: String,
      year: Number,
      authorId: { type: String, mongodb: { dataType: 'ObjectId' } },
    });
    Author.hasMany(Book, { as: 'books', foreignKey: 'authorId' });
    Book.belongsTo(Author, { as: 'author', foreignKey: 'authorId' });
    await ds.automigrate();

    const ada = await Author.create({ name: 'Ada Lovelace', email: 'ada@example.com' });
    show('create Author ->', ada.toJSON());
    const books = await Book.createAll([
      { title: 'Notes on the Analytical Engine', year: 1843, authorId: ada.id },
      { title: 'Sketch of the Engine', year: 1842, authorId: ada.id },
      { title: 'A Later Letter', year: 1850, authorId: ada.id },
    ]);
    show(
      'createAll 3 Books -> ids',
      books.map((b: Model) => b.id),
    );

    const found = await Book.find({ where: { year: { lt: 1850 } }, order: 'year ASC', limit: 2 });
    show(
      'find year<1850 order year ASC, 2 ->',
      found.map((b: Model) => `${b.year} ${b.title}`),
    );

    const upserted = await Book.updateOrCreate({ id: books[2].id, year: 1851 });
    show('updateOrCreate existing id ->', upserted.toJSON());

    const [author, created] = await Author.findOrCreate(
      { where: { email: 'charles@example.com' } },
      { name: 'Charles Babbage', email: 'charles@example.com' },
    );
    show('findOrCreate new email -> created', { name: author.name, created });
    const [, createdAgain] = await Author.findOrCreate(
      { where: { email: 'charles@example.com' } },
      { name: 'Charles Babbage', email: 'charles@example.com' },
    );
    show('findOrCreate same email -> created', createdAgain);

    const withBooks = await Author.findById(ada.id, { include: 'books' });
    show('findById with include books ->', withBooks.toJSON().books.length + ' books');
    show('count Books year>=1843 ->', await Book.count({ year: { gte: 1843 } }));

    const mongo = ds.connector as unknown as connector.MongoDB;
    const raw = await mongo.collection('Book').findOne({});
    show('stored authorId is an ObjectId ->', raw?.authorId?.constructor?.name);

    show('destroyById first Book ->', await Book.destroyById(books[0].id));
    show('count Books after destroy ->', await Book.count());
  } finally {
    await ds.disconnect();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
