/**
 * A LoopBack model definition inferred from sampled documents and a collection's indexes. Pure:
 * the server side (listing, `$sample`, `listIndexes`) is in ./index.ts.
 *
 * Types are written as strings (`'string'`, `'array'` with `itemType`...), the form both juggler's
 * ModelBuilder and `lb4 discover`'s model generator read. Nested objects are typed `'object'` so
 * their values reach the app, and go back to the server, as stored (an ObjectId or a Date inside
 * keeps its BSON type); their inferred shape is kept beside the type in `properties`.
 */
import { Binary, BSONRegExp, Decimal128, ObjectId, type Document } from 'mongodb';
import { defaultIndexName, type IndexKeyType } from '../migrate/indexes';
import { isPrototypeKey } from '../sanitize';

/** What one stored value is, as far as choosing a LoopBack type goes. */
export type ValueKind =
  | 'string'
  | 'number'
  | 'boolean'
  | 'date'
  | 'objectId'
  | 'decimal128'
  | 'buffer'
  | 'geoJsonPoint'
  | 'latLng'
  | 'array'
  | 'object'
  | 'null'
  /** Anything else: UUID and other non-generic binary subtypes, regexes, timestamps, ... */
  | `other:${string}`;

/** The LoopBack type names discovery writes. */
export type DiscoveredType =
  'string' | 'number' | 'boolean' | 'date' | 'buffer' | 'geopoint' | 'array' | 'object' | 'any';

export interface DiscoveredPropertyMongo {
  /** The stored field, when it is not a valid property name. */
  fieldName?: string;
  dataType?: 'ObjectId' | 'Decimal128';
  /** The kinds of value seen, when they were several (the type is then `any`). */
  kinds?: string[];
}

export interface DiscoveredProperty {
  type: DiscoveredType;
  /** For `type: 'array'`: the items' type. */
  itemType?: DiscoveredType;
  /** Present, and not null, in every sampled document. */
  required: boolean;
  id?: true;
  generated?: boolean;
  index?: boolean | { unique?: boolean; [option: string]: unknown };
  /** For `type: 'object'` (or an array of objects): the shape seen inside. */
  properties?: Record<string, DiscoveredProperty>;
  mongodb?: DiscoveredPropertyMongo;
}

/** A model-level index: keys by property name (dotted paths inside objects), MongoDB options. */
export interface DiscoveredIndex {
  keys: Record<string, unknown>;
  options?: Record<string, unknown>;
}

export interface DiscoveredSchema {
  name: string;
  options: {
    idInjection: false;
    /** A sample can miss rare fields; they must still read back and be saved. */
    strict: false;
    mongodb: { collection: string; enableGeoIndexing?: true };
    indexes?: Record<string, DiscoveredIndex>;
  };
  properties: Record<string, DiscoveredProperty>;
}

/** One entry of `discoverModelDefinitions`' answer, as juggler documents it. */
export interface DiscoveredModelDefinition {
  type: 'table' | 'view';
  name: string;
  owner: string;
}

/** One collection as `listCollections` describes it. */
export interface CollectionEntry {
  name: string;
  type?: string;
}

export interface ModelDefinitionsOptions {
  /** Include views (default true, as `lb4 discover` asks). */
  views?: boolean;
  limit?: number;
  offset?: number;
}

/**
 * Collections and views for `discoverModelDefinitions`, sorted by name; system collections
 * (`system.*`) are MongoDB's own and left out.
 */
