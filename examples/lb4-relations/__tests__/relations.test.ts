/**
 * Every LoopBack 4 relation kind through the app's repositories on our connector, with the
 * models as `lb4 model` / `lb4 relation` write them (string ids, plain `string` foreign keys).
 */
import type { Author, Book, Category, Courier, Letter, Parcel, Reader } from '../src';
import { type App, json, openApp } from './support/app';

let app: App;
let ann: Author;
let bob: Author;
let books: Record<string, Book>;

beforeAll(async () => {
  app = openApp('ours', 'lb4_relations');
  await app.ds.automigrate();
  const { authors } = app.repos;
  [ann, bob] = await Promise.all([
    authors.create({ name: 'Ann' }),
    authors.create({ name: 'Bob' }),
  ]);
  const made = await Promise.all([
    authors.books(ann.id!).create({ title: 'A1', year: 2001 }),
    authors.books(ann.id!).create({ title: 'A2', year: 2005 }),
    authors.books(ann.id!).create({ title: 'A3', year: 2010 }),
    authors.books(bob.id!).create({ title: 'B1', year: 1999 }),
  ]);
  books = Object.fromEntries(made.map((b) => [b.title, b]));
});

afterAll(async () => {
  await app?.ds.disconnect();
});

const titles = (list: { title: string }[]) => list.map((b) => b.title);
const names = (list: { name: string }[]) => list.map((r) => r.name).sort();

describe('hasMany', () => {
  it('creates through the relation with the foreign key set', async () => {
    expect(books.A1.authorId).toBe(ann.id!);
    expect((await app.repos.books.findById(books.A1.id!)).authorId).toBe(ann.id!);
  });

  it('finds and counts through the relation', async () => {
    const found = await app.repos.authors
      .books(ann.id!)
      .find({ where: { year: { gt: 2000 } }, order: ['year DESC'], limit: 2 });
    expect(titles(found)).toEqual(['A3', 'A2']);
    expect(await app.repos.books.count({ authorId: ann.id! })).toEqual({ count: 3 });
    expect(await app.repos.books.count({ authorId: bob.id! })).toEqual({ count: 1 });
  });

  it('patches and deletes only the related instances', async () => {
    const extra = await app.repos.authors.books(bob.id!).create({ title: 'B2', year: 2020 });
    expect(await app.repos.authors.books(ann.id!).patch({ year: 1 }, { title: 'B2' })).toEqual({
      count: 0,
    });
    expect(await app.repos.authors.books(bob.id!).patch({ year: 2021 }, { title: 'B2' })).toEqual({
      count: 1,
    });
    expect((await app.repos.books.findById(extra.id!)).year).toBe(2021);
    expect(await app.repos.authors.books(ann.id!).delete({ title: 'B2' })).toEqual({ count: 0 });
    expect(await app.repos.authors.books(bob.id!).delete({ title: 'B2' })).toEqual({ count: 1 });
    expect(titles(await app.repos.authors.books(bob.id!).find())).toEqual(['B1']);
  });

  it('includes with a scope: where, fields, order, limit', async () => {
    const found = await app.repos.authors.find({
      order: ['name ASC'],
      include: [
        {
          relation: 'books',
          scope: {
            where: { year: { gte: 2000 } },
            fields: ['title', 'authorId'],
            order: ['year DESC'],
          },
        },
      ],
    });
    expect(json(found)).toEqual([
      {
        id: ann.id!,
        name: 'Ann',
        books: [
          { title: 'A3', authorId: ann.id! },
          { title: 'A2', authorId: ann.id! },
          { title: 'A1', authorId: ann.id! },
        ],
      },
      // no book of Bob's matches the scope: LoopBack leaves the relation out
      { id: bob.id!, name: 'Bob' },
    ]);
    // a limit in the scope applies to each author's books
    const limited = await app.repos.authors.find({
      order: ['name ASC'],
      include: [{ relation: 'books', scope: { order: ['year ASC'], limit: 1 } }],
    });
    expect(limited.map((a) => titles(a.books))).toEqual([['A1'], ['B1']]);
  });
});

describe('belongsTo', () => {
  it('reads the owner', async () => {
    expect(json(await app.repos.books.author(books.B1.id!))).toEqual({ id: bob.id!, name: 'Bob' });
  });

  it('includes the owner with a fields scope', async () => {
    const found = await app.repos.books.find({
      where: { title: { inq: ['A2', 'B1'] } },
      order: ['title ASC'],
      include: [{ relation: 'author', scope: { fields: ['name'] } }],
    });
    expect(found.map((b) => [b.title, json(b.author)])).toEqual([
      ['A2', { name: 'Ann' }],
      ['B1', { name: 'Bob' }],
    ]);
  });

  it('finds by the foreign key with inq and neq', async () => {
    const byInq = await app.repos.books.find({ where: { authorId: { inq: [bob.id!] } } });
    expect(titles(byInq)).toEqual(['B1']);
    const byNeq = await app.repos.books.find({
      where: { authorId: { neq: bob.id! } },
      order: ['title ASC'],
    });
    expect(titles(byNeq)).toEqual(['A1', 'A2', 'A3']);
  });
});

