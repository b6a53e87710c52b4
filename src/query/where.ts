import { BSONRegExp, ObjectId, type Document, type Filter } from 'mongodb';
import { InvalidQueryError, UnknownOperatorError, describe } from '../errors';
import { storedPath, type ModelInfo, type PropertyInfo, type StoredAs } from '../model-info';
import {
  assertKeyAllowed,
  assertValueAllowed,
  isOperatorKey,
  isPlainObject,
  type SanitizeOptions,
} from '../sanitize';
import { isObjectIdHex, toLatLng, toStoredValue, type LatLng } from '../values';
import {
  bitsOperand,
  geoShapeOperand,
  modOperand,
  sizeOperand,
  typeOperand,
  type OperandSite,
} from './field-operators';
import { isTextSearchKey, textSearchCondition } from './text-search';

export type DistanceUnit = 'meters' | 'kilometers' | 'miles' | 'feet' | 'radians' | 'degrees';

/** A `near` query on a GeoPoint property, as juggler writes it. */
export interface NearClause {
  /**
   * `{lat, lng}` (a GeoPoint included), or GeoJSON's order as loopback-connector-mongodb reads it:
   * `[lng, lat]` or `'lng,lat'`.
   */
  near: unknown;
  maxDistance?: number;
  minDistance?: number;
  /** Unit of the distances; meters (MongoDB's, and loopback-connector-mongodb's) when absent. */
  unit?: DistanceUnit;
}

/** The operators juggler allows on one property; a plain value means equality. */
export interface PropertyConditions extends Partial<NearClause> {
  eq?: unknown;
  neq?: unknown;
  gt?: unknown;
  gte?: unknown;
  lt?: unknown;
  lte?: unknown;
  between?: [unknown, unknown];
  inq?: unknown[];
  nin?: unknown[];
  like?: string | RegExp;
  nlike?: string | RegExp;
  ilike?: string | RegExp;
  nilike?: string | RegExp;
  regexp?: string | RegExp;
  /** Regular-expression options (`i`, `m`, `s`, `x`) for the like family and regexp. */
  options?: string;
  exists?: boolean;
}

/** A juggler where clause: property conditions combined with and/or/nor. */
export interface Where {
  and?: Where[];
  or?: Where[];
  nor?: Where[];
  [property: string]: unknown;
}

const LOGICAL_OPERATORS: ReadonlyMap<string, '$and' | '$or' | '$nor'> = new Map([
  ['and', '$and'],
  ['or', '$or'],
  ['nor', '$nor'],
]);

/** Keys that qualify another operator in the same condition rather than being one. */
const MODIFIERS: ReadonlySet<string> = new Set(['options', 'maxDistance', 'minDistance', 'unit']);

/** `options` as MongoDB spells it beside `$regex`. */
function isModifier(key: string): boolean {
  return MODIFIERS.has(key) || key === '$options';
}

/**
 * MongoDB's field query operators, by name without `$`: written either way (`all`, `$all`), each is
 * translated like juggler's operators, its operands converted to the property's stored form.
 */
const MONGO_FIELD_OPERATORS: ReadonlySet<string> = new Set([
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'nin',
  'not',
  'exists',
  'type',
  'mod',
  'regex',
  'all',
  'elemMatch',
  'size',
  'geoWithin',
  'geoIntersects',
  'bitsAllClear',
  'bitsAllSet',
  'bitsAnyClear',
  'bitsAnySet',
]);

/** MongoDB's own `near` forms, handed over as written (sanitized) beside juggler's `near`. */
const UNTRANSLATED_GEO_OPERATORS: ReadonlySet<string> = new Set([
  '$near',
  '$nearSphere',
  '$maxDistance',
  '$minDistance',
]);

/** `$`-keys a where may hold at its top level and that we hand over as written (sanitized). */
const UNTRANSLATED_TOP_LEVEL: ReadonlySet<string> = new Set([
  '$expr',
  '$jsonSchema',
  '$comment',
  '$where',
  'mapReduce',
]);

const DOLLAR_LOGICAL_OPERATORS: ReadonlyMap<string, '$and' | '$or' | '$nor'> = new Map([
  ['$and', '$and'],
  ['$or', '$or'],
  ['$nor', '$nor'],
]);

/** Stored kinds whose values are never documents, so an object given for them holds operators. */
const SCALAR_KINDS: ReadonlySet<StoredAs> = new Set([
  'objectId',
  'decimal128',
  'date',
  'number',
  'boolean',
  'string',
  'buffer',
]);

