import { InvalidQueryError, OperatorNotAllowedError } from './errors';
import { firstBoolean, type ModelInfo } from './model-info';

/** What user input may carry through to the server. */
export interface SanitizeOptions {
  /** `$`-operators in where and data reach the server (the JS-executing ones still do not). */
  allowExtendedOperators: boolean;
  /** No operator is refused, JS-executing ones included: the caller vouches for them. */
  disableSanitization: boolean;
}

/** The per-call options juggler hands the connector, as far as sanitizing cares. */
export interface SanitizeCallOptions {
  allowExtendedOperators?: unknown;
  disableSanitization?: unknown;
}

/** The datasource settings sanitizing reads. */
export interface SanitizeSettings {
  allowExtendedOperators?: unknown;
  disableSanitization?: unknown;
}

type SanitizeSwitch = keyof SanitizeOptions;

/** Keys that run JavaScript on the server; only `disableSanitization` lets them through. */
const JS_EXECUTING_KEYS: ReadonlySet<string> = new Set([
  '$where',
  '$function',
  '$accumulator',
  'mapReduce',
]);

/** Keys through which writing into objects can reach a prototype; never taken from user input. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Each switch from the most specific place that says true or false: the call's options, the
 * model's settings (juggler reads the top level, loopback-connector-mongodb `mongodb`), then the
 * datasource's. A datasource that says `allowExtendedOperators: false` is the app-wide safety
 * switch, as on loopback-connector-mongodb: no model setting reopens it, only a call's own option
 * decides for that call. Read per call, not cached, because apps flip them after start-up; it is
 * a handful of property reads.
 */
export function resolveSanitizeOptions(
  info: ModelInfo,
  dataSourceSettings: SanitizeSettings,
  callOptions?: SanitizeCallOptions,
): SanitizeOptions {
  return {
    allowExtendedOperators: resolveSwitch(
      'allowExtendedOperators',
      info,
      dataSourceSettings,
      callOptions,
    ),
    disableSanitization: resolveSwitch(
      'disableSanitization',
      info,
      dataSourceSettings,
      callOptions,
    ),
  };
}

function resolveSwitch(
  name: SanitizeSwitch,
  info: ModelInfo,
  dataSourceSettings: SanitizeSettings,
  callOptions: SanitizeCallOptions | undefined,
): boolean {
  const model = info.modelSettings;
  const mongo = model.mongodb as SanitizeSettings | undefined;
  const dataSource = dataSourceSettings[name];
  if (name === 'allowExtendedOperators' && dataSource === false) {
    return firstBoolean(callOptions?.[name]) ?? false;
  }
  return firstBoolean(callOptions?.[name], model[name], mongo?.[name], dataSource) ?? false;
}

export function isPrototypeKey(key: string): boolean {
  return PROTOTYPE_KEYS.has(key);
}

/** True for keys the server reads as operators rather than field names. */
export function isOperatorKey(key: string): boolean {
  return key.charCodeAt(0) === 36 /* $ */ || JS_EXECUTING_KEYS.has(key);
}

/**
 * Throws unless user input may carry `key` (inside `property`, named in the error). Prototype keys
 * are refused even with sanitization disabled: no setting makes them a field name we can keep, and
 * silently dropping one would widen a where (and what a delete removes) or lose data.
 */
export function assertKeyAllowed(
  model: string,
  key: string,
  property: string | undefined,
  options: SanitizeOptions,
): void {
  if (isPrototypeKey(key)) {
    throw new InvalidQueryError(model, `key ${key} is not allowed in user input`, property);
  }
  if (!isOperatorKey(key) || options.disableSanitization) return;
  if (options.allowExtendedOperators && !JS_EXECUTING_KEYS.has(key)) return;
  throw new OperatorNotAllowedError(model, key, property);
}

/** Objects we walk into; anything else (Date, ObjectId, RegExp, Buffer...) is a value. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks every key anywhere inside a user-supplied value (a where operand, a document to write)
 * with assertKeyAllowed. `property` names the top-level property the value belongs to; under an
 * operator key at the top (`{$set: {name: ...}}`) the first plain key below takes its place.
 */
export function assertValueAllowed(
  model: string,
  property: string | undefined,
  value: unknown,
  options: SanitizeOptions,
): void {
  if (Array.isArray(value)) {
    for (const item of value) assertValueAllowed(model, property, item, options);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const key of Object.keys(value)) {
    assertKeyAllowed(model, key, property, options);
    const owner = property ?? (isOperatorKey(key) ? undefined : key);
    assertValueAllowed(model, owner, value[key], options);
  }
}

/** The document to write, once assertValueAllowed has found nothing in it to refuse. */
export function sanitizeData(
  info: ModelInfo,
  data: Record<string, unknown>,
  options: SanitizeOptions,
): Record<string, unknown> {
  assertValueAllowed(info.model, undefined, data, options);
  return data;
}
