import { maskSettingValue, maskUrl } from './credentials';

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

/** A where/order/fields/update shape we cannot translate: bad `between`, bad operand, ... */
export class InvalidQueryError extends MongoConnectorError {
  constructor(model: string, message: string, property?: string, code = 'INVALID_QUERY') {
    super(`${model}${property ? '.' + property : ''}: ${message}`, { code, model, property });
  }
}

/**
 * An operator name in a where clause that is neither juggler's nor one of MongoDB's query
 * operators: refused rather than sent, or read as a field name and matched against nothing.
 */
export class UnknownOperatorError extends InvalidQueryError {
  readonly operator: string;

  constructor(model: string, operator: string, property?: string, hint = '') {
    super(model, `unknown operator ${operator}${hint}`, property, 'UNKNOWN_OPERATOR');
    this.operator = operator;
  }
}

/** A model definition the connector cannot honour, refused when the model is defined. */
export class ModelDefinitionError extends MongoConnectorError {
  constructor(model: string, property: string, message: string) {
    super(`${model}.${property}: ${message}`, {
      code: 'INVALID_MODEL_DEFINITION',
      statusCode: 500,
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

/**
 * The server could not be reached when connecting; says where we tried and, when the driver gave
 * up waiting for a server, for how long.
 */
export class ConnectionError extends MongoConnectorError {
  constructor(url: string, timeoutMS: unknown, cause: unknown) {
    const waited =
      (cause as { name?: unknown } | null)?.name === 'MongoServerSelectionError'
        ? ` within ${timeoutMS ?? 30_000} ms`
        : '';
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`could not connect to MongoDB at ${maskUrl(url)}${waited}: ${reason}`, {
      code: 'CONNECTION_FAILED',
      statusCode: 503,
    });
    this.cause = cause;
  }
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
    // passwords, passphrases, keys, tokens and url passwords never in messages nor in `value`
    const named = refused
      .map(([name, value]) => `${name} = ${describe(maskSettingValue(name, value))}`)
      .join(', ');
    const why = reason instanceof Error ? reason.message : String(reason);
    super(
      `datasource setting${refused.length > 1 ? 's' : ''} ${named} ` +
        `${refused.length > 1 ? 'cannot work together' : 'cannot work'}: ${why}`,
      { code: 'INVALID_SETTING', statusCode: 500 },
    );
    const [setting, value] = refused[0] ?? ['', undefined];
    this.setting = setting;
    this.value = maskSettingValue(setting, value);
    if (reason instanceof Error) this.cause = reason;
  }
}

/**
 * The server refused the datasource's credentials (MongoDB code 18): a wrong user, password,
 * authSource or mechanism, or no user for the client certificate. Status 500, not 503: retrying
 * cannot help until the configuration changes.
 */
export class AuthenticationError extends MongoConnectorError {
  constructor(message: string, cause: unknown) {
    super(message, { code: 'AUTHENTICATION_FAILED', statusCode: 500 });
    this.cause = cause;
  }
}

/**
 * The datasource's database user may not run this command (MongoDB code 13, Atlas's 8000), e.g.
 * a read-only user writing. Status 403: the request is refused, and repeating it will not help.
 * The message names the command and database, never the data; the `cause` is MongoDB's own
 * error, whose message echoes the command with the documents being written.
 */
export class AuthorizationError extends MongoConnectorError {
  constructor(message: string, model: string | undefined, cause: unknown) {
    super(message, { code: 'NOT_AUTHORIZED', statusCode: 403, model });
    this.cause = cause;
  }
}

/**
 * TLS could not be set up: a certificate or key file that cannot be read or used (refused at
 * start-up, naming the setting), a server certificate the CA does not vouch for, a client
 * certificate the server requires or refuses. Status 500: configuration, not an outage.
 */
export class TlsError extends MongoConnectorError {
  /** The setting to fix, when the failure is local to one. */
  readonly setting?: string;

  constructor(message: string, details: { setting?: string; cause?: unknown } = {}) {
    super(message, { code: 'TLS_FAILED', statusCode: 500 });
    this.setting = details.setting;
    if (details.cause !== undefined) this.cause = details.cause;
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