/** Mongo's own earth radius, so that a distance in radians means what the server takes it to. */
export const EARTH_RADIUS_METERS = 6378100;

const METERS_PER_UNIT: ReadonlyMap<string, number> = new Map([
  ['meters', 1],
  ['kilometers', 1000],
  ['miles', 1609.344],
  ['feet', 0.3048],
  ['radians', EARTH_RADIUS_METERS],
  ['degrees', (EARTH_RADIUS_METERS * Math.PI) / 180],
]);

const DEFAULT_DISTANCE_UNIT: DistanceUnit = 'meters';

/** What every operator translation needs to know about the property it works on. */
interface PropertyQuery {
  readonly info: ModelInfo;
  /** The property path as the app wrote it: what error messages name. */
  readonly key: string;
  /** Undefined for nested paths and properties the model does not define: nothing to coerce. */
  readonly prop: PropertyInfo | undefined;
  readonly conditions: Record<string, unknown>;
  readonly options: SanitizeOptions;
}

type OperatorTranslation = (query: PropertyQuery, operand: unknown) => Document;

const OPERATORS: ReadonlyMap<string, OperatorTranslation> = new Map<string, OperatorTranslation>([
  ['eq', (q, v) => equalityCondition(q, storedOperand(q, v), '$eq', '$in')],
  ['neq', (q, v) => equalityCondition(q, storedOperand(q, v), '$ne', '$nin')],
  ['gt', (q, v) => ({ $gt: storedOperand(q, v) })],
  ['gte', (q, v) => ({ $gte: storedOperand(q, v) })],
  ['lt', (q, v) => ({ $lt: storedOperand(q, v) })],
  ['lte', (q, v) => ({ $lte: storedOperand(q, v) })],
  ['between', translateBetween],
  ['inq', (q, v) => ({ $in: storedList(q, 'inq', v) })],
  ['nin', (q, v) => ({ $nin: storedList(q, 'nin', v) })],
  ['like', (q, v) => ({ $regex: likeRegExp(q, 'like', v, '') })],
  ['nlike', (q, v) => ({ $not: likeRegExp(q, 'nlike', v, '') })],
  ['ilike', (q, v) => ({ $regex: likeRegExp(q, 'ilike', v, 'i') })],
  ['nilike', (q, v) => ({ $not: likeRegExp(q, 'nilike', v, 'i') })],
  ['regexp', (q, v) => ({ $regex: regexpOperand(q, v) })],
  ['exists', (q, v) => ({ $exists: existsOperand(q, v) })],
  // MongoDB's field operators juggler has no name of its own for
  ['ne', (q, v) => equalityCondition(q, storedOperand(q, v), '$ne', '$nin')],
  ['in', (q, v) => ({ $in: storedList(q, 'in', v) })],
  ['regex', (q, v) => ({ $regex: regexpOperand(q, v) })],
  ['not', translateNot],
  ['all', translateAll],
  ['elemMatch', translateElemMatch],
  ['type', (q, v) => ({ $type: typeOperand(operandSite(q), v) })],
  ['size', (q, v) => ({ $size: sizeOperand(operandSite(q), v) })],
  ['mod', (q, v) => ({ $mod: modOperand(operandSite(q), v) })],
  ['geoWithin', (q, v) => ({ $geoWithin: geoShapeOperand(operandSite(q), 'geoWithin', v) })],
  [
    'geoIntersects',
    (q, v) => ({ $geoIntersects: geoShapeOperand(operandSite(q), 'geoIntersects', v) }),
  ],
  ...(['bitsAllClear', 'bitsAllSet', 'bitsAnyClear', 'bitsAnySet'] as const).map(
    (name): [string, OperatorTranslation] => [
      name,
      (q, v) => ({ [`$${name}`]: bitsOperand(operandSite(q), name, v) }),
    ],
  ),
  // the distances and unit sit beside `near` in the same conditions
  ['near', (q) => nearCondition(q.info, q.key, q.conditions)],
]);

/**
 * The MongoDB filter for a juggler where clause. Everything is checked before the filter is
 * returned, so a bad clause never reaches the server.
 */
