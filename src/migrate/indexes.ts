/**
 * Index definitions, in every form LoopBack models write them, turned into the indexes MongoDB
 * should hold; and the comparison of those with the indexes a collection has. Pure: the server
 * side is in ./index.ts.
 */
import type { ModelDefinition, PropertyDefinition } from 'loopback-connector';
import type { Document, IndexDescription } from 'mongodb';
import { MongoConnectorError, describe } from '../errors';
import { storedPath, type ModelInfo, type PropertyInfo } from '../model-info';
import { isOperatorKey, isPlainObject } from '../sanitize';

/** What one key of an index says: ascending, descending, or a special index type. */
export type IndexKeyType = 1 | -1 | '2dsphere' | '2d' | 'text' | 'hashed';

/** The options of one index as createIndex takes them; the name is kept apart. */
export type IndexOptions = Omit<IndexDescription, 'key' | 'name'>;

/** One index a model's definition asks for, with its keys already in stored field names. */
export interface IndexSpec {
  readonly name: string;
  /** In order: the order of a compound index's keys is part of what it is. */
  readonly key: ReadonlyArray<readonly [field: string, type: IndexKeyType]>;
  readonly options: IndexOptions;
  readonly model: string;
  /** Where the definition came from (`Customer property "email"`), for error messages. */
  readonly definedBy: string;
}

/** What autoupdate has to do to one collection's indexes. */
export interface IndexPlan {
  /** Definitions no index fulfils yet. */
  readonly create: readonly IndexSpec[];
  /** Definitions whose name an index holds with other keys or options: drop it, create anew. */
  readonly replace: readonly IndexSpec[];
}

/** An index definition we cannot turn into a MongoDB index; says which model and index. */
export class IndexDefinitionError extends MongoConnectorError {
  constructor(definedBy: string, message: string, model: string, property?: string) {
    super(`${definedBy}: ${message}`, { code: 'INVALID_INDEX', model, property });
  }
}

const KEY_TYPES: ReadonlySet<unknown> = new Set<IndexKeyType>([
  1,
  -1,
  '2dsphere',
  '2d',
  'text',
  'hashed',
]);

/**
 * The MongoDB index options we accept. `options` and `mongodb` objects may hold only these, so a
 * typo is an error here rather than an option the driver drops without a word.
 */
const INDEX_OPTIONS: ReadonlySet<string> = new Set([
  'name',
  'unique',
  'sparse',
  'partialFilterExpression',
  'expireAfterSeconds',
  'collation',
  'hidden',
  'weights',
  'default_language',
  'language_override',
  'textIndexVersion',
  '2dsphereIndexVersion',
  'bits',
  'min',
  'max',
  'wildcardProjection',
  'storageEngine',
  'background',
]);

/** The name of the index MongoDB always keeps on `_id`; never ours to drop or replace. */
const ID_INDEX_NAME = '_id_';

/**
 * Every index a model's definition asks for:
 * - a property with `index: true`, `index: {unique: true, ...options}` or `unique: true`;
 * - a GeoPoint property, when geo indexing is on: a `2dsphere` index (with the options of its
 *   `index` object, if any; `index: false` opts out);
 * - each entry of the model's `indexes`: `{keys: {a: 1, b: -1}, options: {...}}`,
 *   `{columns: 'a,b', kind: 'unique'}` or the keys directly, `{a: 1, b: -1}`.
 * Options may also sit in a `mongodb` object beside them. Key names and the fields of a
 * `partialFilterExpression` are property names, mapped to stored field names here.
 */
export function buildIndexSpecs(info: ModelInfo, definition: ModelDefinition): IndexSpec[] {
  const specs: IndexSpec[] = [];
  for (const [name, def] of Object.entries(definition.properties)) {
    const prop = info.properties.get(name);
    const spec = prop && def ? propertyIndex(info, prop, def) : undefined;
    if (spec) specs.push(spec);
  }
  const indexes = definition.settings?.indexes;
  if (indexes !== undefined && indexes !== null) {
    if (!isPlainObject(indexes)) {
      throw new IndexDefinitionError(
        info.model,
        `indexes must be an object of named index definitions, got ${describe(indexes)}`,
        info.model,
      );
    }
    for (const [name, def] of Object.entries(indexes)) specs.push(modelIndex(info, name, def));
  }
  return mergeIndexSpecs(specs);
}

