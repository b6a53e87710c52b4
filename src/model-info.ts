import type { ModelDefinition, PropertyDefinition } from 'loopback-connector';
import { describe, ModelDefinitionError } from './errors';
import {
  isLooseType,
  looksLikeReference,
  objectIdCoercion,
  type ObjectIdCoercion,
} from './relation-typing';
import type { MongoDBSettings } from './settings';

/** How a property's values are kept in MongoDB; decides coercion both ways. */
export type StoredAs =
  | 'objectId'
  | 'decimal128'
  | 'date'
  | 'geoPoint'
  | 'buffer'
  | 'number'
  | 'boolean'
  | 'string'
  /** Any value (`Object`, 'any', unions, no type): stored as given, boxed primitives unwrapped. */
  | 'loose'
  | 'other';

export interface PropertyInfo {
  /** The name the app uses. */
  readonly name: string;
  /** The field name in the stored document (`_id` for the id). */
  readonly field: string;
  readonly storedAs: StoredAs;
  /** For array properties (`[ObjectId]`, `[Date]`...): how each item is stored. */
  readonly itemStoredAs?: StoredAs;
  /**
   * Juggler's type name, lower-cased (the item type for arrays); decides what a stored value reads
   * back as where the stored kind alone does not say, e.g. a Decimal128 read as a number.
   */
  readonly appType?: string;
  readonly isId: boolean;
  /**
   * For a property typed as an embedded model (or an array of them): the embedded properties,
   * by name, whose values are coerced both ways (ObjectId, Decimal128, Date, GeoPoint, Buffer, or
   * another embedded model holding one). Absent when none is, so reads walk only what needs it.
   */
  readonly embedded?: ReadonlyMap<string, PropertyInfo>;
  /** A 24-hex string given for it (or for one of its items) is stored as an ObjectId. */
  readonly hexAsObjectId: boolean;
  /**
   * A string that is not 24-hex is refused: the property is declared
   * `mongodb: {dataType: 'ObjectId'}`. Other ObjectId-stored properties keep such strings.
   */
  readonly refusesNonHex: boolean;
  /**
   * Equality, `inq`, `nin` and `neq` with a 24-hex operand match the value stored either as that
   * string or as its ObjectId, since other connectors (or other settings) may have written it
   * either way.
   */
  readonly matchesEitherForm: boolean;
}

/** Facts about one model computed once when it is defined; every hot path reads only these. */
export interface ModelInfo {
  readonly model: string;
  readonly collection: string;
  /** The id property's app-side name (`id` unless the model says otherwise). */
  readonly idName: string;
  readonly idProperty: PropertyInfo;
  readonly properties: ReadonlyMap<string, PropertyInfo>;
  readonly propertyByField: ReadonlyMap<string, PropertyInfo>;
  /** True when some property other than the id has a field name unlike its own name. */
  readonly renamesFields: boolean;
  /**
   * Juggler's own settings object for the model, held live rather than copied: the sanitizing
   * switches in it (and in the datasource's settings) are read per call, so that an app may
   * change them after the model is defined, as juggler and loopback-connector-mongodb both allow.
   */
  readonly modelSettings: Readonly<Record<string, unknown>>;
  readonly enableGeoIndexing: boolean;
  readonly disableDefaultSort: boolean;
  /** From `strictObjectIDCoercion` (model setting, else datasource setting); see relation-typing. */
  readonly objectIdCoercion: ObjectIdCoercion;
}

/** Where an app-side property path (`address.city`) lives in the stored document. */
export interface StoredPath {
  readonly field: string;
  /** The property when the path names a whole one; nested paths have no property of their own. */
  readonly property: PropertyInfo | undefined;
}

/**
 * Only the first segment of a dotted path is a model property, so only it is renamed; the rest
 * addresses inside an embedded document whose keys we store as given. A path into an embedded
 * model (`address.price`) has the embedded property, when its values are coerced.
 */
export function storedPath(info: ModelInfo, path: string): StoredPath {
  const dot = path.indexOf('.');
  const head = dot < 0 ? path : path.slice(0, dot);
  const property = info.properties.get(head) ?? (head === '_id' ? info.idProperty : undefined);
  if (!property) return { field: path, property: undefined };
  if (dot < 0) return { field: property.field, property };
  return { field: property.field + path.slice(dot), property: embeddedAt(property, path, dot) };
}

/** A stored field path in the app's terms: storedPath's inverse; `whole` when it names a property. */
export function appPath(info: ModelInfo, path: string): { name: string; whole: boolean } {
  const dot = path.indexOf('.');
  const head = dot < 0 ? path : path.slice(0, dot);
  const property = info.propertyByField.get(head);
  const name = property ? property.name : head;
  return dot < 0 ? { name, whole: true } : { name: name + path.slice(dot), whole: false };
}