describe('hasOne', () => {
  it('creates, reads, patches and deletes the one related instance', async () => {
    const profile = app.repos.authors.profile(ann.id!);
    const made = await profile.create({ bio: 'writes' });
    expect(made.authorId).toBe(ann.id!);
    expect(json(await profile.get())).toEqual({ id: made.id!, bio: 'writes', authorId: ann.id! });
    expect(await profile.patch({ bio: 'writes a lot' })).toEqual({ count: 1 });
    expect((await profile.get()).bio).toBe('writes a lot');
    await expect(app.repos.authors.profile(bob.id!).get()).rejects.toMatchObject({
      code: 'ENTITY_NOT_FOUND',
    });
    const bobs = await app.repos.authors.profile(bob.id!).create({ bio: 'reads' });
    const found = await app.repos.authors.find({
      order: ['name ASC'],
      include: [{ relation: 'profile', scope: { fields: ['bio', 'authorId'] } }],
    });
    expect(found.map((a) => json(a.profile))).toEqual([
      { bio: 'writes a lot', authorId: ann.id! },
      { bio: 'reads', authorId: bob.id! },
    ]);
    expect(await app.repos.authors.profile(bob.id!).delete()).toEqual({ count: 1 });
    await expect(app.repos.profiles.findById(bobs.id!)).rejects.toMatchObject({
      code: 'ENTITY_NOT_FOUND',
    });
  });
});

describe('hasManyThrough', () => {
  let readers: Record<string, Reader>;

  beforeAll(async () => {
    const made = await Promise.all(
      ['Rae', 'Sam', 'Tom'].map((name) => app.repos.readers.create({ name })),
    );
    readers = Object.fromEntries(made.map((r) => [r.name, r]));
  });

  it('links, creates with through data, finds, unlinks', async () => {
    const a1 = app.repos.books.readers(books.A1.id!);
    await a1.link(readers.Rae.id!, { throughData: { days: 14 } });
    await a1.link(readers.Sam.id!);
    const uma = await a1.create({ name: 'Uma' }, { throughData: { days: 7 } });
    expect(names(await a1.find())).toEqual(['Rae', 'Sam', 'Uma']);
    expect(names(await a1.find({ where: { name: { inq: ['Sam', 'Tom'] } } }))).toEqual(['Sam']);
    const loans = await app.repos.loans.find({ where: { bookId: books.A1.id! } });
    expect(loans.map((l) => [l.readerId, l.days]).sort()).toEqual(
      [
        [readers.Rae.id!, 14],
        [readers.Sam.id!, undefined],
        [uma.id!, 7],
      ].sort(),
    );
    await a1.unlink(readers.Sam.id!);
    expect(names(await a1.find())).toEqual(['Rae', 'Uma']);
    // the reader stays; only the loan went
    expect((await app.repos.readers.findById(readers.Sam.id!)).name).toBe('Sam');
  });

  it('patches and deletes targets through the relation', async () => {
    const b1 = app.repos.books.readers(books.B1.id!);
    await b1.link(readers.Tom.id!);
    const vic = await b1.create({ name: 'Vic' });
    expect(await b1.patch({ name: 'Victor' }, { name: 'Vic' })).toEqual({ count: 1 });
    expect(names(await b1.find())).toEqual(['Tom', 'Victor']);
    expect(await b1.delete({ name: 'Victor' })).toEqual({ count: 1 });
    await expect(app.repos.readers.findById(vic.id!)).rejects.toMatchObject({
      code: 'ENTITY_NOT_FOUND',
    });
    expect(await app.repos.loans.count({ readerId: vic.id! })).toEqual({ count: 0 });
    expect(names(await b1.find())).toEqual(['Tom']);
  });

  it('includes with a scope', async () => {
    const found = await app.repos.books.find({
      where: { title: { inq: ['A1', 'B1', 'A2'] } },
      order: ['title ASC'],
      include: [
        {
          relation: 'readers',
          scope: { where: { name: { neq: 'Uma' } }, fields: ['name'], order: ['name DESC'] },
        },
      ],
    });
    expect(found.map((b) => [b.title, json(b.readers)])).toEqual([
      ['A1', [{ name: 'Rae' }]],
      ['A2', undefined],
      ['B1', [{ name: 'Tom' }]],
    ]);
  });
});