function propertyIndex(
  info: ModelInfo,
  prop: PropertyInfo,
  def: PropertyDefinition,
): IndexSpec | undefined {
  // MongoDB indexes _id, uniquely, on its own
  if (prop.isId) return undefined;
  const declared = def.index;
  const unique = def.unique === true;
  const geo = info.enableGeoIndexing && (prop.itemStoredAs ?? prop.storedAs) === 'geoPoint';
  if (!unique && (declared === false || (!declared && !geo))) return undefined;
  const definedBy = `${info.model} property ${JSON.stringify(prop.name)}`;
  const options = isPlainObject(declared) ? readOptions(info, definedBy, declared, prop.name) : {};
  if (unique) options.unique = true;
  const key: Array<[string, IndexKeyType]> = [[prop.field, geo ? '2dsphere' : 1]];
  return finishSpec(info, key, options, defaultIndexName(key), definedBy);
}

function modelIndex(info: ModelInfo, name: string, def: unknown): IndexSpec {
  const definedBy = `${info.model} index ${JSON.stringify(name)}`;
  if (!isPlainObject(def)) {
    throw new IndexDefinitionError(
      definedBy,
      "expected {keys: {...}, options: {...}}, {columns: 'a,b'} or the keys directly, " +
        `got ${describe(def)}`,
      info.model,
    );
  }
  let key: Array<[string, IndexKeyType]>;
  let options: IndexOptions;
  if (def.keys !== undefined || def.columns !== undefined) {
    key =
      def.keys !== undefined
        ? keysFromObject(info, definedBy, def.keys)
        : keysFromColumns(info, definedBy, def.columns);
    options = {
      ...readOptions(info, definedBy, def),
      ...explicitOptions(info, definedBy, def.options),
    };
  } else {
    // the keys directly: every entry but `options` is a key
    const { options: given, ...keys } = def;
    key = keysFromObject(info, definedBy, keys);
    options = explicitOptions(info, definedBy, given);
  }
  return finishSpec(info, key, options, name, definedBy);
}

function finishSpec(
  info: ModelInfo,
  key: Array<[string, IndexKeyType]>,
  options: IndexOptions & { name?: unknown },
  fallbackName: string,
  definedBy: string,
): IndexSpec {
  const { name, ...rest } = options;
  return {
    name: typeof name === 'string' && name ? name : fallbackName,
    key,
    options: rest,
    model: info.model,
    definedBy,
  };
}

/** MongoDB's own name for an index it is given no name for: `a_1_b_-1`. */
export function defaultIndexName(key: ReadonlyArray<readonly [string, IndexKeyType]>): string {
  return key.map(([field, type]) => `${field}_${type}`).join('_');
}

function keysFromObject(
  info: ModelInfo,
  definedBy: string,
  keys: unknown,
): Array<[string, IndexKeyType]> {
  if (!isPlainObject(keys) || Object.keys(keys).length === 0) {
    throw new IndexDefinitionError(
      definedBy,
      `keys must be an object such as {name: 1, age: -1}, got ${describe(keys)}`,
      info.model,
    );
  }
  return Object.entries(keys).map(([path, type]) => {
    if (!KEY_TYPES.has(type)) {
      throw new IndexDefinitionError(
        definedBy,
        `key ${JSON.stringify(path)} has ${describe(type)}; an index key takes ` +
          `1, -1, "2dsphere", "2d", "text" or "hashed" (options go in {keys, options})`,
        info.model,
        path,
      );
    }
    return [storedPath(info, path).field, type as IndexKeyType];
  });
}

const COLUMN = /^(\S+)(?:\s+(asc|desc))?$/i;

