// A library written the way `lb4 model` and `lb4 relation` write models: string ids the server
// generates, plain `string` foreign keys, no MongoDB-specific settings
import {
  belongsTo,
  Entity,
  hasMany,
  hasOne,
  model,
  property,
  referencesMany,
} from '@loopback/repository';

@model()
export class Profile extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  @property({ type: 'string', required: true })
  bio: string;

  @property({ type: 'string', index: true })
  authorId?: string;

  constructor(data?: Partial<Profile>) {
    super(data);
  }
}

@model()
export class Reader extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  @property({ type: 'string', required: true })
  name: string;

  constructor(data?: Partial<Reader>) {
    super(data);
  }
}

@model()
export class Loan extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  @property({ type: 'number' })
  days?: number;

  @property({ type: 'string', index: true })
  bookId?: string;

  @property({ type: 'string', index: true })
  readerId?: string;

  constructor(data?: Partial<Loan>) {
    super(data);
  }
}

@model()
export class Book extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  @property({ type: 'string', required: true })
  title: string;

  @property({ type: 'number' })
  year?: number;

  @belongsTo(() => Author, {}, { index: true })
  authorId: string;

  @hasMany(() => Reader, { through: { model: () => Loan } })
  readers: Reader[];

  constructor(data?: Partial<Book>) {
    super(data);
  }
}

@model()
export class Author extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  @property({ type: 'string', required: true })
  name: string;

  @hasMany(() => Book)
  books: Book[];

  @hasOne(() => Profile)
  profile: Profile;

  constructor(data?: Partial<Author>) {
    super(data);
  }
}

/** Self-referencing: a category has a parent category and child categories. */
@model()
export class Category extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  @property({ type: 'string', required: true })
  name: string;

  @belongsTo(() => Category, {}, { index: true })
  parentId?: string;

  @hasMany(() => Category, { keyTo: 'parentId' })
  children: Category[];

  constructor(data?: Partial<Category>) {
    super(data);
  }
}

@model()
export class Shelf extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  @property({ type: 'string', required: true })
  name: string;

  @referencesMany(() => Book)
  bookIds: string[];

  constructor(data?: Partial<Shelf>) {
    super(data);
  }
}

export interface BookRelations {
  author?: Author;
  readers?: Reader[];
}

export interface ShelfRelations {
  books?: Book[];
}