export function buildFilter(
  info: ModelInfo,
  where: unknown,
  options: SanitizeOptions,
): Filter<Document> {
  if (where === undefined || where === null) return {};
  if (!isPlainObject(where)) {
    throw new InvalidQueryError(info.model, `where must be an object, got ${describe(where)}`);
  }
  const filter: Document = {};
  for (const key of Object.keys(where)) {
    const value = where[key];
    if (value === undefined) continue;
    if (isTextSearchKey(key, (name) => info.properties.has(name))) {
      addCondition(filter, '$text', textSearchCondition(info.model, value));
      continue;
    }
    assertKeyAllowed(info.model, key, undefined, options);
    const logical = LOGICAL_OPERATORS.get(key) ?? DOLLAR_LOGICAL_OPERATORS.get(key);
    if (logical) {
      addLogical(filter, info, key, logical, value, options);
    } else if (isOperatorKey(key)) {
      if (!UNTRANSLATED_TOP_LEVEL.has(key)) throw new UnknownOperatorError(info.model, key);
      assertValueAllowed(info.model, undefined, value, options);
      addCondition(filter, key, value);
    } else {
      const { field, property } = storedPath(info, key);
      addCondition(filter, field, buildCondition(info, key, property, value, options));
    }
  }
  return filter;
}

/**
 * The filter for one `near` clause on a GeoPoint property: a `$nearSphere` over the GeoJSON point
 * with distances in meters. It needs the 2dsphere index that `enableGeoIndexing` brings.
 */
export function buildNearFilter(
  info: ModelInfo,
  property: string,
  clause: NearClause,
): Filter<Document> {
  return { [storedPath(info, property).field]: nearCondition(info, property, clause) };
}

/**
 * True when the filter orders its results by distance itself, where an explicit sort (the
 * default id sort included) would undo that order.
 */
export function sortsByDistance(filter: Filter<Document>): boolean {
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(condition) && condition.some(sortsByDistance)) return true;
    if (isPlainObject(condition) && '$nearSphere' in condition) return true;
  }
  return false;
}

/** Two conditions on one key cannot share an object, so the later one joins an `$and`. */
function addCondition(filter: Document, key: string, condition: unknown): void {
  if (!Object.hasOwn(filter, key)) {
    filter[key] = condition;
    return;
  }
  const and: Document[] = filter.$and ?? (filter.$and = []);
  and.push({ [key]: condition });
}

function addLogical(
  filter: Document,
  info: ModelInfo,
  key: string,
  operator: '$and' | '$or' | '$nor',
  clauses: unknown,
  options: SanitizeOptions,
): void {
  if (!Array.isArray(clauses)) {
    throw new InvalidQueryError(info.model, `${key} expects an array of where clauses`);
  }
  if (clauses.length === 0) {
    // MongoDB refuses empty lists; juggler's memory connector reads an empty `or` as matching
    // nothing and an empty `and`/`nor` as no condition at all. `$nor: [{}]` matches nothing.
    if (operator === '$or') addCondition(filter, '$nor', [{}]);
    return;
  }
  addCondition(
    filter,
    operator,
    clauses.map((clause) => buildFilter(info, clause, options)),
  );
}

function buildCondition(
  info: ModelInfo,
  key: string,
  prop: PropertyInfo | undefined,
  value: unknown,
  options: SanitizeOptions,
): unknown {
  if (value instanceof RegExp) {
    return { $regex: regexpOperand({ info, key, prop, conditions: {}, options }, value) };
  }
  if (isPlainObject(value) && holdsOperators(prop, value)) {
    return buildOperators({ info, key, prop, conditions: value, options });
  }
  assertValueAllowed(info.model, key, value, options);
  const stored = toStoredValue(info, prop, value);
  const forms = eitherForm({ info, key, prop, conditions: {}, options }, stored);
  return forms ? { $in: forms } : stored;
}

/**
 * The stored forms a 24-hex operand may have where data written by other connectors or settings
 * holds it as a string or as an ObjectId (see PropertyInfo.matchesEitherForm); undefined for any
 * other operand, and where reads are exact. Paths with no property of their own (nested paths,
 * properties a non-strict model does not define) are untyped: exact only in strict mode. An `$in`
 * of the two stays an index lookup.
 */
function eitherForm(query: PropertyQuery, stored: unknown): [string, ObjectId] | undefined {
  const { prop, info } = query;
  if (prop ? !prop.matchesEitherForm : info.objectIdCoercion === 'strict') return undefined;
  if (stored instanceof ObjectId) return [stored.toHexString(), stored];
  if (isObjectIdHex(stored)) return [stored, new ObjectId(stored)];
  return undefined;
}

function equalityCondition(
  query: PropertyQuery,
  stored: unknown,
  operator: '$eq' | '$ne',
  listOperator: '$in' | '$nin',
): Document {
  const forms = eitherForm(query, stored);
  return forms ? { [listOperator]: forms } : { [operator]: stored };
}

