/**
 * Per-call driver options: the named MongoDB driver options an app may put in a call's options
 * (`find(filter, {maxTimeMS: 50, hint: {n: 1}})`), checked and handed to the driver calls that
 * take them. Anything else in the call's options stays juggler's and ours, never the driver's.
 */
import {
  ReadConcern,
  ReadPreference,
  WriteConcern,
  type Document,
  type ReadConcernLike,
  type ReadPreferenceLike,
  type WriteConcernSettings,
} from 'mongodb';
import { InvalidOptionError } from './errors';
import { isPlainObject } from './sanitize';

/** The driver options a call may carry, each handed only to the commands that take it. */
export interface MongoDriverCallOptions {
  /** Server-side time limit of each command, in ms; exceeded: a QueryTimeoutError (504). */
  maxTimeMS?: number;
  /** The index to use: its name or its key pattern (by stored field names). */
  hint?: string | Document;
  /** Shown in the server's logs, profiler and currentOp, to find the call again. */
  comment?: unknown;
  /** Which member reads: `'secondary'`, `'nearest'`... (outside transactions). */
  readPreference?: ReadPreferenceLike;
  /** `'local'`, `'majority'`, `'snapshot'`... (outside transactions). */
  readConcern?: ReadConcernLike;
  /** Let sorts and aggregation stages spill to disk. */
  allowDiskUse?: boolean;
  /** Documents per batch the server sends a cursor. */
  batchSize?: number;
  /** `{w: 'majority', wtimeoutMS: 5000}` (outside transactions, which always write majority). */
  writeConcern?: WriteConcernSettings | WriteConcern;
  /** Skip the collection's validator for this write. */
  bypassDocumentValidation?: boolean;
}

/** Which family of driver call the options are for. */
export type DriverCommand =
  'find' | 'count' | 'aggregate' | 'distinct' | 'insert' | 'update' | 'delete' | 'findAndModify';

type Name = keyof MongoDriverCallOptions;

const READS: Name[] = ['maxTimeMS', 'comment', 'hint', 'readPreference', 'readConcern'];
const WRITES: Name[] = ['maxTimeMS', 'comment', 'writeConcern'];

/** The commands each option reaches, as the driver and the server take them. */
const TAKEN_BY: Record<DriverCommand, ReadonlySet<Name>> = {
  find: new Set([...READS, 'allowDiskUse', 'batchSize']),
  count: new Set(READS),
  aggregate: new Set([...READS, 'allowDiskUse', 'batchSize', 'bypassDocumentValidation']),
  distinct: new Set(READS),
  insert: new Set([...WRITES, 'bypassDocumentValidation']),
  update: new Set([...WRITES, 'hint', 'bypassDocumentValidation']),
  delete: new Set([...WRITES, 'hint']),
  findAndModify: new Set([...WRITES, 'hint', 'bypassDocumentValidation']),
};

const READ_PREFERENCE_MODES = new Set(Object.values(ReadPreference).filter(isString));
const READ_CONCERN_LEVELS = new Set(['local', 'majority', 'linearizable', 'available', 'snapshot']);

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Whether a given value can work for the option; the message says what it should be. */
const CHECKS: Record<Name, [(value: unknown) => boolean, string]> = {
  maxTimeMS: [isCount, 'a whole number of milliseconds (0 or more)'],
  batchSize: [isCount, 'a whole number (0 or more)'],
  allowDiskUse: [(v) => typeof v === 'boolean', 'true or false'],
  bypassDocumentValidation: [(v) => typeof v === 'boolean', 'true or false'],
  hint: [(v) => isString(v) || isPlainObject(v), 'an index name or a key pattern object'],
  comment: [(v) => v !== undefined && typeof v !== 'function', 'a string or a document'],
  readPreference: [
    (v) => v instanceof ReadPreference || (isString(v) && READ_PREFERENCE_MODES.has(v)),
    `one of ${[...READ_PREFERENCE_MODES].join(', ')} or a ReadPreference`,
  ],
  readConcern: [
    (v) =>
      v instanceof ReadConcern ||
      (isString(v) && READ_CONCERN_LEVELS.has(v)) ||
      (isPlainObject(v) && READ_CONCERN_LEVELS.has(v.level as string)),
    `one of ${[...READ_CONCERN_LEVELS].join(', ')} (or {level})`,
  ],
  writeConcern: [
    (v) => v instanceof WriteConcern || isPlainObject(v),
    'a write concern such as {w: "majority"}',
  ],
};

const NAMES = Object.keys(CHECKS) as Name[];

/** Shared by every call that carries none, which is nearly all of them. */
const NONE: Readonly<MongoDriverCallOptions> = Object.freeze({});

/**
 * The named driver options in a call's options, checked: a value that cannot work is an
 * InvalidOptionError naming the model, option and value, before anything is sent.
 */
export function pickDriverOptions(
  model: string,
  options: Readonly<Record<string, unknown>> | undefined,
): Readonly<MongoDriverCallOptions> {
  if (!options) return NONE;
  let picked: Record<string, unknown> | undefined;
  for (const name of NAMES) {
    const value = options[name];
    if (value === undefined) continue;
    const [fits, expected] = CHECKS[name];
    if (!fits(value)) throw new InvalidOptionError(model, name, value, expected);
    (picked ??= {})[name] = value;
  }
  return picked ?? NONE;
}

/**
 * The picked options one kind of driver call takes. Typed as a plain document: the values were
 * checked when picked, and the driver's option types differ per command in ways the server does
 * not (findOneAndUpdate's `hint` is typed as a document, the server also takes an index name).
 */
export function driverOptionsFor(
  command: DriverCommand,
  picked: Readonly<MongoDriverCallOptions>,
): Document {
  if (picked === NONE) return NONE;
  const taken = TAKEN_BY[command];
  const result: Record<string, unknown> = {};
  for (const name in picked) if (taken.has(name as Name)) result[name] = picked[name as Name];
  return result;
}

/**
 * The call's options for the follow-up queries of its `include`: a hint names an index of the
 * queried model's collection, which the related models' collections do not have.
 */
export function forRelatedQueries<O extends Record<string, unknown>>(options: O): O {
  if (!options || options.hint === undefined) return options;
  const rest = { ...options };
  delete rest.hint;
  return rest;
}
