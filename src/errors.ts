/**
 * Errors this connector raises before anything reaches the server. Each names the model and, where
 * there is one, the property, and carries an HTTP status so LoopBack's REST layer answers 400/422
 * instead of 500.
 */
export class MongoConnectorError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly model?: string;
  readonly property?: string;

  constructor(
    message: string,
    details: { code: string; statusCode?: number; model?: string; property?: string },
  ) {
    super(message);
    this.name = new.target.name;
    this.code = details.code;
    this.statusCode = details.statusCode ?? 400;
    this.model = details.model;
    this.property = details.property;
  }
}

/** A value that cannot be stored in (or compared with) a property, e.g. a bad ObjectId string. */
export class InvalidValueError extends MongoConnectorError {
  constructor(model: string, property: string, value: unknown, expected: string) {
    super(`${model}.${property}: ${describe(value)} is not a valid ${expected}`, {
      code: 'INVALID_VALUE',
      model,
      property,
    });
  }
}

/** A where/order/fields/update shape we cannot translate: unknown operator, bad `between`, ... */
export class InvalidQueryError extends MongoConnectorError {
  constructor(model: string, message: string, property?: string) {
    super(`${model}${property ? '.' + property : ''}: ${message}`, {
      code: 'INVALID_QUERY',
      model,
      property,
    });
  }
}

/** An operation that needs an id was called without one. */
export class MissingIdError extends MongoConnectorError {
  constructor(model: string, operation: string) {
    super(`${model}: ${operation} needs an id`, { code: 'MISSING_ID', model });
  }
}

/** A `$`-operator from user input that the datasource does not allow. */
export class OperatorNotAllowedError extends MongoConnectorError {
  constructor(model: string, operator: string, property?: string) {
    super(
      `${model}${property ? '.' + property : ''}: operator ${operator} is not allowed; ` +
        'set allowExtendedOperators on the datasource, model or call to use it',
      { code: 'OPERATOR_NOT_ALLOWED', model, property },
    );
  }
}

/** A write refused by a unique index. */
export class DuplicateKeyError extends MongoConnectorError {
  constructor(model: string, index: string | undefined, keyValue: unknown) {
    super(
      `${model}: duplicate key${index ? ` for unique index ${index}` : ''}` +
        (keyValue ? ` (${describe(keyValue)})` : ''),
      { code: 'DUPLICATE_KEY', statusCode: 409, model },
    );
  }
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  // JSON would say null for NaN and Infinity, hiding the very value that was refused
  if (typeof value === 'number') return String(value);
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json.length > 200 ? json.slice(0, 200) + '…' : json;
  } catch {
    // circular or BigInt: fall back to String
  }
  return String(value);
}

/** A document (or a command carrying one) over MongoDB's 16 MB BSON limit. */
export class DocumentTooLargeError extends MongoConnectorError {
  constructor(model: string) {
    super(`${model}: the data is larger than MongoDB's 16 MB document limit`, {
      code: 'DOCUMENT_TOO_LARGE',
      statusCode: 413,
      model,
    });
  }
}

/** An operation on one instance whose id matches no document. */
export class NotFoundError extends MongoConnectorError {
  constructor(model: string, id: unknown, operation: string) {
    super(`${model}: could not ${operation}: no instance with id ${describe(id)}`, {
      code: 'NOT_FOUND',
      statusCode: 404,
      model,
    });
  }
}

interface DriverErrorShape {
  code?: unknown;
  errmsg?: unknown;
  message?: unknown;
  keyValue?: unknown;
  errorResponse?: { keyPattern?: unknown };
}

const DUPLICATE_KEY_CODES = new Set([11000, 11001]);

/** The server's MaxTimeMSExpired: an operation ran past the maxTimeMS it was given. */
const MAX_TIME_MS_EXPIRED = 50;

/** BSONObjectTooLarge, and "document after update is larger than" (update, upsert, replace). */
const TOO_LARGE_CODES = new Set([10334, 17419, 17420]);

/**
 * The 16 MB limit shows up in four guises: the server refusing an insert (code 2, "object to
 * insert too large") or an update result (TOO_LARGE_CODES), the driver refusing a batch
 * ("Document is larger than the maximum size"), and, past ~17 MB, the BSON serializer running out
 * of its buffer with a bare RangeError about an offset. The last is matched by name, not class:
 * it comes from Node's own realm, where jest's RangeError is another class.
 */
