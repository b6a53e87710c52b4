// The same relations three times, once per way an app declares its foreign keys:
//  - Plain: `string` (what `lb4 relation` writes)
//  - Loose: `string | number`, which TypeScript's decorator metadata records as Object, so
//    LoopBack types the property Object
//  - Oid: `string` with `mongodb: {dataType: 'ObjectId'}`
// Each node has a parent node (belongsTo) and children (hasMany, self-referencing), one note
// (hasOne), tags through node-tag links (hasManyThrough) and favourite tags (referencesMany).
import {
  belongsTo,
  Entity,
  hasMany,
  hasOne,
  model,
  property,
  referencesMany,
} from '@loopback/repository';

const objectId = { mongodb: { dataType: 'ObjectId' } };

@model()
export class Tag extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  @property({ type: 'string', required: true })
  label: string;

  constructor(data?: Partial<Tag>) {
    super(data);
  }
}

// ---- Plain ----------------------------------------------------------------------------------

@model()
export class PlainNote extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  @property({ type: 'string', required: true })
  text: string;

  @property({ type: 'string', index: true })
  nodeId?: string;

  constructor(data?: Partial<PlainNote>) {
    super(data);
  }
}

@model()
export class PlainLink extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  @property({ type: 'string', index: true })
  nodeId?: string;

  @property({ type: 'string', index: true })
  tagId?: string;

  constructor(data?: Partial<PlainLink>) {
    super(data);
  }
}

@model()
export class PlainNode extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  @property({ type: 'string', required: true })
  name: string;

  @property({ type: 'number' })
  rank?: number;

  @belongsTo(() => PlainNode, {}, { index: true })
  parentId?: string;

  @hasMany(() => PlainNode, { keyTo: 'parentId' })
  children: PlainNode[];

  @hasOne(() => PlainNote, { keyTo: 'nodeId' })
  note: PlainNote;

  @hasMany(() => Tag, {
    through: { model: () => PlainLink, keyFrom: 'nodeId', keyTo: 'tagId' },
  })
  tags: Tag[];

  @referencesMany(() => Tag)
  favouriteIds?: string[];

  constructor(data?: Partial<PlainNode>) {
    super(data);
  }
}

// ---- Loose ----------------------------------------------------------------------------------

@model()
export class LooseNote extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  @property({ type: 'string', required: true })
  text: string;

  @property({ index: true })
  nodeId?: string | number;

  constructor(data?: Partial<LooseNote>) {
    super(data);
  }
}

@model()
export class LooseLink extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  @property({ index: true })
  nodeId?: string | number;

  @property({ index: true })
  tagId?: string | number;

  constructor(data?: Partial<LooseLink>) {
    super(data);
  }
}

@model()
export class LooseNode extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  @property({ type: 'string', required: true })
  name: string;

  @property({ type: 'number' })
  rank?: number;

  @belongsTo(() => LooseNode, {}, { index: true })
  parentId?: string | number;

  @hasMany(() => LooseNode, { keyTo: 'parentId' })
  children: LooseNode[];

  @hasOne(() => LooseNote, { keyTo: 'nodeId' })
  note: LooseNote;

  @hasMany(() => Tag, {
    through: { model: () => LooseLink, keyFrom: 'nodeId', keyTo: 'tagId' },
  })
  tags: Tag[];

  @referencesMany(() => Tag)
  favouriteIds?: (string | number)[];

  constructor(data?: Partial<LooseNode>) {
    super(data);
  }
}

// ---- Oid ------------------------------------------------------------------------------------

@model()
export class OidNote extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  @property({ type: 'string', required: true })
  text: string;

  @property({ type: 'string', index: true, ...objectId })
  nodeId?: string;

  constructor(data?: Partial<OidNote>) {
    super(data);
  }
}

@model()
export class OidLink extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  @property({ type: 'string', index: true, ...objectId })
  nodeId?: string;

  @property({ type: 'string', index: true, ...objectId })
  tagId?: string;

  constructor(data?: Partial<OidLink>) {
    super(data);
  }
}

@model()
export class OidNode extends Entity {
  @property({ type: 'string', id: true, generated: true })
  id?: string;

  @property({ type: 'string', required: true })
  name: string;

  @property({ type: 'number' })
  rank?: number;

  @belongsTo(() => OidNode, {}, { index: true, ...objectId })
  parentId?: string;

  @hasMany(() => OidNode, { keyTo: 'parentId' })
  children: OidNode[];

  @hasOne(() => OidNote, { keyTo: 'nodeId' })
  note: OidNote;

  @hasMany(() => Tag, {
    through: { model: () => OidLink, keyFrom: 'nodeId', keyTo: 'tagId' },
  })
  tags: Tag[];

  @referencesMany(() => Tag, {}, objectId)
  favouriteIds?: string[];

  constructor(data?: Partial<OidNode>) {
    super(data);
  }
}
