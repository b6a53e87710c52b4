// Repositories as `lb4 repository` and `lb4 relation` write them, minus the dependency injection:
// each takes the datasource and getters for the repositories its relations reach
import {
  type BelongsToAccessor,
  DefaultCrudRepository,
  type Getter,
  type HasManyRepositoryFactory,
  type HasManyThroughRepositoryFactory,
  type HasOneRepositoryFactory,
  type juggler,
  type ReferencesManyAccessor,
} from '@loopback/repository';
import {
  Author,
  Book,
  type BookRelations,
  Category,
  Loan,
  Profile,
  Reader,
  Shelf,
  type ShelfRelations,
} from '../models/library';

export class ProfileRepository extends DefaultCrudRepository<Profile, string> {
  constructor(dataSource: juggler.DataSource) {
    super(Profile, dataSource);
  }
}

export class ReaderRepository extends DefaultCrudRepository<Reader, string> {
  constructor(dataSource: juggler.DataSource) {
    super(Reader, dataSource);
  }
}

export class LoanRepository extends DefaultCrudRepository<Loan, string> {
  constructor(dataSource: juggler.DataSource) {
    super(Loan, dataSource);
  }
}

export class AuthorRepository extends DefaultCrudRepository<Author, string> {
  public readonly books: HasManyRepositoryFactory<Book, string>;
  public readonly profile: HasOneRepositoryFactory<Profile, string>;

  constructor(
    dataSource: juggler.DataSource,
    bookRepositoryGetter: Getter<BookRepository>,
    profileRepositoryGetter: Getter<ProfileRepository>,
  ) {
    super(Author, dataSource);
    this.books = this.createHasManyRepositoryFactoryFor('books', bookRepositoryGetter);
    this.registerInclusionResolver('books', this.books.inclusionResolver);
    this.profile = this.createHasOneRepositoryFactoryFor('profile', profileRepositoryGetter);
    this.registerInclusionResolver('profile', this.profile.inclusionResolver);
  }
}

export class BookRepository extends DefaultCrudRepository<Book, string, BookRelations> {
  public readonly author: BelongsToAccessor<Author, string>;
  public readonly readers: HasManyThroughRepositoryFactory<Reader, string, Loan, string>;

  constructor(
    dataSource: juggler.DataSource,
    authorRepositoryGetter: Getter<AuthorRepository>,
    readerRepositoryGetter: Getter<ReaderRepository>,
    loanRepositoryGetter: Getter<LoanRepository>,
  ) {
    super(Book, dataSource);
    this.author = this.createBelongsToAccessorFor('author', authorRepositoryGetter);
    this.registerInclusionResolver('author', this.author.inclusionResolver);
    this.readers = this.createHasManyThroughRepositoryFactoryFor(
      'readers',
      readerRepositoryGetter,
      loanRepositoryGetter,
    );
    this.registerInclusionResolver('readers', this.readers.inclusionResolver);
  }
}

export class CategoryRepository extends DefaultCrudRepository<Category, string> {
  public readonly parent: BelongsToAccessor<Category, string>;
  public readonly children: HasManyRepositoryFactory<Category, string>;

  constructor(dataSource: juggler.DataSource) {
    super(Category, dataSource);
    const self = async (): Promise<CategoryRepository> => this;
    this.parent = this.createBelongsToAccessorFor('parent', self);
    this.registerInclusionResolver('parent', this.parent.inclusionResolver);
    this.children = this.createHasManyRepositoryFactoryFor('children', self);
    this.registerInclusionResolver('children', this.children.inclusionResolver);
  }
}

export class ShelfRepository extends DefaultCrudRepository<Shelf, string, ShelfRelations> {
  public readonly books: ReferencesManyAccessor<Book, string>;

  constructor(dataSource: juggler.DataSource, bookRepositoryGetter: Getter<BookRepository>) {
    super(Shelf, dataSource);
    this.books = this.createReferencesManyAccessorFor('books', bookRepositoryGetter);
    this.registerInclusionResolver('books', this.books.inclusionResolver);
  }
}