const ARRAY_INDEX = /^\d+$/;

function embeddedAt(property: PropertyInfo, path: string, dot: number): PropertyInfo | undefined {
  let current: PropertyInfo | undefined = property;
  for (const segment of path.slice(dot + 1).split('.')) {
    // `others.0.price`: an index into an array of embedded models addresses one of its items
    if (ARRAY_INDEX.test(segment)) continue;
    current = current?.embedded?.get(segment);
    if (!current) return undefined;
  }
  return current;
}

/** The name under which our default id type is registered; juggler special-cases it. */
export const OBJECT_ID_TYPE_NAME = 'ObjectID';

/**
 * The type juggler gives generated ids and the foreign keys that point at them. It keeps the
 * app-side value a 24-hex string (so ids compare and serialize as strings) while telling the
 * connector that the stored value is an ObjectId.
 */
export const ObjectIdType: (value: unknown) => unknown = Object.defineProperty(
  function (value: unknown): unknown {
    if (value && typeof value === 'object' && 'toHexString' in value) {
      return (value as { toHexString(): string }).toHexString();
    }
    return value;
  },
  'name',
  { value: OBJECT_ID_TYPE_NAME },
);

/** An ObjectId class as a property type: the driver's (`ds.ObjectID`), bson's, or the like. */
function isObjectIdClass(type: unknown): boolean {
  return (
    typeof type === 'function' && type !== ObjectIdType && type.name.toLowerCase() === 'objectid'
  );
}

/**
 * Retypes, in place, properties typed with an ObjectId class (`{type: ds.ObjectID}`,
 * `[ObjectID]`) to ObjectIdType. Juggler converts every value with the property's type, so with
 * the class it hands the app ObjectId instances, where every other id is a 24-hex string; with
 * ObjectIdType the app sees strings. What is stored does not change: both types store ObjectIds.
 * Juggler's setters read the type from these same definitions at each assignment.
 */
export function useObjectIdType(properties: Record<string, PropertyDefinition | undefined>): void {
  for (const def of Object.values(properties)) {
    if (!def) continue;
    if (isObjectIdClass(def.type)) def.type = ObjectIdType;
    else if (Array.isArray(def.type) && isObjectIdClass(def.type[0])) def.type = [ObjectIdType];
  }
}

interface MongoPropertySettings {
  fieldName?: string;
  field?: string;
  columnName?: string;
  column?: string;
  dataType?: string;
}

/**
 * Build the facts for one model from juggler's definition and the datasource settings.
 * `references` names the properties juggler relations say hold ids of ObjectId-stored keys
 * (see relation-typing.ts); the connector works them out across all models of the datasource.
 */
export function buildModelInfo(
  definition: ModelDefinition,
  dataSourceSettings: MongoDBSettings,
  references: ReadonlySet<string> = new Set(),
): ModelInfo {
  const modelName: string = definition.model.modelName;
  const settings = definition.settings ?? {};
  const mongoSettings = (settings.mongodb ?? {}) as Record<string, unknown>;
  const idName = findIdName(definition);
  const coercion = objectIdCoercion(
    settings.strictObjectIDCoercion ?? dataSourceSettings.strictObjectIDCoercion,
  );

  const properties = new Map<string, PropertyInfo>();
  const propertyByField = new Map<string, PropertyInfo>();
  let renamesFields = false;
  for (const [name, def] of Object.entries(definition.properties)) {
    const info = withEmbedded(
      describeProperty(name, def ?? {}, {
        isId: name === idName,
        coercion,
        isReference: references.has(name),
      }),
      def?.type,
    );
    properties.set(name, info);
    propertyByField.set(info.field, info);
    if (!info.isId && info.field !== name) renamesFields = true;
  }
  let idProperty = properties.get(idName);
  if (!idProperty) {
    // a model juggler defines with `idInjection: false` and no id keeps Mongo's own _id
    idProperty = {
      name: idName,
      field: '_id',
      storedAs: 'objectId',
      isId: true,
      hexAsObjectId: true,
      refusesNonHex: false,
      matchesEitherForm: false,
    };
    properties.set(idName, idProperty);
    propertyByField.set('_id', idProperty);
  }

  return {
    model: modelName,
    collection: String(mongoSettings.collection ?? mongoSettings.table ?? modelName),
    idName,
    idProperty,
    properties,
    propertyByField,
    renamesFields,
    modelSettings: settings,
    enableGeoIndexing: Boolean(
      firstBoolean(mongoSettings.enableGeoIndexing, dataSourceSettings.enableGeoIndexing),
    ),
    disableDefaultSort: Boolean(
      firstBoolean(
        settings.disableDefaultSort,
        mongoSettings.disableDefaultSort,
        dataSourceSettings.disableDefaultSort,
      ),
    ),
    objectIdCoercion: coercion,
  };
}

