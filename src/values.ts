import { Binary, Decimal128, ObjectId, type Document } from 'mongodb';
import { InvalidValueError } from './errors';
import type { ModelInfo, PropertyInfo, StoredAs } from './model-info';
import { looksLikeReference } from './relation-typing';
import { isPlainObject, isPrototypeKey } from './sanitize';

/** A point as the app sees it. */
export interface LatLng {
  lat: number;
  lng: number;
}

/** A point as MongoDB's 2dsphere indexes want it. */
export interface GeoJsonPoint {
  type: 'Point';
  /** Longitude first, as GeoJSON says. */
  coordinates: [number, number];
}

const OBJECT_ID_HEX = /^[0-9a-fA-F]{24}$/;

/**
 * The stored form of one property's value. Arrays are coerced item by item; a single value meant
 * for an array property (a where operand such as `{tags: 'a'}`) is coerced like one item.
 */
export function toStoredValue(
  info: ModelInfo,
  prop: PropertyInfo | undefined,
  value: unknown,
): unknown {
  if (!prop || value === null || value === undefined) return value;
  if (prop.embedded) return toStoredEmbedded(info, prop.embedded, value);
  const storedAs = prop.itemStoredAs ?? prop.storedAs;
  if (Array.isArray(value)) return value.map((item) => toStoredScalar(info, prop, storedAs, item));
  return toStoredScalar(info, prop, storedAs, value);
}

/** An embedded model's value (or an array of them) with its coerced properties stored. */
function toStoredEmbedded(
  info: ModelInfo,
  embedded: ReadonlyMap<string, PropertyInfo>,
  value: unknown,
): unknown {
  if (Array.isArray(value)) return value.map((item) => toStoredEmbedded(info, embedded, item));
  if (!isPlainObject(value)) return value;
  let stored: Record<string, unknown> | undefined;
  for (const [name, prop] of embedded) {
    if (!(name in value)) continue;
    // copied once, when it holds a coerced property: the app's data stays as it gave it
    stored ??= { ...value };
    stored[name] = toStoredValue(info, prop, value[name]);
  }
  return stored ?? value;
}

/** The stored form of an id value, e.g. for `findById`. */
export function toStoredId(info: ModelInfo, id: unknown): unknown {
  return toStoredValue(info, info.idProperty, id);
}

/**
 * An id as every DAO method hands it back: what a read of it would give (an ObjectId, given by
 * the app or generated, as its 24-hex string), whichever form the app passed in.
 */
export function toAppId(info: ModelInfo, id: unknown): unknown {
  return fromStoredValue(info.idProperty, toStoredId(info, id));
}

/** A 24-hex string as an ObjectId; anything else as it is. */
export function hexToObjectId(value: unknown): unknown {
  return isObjectIdHex(value) ? new ObjectId(value) : value;
}

/** Whether a value is a 24-hex string, the form of an ObjectId in the app. */
export function isObjectIdHex(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID_HEX.test(value);
}

/**
 * juggler runs values of `Object`-typed properties through `Object(value)`, which boxes strings,
 * numbers and booleans; BSON would store a boxed string as a document of its characters.
 */
export function unboxed(value: unknown): unknown {
  if (value instanceof String || value instanceof Number || value instanceof Boolean) {
    return value.valueOf();
  }
  return value;
}

function toStoredScalar(
  info: ModelInfo,
  prop: PropertyInfo,
  storedAs: StoredAs,
  value: unknown,
): unknown {
  if (value === null || value === undefined) return value;
  switch (storedAs) {
    case 'objectId':
      return toObjectId(info, prop, value);
    case 'decimal128':
      return toDecimal128(info, prop, value);
    case 'date':
      return toDate(info, prop, value);
    case 'geoPoint':
      return info.enableGeoIndexing ? toGeoJsonPoint(info, prop, value) : value;
    case 'loose':
      return prop.hexAsObjectId ? hexToObjectId(unboxed(value)) : unboxed(value);
    case 'string':
      // an ObjectId given for text (`findById(oid)` on a String id) is its 24-hex string
      if (value instanceof ObjectId && !prop.hexAsObjectId) return hexString(value);
      return prop.hexAsObjectId ? hexToObjectId(value) : value;
    default:
      return prop.hexAsObjectId ? hexToObjectId(value) : value;
  }
}

function toObjectId(info: ModelInfo, prop: PropertyInfo, value: unknown): unknown {
  if (typeof value !== 'string') {
    // numbers pass: juggler's own suites give default-id models (and the foreign keys pointing at
    // them) numeric ids, and those must round-trip unchanged
    return value;
  }
  if (OBJECT_ID_HEX.test(value)) return new ObjectId(value);
  // existing databases hold ids such as 'user-17' under default-id models; only a property
  // declared to store ObjectIds says the string is a mistake
  if (prop.refusesNonHex) throw new InvalidValueError(info.model, prop.name, value, 'ObjectId');
  return value;
}

function toDecimal128(info: ModelInfo, prop: PropertyInfo, value: unknown): unknown {
  if (value instanceof Decimal128) return value;
  // juggler turns 'abc' given for a Number property into NaN; stored, it would read back as null
  const garbage = typeof value === 'number' && !Number.isFinite(value);
  if (
    !garbage &&
    (typeof value === 'number' || typeof value === 'string' || typeof value === 'bigint')
  ) {
    try {
      return Decimal128.fromString(String(value));
    } catch {
      // fall through to our own error, which names the model and property
    }
  }
  throw new InvalidValueError(info.model, prop.name, value, 'Decimal128');
}

function toDate(info: ModelInfo, prop: PropertyInfo, value: unknown): unknown {
  let date: Date;
  if (value instanceof Date) date = value;
  else if (typeof value === 'string' || typeof value === 'number') date = new Date(value);
  else return value;
  if (Number.isNaN(date.getTime())) {
    throw new InvalidValueError(info.model, prop.name, value, 'Date');
  }
  return date;
}