/** Juggler's operators, MongoDB's field operators (with or without `$`), and any `$`-key. */
function isOperatorName(key: string): boolean {
  return OPERATORS.has(key) || isOperatorKey(key);
}

/**
 * An object given for a property is a set of conditions when the property cannot hold documents,
 * or when one of its keys is an operator name (every key must then be one, or a modifier such as
 * `options`); otherwise it is a document to match exactly (`{address: {city: 'Paris'}}`). So a
 * document whose keys include an operator name (`{type: 'a'}`) is matched with `{eq: {...}}`.
 */
function holdsOperators(prop: PropertyInfo | undefined, value: Record<string, unknown>): boolean {
  if (prop && SCALAR_KINDS.has(prop.itemStoredAs ?? prop.storedAs)) return true;
  return Object.keys(value).some(isOperatorName);
}

/** The translation of an operator name; undefined for a name that is no operator. */
function translationOf(operator: string): OperatorTranslation | 'as written' | undefined {
  if (operator.charCodeAt(0) !== 36 /* $ */) return OPERATORS.get(operator);
  if (UNTRANSLATED_GEO_OPERATORS.has(operator)) return 'as written';
  const name = operator.slice(1);
  return MONGO_FIELD_OPERATORS.has(name) ? OPERATORS.get(name) : undefined;
}

function buildOperators(query: PropertyQuery): Document {
  const { info, key, prop, conditions, options } = query;
  const condition: Document = {};
  for (const operator of Object.keys(conditions)) {
    const operand = conditions[operator];
    if (operand === undefined) continue;
    assertKeyAllowed(info.model, operator, key, options);
    if (isModifier(operator)) continue;
    const translate = translationOf(operator);
    if (translate === 'as written') {
      assertValueAllowed(info.model, key, operand, options);
      mergeOperators(query, condition, { [operator]: operand });
    } else if (translate) {
      mergeOperators(query, condition, translate(query, operand));
    } else {
      const holdsDocuments = !prop || !SCALAR_KINDS.has(prop.itemStoredAs ?? prop.storedAs);
      throw new UnknownOperatorError(
        info.model,
        operator,
        key,
        holdsDocuments && !isOperatorKey(operator)
          ? `; to match a document holding ${describe(operator)} exactly, use {eq: {...}}`
          : '',
      );
    }
  }
  if (Object.keys(condition).length === 0) {
    throw new InvalidQueryError(info.model, `${describe(conditions)} has no operator`, key);
  }
  return condition;
}

function mergeOperators(query: PropertyQuery, into: Document, operators: Document): void {
  for (const [operator, operand] of Object.entries(operators)) {
    if (Object.hasOwn(into, operator)) {
      throw new InvalidQueryError(
        query.info.model,
        `two conditions translate to ${operator}; combine them with and`,
        query.key,
      );
    }
    into[operator] = operand;
  }
}

function operandSite(query: PropertyQuery): OperandSite {
  return { model: query.info.model, key: query.key, options: query.options };
}

/** `not` negates operator conditions (`{not: {gt: 5}}`) or a regular expression. */
function translateNot(query: PropertyQuery, operand: unknown): Document {
  if (operand instanceof RegExp || operand instanceof BSONRegExp) {
    return { $not: operand instanceof RegExp ? regexpOperand(query, operand) : operand };
  }
  if (isPlainObject(operand) && Object.keys(operand).length > 0) {
    return { $not: buildOperators({ ...query, conditions: operand }) };
  }
  throw new InvalidQueryError(
    query.info.model,
    `not expects operator conditions such as {gt: 5} or a RegExp, got ${describe(operand)}`,
    query.key,
  );
}

/**
 * `all` with items converted like `inq`'s. Where a 24-hex item may be stored in either form, each
 * item becomes an `$elemMatch` of its forms: `$all` of both forms would ask for both.
 */
function translateAll(query: PropertyQuery, operand: unknown): Document {
  const items = storedItems(query, 'all', operand);
  const forms = items.map((item) => eitherForm(query, item));
  if (forms.every((form) => form === undefined)) return { $all: items };
  return {
    $all: items.map((item, i) => {
      const either = forms[i];
      return { $elemMatch: either ? { $in: either } : { $eq: item } };
    }),
  };
}

/**
 * `elemMatch` on an array: conditions on its items when they are scalars or when every key of the
 * operand is an operator name (`{gte: 80, lt: 90}`); otherwise a where clause on its item
 * documents (`{pid: 'p1', role: 'admin'}`), with an embedded model's property types.
 */
