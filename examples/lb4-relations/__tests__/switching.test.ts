/**
 * Switching an LB4 app between loopback-connector-mongodb 7.0.5 and ours: the same app code
 * (models with plain `string` ids and foreign keys, no MongoDB settings) seeds a database through
 * one connector and reads it through the other, and every relation comes back the same.
 */
import { ObjectId } from 'mongodb';
import type { ConnectorName, Letter, Parcel, Repositories } from '../src';
import { type App, json, openApp, rawCollection } from './support/app';

/** Writes one of everything through the relations, as an app would. */
async function seed(repos: Repositories): Promise<void> {
  const [ann, bob] = await Promise.all([
    repos.authors.create({ name: 'Ann' }),
    repos.authors.create({ name: 'Bob' }),
  ]);
  const a1 = await repos.authors.books(ann.id!).create({ title: 'A1', year: 2001 });
  const a2 = await repos.authors.books(ann.id!).create({ title: 'A2', year: 2005 });
  const b1 = await repos.authors.books(bob.id!).create({ title: 'B1', year: 1999 });
  await repos.authors.profile(ann.id!).create({ bio: 'writes' });
  const rae = await repos.readers.create({ name: 'Rae' });
  await repos.books.readers(a1.id!).link(rae.id!, { throughData: { days: 14 } });
  await repos.books.readers(b1.id!).link(rae.id!);
  await repos.books.readers(a1.id!).create({ name: 'Sam' });
  const root = await repos.categories.create({ name: 'root' });
  const fiction = await repos.categories.children(root.id!).create({ name: 'fiction' });
  await repos.categories.children(fiction.id!).create({ name: 'crime' });
  await repos.shelves.create({ name: 'best', bookIds: [b1.id!, a2.id!] });
  const kit = await repos.couriers.create({ name: 'Kit' });
  const letter: Partial<Letter> = { text: 'hello' };
  const parcel: Partial<Parcel> = { weight: 3 };
  const kits = repos.couriers.deliverables(kit.id!);
  await kits.create(letter, {
    polymorphicType: 'Letter',
    throughData: { deliverableType: 'Letter' },
  });
  await kits.create(parcel, {
    polymorphicType: 'Parcel',
    throughData: { deliverableType: 'Parcel' },
  });
}

/** What the app reads back: every relation, included and through relation repositories. */
async function read(repos: Repositories): Promise<unknown> {
  const [ann] = await repos.authors.find({ where: { name: 'Ann' } });
  const [kit] = await repos.couriers.find({ where: { name: 'Kit' } });
  const sortJson = (list: unknown) =>
    (json(list) as unknown[]).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
  return json({
    authors: await repos.authors.find({
      order: ['name ASC'],
      include: [{ relation: 'books', scope: { order: ['title ASC'] } }, 'profile'],
    }),
    books: await repos.books.find({
      order: ['title ASC'],
      include: ['author', { relation: 'readers', scope: { order: ['name ASC'] } }],
    }),
    annsBooks: await repos.authors.books(ann.id!).find({ order: ['title ASC'] }),
    annsCount: await repos.books.count({ authorId: ann.id! }),
    byForeignKey: await repos.books.find({ where: { authorId: ann.id! }, order: ['title ASC'] }),
    byInq: await repos.books.find({
      where: { authorId: { inq: [ann.id!] } },
      order: ['title ASC'],
    }),
    profile: await repos.authors.profile(ann.id!).get(),
    loans: await repos.loans.find({ order: ['days ASC'], fields: ['bookId', 'readerId', 'days'] }),
    tree: await repos.categories.find({
      where: { name: 'root' },
      include: [{ relation: 'children', scope: { include: ['children'] } }],
    }),
    parents: await repos.categories.find({ order: ['name ASC'], include: ['parent'] }),
    shelves: await repos.shelves.find({ include: ['books'] }),
    deliveries: sortJson(await repos.deliveries.find({ include: ['deliverable'] })),
    deliverables: sortJson(
      await repos.couriers.deliverables(kit.id!).find(
        {},
        {
          throughOptions: { discriminator: 'deliverableType' },
          polymorphicType: ['Letter', 'Parcel'],
        },
      ),
    ),
  });
}