/**
 * Whether a model's property (its id when `key` is undefined) stores ObjectIds by its own
 * definition: what a reference must point at to be one. A `String` id does, for 24-hex values,
 * unless `strictObjectIDCoercion` is true.
 */
export function keyStoresObjectIds(
  definition: ModelDefinition,
  key: string | undefined,
  dataSourceSettings: MongoDBSettings = {},
): boolean {
  const idName = findIdName(definition);
  const name = key ?? idName;
  const def = definition.properties[name];
  if (!def) return name === idName;
  const { kind } = storageKind(def, name === idName);
  if (kind === 'objectId') return true;
  const coercion = objectIdCoercion(
    definition.settings?.strictObjectIDCoercion ?? dataSourceSettings.strictObjectIDCoercion,
  );
  return name === idName && STRING_HOLDERS.has(kind) && coercion !== 'strict';
}

/** loopback-connector-mongodb's spellings of a stored field name in a property's `mongodb`. */
const FIELD_NAME_SETTINGS = ['fieldName', 'field', 'columnName', 'column'] as const;

/**
 * Refuses a stored field name on the id: MongoDB keeps a document's id in `_id`, always, so a
 * `mongodb: {fieldName: 'x'}` there cannot be honoured (loopback-connector-mongodb refuses it
 * too). `_id` itself says what happens anyway and is accepted.
 */
export function assertIdStoredAsId(definition: ModelDefinition): void {
  const idName = findIdName(definition);
  const mongo = definition.properties[idName]?.mongodb as Record<string, unknown> | undefined;
  for (const setting of FIELD_NAME_SETTINGS) {
    const field = mongo?.[setting];
    if (field === undefined || field === '_id') continue;
    throw new ModelDefinitionError(
      definition.model.modelName,
      idName,
      `mongodb.${setting} ${describe(field)} cannot rename the id: MongoDB stores it as _id ` +
        'whatever the property is called; remove the setting',
    );
  }
}

function findIdName(definition: ModelDefinition): string {
  let best: string | undefined;
  let bestRank = Infinity;
  for (const [name, def] of Object.entries(definition.properties)) {
    if (!def || !def.id) continue;
    // juggler orders composite ids by the number in `id`; Mongo has one _id, so take the first
    const rank = typeof def.id === 'number' ? def.id : 1;
    if (rank < bestRank) {
      best = name;
      bestRank = rank;
    }
  }
  return best ?? 'id';
}

interface PropertyContext {
  readonly isId: boolean;
  readonly coercion: ObjectIdCoercion;
  /** Juggler relation metadata says the property holds ids of ObjectId-stored keys. */
  readonly isReference: boolean;
}

/** Kinds whose values the app may give as any string, a 24-hex one included. */
const STRING_HOLDERS: ReadonlySet<StoredAs> = new Set(['string', 'loose']);

function describeProperty(
  name: string,
  def: PropertyDefinition,
  ctx: PropertyContext,
): PropertyInfo {
  const mongo = (def.mongodb ?? {}) as MongoPropertySettings;
  const field = ctx.isId ? '_id' : (storedFieldName(mongo, def) ?? name);
  const { kind, declared, isArray } = storageKind(def, ctx.isId);
  const itemType = isArray ? (def.type as unknown[])[0] : def.type;
  const refusesNonHex = declared === 'objectId';
  const holdsStrings = STRING_HOLDERS.has(kind);
  let hexAsObjectId: boolean;
  switch (ctx.coercion) {
    case 'strict':
      hexAsObjectId = kind === 'objectId';
      break;
    case 'allHex':
      hexAsObjectId = kind === 'objectId' || holdsStrings || kind === 'other';
      break;
    default:
      // a String id is stored as loopback-connector-mongodb stores it, so each finds the other's
      hexAsObjectId =
        kind === 'objectId' ||
        (holdsStrings && (ctx.isId || ctx.isReference || looksLikeReference(name)));
  }
  // a String id holds the server's ObjectIds and, from older data, 24-hex strings; ObjectId-typed
  // ids hold ObjectIds only, and keep the exact equality atomic upserts rely on
  const matchesEitherForm =
    ctx.coercion !== 'strict' &&
    (holdsStrings || (!ctx.isId && kind === 'objectId' && !refusesNonHex));
  const facts = { name, field, isId: ctx.isId, hexAsObjectId, refusesNonHex, matchesEitherForm };
  return isArray
    ? { ...facts, storedAs: 'other', itemStoredAs: kind, appType: typeName(itemType) }
    : { ...facts, storedAs: kind, appType: typeName(itemType) };
}

