// One repository class per role serves all three FK declarations: the model classes differ only
// in how their foreign keys are declared
import {
  type BelongsToAccessor,
  DefaultCrudRepository,
  type Entity,
  type Getter,
  type HasManyRepositoryFactory,
  type HasManyThroughRepositoryFactory,
  type HasOneRepositoryFactory,
  type juggler,
  type ReferencesManyAccessor,
} from '@loopback/repository';
import {
  LooseLink,
  LooseNode,
  LooseNote,
  OidLink,
  OidNode,
  OidNote,
  PlainLink,
  PlainNode,
  PlainNote,
  Tag,
} from '../models/fk-variants';

/** What the three node models share, with their foreign keys as the app reads them. */
export type NodeEntity = Entity & {
  id?: string;
  name: string;
  rank?: number;
  parentId?: string | number;
  favouriteIds?: (string | number)[];
};
export type NoteEntity = Entity & { id?: string; text: string; nodeId?: string | number };
export type LinkEntity = Entity & {
  id?: string;
  nodeId?: string | number;
  tagId?: string | number;
};

export interface VariantModels {
  node: typeof PlainNode | typeof LooseNode | typeof OidNode;
  note: typeof PlainNote | typeof LooseNote | typeof OidNote;
  link: typeof PlainLink | typeof LooseLink | typeof OidLink;
}

export const variants = {
  plain: { node: PlainNode, note: PlainNote, link: PlainLink },
  loose: { node: LooseNode, note: LooseNote, link: LooseLink },
  oid: { node: OidNode, note: OidNote, link: OidLink },
} satisfies Record<string, VariantModels>;
export type VariantName = keyof typeof variants;

export class TagRepository extends DefaultCrudRepository<Tag, string> {
  constructor(dataSource: juggler.DataSource) {
    super(Tag, dataSource);
  }
}

export class NodeRepository extends DefaultCrudRepository<NodeEntity, string> {
  public readonly parent: BelongsToAccessor<NodeEntity, string>;
  public readonly children: HasManyRepositoryFactory<NodeEntity, string>;
  public readonly note: HasOneRepositoryFactory<NoteEntity, string>;
  public readonly tags: HasManyThroughRepositoryFactory<Tag, string, LinkEntity, string>;
  public readonly favourites: ReferencesManyAccessor<Tag, string>;

  constructor(
    models: VariantModels,
    dataSource: juggler.DataSource,
    noteRepositoryGetter: Getter<DefaultCrudRepository<NoteEntity, string>>,
    linkRepositoryGetter: Getter<DefaultCrudRepository<LinkEntity, string>>,
    tagRepositoryGetter: Getter<TagRepository>,
  ) {
    super(models.node, dataSource);
    const self = async (): Promise<NodeRepository> => this;
    this.parent = this.createBelongsToAccessorFor('parent', self);
    this.children = this.createHasManyRepositoryFactoryFor('children', self);
    this.note = this.createHasOneRepositoryFactoryFor('note', noteRepositoryGetter);
    this.tags = this.createHasManyThroughRepositoryFactoryFor(
      'tags',
      tagRepositoryGetter,
      linkRepositoryGetter,
    );
    this.favourites = this.createReferencesManyAccessorFor('favourites', tagRepositoryGetter);
    for (const name of ['parent', 'children', 'note', 'tags', 'favourites'] as const) {
      this.registerInclusionResolver(name, this[name].inclusionResolver);
    }
  }
}