function toGeoJsonPoint(info: ModelInfo, prop: PropertyInfo, value: unknown): GeoJsonPoint {
  if (isGeoJsonPoint(value)) return value;
  const point = toLatLng(value);
  if (!point) throw new InvalidValueError(info.model, prop.name, value, 'GeoPoint');
  return { type: 'Point', coordinates: [point.lng, point.lat] };
}

/**
 * A point in any form juggler's GeoPoint accepts: `{lat, lng}` (a GeoPoint included), `[lat, lng]`
 * or `'lat,lng'`; undefined when it is none of them or lies off the globe.
 */
export function toLatLng(value: unknown): LatLng | undefined {
  let lat: unknown;
  let lng: unknown;
  if (typeof value === 'string') [lat, lng] = value.split(',');
  else if (Array.isArray(value)) [lat, lng] = value;
  else if (value !== null && typeof value === 'object') ({ lat, lng } = value as Partial<LatLng>);
  const point = { lat: toCoordinate(lat), lng: toCoordinate(lng) };
  if (Number.isNaN(point.lat) || Math.abs(point.lat) > 90) return undefined;
  if (Number.isNaN(point.lng) || Math.abs(point.lng) > 180) return undefined;
  return point;
}

function toCoordinate(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return NaN;
}

function isGeoJsonPoint(value: unknown): value is GeoJsonPoint {
  if (value === null || typeof value !== 'object') return false;
  const { type, coordinates } = value as Partial<GeoJsonPoint>;
  return type === 'Point' && Array.isArray(coordinates) && coordinates.length === 2;
}

/**
 * The document to store for app data: properties renamed to their fields and their values
 * coerced. Properties the model does not know (non-strict models) keep their name and value,
 * except that a 24-hex string there is stored as an ObjectId where the coercion setting says so
 * for an untyped property (see unknownPropertyValue). A null or missing id is left out so that
 * MongoDB generates one.
 */
export function toStoredDocument(info: ModelInfo, data: Record<string, unknown>): Document {
  const doc: Document = {};
  for (const name of Object.keys(data)) {
    const value = data[name];
    if (value === undefined || isPrototypeKey(name)) continue;
    const prop = info.properties.get(name);
    if (!prop) {
      doc[name] = unknownPropertyValue(info, name, value);
    } else if (!(prop.isId && value === null)) {
      doc[prop.field] = toStoredValue(info, prop, value);
    }
  }
  return doc;
}

/**
 * An unknown property is untyped, so it follows the rule for loosely typed ones: a 24-hex string
 * (or array item) is an ObjectId with `strictObjectIDCoercion: false`, and by default when the
 * name reads as a reference.
 */
function unknownPropertyValue(info: ModelInfo, name: string, value: unknown): unknown {
  const coercion = info.objectIdCoercion;
  if (coercion === 'strict' || (coercion === 'references' && !looksLikeReference(name))) {
    return value;
  }
  return Array.isArray(value) ? value.map(hexToObjectId) : hexToObjectId(value);
}

/**
 * App data for a stored document: the reverse of toStoredDocument. It runs once per returned
 * document, so primitives (most values) are copied without looking up their property.
 */
export function fromStoredDocument(info: ModelInfo, doc: Document): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const field in doc) {
    if (isPrototypeKey(field)) continue;
    const value: unknown = doc[field];
    if (value === null || typeof value !== 'object') {
      data[appName(info, field)] = value;
      continue;
    }
    const prop = info.propertyByField.get(field);
    data[prop ? prop.name : field] = fromStoredValue(prop, value);
  }
  return data;
}

function appName(info: ModelInfo, field: string): string {
  if (info.renamesFields) return info.propertyByField.get(field)?.name ?? field;
  return field === '_id' ? info.idName : field;
}

/**
 * An ObjectId's 24-hex string, flat. bson builds it by concatenating twelve 2-character pieces,
 * which V8 keeps as a tree of string fragments: about 230 bytes per id instead of 40, held for as
 * long as the app holds the id (2 MB more for a find of 10,000 documents). toLowerCase, a no-op
 * on hex, returns it flattened into one string.
 */
function hexString(id: ObjectId): string {
  return id.toHexString().toLowerCase();
}

/** The app value for one stored value; `prop` is undefined for fields the model does not know. */
export function fromStoredValue(prop: PropertyInfo | undefined, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => fromStoredScalar(prop, item));
  return fromStoredScalar(prop, value);
}

/**
 * An embedded model's stored value with its coerced properties read back, in place: the driver's
 * document is ours. Only the properties the model facts name are looked at.
 */
function fromStoredEmbedded(embedded: ReadonlyMap<string, PropertyInfo>, value: object): unknown {
  if (!isPlainObject(value)) return value;
  for (const [name, prop] of embedded) {
    if (name in value) value[name] = fromStoredValue(prop, value[name]);
  }
  return value;
}

function fromStoredScalar(prop: PropertyInfo | undefined, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (prop?.embedded) return fromStoredEmbedded(prop.embedded, value);
  if (value instanceof ObjectId) return hexString(value);
  if (value instanceof Decimal128) {
    return prop?.appType === 'number' ? Number(value.toString()) : value.toString();
  }
  if (prop?.storedAs === 'geoPoint' && isGeoJsonPoint(value)) {
    return { lat: value.coordinates[1], lng: value.coordinates[0] };
  }
  // the driver hands BinData back as Binary unless asked otherwise; Buffer properties want Buffers
  if ((prop?.itemStoredAs ?? prop?.storedAs) === 'buffer' && value instanceof Binary) {
    return Buffer.from(value.value());
  }
  return value;
}
