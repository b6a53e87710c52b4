/**
 * Operands of MongoDB's field query operators that juggler has no name for (`type`, `size`, `mod`,
 * the bitwise ones, `geoWithin`, `geoIntersects`), checked and put in the form the server takes,
 * so that a bad operand is the caller's 400 rather than the server's refusal. Pure; where.ts
 * wires them in by name.
 */
import { Binary, type Document } from 'mongodb';
import { InvalidQueryError, describe } from '../errors';
import { assertValueAllowed, isPlainObject, type SanitizeOptions } from '../sanitize';

/** Where an operand was given: what error messages name, and what its values may carry. */
export interface OperandSite {
  readonly model: string;
  readonly key: string;
  readonly options: SanitizeOptions;
}

/** BSON type names `$type` takes, and their numbers (MongoDB's `$type` reference). */
const BSON_TYPE_NAMES: ReadonlySet<string> = new Set([
  'double',
  'string',
  'object',
  'array',
  'binData',
  'undefined',
  'objectId',
  'bool',
  'date',
  'null',
  'regex',
  'dbPointer',
  'javascript',
  'symbol',
  'javascriptWithScope',
  'int',
  'timestamp',
  'long',
  'decimal',
  'minKey',
  'maxKey',
  'number',
]);
const BSON_TYPE_NUMBERS: ReadonlySet<number> = new Set([
  ...Array.from({ length: 19 }, (_, i) => i + 1),
  -1,
  127,
]);

/** The shapes `$geoWithin` and `$geoIntersects` take, by name without `$`. */
const GEO_SHAPES: Readonly<Record<'geoWithin' | 'geoIntersects', ReadonlySet<string>>> = {
  geoWithin: new Set(['geometry', 'box', 'polygon', 'center', 'centerSphere']),
  geoIntersects: new Set(['geometry']),
};

function invalid(site: OperandSite, message: string): InvalidQueryError {
  return new InvalidQueryError(site.model, message, site.key);
}

/** REST query strings deliver numbers as text; anything but a finite number is refused. */
function numberOperand(site: OperandSite, operator: string, value: unknown): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) {
    throw invalid(site, `${operator} expects a number, got ${describe(value)}`);
  }
  return number;
}

function naturalOperand(site: OperandSite, operator: string, value: unknown): number {
  const number = numberOperand(site, operator, value);
  if (!Number.isSafeInteger(number) || number < 0) {
    throw invalid(site, `${operator} expects a non-negative integer, got ${describe(value)}`);
  }
  return number;
}

export function typeOperand(site: OperandSite, operand: unknown): unknown {
  const types = Array.isArray(operand) ? operand : [operand];
  for (const type of types.length > 0 ? types : [undefined]) {
    const known =
      typeof type === 'string'
        ? BSON_TYPE_NAMES.has(type) || BSON_TYPE_NUMBERS.has(Number(type))
        : typeof type === 'number' && BSON_TYPE_NUMBERS.has(type);
    if (!known) {
      throw invalid(
        site,
        `type expects a BSON type name (${[...BSON_TYPE_NAMES].join(', ')}) or number, or a ` +
          `list of them, got ${describe(operand)}; to match a document holding a key "type" ` +
          'exactly, use {eq: {...}}',
      );
    }
  }
  const stored = types.map((type) =>
    typeof type === 'string' && /^-?\d+$/.test(type) ? Number(type) : type,
  );
  return Array.isArray(operand) ? stored : stored[0];
}

export function sizeOperand(site: OperandSite, operand: unknown): number {
  return naturalOperand(site, 'size', operand);
}

export function modOperand(site: OperandSite, operand: unknown): [number, number] {
  if (!Array.isArray(operand) || operand.length !== 2) {
    throw invalid(site, `mod expects [divisor, remainder], got ${describe(operand)}`);
  }
  const divisor = numberOperand(site, 'mod', operand[0]);
  if (Math.trunc(divisor) === 0) throw invalid(site, 'mod cannot divide by zero');
  return [divisor, numberOperand(site, 'mod', operand[1])];
}

/** A bitmask, a list of bit positions, or binary data (a Buffer). */
export function bitsOperand(site: OperandSite, operator: string, operand: unknown): unknown {
  if (Buffer.isBuffer(operand) || operand instanceof Binary) return operand;
  if (Array.isArray(operand)) return operand.map((bit) => naturalOperand(site, operator, bit));
  return naturalOperand(site, operator, operand);
}

/**
 * The shape of a `geoWithin`/`geoIntersects`: one key naming it, written with `$` as MongoDB's
 * documentation does or without as juggler-style names are (`{geometry: {type: 'Polygon', ...}}`,
 * `{centerSphere: [[lng, lat], radians]}`). These keys describe a shape and run nothing, so they
 * need no allowExtendedOperators; nothing else is accepted here, and the GeoJSON inside is
 * checked like any other value.
 */
export function geoShapeOperand(
  site: OperandSite,
  operator: 'geoWithin' | 'geoIntersects',
  operand: unknown,
): Document {
  const shapes = GEO_SHAPES[operator];
  const keys = isPlainObject(operand) ? Object.keys(operand) : [];
  const name = keys.length === 1 ? keys[0].replace(/^\$/, '') : undefined;
  if (!isPlainObject(operand) || name === undefined || !shapes.has(name)) {
    throw invalid(
      site,
      `${operator} expects one of ${[...shapes].map((shape) => `{${shape}: ...}`).join(', ')}, ` +
        `got ${describe(operand)}`,
    );
  }
  const shape = operand[keys[0]];
  if (name === 'geometry') {
    if (!isPlainObject(shape) || typeof shape.type !== 'string') {
      throw invalid(site, `${operator} expects a GeoJSON geometry, got ${describe(shape)}`);
    }
    assertValueAllowed(site.model, site.key, shape, site.options);
  } else if (!numbersOnly(shape)) {
    throw invalid(site, `${operator} ${name} expects coordinates, got ${describe(shape)}`);
  }
  return { [`$${name}`]: shape };
}

/** Arrays whose leaves are all finite numbers: legacy coordinates, boxes, polygons, circles. */
function numbersOnly(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0 && value.every(numbersOnly);
  return typeof value === 'number' && Number.isFinite(value);
}