function translateElemMatch(query: PropertyQuery, operand: unknown): Document {
  const { info, key, prop, options } = query;
  if (!isPlainObject(operand) || Object.keys(operand).length === 0) {
    throw new InvalidQueryError(
      info.model,
      `elemMatch expects conditions or a where clause on the items, got ${describe(operand)}`,
      key,
    );
  }
  const scalarItems = prop !== undefined && SCALAR_KINDS.has(prop.itemStoredAs ?? prop.storedAs);
  if (
    scalarItems ||
    Object.keys(operand).every((name) => isOperatorName(name) || isModifier(name))
  ) {
    return { $elemMatch: buildOperators({ ...query, conditions: operand }) };
  }
  return { $elemMatch: buildFilter(itemInfo(info, key, prop), operand, options) };
}

const NO_PROPERTIES: ReadonlyMap<string, PropertyInfo> = new Map();

/**
 * Facts for the documents inside an array, for a where clause on them: an embedded model's
 * properties (stored under their own names), or none. Named after the path, so that errors name
 * `Model.path.field`.
 */
function itemInfo(info: ModelInfo, key: string, prop: PropertyInfo | undefined): ModelInfo {
  const properties = prop?.embedded ?? NO_PROPERTIES;
  return {
    ...info,
    model: `${info.model}.${key}`,
    properties,
    propertyByField: properties,
    renamesFields: false,
  };
}

function storedOperand(query: PropertyQuery, operand: unknown): unknown {
  const { info, key, prop, options } = query;
  assertValueAllowed(info.model, key, operand, options);
  return toStoredValue(info, prop, operand);
}

function storedItems(query: PropertyQuery, operator: string, operand: unknown): unknown[] {
  if (!Array.isArray(operand)) {
    throw new InvalidQueryError(
      query.info.model,
      `${operator} expects an array, got ${describe(operand)}`,
      query.key,
    );
  }
  return storedOperand(query, operand) as unknown[];
}

function storedList(query: PropertyQuery, operator: string, operand: unknown): unknown {
  return storedItems(query, operator, operand).flatMap((item) => eitherForm(query, item) ?? [item]);
}

function translateBetween(query: PropertyQuery, operand: unknown): Document {
  if (!Array.isArray(operand) || operand.length !== 2) {
    throw new InvalidQueryError(
      query.info.model,
      `between expects exactly two values, got ${describe(operand)}`,
      query.key,
    );
  }
  return { $gte: storedOperand(query, operand[0]), $lte: storedOperand(query, operand[1]) };
}

function existsOperand(query: PropertyQuery, operand: unknown): boolean {
  // REST query strings deliver booleans as text; anything else is refused rather than guessed
  if (operand === true || operand === 'true') return true;
  if (operand === false || operand === 'false') return false;
  throw new InvalidQueryError(
    query.info.model,
    `exists expects true or false, got ${describe(operand)}`,
    query.key,
  );
}

/**
 * like/nlike/ilike/nilike take a RegExp as it is, or a pattern string read the way juggler's
 * memory connector reads it: a regular expression matched anywhere in the value, in which `%`
 * stands for any run of characters and `_` for one character (`\%` and `\_` for themselves).
 */
function likeRegExp(
  query: PropertyQuery,
  operator: string,
  pattern: unknown,
  flags: string,
): BSONRegExp {
  if (pattern instanceof RegExp) return toBsonRegExp(query, pattern.source, pattern.flags + flags);
  if (typeof pattern !== 'string') {
    throw new InvalidQueryError(
      query.info.model,
      `${operator} expects a string or RegExp, got ${describe(pattern)}`,
      query.key,
    );
  }
  return toBsonRegExp(query, likePatternSource(pattern), flags);
}

function likePatternSource(pattern: string): string {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\' && i + 1 < pattern.length) {
      source += char + pattern[++i];
    } else if (char === '%') {
      source += '.*';
    } else if (char === '_') {
      source += '.';
    } else {
      source += char;
    }
  }
  return source;
}

/** `/source/flags` in a string is a literal with flags; any other string is the source alone. */
const REGEXP_LITERAL = /^\/(.*)\/([a-z]*)$/s;