/** `'a, b DESC'` or `['a', 'b DESC']`, as SQL connectors' model definitions write them. */
function keysFromColumns(
  info: ModelInfo,
  definedBy: string,
  columns: unknown,
): Array<[string, IndexKeyType]> {
  const list = typeof columns === 'string' ? columns.split(',') : columns;
  const parsed = Array.isArray(list)
    ? list.map((column) => (typeof column === 'string' ? COLUMN.exec(column.trim()) : null))
    : [];
  if (parsed.length === 0 || parsed.some((match) => !match)) {
    throw new IndexDefinitionError(
      definedBy,
      `columns must list property names such as 'name, age DESC', got ${describe(columns)}`,
      info.model,
    );
  }
  return (parsed as RegExpExecArray[]).map(([, path, direction]) => [
    storedPath(info, path).field,
    direction?.toLowerCase() === 'desc' ? -1 : 1,
  ]);
}

/**
 * Options from an object that mixes them with other things (a property's `index`, a `{keys}` or
 * `{columns}` definition): the known option names, `kind: 'unique'`, and a `mongodb` object.
 * Anything else there (SQL connectors' `type: 'btree'`...) means nothing to MongoDB.
 */
function readOptions(
  info: ModelInfo,
  definedBy: string,
  source: Record<string, unknown>,
  property?: string,
): IndexOptions & { name?: unknown } {
  const options: Record<string, unknown> = {};
  for (const [option, value] of Object.entries(source)) {
    if (INDEX_OPTIONS.has(option) && value !== undefined) {
      options[option] = value;
    }
  }
  if (typeof source.kind === 'string' && source.kind.toLowerCase() === 'unique') {
    options.unique = true;
  }
  return finishOptions(info, definedBy, {
    ...options,
    ...explicitOptions(info, definedBy, source.mongodb, property),
  });
}

/** An object that holds nothing but index options (`options`, `mongodb`). */
function explicitOptions(
  info: ModelInfo,
  definedBy: string,
  source: unknown,
  property?: string,
): IndexOptions & { name?: unknown } {
  if (source === undefined || source === null) return {};
  if (!isPlainObject(source)) {
    throw new IndexDefinitionError(
      definedBy,
      `index options must be an object, got ${describe(source)}`,
      info.model,
      property,
    );
  }
  for (const option of Object.keys(source)) {
    if (!INDEX_OPTIONS.has(option)) {
      throw new IndexDefinitionError(
        definedBy,
        `${JSON.stringify(option)} is not a MongoDB index option; use one of ` +
          [...INDEX_OPTIONS].join(', '),
        info.model,
        property,
      );
    }
  }
  return finishOptions(info, definedBy, source);
}

function finishOptions(
  info: ModelInfo,
  definedBy: string,
  options: Record<string, unknown>,
): IndexOptions & { name?: unknown } {
  const { partialFilterExpression, weights, ...rest } = options;
  if (weights !== undefined) rest.weights = storedWeights(info, definedBy, weights);
  if (partialFilterExpression === undefined) return rest;
  if (!isPlainObject(partialFilterExpression)) {
    throw new IndexDefinitionError(
      definedBy,
      `partialFilterExpression must be a filter object, got ${describe(partialFilterExpression)}`,
      info.model,
    );
  }
  return { ...rest, partialFilterExpression: storedFilterFields(info, partialFilterExpression) };
}

/** A text index's weights name properties, as its keys do; the index holds stored field names. */
function storedWeights(info: ModelInfo, definedBy: string, weights: unknown): Document {
  if (!isPlainObject(weights)) {
    throw new IndexDefinitionError(
      definedBy,
      `weights must be an object such as {title: 10, body: 1}, got ${describe(weights)}`,
      info.model,
    );
  }
  return Object.fromEntries(
    Object.entries(weights).map(([path, weight]) => [storedPath(info, path).field, weight]),
  );
}

