/**
 * Which properties hold references to ObjectId-stored ids, and so store a 24-hex string as an
 * ObjectId. Two sources decide it:
 *
 * - juggler's relation metadata (`ModelClass.relations`, RelationDefinition objects), across all
 *   models of the datasource: a hasMany's foreign key lives on the target, a hasManyThrough's on
 *   the through model, so one model's facts depend on the others' relations;
 * - the property's name, because LoopBack 4 hands juggler no relation metadata at all (its
 *   DefaultCrudRepository passes only properties and settings to `createModel`): a `@belongsTo`
 *   foreign key is a plain `{type: String}` property. LoopBack's relation decorators and
 *   `lb4 relation` name foreign keys `<relation>Id` (`customerId`), and apps follow suit
 *   (`customer_id`, `userID`, `tagIds`), so a name ending like that is the one hint there is.
 *
 * Why store such values as ObjectIds at all: loopback-connector-mongodb, with its default
 * `strictObjectIDCoercion: false`, stores every 24-hex string as an ObjectId, so in databases it
 * wrote, foreign keys are ObjectIds, and an app switching in either direction must find its
 * children. Only 24-hex strings are converted; any other value is stored as given.
 */

/** How the datasource's (or model's) `strictObjectIDCoercion` setting reads. */
export type ObjectIdCoercion =
  /** Unset: ids, ObjectId-typed properties and references (relations, names) store ObjectIds. */
  | 'references'
  /** `true`: only ids and ObjectId-typed properties store ObjectIds; reads are exact. */
  | 'strict'
  /** `false` given explicitly: every 24-hex string is stored as an ObjectId, as the official
   * connector does by default. */
  | 'allHex';

export function objectIdCoercion(setting: unknown): ObjectIdCoercion {
  if (setting === true) return 'strict';
  if (setting === false) return 'allHex';
  return 'references';
}

/** The suffixes LoopBack's relation decorators, `lb4 relation` and common usage give foreign keys. */
const REFERENCE_NAME = /.(?:Id|ID|_id)s?$/;

/** Whether a property name reads as a foreign key (`customerId`, `customer_id`, `tagIds`...). */
export function looksLikeReference(name: string): boolean {
  return REFERENCE_NAME.test(name);
}

/** Juggler's type names (lower-cased) that say nothing about what a value is. */
const LOOSE_TYPES: ReadonlySet<string> = new Set(['object', 'any', 'json', 'array']);

/**
 * Whether a type (juggler's lower-cased type name; undefined for no type) lets a property hold
 * anything: `Object` (what LoopBack 4 infers for `any`, `object` and unions), 'any', JSON, an
 * untyped `Array` (its items), none.
 */
export function isLooseType(typeName: string | undefined): boolean {
  return typeName === undefined || LOOSE_TYPES.has(typeName);
}

/** The part of juggler's RelationDefinition this module reads. */
export interface RelationFacts {
  readonly type: string;
  readonly keyFrom?: string;
  readonly keyTo?: string;
  readonly keyThrough?: string;
  readonly modelFrom?: { readonly modelName: string } | null;
  readonly modelTo?: { readonly modelName: string } | null;
  readonly modelThrough?: { readonly modelName: string } | null;
  readonly polymorphic?: unknown;
}

/** One model on the datasource, as far as relation typing cares. */
export interface RelatedModel {
  readonly name: string;
  readonly relations: Readonly<Record<string, RelationFacts | undefined>> | undefined;
}

/**
 * Whether `model.key` (its id when `key` is undefined) stores ObjectIds itself: the targets a
 * reference can point at.
 */
export type StoresObjectIds = (model: string, key: string | undefined) => boolean;

/** Model name -> the names of its properties that hold references to ObjectId-stored ids. */
export type ReferenceMap = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * The properties, model by model, that juggler relations say hold ids of ObjectId-stored keys:
 *
 * - belongsTo: `keyFrom` on the source, pointing at the target's `keyTo`;
 * - hasMany / hasOne: `keyTo` on the target, pointing at the source's `keyFrom`;
 * - hasMany through: on the through model, `keyTo` (pointing at the source) and `keyThrough`
 *   (pointing at the target);
 * - referencesMany: `keyFrom` on the source, an array of the target's ids;
 * - polymorphic relations: the foreign key, whose targets are chosen per instance by the
 *   discriminator; it counts when the one side juggler knows stores ObjectIds, or, for a
 *   belongsTo (no known target), always: only 24-hex values are converted, so ids of other kinds
 *   are kept as given.
 */
export function relationReferences(
  models: Iterable<RelatedModel>,
  storesObjectIds: StoresObjectIds,
): ReferenceMap {
  const references = new Map<string, Set<string>>();
  const add = (model: string | undefined, key: string | undefined): void => {
    if (!model || !key) return;
    let keys = references.get(model);
    if (!keys) references.set(model, (keys = new Set()));
    keys.add(key);
  };
  const points = (model: string | undefined, key: string | undefined): boolean =>
    model !== undefined && storesObjectIds(model, key);

  for (const model of models) {
    for (const relation of Object.values(model.relations ?? {})) {
      if (!relation) continue;
      const from = relation.modelFrom?.modelName ?? model.name;
      const to = relation.modelTo?.modelName;
      const through = relation.modelThrough?.modelName;
      const polymorphic = typeof relation.polymorphic === 'object' && relation.polymorphic !== null;
      switch (relation.type) {
        case 'belongsTo':
          if (polymorphic || points(to, relation.keyTo)) add(from, relation.keyFrom);
          break;
        case 'referencesMany':
          if (points(to, relation.keyTo)) add(from, relation.keyFrom);
          break;
        case 'hasMany':
        case 'hasOne':
          if (through) {
            if (points(from, relation.keyFrom)) add(through, relation.keyTo);
            // keyThrough points at the target's id (at several targets' ids when polymorphic)
            if (polymorphic || points(to, undefined)) {
              add(through, relation.keyThrough);
            }
          } else if (points(from, relation.keyFrom)) {
            add(to, relation.keyTo);
          }
          break;
        default:
          // embedsOne/embedsMany hold documents, not references
          break;
      }
    }
  }
  return references;
}
