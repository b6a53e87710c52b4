import { DefaultCrudRepository, type juggler } from '@loopback/repository';
import * as delivery from './repositories/delivery';
import * as fk from './repositories/fk-variants';
import * as library from './repositories/library';

export * from './datasource';
export * from './models/delivery';
export * from './models/fk-variants';
export * from './models/library';
export * from './repositories/delivery';
export * from './repositories/fk-variants';
export * from './repositories/library';

/** The repositories of one FK declaration variant. */
export interface VariantRepositories {
  nodes: fk.NodeRepository;
  notes: DefaultCrudRepository<fk.NoteEntity, string>;
  links: DefaultCrudRepository<fk.LinkEntity, string>;
}

/** Every repository of the app on one datasource, wired as LoopBack's injection would. */
export function createRepositories(ds: juggler.DataSource) {
  const getter =
    <T>(repository: () => T) =>
    async (): Promise<T> =>
      repository();
  const profiles = new library.ProfileRepository(ds);
  const readers = new library.ReaderRepository(ds);
  const loans = new library.LoanRepository(ds);
  const authors: library.AuthorRepository = new library.AuthorRepository(
    ds,
    getter(() => books),
    getter(() => profiles),
  );
  const books: library.BookRepository = new library.BookRepository(
    ds,
    getter(() => authors),
    getter(() => readers),
    getter(() => loans),
  );
  const letters = new delivery.LetterRepository(ds);
  const parcels = new delivery.ParcelRepository(ds);
  // LoopBack types polymorphic getters for the base model; a concrete repository is not
  // assignable to it (its inclusionResolvers map is invariant), so the dictionary is cast
  const deliverables = {
    Letter: getter(() => letters),
    Parcel: getter(() => parcels),
  } as unknown as delivery.DeliverableRepositoryGetters;
  const deliveries = new delivery.DeliveryRepository(ds, deliverables);
  const tags = new fk.TagRepository(ds);
  const variant = (models: fk.VariantModels): VariantRepositories => {
    const notes = new DefaultCrudRepository<fk.NoteEntity, string>(models.note, ds);
    const links = new DefaultCrudRepository<fk.LinkEntity, string>(models.link, ds);
    const nodes = new fk.NodeRepository(
      models,
      ds,
      getter(() => notes),
      getter(() => links),
      getter(() => tags),
    );
    return { nodes, notes, links };
  };
  return {
    authors,
    books,
    profiles,
    readers,
    loans,
    categories: new library.CategoryRepository(ds),
    shelves: new library.ShelfRepository(
      ds,
      getter(() => books),
    ),
    letters,
    parcels,
    deliveries,
    couriers: new delivery.CourierRepository(
      ds,
      deliverables,
      getter(() => deliveries),
    ),
    tags,
    plain: variant(fk.variants.plain),
    loose: variant(fk.variants.loose),
    oid: variant(fk.variants.oid),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