export function modelDefinitions(
  owner: string,
  collections: readonly CollectionEntry[],
  options: ModelDefinitionsOptions = {},
): DiscoveredModelDefinition[] {
  const listed = collections
    .filter((c) => !c.name.startsWith('system.'))
    .filter((c) => options.views !== false || c.type !== 'view')
    .map((c): DiscoveredModelDefinition => ({
      type: c.type === 'view' ? 'view' : 'table',
      name: c.name,
      owner,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const start = options.offset ?? 0;
  return listed.slice(start, options.limit ? start + options.limit : undefined);
}

export function kindOf(value: unknown): ValueKind {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
  }
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (value instanceof ObjectId) return 'objectId';
  if (value instanceof Decimal128) return 'decimal128';
  if (value instanceof Binary) {
    // only generic binary reads back as a Buffer and is stored again with the same subtype
    return value.sub_type === Binary.SUBTYPE_DEFAULT ? 'buffer' : `other:binary(${value.sub_type})`;
  }
  if (Buffer.isBuffer(value)) return 'buffer';
  if (value instanceof RegExp || value instanceof BSONRegExp) return 'other:regex';
  const bsontype = (value as { _bsontype?: unknown })._bsontype;
  if (typeof bsontype === 'string') return `other:${bsontype.toLowerCase()}`;
  if (isGeoJsonPoint(value)) return 'geoJsonPoint';
  if (isLatLng(value)) return 'latLng';
  return 'object';
}

function isGeoJsonPoint(value: object): boolean {
  const { type, coordinates } = value as { type?: unknown; coordinates?: unknown };
  return (
    type === 'Point' &&
    Object.keys(value).length === 2 &&
    Array.isArray(coordinates) &&
    coordinates.length === 2 &&
    coordinates.every((c) => typeof c === 'number')
  );
}

function isLatLng(value: object): boolean {
  const { lat, lng } = value as { lat?: unknown; lng?: unknown };
  return Object.keys(value).length === 2 && typeof lat === 'number' && typeof lng === 'number';
}

/** What the sample says about one field: how often it held a value, and of which kinds. */
interface FieldStats {
  present: number;
  /** Values juggler's presence check calls blank although they are there: '', [], NaN. */
  blank: number;
  kinds: Set<ValueKind>;
  items: FieldStats | undefined;
  /** The fields of object values (and of objects inside arrays). */
  fields: Map<string, FieldStats> | undefined;
}

function newStats(): FieldStats {
  return { present: 0, blank: 0, kinds: new Set(), items: undefined, fields: undefined };
}

function observe(stats: FieldStats, value: unknown): void {
  const kind = kindOf(value);
  if (kind === 'null') return;
  stats.present++;
  if (isBlank(value)) stats.blank++;
  stats.kinds.add(kind);
  if (kind === 'array') {
    stats.items ??= newStats();
    for (const item of value as unknown[]) observe(stats.items, item);
  } else if (kind === 'object') {
    stats.fields ??= new Map();
    observeDocument(stats.fields, value as Document);
  }
}

function observeDocument(fields: Map<string, FieldStats>, doc: Document): void {
  for (const field of Object.keys(doc)) {
    let stats = fields.get(field);
    if (!stats) fields.set(field, (stats = newStats()));
    observe(stats, doc[field]);
  }
}

/**
 * Juggler's presence check (`required`) refuses '', [] and NaN as it refuses null: a model whose
 * `tags` is required could not save a document read back with `tags: []`.
 */
function isBlank(value: unknown): boolean {
  return (
    value === '' ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'number' && Number.isNaN(value))
  );
}

/** The LoopBack type for what a field held; `kinds` is set when they were several. */
function typeFor(stats: FieldStats, count: number): DiscoveredProperty {
  const required = stats.present === count && count > 0 && stats.blank === 0;
  const kinds = [...stats.kinds];
  if (kinds.length !== 1) {
    return kinds.length === 0
      ? { type: 'any', required: false }
      : { type: 'any', required, mongodb: { kinds: kinds.sort() } };
  }
  const kind = kinds[0];
  const property = scalarType(kind, required);
  if (kind === 'array') {
    const items = stats.items;
    const item = items && items.present > 0 ? typeFor(items, items.present) : undefined;
    if (!item || item.type === 'array') {
      // arrays of arrays have no LoopBack item type that keeps them as stored
      property.itemType = 'any';
    } else {
      property.itemType = item.type;
      if (item.mongodb) property.mongodb = item.mongodb;
      if (item.properties) property.properties = item.properties;
    }
  } else if (kind === 'object' && stats.fields) {
    property.properties = nestedDefinitions(stats.fields, stats.present);
  }
  return property;
}

function scalarType(kind: ValueKind, required: boolean): DiscoveredProperty {
  switch (kind) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'date':
    case 'buffer':
    case 'array':
    case 'object':
      return { type: kind, required };
    case 'objectId':
      return { type: 'string', required, mongodb: { dataType: 'ObjectId' } };
    case 'decimal128':
      // a string keeps every digit; a JavaScript number would round
      return { type: 'string', required, mongodb: { dataType: 'Decimal128' } };
    case 'geoJsonPoint':
    case 'latLng':
      return { type: 'geopoint', required };
    default:
      return { type: 'any', required, mongodb: { kinds: [kind] } };
  }
}