describe('referencesMany', () => {
  it('reads and includes the referenced instances', async () => {
    const shelf = await app.repos.shelves.create({
      name: 'favourites',
      bookIds: [books.B1.id!, books.A2.id!],
    });
    expect((await app.repos.shelves.findById(shelf.id!)).bookIds).toEqual([
      books.B1.id!,
      books.A2.id!,
    ]);
    // LoopBack's referencesMany accessor (shelves.books(id)) returns only the first match of a
    // `{id: [..]}` constraint; the inclusion resolver is what apps use
    const [found] = await app.repos.shelves.find({
      where: { id: shelf.id! },
      // the resolver matches the targets by id, so a fields scope must keep it; it returns
      // them in the order of bookIds
      include: [{ relation: 'books', scope: { fields: ['id', 'title'] } }],
    });
    expect(json(found.books)).toEqual([
      { id: books.B1.id!, title: 'B1' },
      { id: books.A2.id!, title: 'A2' },
    ]);
    // the array field is queryable as a foreign key
    expect(await app.repos.shelves.count({ bookIds: books.A2.id } as object)).toEqual({ count: 1 });
  });
});

describe('self-referencing hasMany and belongsTo', () => {
  let root: Category;

  beforeAll(async () => {
    root = await app.repos.categories.create({ name: 'root' });
    const [fiction] = await Promise.all([
      app.repos.categories.children(root.id!).create({ name: 'fiction' }),
      app.repos.categories.children(root.id!).create({ name: 'essays' }),
    ]);
    await app.repos.categories.children(fiction.id!).create({ name: 'crime' });
  });

  it('finds children and the parent', async () => {
    const children = await app.repos.categories.children(root.id!).find({ order: ['name ASC'] });
    expect(names(children)).toEqual(['essays', 'fiction']);
    const fiction = children.find((c) => c.name === 'fiction')!;
    expect((await app.repos.categories.parent(fiction.id!)).name).toBe('root');
    expect(
      await app.repos.categories.children(root.id!).patch({ name: 'prose' }, { name: 'fiction' }),
    ).toEqual({ count: 1 });
    expect(await app.repos.categories.count({ parentId: root.id! })).toEqual({ count: 2 });
  });

  it('includes nested levels with scopes', async () => {
    const [tree] = await app.repos.categories.find({
      where: { name: 'root' },
      include: [
        {
          relation: 'children',
          scope: {
            order: ['name DESC'],
            fields: ['id', 'name', 'parentId'],
            include: [{ relation: 'children', scope: { fields: ['name', 'parentId'] } }],
          },
        },
      ],
    });
    expect(
      tree.children.map((c: Category) => [
        c.name,
        c.parentId,
        (c.children ?? []).map((g) => g.name),
      ]),
    ).toEqual([
      ['prose', root.id!, ['crime']],
      ['essays', root.id!, []],
    ]);
  });
});

describe('polymorphic belongsTo and hasManyThrough', () => {
  let courier: Courier;

  beforeAll(async () => {
    courier = await app.repos.couriers.create({ name: 'Kit' });
  });

  it('creates, finds and includes deliverables of two models through deliveries', async () => {
    const kit = app.repos.couriers.deliverables(courier.id!);
    const letterData: Partial<Letter> = { text: 'hello' };
    const parcelData: Partial<Parcel> = { weight: 3 };
    const letter = await kit.create(letterData, {
      polymorphicType: 'Letter',
      throughData: { deliverableType: 'Letter' },
    });
    const parcel = await kit.create(parcelData, {
      polymorphicType: 'Parcel',
      throughData: { deliverableType: 'Parcel' },
    });
    const both = { throughOptions: { discriminator: 'deliverableType' } };
    const found = await kit.find({}, { ...both, polymorphicType: ['Letter', 'Parcel'] });
    expect((json(found) as object[]).sort()).toEqual(
      [
        { id: letter.id!, text: 'hello' },
        { id: parcel.id!, weight: 3 },
      ].sort(),
    );
    const parcels = await kit.find({}, { ...both, polymorphicType: 'Parcel' });
    expect(json(parcels)).toEqual([{ id: parcel.id!, weight: 3 }]);

    const deliveries = await app.repos.deliveries.find({
      where: { courierId: courier.id! },
      include: ['deliverable'],
    });
    expect(deliveries.map((d) => [d.deliverableType, json(d.deliverable)]).sort()).toEqual(
      [
        ['Letter', { id: letter.id!, text: 'hello' }],
        ['Parcel', { id: parcel.id!, weight: 3 }],
      ].sort(),
    );
    const letterDelivery = deliveries.find((d) => d.deliverableType === 'Letter')!;
    expect(json(await app.repos.deliveries.deliverable(letterDelivery.id!, 'Letter'))).toEqual({
      id: letter.id!,
      text: 'hello',
    });

    const [withAll] = await app.repos.couriers.find({
      where: { id: courier.id! },
      include: ['deliverables'],
    });
    expect(withAll.deliverables).toHaveLength(2);
  });
});