/**
 * A filter written with property names, with stored field names instead. Only keys in field
 * position are renamed: those at the top and inside `$and`/`$or` lists; the conditions under a
 * field are left as written.
 */
export function storedFilterFields(info: ModelInfo, filter: Document): Document {
  const stored: Document = {};
  for (const [key, condition] of Object.entries(filter)) {
    if (!isOperatorKey(key)) {
      stored[storedPath(info, key).field] = condition;
    } else if (Array.isArray(condition)) {
      stored[key] = condition.map((clause: unknown) =>
        isPlainObject(clause) ? storedFilterFields(info, clause) : clause,
      );
    } else {
      stored[key] = condition;
    }
  }
  return stored;
}

/**
 * The definitions with one entry per index name. Two definitions of one name with the same keys
 * and options are one index (LoopBack 3 apps declare `location_2dsphere` by hand for a GeoPoint
 * the connector indexes too): they merge, naming both as its source. Of one name with other keys
 * or options, the second is refused, naming both and what differs.
 */
export function mergeIndexSpecs(specs: readonly IndexSpec[]): IndexSpec[] {
  const byName = new Map<string, IndexSpec>();
  for (const spec of specs) {
    if (spec.name === ID_INDEX_NAME) {
      throw new IndexDefinitionError(
        spec.definedBy,
        `${ID_INDEX_NAME} is the name of MongoDB's own index on _id`,
        spec.model,
      );
    }
    const earlier = byName.get(spec.name);
    if (!earlier) {
      byName.set(spec.name, spec);
      continue;
    }
    const differences = indexDifferences(spec, earlier);
    if (differences.length) {
      throw new IndexDefinitionError(
        spec.definedBy,
        `index name ${JSON.stringify(spec.name)} is already used by ${earlier.definedBy} for ` +
          `another index (${differences.join('; ')}); give one of them another name`,
        spec.model,
      );
    }
    byName.set(spec.name, { ...earlier, definedBy: `${earlier.definedBy} and ${spec.definedBy}` });
  }
  return [...byName.values()];
}

/** What tells two definitions apart, each as `what: this one's, the other's`; empty if nothing. */
function indexDifferences(spec: IndexSpec, other: IndexSpec): string[] {
  const differences: string[] = [];
  if (!sameEntries(spec.key, other.key)) {
    differences.push(`keys ${describeKey(spec.key)} here, ${describeKey(other.key)} there`);
  }
  const options = new Set([...Object.keys(spec.options), ...Object.keys(other.options)]);
  for (const option of options) {
    if (IGNORED_OPTIONS.has(option)) continue;
    const mine = (spec.options as Document)[option];
    const theirs = (other.options as Document)[option];
    const same = (BOTH_WAYS_FLAGS as readonly string[]).includes(option)
      ? Boolean(mine) === Boolean(theirs)
      : sameValue(mine, theirs);
    if (!same)
      differences.push(`${option} ${describeOption(mine)} here, ${describeOption(theirs)} there`);
  }
  return differences;
}

function describeKey(key: IndexSpec['key']): string {
  return describe(Object.fromEntries(key));
}

function describeOption(value: unknown): string {
  return value === undefined ? 'absent' : describe(value);
}

// ---- comparing definitions with the server's indexes ------------------------------------------

/**
 * What autoupdate does, given what a collection has. The definitions own the names they give:
 * an index of such a name whose keys or options differ is dropped and made again. An index whose
 * name no definition gives is never dropped: it is someone else's (a DBA's, another app's) or a
 * definition since removed, and both are left to people. A definition that an index of another
 * name already fulfils exactly, or will once an earlier definition is created, is left alone too;
 * MongoDB would refuse a twin of it anyway.
 */
export function planIndexUpdate(
  specs: readonly IndexSpec[],
  existing: readonly Document[],
): IndexPlan {
  const create: IndexSpec[] = [];
  const replace: IndexSpec[] = [];
  for (const spec of specs) {
    const named = existing.find((index) => index.name === spec.name);
    if (named) {
      if (!indexMatches(spec, named)) replace.push(spec);
    } else if (
      !existing.some((index) => indexMatches(spec, index)) &&
      !create.some((planned) => indexDifferences(spec, planned).length === 0)
    ) {
      create.push(spec);
    }
  }
  return { create, replace };
}