function nestedDefinitions(
  fields: Map<string, FieldStats>,
  count: number,
): Record<string, DiscoveredProperty> {
  const properties: Record<string, DiscoveredProperty> = {};
  for (const [field, stats] of fields) properties[field] = typeFor(stats, count);
  return properties;
}

const PROPERTY_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * The property name for a stored field: the field name itself when it is a valid identifier;
 * otherwise a camel-cased identifier made of its letters and digits (`first name` -> `firstName`,
 * `1st` -> `_1st`), made unique among `taken`.
 */
export function propertyNameFor(field: string, taken: ReadonlySet<string>): string {
  if (PROPERTY_NAME.test(field) && !isPrototypeKey(field) && !taken.has(field)) return field;
  const words = field.split(/[^A-Za-z0-9]+/).filter(Boolean);
  let name = words
    .map((word, i) => (i === 0 ? word : word[0].toUpperCase() + word.slice(1)))
    .join('');
  if (!name || /^[0-9]/.test(name)) name = `_${name}`;
  if (isPrototypeKey(name)) name = `${name}Field`;
  let unique = name;
  for (let n = 2; taken.has(unique) || unique === field; n++) unique = `${name}${n}`;
  return unique;
}

/** An index as `listIndexes` returns it. */
export interface IndexEntry {
  name: string;
  key: Record<string, unknown>;
  [option: string]: unknown;
}

/** listIndexes fields that describe the index rather than choose its options. */
const INDEX_BOOKKEEPING: ReadonlySet<string> = new Set(['v', 'key', 'name', 'ns']);
/** Text index keys MongoDB stores in place of the indexed fields (which `weights` names). */
const TEXT_INDEX_KEYS: ReadonlySet<string> = new Set(['_fts', '_ftsx']);

export interface InferOptions {
  /** The model's name; default: the collection name in PascalCase. */
  modelName?: string;
}

/**
 * The model definition for a collection, from a sample of its documents and its indexes:
 * - each field's type from the kinds of value it held (null counts as absent); several kinds make
 *   it `any`, with the kinds in `mongodb.kinds`;
 * - `required` when every sampled document had it with a value juggler does not call blank (not
 *   null, '', [] or NaN), so every sampled document passes the model's validation;
 * - `_id` as the id (`id`, or `_id` when a field is already called `id`), generated when it holds
 *   ObjectIds;
 * - field names that are not valid property names renamed, with `mongodb.fieldName`;
 * - a single-field index under its default name as the property's `index`, any other index in the
 *   model's `indexes`, with its options.
 */
export function inferSchema(
  collection: string,
  docs: readonly Document[],
  indexes: readonly IndexEntry[] = [],
  options: InferOptions = {},
): DiscoveredSchema {
  const fields = new Map<string, FieldStats>();
  for (const doc of docs) observeDocument(fields, doc);

  const properties: Record<string, DiscoveredProperty> = {};
  const propertyByField = new Map<string, string>();
  const taken = new Set<string>();
  const idStats = fields.get('_id');
  const idName = fields.has('id') ? '_id' : 'id';
  properties[idName] = idProperty(idStats, docs.length);
  propertyByField.set('_id', idName);
  taken.add(idName);
  for (const [field, stats] of fields) {
    if (field === '_id') continue;
    const name = propertyNameFor(field, taken);
    taken.add(name);
    propertyByField.set(field, name);
    const property = typeFor(stats, docs.length);
    if (name !== field) property.mongodb = { ...property.mongodb, fieldName: field };
    properties[name] = property;
  }

  const geoJson = [...fields.values()].some(
    (stats) => stats.kinds.size === 1 && stats.kinds.has('geoJsonPoint'),
  );
  if (geoJson) {
    // geo indexing would write {lat, lng} points back as GeoJSON: keep those as plain objects
    for (const [field, stats] of fields) {
      const property = properties[propertyByField.get(field) as string];
      if (stats.kinds.has('latLng') && property.type === 'geopoint') property.type = 'object';
    }
  }
  const schema: DiscoveredSchema = {
    name: options.modelName ?? pascalCase(collection),
    options: {
      idInjection: false,
      strict: false,
      // GeoJSON points read back as {lat, lng}; only with geo indexing are they stored as GeoJSON
      mongodb: geoJson ? { collection, enableGeoIndexing: true } : { collection },
    },
    properties,
  };
  addIndexes(schema, fields, propertyByField, indexes, geoJson);
  return schema;
}