function isTooLarge(shape: DriverErrorShape | null): boolean {
  if (!shape || typeof shape !== 'object') return false;
  const text = String(shape.errmsg ?? shape.message ?? '');
  if (TOO_LARGE_CODES.has(Number(shape.code))) return true;
  if (Number(shape.code) === 2 && /too large/i.test(text)) return true;
  if (/^Document is larger than the maximum size/.test(text)) return true;
  const name = (shape as { name?: unknown }).name;
  return (
    name === 'RangeError' &&
    (shape.code === 'ERR_OUT_OF_RANGE' || /outside the bounds|out of range/i.test(text))
  );
}

/**
 * The error the app should see for a driver error: duplicate keys become DuplicateKeyError (with
 * the index named), the 16 MB limit DocumentTooLargeError, an exceeded maxTimeMS QueryTimeoutError
 * (the original as `cause`, where transaction retry logic finds its labels); everything
 * else passes through untouched, labels included, so transaction retry logic can still read them.
 */
export function fromDriverError(model: string, error: unknown): unknown {
  const shape = error as DriverErrorShape | null;
  if (isTooLarge(shape)) {
    const wrapped = new DocumentTooLargeError(model);
    wrapped.cause = error;
    return wrapped;
  }
  if (shape && Number(shape.code) === MAX_TIME_MS_EXPIRED)
    return new QueryTimeoutError(model, error);
  if (!shape || !DUPLICATE_KEY_CODES.has(Number(shape.code))) return error;
  const text = String(shape.errmsg ?? shape.message ?? '');
  const index = /index: (\S+)/.exec(text)?.[1];
  const wrapped = new DuplicateKeyError(model, index, shape.keyValue);
  wrapped.cause = error;
  return wrapped;
}

/**
 * The server refused a write on a sharded collection because it cannot tell which shard holds
 * the document: the filter lacks an equality on the whole shard key (a `save` of a collection
 * sharded on anything but `_id`, for one). Names the shard key the filter needs.
 */
export class ShardKeyError extends MongoConnectorError {
  constructor(model: string, collection: string, shardKey: unknown, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `${model}: the collection ${collection} is sharded on ${describe(shardKey)}, and MongoDB ` +
        `needs an equality on every field of that shard key in this write's filter (${reason})`,
      { code: 'SHARD_KEY_REQUIRED', model },
    );
    this.cause = cause;
  }
}

/** The server could not be reached when connecting; says where we tried and for how long. */
export class ConnectionError extends MongoConnectorError {
  constructor(url: string, timeoutMS: unknown, cause: unknown) {
    const timeout = timeoutMS ?? 30_000;
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `could not connect to MongoDB at ${redactPassword(url)} within ${timeout} ms: ${reason}`,
      {
        code: 'CONNECTION_FAILED',
        statusCode: 503,
      },
    );
    this.cause = cause;
  }
}

/** A connection string fit for logs and error messages. */
export function redactPassword(url: string): string {
  return url.replace(/^([a-z+]+:\/\/[^:/@]+):[^@/]*@/i, '$1:***@');
}

/**
 * A datasource setting whose value cannot work, refused at start-up: names the setting(s) and
 * value(s) and says why (the driver's own refusal as `cause` where it was the driver's).
 */
export class InvalidSettingError extends MongoConnectorError {
  /** The setting the app wrote (the first, when only several together fail). */
  readonly setting: string;
  readonly value: unknown;

  constructor(refused: Array<[string, unknown]>, reason: unknown) {
    const named = refused
      // passwords (password, proxyPassword, sslPass...) and the `auth` object never in messages
      .map(([name, value]) => `${name} = ${/pass|^auth$/i.test(name) ? '"***"' : describe(value)}`)
      .join(', ');
    const why = reason instanceof Error ? reason.message : String(reason);
    super(
      `datasource setting${refused.length > 1 ? 's' : ''} ${named} ` +
        `${refused.length > 1 ? 'cannot work together' : 'cannot work'}: ${why}`,
      { code: 'INVALID_SETTING', statusCode: 500 },
    );
    [this.setting, this.value] = refused[0] ?? ['', undefined];
    if (reason instanceof Error) this.cause = reason;
  }
}

/** A per-call driver option (`maxTimeMS`, `hint`...) whose value cannot work. */
export class InvalidOptionError extends MongoConnectorError {
  constructor(model: string, option: string, value: unknown, expected: string) {
    super(`${model}: option ${option} = ${describe(value)} cannot work: expected ${expected}`, {
      code: 'INVALID_OPTION',
      model,
    });
  }
}

/** The server stopped an operation at the call's `maxTimeMS` (MaxTimeMSExpired, code 50). */
export class QueryTimeoutError extends MongoConnectorError {
  constructor(model: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${model}: the operation exceeded its time limit (maxTimeMS): ${reason}`, {
      code: 'QUERY_TIMEOUT',
      statusCode: 504,
      model,
    });
    this.cause = cause;
  }
}