/** The foreign keys as the server holds them. */
async function storedForeignKeys(app: App): Promise<Record<string, unknown[]>> {
  const values = async (collection: string, fields: string[]) =>
    (await rawCollection(app, collection).find().toArray()).flatMap((doc) =>
      fields.flatMap((f) => (doc[f] === undefined ? [] : [doc[f]].flat())),
    );
  return {
    'Book.authorId': await values('Book', ['authorId']),
    'Profile.authorId': await values('Profile', ['authorId']),
    'Loan.bookId/readerId': await values('Loan', ['bookId', 'readerId']),
    'Category.parentId': await values('Category', ['parentId']),
    'Shelf.bookIds': await values('Shelf', ['bookIds']),
    'Delivery.courierId/deliverableId': await values('Delivery', ['courierId', 'deliverableId']),
  };
}

const kinds = (stored: Record<string, unknown[]>) =>
  Object.fromEntries(
    Object.entries(stored).map(([k, list]) => [
      k,
      [...new Set(list.map((v) => (v instanceof ObjectId ? 'ObjectId' : typeof v)))],
    ]),
  );
const allObjectIds = {
  'Book.authorId': ['ObjectId'],
  'Profile.authorId': ['ObjectId'],
  'Loan.bookId/readerId': ['ObjectId'],
  'Category.parentId': ['ObjectId'],
  'Shelf.bookIds': ['ObjectId'],
  'Delivery.courierId/deliverableId': ['ObjectId'],
};

describe.each<[ConnectorName, ConnectorName]>([
  ['official', 'ours'],
  ['ours', 'official'],
])('written through %s, read through %s', (writer, reader) => {
  const database = `lb4_switch_${writer}`;
  let first: App;
  let second: App;

  beforeAll(async () => {
    first = openApp(writer, database);
    await first.ds.automigrate();
    await seed(first.repos);
    second = openApp(reader, database);
  });

  afterAll(async () => {
    await Promise.all([first?.ds.disconnect(), second?.ds.disconnect()]);
  });

  it('reads every relation the same', async () => {
    const before = await read(first.repos);
    const after = await read(second.repos);
    expect(after).toEqual(before);
    // and the read saw the seeded data, not two empty answers
    expect(before).toMatchObject({
      annsCount: { count: 2 },
      authors: [{ name: 'Ann', books: [{ title: 'A1' }, { title: 'A2' }] }, { name: 'Bob' }],
      deliverables: [{ text: 'hello' }, { weight: 3 }],
    });
  });

  it('stores every foreign key as an ObjectId', async () => {
    const ours = writer === 'ours' ? first : second;
    expect(kinds(await storedForeignKeys(ours))).toEqual(allObjectIds);
  });

  it('writes through the relations after the switch, and the first connector sees them', async () => {
    const [ann] = await second.repos.authors.find({ where: { name: 'Ann' } });
    await second.repos.authors.books(ann.id!).create({ title: 'A3', year: 2010 });
    const [rae] = await second.repos.readers.find({ where: { name: 'Rae' } });
    const [a2] = await second.repos.books.find({ where: { title: 'A2' } });
    await second.repos.books.readers(a2.id!).link(rae.id!);
    expect(await first.repos.books.count({ authorId: ann.id! })).toEqual({ count: 3 });
    const readers = await first.repos.books.readers(a2.id!).find();
    expect(readers.map((r) => r.name)).toEqual(['Rae']);
    await second.repos.books.readers(a2.id!).unlink(rae.id!);
    expect(await first.repos.books.readers(a2.id!).find()).toEqual([]);
  });
});