function idProperty(stats: FieldStats | undefined, count: number): DiscoveredProperty {
  const onlyObjectIds = !stats || (stats.kinds.size === 1 && stats.kinds.has('objectId'));
  if (onlyObjectIds) {
    return {
      type: 'string',
      id: true,
      generated: true,
      required: false,
      mongodb: { dataType: 'ObjectId' },
    };
  }
  return { ...typeFor(stats, count), id: true, generated: false };
}

function addIndexes(
  schema: DiscoveredSchema,
  fields: Map<string, FieldStats>,
  propertyByField: Map<string, string>,
  indexes: readonly IndexEntry[],
  geoJson: boolean,
): void {
  const modelIndexes: Record<string, DiscoveredIndex> = {};
  const geoIndexed = new Set<string>();
  for (const index of indexes) {
    if (index.name === '_id_') continue;
    const keys = indexKeys(index, propertyByField);
    const options: Record<string, unknown> = {};
    for (const [option, value] of Object.entries(index)) {
      if (!INDEX_BOOKKEEPING.has(option)) options[option] = value;
    }
    const entries = Object.entries(keys);
    const [path, type] = entries.length === 1 ? entries[0] : [];
    const property = path !== undefined ? schema.properties[path] : undefined;
    const defaultName =
      index.name === defaultIndexName(Object.entries(index.key) as Array<[string, IndexKeyType]>);
    const isGeo = property?.type === 'geopoint' && geoJson && type === '2dsphere';
    if (property && entries.length === 1 && defaultName && (type === 1 || isGeo)) {
      // the form migrations read back as this very index
      property.index = Object.keys(options).length ? options : true;
      if (isGeo) geoIndexed.add(path as string);
    } else {
      modelIndexes[index.name] = Object.keys(options).length ? { keys, options } : { keys };
    }
  }
  if (geoJson) {
    // with geo indexing, migrations give every GeoPoint property a 2dsphere index unless told not
    for (const [field, stats] of fields) {
      const name = propertyByField.get(field) as string;
      if (stats.kinds.has('geoJsonPoint') && !geoIndexed.has(name)) {
        schema.properties[name].index = false;
      }
    }
  }
  if (Object.keys(modelIndexes).length) schema.options.indexes = modelIndexes;
}

/** An index's keys by property name; a text index's by the fields its weights name. */
function indexKeys(
  index: IndexEntry,
  propertyByField: Map<string, string>,
): Record<string, unknown> {
  const keys: Record<string, unknown> = {};
  for (const [field, type] of Object.entries(index.key)) {
    if (TEXT_INDEX_KEYS.has(field)) {
      const weights = (index.weights ?? {}) as Record<string, unknown>;
      for (const textField of Object.keys(weights))
        keys[propertyPath(textField, propertyByField)] = 'text';
      continue;
    }
    keys[propertyPath(field, propertyByField)] = type;
  }
  return keys;
}

/** A stored path in property terms: only its first segment is a property. */
function propertyPath(path: string, propertyByField: Map<string, string>): string {
  const dot = path.indexOf('.');
  const head = dot < 0 ? path : path.slice(0, dot);
  const name = propertyByField.get(head) ?? head;
  return dot < 0 ? name : name + path.slice(dot);
}

/** `order_items` -> `OrderItems`, as juggler names discovered models. */
export function pascalCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const joined = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  return /^[0-9]/.test(joined) ? `_${joined}` : joined || '_';
}