/** True when an index from `listIndexes` has the keys and options the definition asks for. */
export function indexMatches(spec: IndexSpec, index: Document): boolean {
  if (index.name === ID_INDEX_NAME) return false;
  const expected = expectedServerForm(spec);
  if (!sameEntries(Object.entries(expected.key), Object.entries(index.key ?? {}))) return false;
  for (const option of BOTH_WAYS_FLAGS) {
    if (Boolean(expected.options[option]) !== Boolean(index[option])) return false;
  }
  for (const option of BOTH_WAYS_VALUES) {
    if (!sameValue(expected.options[option], index[option])) return false;
  }
  if (!sameCollation(expected.options.collation, index.collation)) return false;
  for (const [option, value] of Object.entries(expected.options)) {
    if (IGNORED_OPTIONS.has(option) || COMPARED_OPTIONS.has(option)) continue;
    // options the server fills in (text languages, index versions...) are compared only when the
    // definition states them
    if (!sameValue(value, index[option])) return false;
  }
  return true;
}

/** Off unless said; an index with one of these and one without are different indexes. */
const BOTH_WAYS_FLAGS = ['unique', 'sparse', 'hidden'] as const;
/** Absent unless said, and different indexes when one has them and the other does not. */
const BOTH_WAYS_VALUES = ['partialFilterExpression', 'expireAfterSeconds'] as const;
const COMPARED_OPTIONS: ReadonlySet<string> = new Set([
  ...BOTH_WAYS_FLAGS,
  ...BOTH_WAYS_VALUES,
  'collation',
]);
/** The server ignores `background` since 4.2; whether it says so in listIndexes varies. */
const IGNORED_OPTIONS: ReadonlySet<string> = new Set(['background']);

/**
 * The keys and options as listIndexes reports them: a text index shows its text keys as
 * `_fts`/`_ftsx` with the fields in `weights` (1 unless given).
 */
function expectedServerForm(spec: IndexSpec): { key: Document; options: Document } {
  const textFields = spec.key.filter(([, type]) => type === 'text').map(([field]) => field);
  if (textFields.length === 0) return { key: Object.fromEntries(spec.key), options: spec.options };
  const key: Document = {};
  for (const [field, type] of spec.key) {
    if (type !== 'text') key[field] = type;
    else if (!('_fts' in key)) Object.assign(key, { _fts: 'text', _ftsx: 1 });
  }
  const weights = {
    ...Object.fromEntries(textFields.map((field) => [field, 1])),
    ...(spec.options.weights as Document | undefined),
  };
  return { key, options: { ...spec.options, weights } };
}

/**
 * Collations match when the server's has every field the definition gives. The server fills in
 * the rest from the locale's defaults, which differ between locales, so they are not compared.
 */
function sameCollation(wanted: unknown, actual: unknown): boolean {
  const given = isPlainObject(wanted) && wanted.locale !== 'simple' ? wanted : undefined;
  const held = isPlainObject(actual) ? actual : undefined;
  if (!given || !held) return !given && !held;
  return Object.entries(given).every(([field, value]) => sameValue(value, held[field]));
}

function sameEntries(
  a: ReadonlyArray<readonly [string, unknown]>,
  b: ReadonlyArray<readonly [string, unknown]>,
): boolean {
  return (
    a.length === b.length &&
    a.every(([key, value], i) => key === b[i][0] && sameValue(value, b[i][1]))
  );
}

/**
 * Deep equality of option values as we write them and as the driver reads them back (objects of
 * any prototype, keys in any order; dates by time).
 */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => sameValue(item, b[i]))
    );
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  return (
    aKeys.length === bKeys.length &&
    aKeys.every(
      (key) =>
        Object.hasOwn(b, key) &&
        sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
    )
  );
}
