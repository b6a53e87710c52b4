/**
 * A database per tenant on the datasource's one MongoClient: a call's `options.database` chooses
 * the database its operation runs in. Off until the datasource's `tenantDatabases` setting says
 * which names are allowed; MongoDB's reserved and malformed names are refused whatever it says.
 * Every check runs before anything is sent.
 */
import type { ClientSession, Db, MongoClient } from 'mongodb';
import { describe, InvalidSettingError, MongoConnectorError } from './errors';

/** The per-call option that chooses the database. */
export const DATABASE_OPTION = 'database';

/**
 * The datasource setting `tenantDatabases`: which database names a call's `options.database` may
 * choose. Give one rule (or several: a name must pass each one given).
 *
 * ```json
 * "tenantDatabases": {"prefix": "tenant_"}
 * "tenantDatabases": {"pattern": "^tenant_[a-z0-9]{1,40}$"}
 * ```
 * or, in code, `tenantDatabases: {allow: (name) => knownTenants.has(name)}`.
 */
export interface TenantDatabasesSetting {
  /** Names must start with this (and have something after it). */
  prefix?: string;
  /** Names must match this regular expression (a string is compiled without flags). */
  pattern?: string | RegExp;
  /**
   * Asked on every call that names a database (the prefix and pattern only when a name is first
   * seen: they depend on the name alone): return true to let it through. Must be synchronous and
   * cheap; it is the place to refuse a tenant that was removed.
   */
  allow?: (database: string) => boolean;
  /**
   * How many tenant database handles to keep (default 1000; past it, the first made is dropped).
   * A handle is a small object; dropping one closes nothing, the pool is the client's, and the
   * next call for that tenant makes a new one.
   */
  cacheSize?: number;
}

const SETTING = 'tenantDatabases';
const DEFAULT_CACHE_SIZE = 1000;
const KNOWN_KEYS = new Set(['prefix', 'pattern', 'allow', 'cacheSize']);

/** Databases MongoDB keeps for itself: never a tenant's, whatever the setting allows. */
const RESERVED = new Set(['admin', 'local', 'config']);

/**
 * Characters MongoDB refuses in database names on any platform (the union of its Unix and
 * Windows rules, so that a name that works here works on every deployment) and NUL.
 */
const FORBIDDEN_CHARACTERS = /[/\\. "$*<>:|?\0]/;

/** MongoDB's limit on a database name, in UTF-8 bytes. */
export const MAX_DATABASE_NAME_BYTES = 63;

/** A call's `options.database` that this datasource does not let through. */
export class TenantDatabaseError extends MongoConnectorError {
  readonly database: unknown;

  constructor(database: unknown, reason: string, statusCode = 400) {
    super(`options.${DATABASE_OPTION} = ${describe(database)} is refused: ${reason}`, {
      code: 'TENANT_DATABASE_REFUSED',
      statusCode,
    });
    this.database = database;
  }
}

/**
 * Why MongoDB (or this connector, for the reserved ones) would refuse `name` as a tenant
 * database, or undefined when it is fine. Pure.
 */
export function databaseNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'a database name must be a string';
  if (name === '') return 'a database name cannot be empty';
  if (RESERVED.has(name.toLowerCase()))
    return `${name} is a database MongoDB keeps for itself (admin, local and config never are a tenant's)`;
  const bad = FORBIDDEN_CHARACTERS.exec(name);
  if (bad)
    return `MongoDB database names cannot contain ${bad[0] === '\0' ? 'NUL' : JSON.stringify(bad[0])} (nor any of / \\ . " $ * < > : | ? or a space)`;
  if (Buffer.byteLength(name, 'utf8') > MAX_DATABASE_NAME_BYTES)
    return `MongoDB database names are at most ${MAX_DATABASE_NAME_BYTES} bytes`;
  return undefined;
}

/** The checked form of the setting: what each call needs, compiled once. */
export interface TenantRules {
  readonly prefix: string | undefined;
  readonly pattern: RegExp | undefined;
  readonly allow: ((database: string) => boolean) | undefined;
  readonly cacheSize: number;
}

/**
 * The `tenantDatabases` setting, checked at start-up: undefined when absent (tenant databases
 * off). Throws InvalidSettingError, naming `tenantDatabases.<key>`, for a value that cannot work.
 */