function regexpOperand(query: PropertyQuery, operand: unknown): BSONRegExp {
  if (operand instanceof RegExp) return toBsonRegExp(query, operand.source, operand.flags);
  if (typeof operand !== 'string') {
    throw new InvalidQueryError(
      query.info.model,
      `regexp expects a string or RegExp, got ${describe(operand)}`,
      query.key,
    );
  }
  const literal = REGEXP_LITERAL.exec(operand);
  return literal ? toBsonRegExp(query, literal[1], literal[2]) : toBsonRegExp(query, operand, '');
}

/** JS flags MongoDB also understands; `g`, `y`, `u`, `d` and `v` mean nothing to a match there. */
const SHARED_FLAGS = 'ims';
/** What the `options` beside an operator may hold: MongoDB's `$options`. */
const MONGO_OPTIONS = 'imsx';

/**
 * A regular expression as MongoDB takes it, checked here (with JS flags `jsFlags`) so that a
 * pattern that does not compile is the caller's error, not the server's.
 */
function toBsonRegExp(query: PropertyQuery, source: string, jsFlags: string): BSONRegExp {
  const { info, key, conditions } = query;
  try {
    new RegExp(source, [...new Set(jsFlags)].join(''));
  } catch {
    throw new InvalidQueryError(
      info.model,
      `${describe(source)} with flags ${describe(jsFlags)} is not a valid regular expression`,
      key,
    );
  }
  const extra = conditions.options ?? conditions.$options ?? '';
  if (typeof extra !== 'string' || [...extra].some((flag) => !MONGO_OPTIONS.includes(flag))) {
    throw new InvalidQueryError(
      info.model,
      `options must be made of ${MONGO_OPTIONS.split('').join(', ')}; got ${describe(extra)}`,
      key,
    );
  }
  const flags = new Set([...jsFlags].filter((flag) => SHARED_FLAGS.includes(flag)));
  for (const flag of extra) flags.add(flag);
  return new BSONRegExp(source, [...flags].sort().join(''));
}

/** A near clause as user input: every part still to be checked. */
type UncheckedNear = { readonly [K in keyof NearClause]?: unknown };

function nearCondition(info: ModelInfo, key: string, clause: UncheckedNear): Document {
  if (!info.enableGeoIndexing) {
    throw new InvalidQueryError(
      info.model,
      'near needs the enableGeoIndexing setting: only then are GeoPoints stored as GeoJSON ' +
        'with a 2dsphere index',
      key,
    );
  }
  const point = nearPoint(clause.near);
  if (!point) {
    throw new InvalidQueryError(
      info.model,
      `near expects a point ({lat, lng}, [lng, lat] or 'lng,lat'), got ${describe(clause.near)}`,
      key,
    );
  }
  const unit = clause.unit ?? DEFAULT_DISTANCE_UNIT;
  const metersPerUnit = typeof unit === 'string' ? METERS_PER_UNIT.get(unit) : undefined;
  if (metersPerUnit === undefined) {
    throw new InvalidQueryError(
      info.model,
      `unknown distance unit ${describe(unit)}; use one of ${[...METERS_PER_UNIT.keys()].join(', ')}`,
      key,
    );
  }
  const nearSphere: Document = {
    $geometry: { type: 'Point', coordinates: [point.lng, point.lat] },
  };
  const maxDistance = distanceOperand(info, key, 'maxDistance', clause.maxDistance);
  const minDistance = distanceOperand(info, key, 'minDistance', clause.minDistance);
  // as in juggler's geo filter, a zero distance means no bound
  if (maxDistance) nearSphere.$maxDistance = maxDistance * metersPerUnit;
  if (minDistance) nearSphere.$minDistance = minDistance * metersPerUnit;
  return { $nearSphere: nearSphere };
}

/**
 * The point of a near clause. A list is GeoJSON's `[lng, lat]` (and a string `'lng,lat'`), as
 * loopback-connector-mongodb reads it, so a switched app's query means the same place; a stored
 * GeoPoint given as a list is juggler's `[lat, lng]`, which toLatLng reads.
 */
function nearPoint(value: unknown): LatLng | undefined {
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list)) return typeof value === 'object' ? toLatLng(value) : undefined;
  if (list.length !== 2) return undefined;
  const [lng, lat] = list as unknown[];
  return toLatLng({ lat, lng });
}

function distanceOperand(
  info: ModelInfo,
  key: string,
  name: string,
  value: unknown,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  // REST query strings deliver numbers as text
  const distance = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof distance !== 'number' || !Number.isFinite(distance) || distance < 0) {
    throw new InvalidQueryError(
      info.model,
      `${name} expects a non-negative number, got ${describe(value)}`,
      key,
    );
  }
  return distance;
}