/** How a property's values (its items, for an array property) are stored, and whether declared. */
function storageKind(
  def: PropertyDefinition,
  isId: boolean,
): { kind: StoredAs; declared: StoredAs | undefined; isArray: boolean } {
  const mongo = (def.mongodb ?? {}) as MongoPropertySettings;
  const declared = mongo.dataType ? storedAsFromDataType(mongo.dataType) : undefined;
  if (Array.isArray(def.type)) {
    return { kind: declared ?? storedAsFromType(def.type[0]), declared, isArray: true };
  }
  let kind = declared ?? storedAsFromType(def.type);
  // a generated id with no declared type is Mongo's own ObjectId
  if (
    isId &&
    def.generated &&
    !declared &&
    (kind === 'string' || kind === 'loose' || kind === 'other')
  ) {
    kind = 'objectId';
  }
  return { kind, declared, isArray: false };
}

/** Stored kinds whose values the connector converts; plain strings, numbers... pass as they are. */
const COERCED: ReadonlySet<StoredAs> = new Set([
  'objectId',
  'decimal128',
  'date',
  'geoPoint',
  'buffer',
]);

/**
 * The property with the facts of the embedded model its type names, if any. Juggler hands an
 * embedded model as its model class (`type: Address` or `[Address]`), whose `definition` holds
 * the properties. `outer` holds the models being described, so a model that embeds itself ends.
 */
function withEmbedded(
  property: PropertyInfo,
  type: unknown,
  outer: ReadonlySet<unknown> = new Set(),
): PropertyInfo {
  const model = Array.isArray(type) ? type[0] : type;
  const definition = (model as { definition?: { properties?: unknown } } | undefined)?.definition;
  if (typeof model !== 'function' || !definition?.properties || outer.has(model)) return property;
  const inside = new Set(outer).add(model);
  const embedded = new Map<string, PropertyInfo>();
  for (const [name, def] of Object.entries(
    definition.properties as Record<string, PropertyDefinition | undefined>,
  )) {
    // an embedded model's own id is whatever the app puts there, never an ObjectId we coerce
    if (def?.id) continue;
    const nested = withEmbedded(
      // field renames apply to a model's own properties only, as in loopback-connector-mongodb
      {
        // inside an embedded document only declared types convert: reads walk only the
        // properties listed here, so a reference rule would store ObjectIds read back as objects
        ...describeProperty(name, def ?? {}, {
          isId: false,
          coercion: 'strict',
          isReference: false,
        }),
        name: `${property.name}.${name}`,
        field: name,
      },
      def?.type,
      inside,
    );
    if (nested.embedded || COERCED.has(nested.itemStoredAs ?? nested.storedAs)) {
      embedded.set(name, nested);
    }
  }
  return embedded.size ? { ...property, embedded } : property;
}

function storedAsFromDataType(dataType: string): StoredAs | undefined {
  switch (dataType.toLowerCase()) {
    case 'objectid':
      return 'objectId';
    case 'decimal128':
      return 'decimal128';
    case 'date':
      return 'date';
    default:
      return undefined;
  }
}

function storedAsFromType(type: unknown): StoredAs {
  const name = typeName(type);
  switch (name) {
    case 'objectid':
      return 'objectId';
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'buffer':
      return 'buffer';
    case 'geopoint':
      return 'geoPoint';
    case 'decimal128':
      return 'decimal128';
    default:
      return isLooseType(name) ? 'loose' : 'other';
  }
}

function typeName(type: unknown): string | undefined {
  if (typeof type === 'string') return type.toLowerCase();
  if (typeof type === 'function') return type.name.toLowerCase();
  return undefined;
}

/**
 * The field a property names for itself, in loopback-connector-mongodb's order of precedence, so
 * that a switched app reads and writes the same fields: under `mongodb` first, then juggler's
 * generic `columnName`/`column` beside the type.
 */
function storedFieldName(
  mongo: MongoPropertySettings,
  def: PropertyDefinition,
): string | undefined {
  const { fieldName, field, columnName, column } = mongo;
  const names: unknown[] = [fieldName, field, columnName, column, def.columnName, def.column];
  return names.find((name): name is string => typeof name === 'string' && name !== '');
}

export function firstBoolean(...values: unknown[]): boolean | undefined {
  for (const value of values) if (typeof value === 'boolean') return value;
  return undefined;
}