export function tenantRules(setting: unknown): TenantRules | undefined {
  if (setting === undefined || setting === null || setting === false) return undefined;
  if (typeof setting !== 'object' || Array.isArray(setting))
    throw new InvalidSettingError(
      [[SETTING, setting]],
      'must be an object with a prefix, a pattern or an allow function',
    );
  const {
    prefix,
    pattern,
    allow,
    cacheSize = DEFAULT_CACHE_SIZE,
  } = setting as Record<string, unknown>;
  const unknown = Object.keys(setting).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length)
    throw new InvalidSettingError(
      [[`${SETTING}.${unknown[0]}`, (setting as Record<string, unknown>)[unknown[0]]]],
      `not a key of ${SETTING} (prefix, pattern, allow, cacheSize)`,
    );
  if (prefix === undefined && pattern === undefined && allow === undefined)
    throw new InvalidSettingError(
      [[SETTING, setting]],
      'say which database names calls may choose: a prefix, a pattern or an allow function',
    );
  if (prefix !== undefined) {
    const problem = typeof prefix === 'string' && prefix ? databaseNameProblem(prefix) : '';
    if (problem !== undefined)
      throw new InvalidSettingError(
        [[`${SETTING}.prefix`, prefix]],
        problem || 'must be a non-empty string',
      );
  }
  if (allow !== undefined && typeof allow !== 'function')
    throw new InvalidSettingError([[`${SETTING}.allow`, allow]], 'must be a function');
  if (!Number.isInteger(cacheSize) || (cacheSize as number) < 1)
    throw new InvalidSettingError([[`${SETTING}.cacheSize`, cacheSize]], 'must be an integer ≥ 1');
  return {
    prefix: prefix as string | undefined,
    pattern: compilePattern(pattern),
    allow: allow as TenantRules['allow'],
    cacheSize: cacheSize as number,
  };
}

function compilePattern(pattern: unknown): RegExp | undefined {
  if (pattern === undefined || pattern instanceof RegExp) {
    // a global or sticky pattern's test() moves lastIndex, so it would answer in turns
    if (pattern?.global || pattern?.sticky)
      throw new InvalidSettingError(
        [[`${SETTING}.pattern`, String(pattern)]],
        'must not have the g or y flag',
      );
    return pattern;
  }
  if (typeof pattern !== 'string' || !pattern)
    throw new InvalidSettingError(
      [[`${SETTING}.pattern`, pattern]],
      'must be a regular expression or its source',
    );
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw new InvalidSettingError([[`${SETTING}.pattern`, pattern]], error);
  }
}

/**
 * Why the rules refuse a name MongoDB accepts, or undefined when they let it through. Pure but
 * for the app's own `allow`.
 */
export function ruleProblem(rules: TenantRules, name: string): string | undefined {
  if (rules.prefix !== undefined && (!name.startsWith(rules.prefix) || name === rules.prefix))
    return `${SETTING} allows only names starting with ${JSON.stringify(rules.prefix)}`;
  if (rules.pattern && !rules.pattern.test(name))
    return `${SETTING} allows only names matching ${String(rules.pattern)}`;
  return allowProblem(rules, name);
}

/** Why the app's `allow` refuses `name` (asked on every call), or undefined. */
function allowProblem(rules: TenantRules, name: string): string | undefined {
  return rules.allow && rules.allow(name) !== true ? `${SETTING}.allow refused it` : undefined;
}

/**
 * The Db handles of the tenant databases calls chose, on the datasource's client. A name's
 * MongoDB checks, prefix and pattern run once, when its handle is made (they depend on the name
 * alone; a prefix check of a name built per request costs ~150 ns, as much again as the rest of
 * the choice); `allow` runs on every call, since the app may change its mind. Bounded: past `cacheSize` names, the first made is dropped. Not least
 * recently used: keeping that order costs every call a Map delete and insert, and a dropped
 * handle costs only its remaking.
 */
export class TenantDatabases {
  private readonly handles = new Map<string, Db>();

  constructor(readonly rules: TenantRules) {}

  /** The Db `name` chooses on `client`; throws TenantDatabaseError before any I/O. */
  database(client: MongoClient, name: unknown): Db {
    let db = this.handles.get(name as string);
    if (db !== undefined) {
      const refused = allowProblem(this.rules, name as string);
      if (refused) throw new TenantDatabaseError(name, refused);
      if (db.client === client) return db;
    } else {
      const refused = databaseNameProblem(name) ?? ruleProblem(this.rules, name as string);
      if (refused) throw new TenantDatabaseError(name, refused);
    }
    db = client.db(name as string);
    // a handle of a client since closed is replaced in place; a new name goes last
    this.handles.set(name as string, db);
    if (this.handles.size > this.rules.cacheSize)
      this.handles.delete(this.handles.keys().next().value as string);
    return db;
  }

  /** How many handles are kept (for tests and the benchmark). */
  get size(): number {
    return this.handles.size;
  }
}

/** The database each session's transaction runs in: the first one an operation chose. */
const sessionDatabases = new WeakMap<ClientSession, string>();

/**
 * A transaction stays in one database: its first operation's. MongoDB itself would run a
 * transaction across databases, but one that mixes tenants is almost surely a request that lost
 * track of whose it is, so it is refused before the operation is sent.
 */
export function bindSession(session: ClientSession, database: string): void {
  const bound = sessionDatabases.get(session);
  if (bound === undefined) sessionDatabases.set(session, database);
  else if (bound !== database)
    throw new TenantDatabaseError(
      database,
      `this transaction runs in database ${JSON.stringify(bound)}; a transaction stays in the ` +
        'database of its first operation (begin one per tenant)',
    );
}

/** A call names a database while the datasource has no `tenantDatabases` setting. */
export function tenantsOff(name: unknown): TenantDatabaseError {
  return new TenantDatabaseError(
    name,
    `this datasource has no ${SETTING} setting, so calls cannot choose their database ` +
      `(set ${SETTING}: {prefix | pattern | allow} to say which names are allowed)`,
    500,
  );
}
