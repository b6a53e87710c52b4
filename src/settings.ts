import * as os from 'node:os';
import type { CollationOptions, MongoClientOptions } from 'mongodb';
import { OPTIONS as DRIVER_OPTIONS, parseOptions } from 'mongodb/lib/connection_string';
import { hasUnencodedPassword } from './credentials';
import { InvalidSettingError } from './errors';
import type { TenantDatabasesSetting } from './tenants';

/**
 * What a LoopBack datasource may say to this connector: the connection, our own switches,
 * juggler's datasource settings, and any MongoClient option of driver 7. Every shape that
 * `lb4 datasource`, LoopBack 3's generator and loopback-connector-mongodb's docs write is
 * accepted; an empty string (what the generators write for a blank answer) means "not given".
 */
export interface MongoDBSettings extends MongoClientOptions {
  /** A full connection string; it wins over the parts below, except a `database` it lacks. */
  url?: string;
  protocol?: 'mongodb' | 'mongodb+srv';
  host?: string;
  hostname?: string;
  /** Several `host[:port]` entries for a replica set or a sharded cluster. */
  hosts?: string | string[];
  /** `0` (LoopBack 3's generator) means "not given", like `''`. */
  port?: number | string;
  /** Used when `url` names no database. */
  database?: string;
  /** Older spelling of `database`. */
  db?: string;
  user?: string | number;
  username?: string | number;
  /**
   * Already percent-encoded escapes (`pa%24%24wd`, as the official docs advise) are kept. A number
   * (what JSON configs and env parsers make of `4815162342`) is taken in its string form.
   */
  password?: string | number;

  /** Do not connect until the first operation needs the server (also juggler's). */
  lazyConnect?: boolean;
  /** Let `$`-operators from where/data reach the server (update operators included). */
  allowExtendedOperators?: boolean;
  /** Pass user input through unchanged: no operator refusal at all. */
  disableSanitization?: boolean;
  /**
   * Which 24-hex strings are stored as ObjectIds: unset, ids, ObjectId-typed properties and
   * references (relation keys, names ending in Id); `true`, only ids and ObjectId-typed
   * properties; `false`, every one, as loopback-connector-mongodb does. See relation-typing.ts.
   */
  strictObjectIDCoercion?: boolean;
  /** Store GeoPoint properties as GeoJSON points and let migrations make 2dsphere indexes. */
  enableGeoIndexing?: boolean;
  /** Default collation for find, count, update and delete; a string is a locale. */
  collation?: CollationOptions | string;
  /** Do not sort by id when a query gives no order. */
  disableDefaultSort?: boolean;
  /**
   * The official connector's switches for a one-operation findOrCreate (four spellings). Ours
   * always runs findOrCreate as one findOneAndUpdate, so they describe what happens anyway.
   */
  enableOptimisedfindOrCreate?: boolean;
  enableOptimisedFindOrCreate?: boolean;
  enableOptimizedfindOrCreate?: boolean;
  enableOptimizedFindOrCreate?: boolean;
  /** The official connector's switch for `{prop: null}` matching missing properties too. */
  implicitNullType?: boolean;
  /** Which databases a call's `options.database` may choose (see tenants.ts); unset: none. */
  tenantDatabases?: TenantDatabasesSetting;

  // juggler's (and LoopBack's) own datasource settings: read by them, never by the driver
  connector?: unknown;
  adapter?: unknown;
  name?: string;
  debug?: boolean;
  connectionTimeout?: number;
  maxOfflineRequests?: number;
  catchFailure?: boolean;
  inqLimit?: number;
  maxDepthOfQuery?: number;
  maxDepthOfData?: number;
  prohibitHiddenPropertiesInQuery?: boolean;
  normalizeUndefinedInQuery?: string;
  /** LoopBack 3's `app.dataSource` default for a connector type. */
  defaultForType?: string;

  /** A name none of the above knows: named in one warning, otherwise ignored. */
  [setting: string]: unknown;
}

/** How the settings reach the driver: the result of {@link resolveSettings}, pure data. */
export interface ConnectionPlan {
  /** The connection string handed to MongoClient (with the password: redact before logging). */
  url: string;
  /** The database the connector uses; undefined leaves it to the driver (`test`). */
  dbName: string | undefined;
  /** Only options the driver knows, under their given names. */
  driverOptions: MongoClientOptions;
  /** Settings older drivers took that driver 7 removed, whose behaviour is now built in. */
  dropped: string[];
  /** Settings driver 7 renamed, handed over under the new name: [given, now]. */
  renamed: Array<[string, string]>;
  /** Names nobody knows: warned about once, otherwise ignored. */
  unknown: string[];
}

/** The parts `url` replaces (or, for `database`, completes). */
const CONNECTION_KEYS = [
  'url',
  'protocol',
  'host',
  'hostname',
  'hosts',
  'port',
  'database',
  'db',
  'user',
  'username',
  'password',
] as const;

const BOOLEAN_KEYS = [
  'lazyConnect',
  'allowExtendedOperators',
  'disableSanitization',
  'strictObjectIDCoercion',
  'enableGeoIndexing',
  'disableDefaultSort',
  'enableOptimisedfindOrCreate',
  'enableOptimisedFindOrCreate',
  'enableOptimizedfindOrCreate',
  'enableOptimizedFindOrCreate',
  'implicitNullType',
] as const;

/** Ours or juggler's; a driver option of the same name (`name`: driverInfo) is not meant. */
const NOT_FOR_DRIVER = new Set<string>([
  ...CONNECTION_KEYS,
  ...BOOLEAN_KEYS,
  'collation',
  'tenantDatabases',
  'connector',
  'adapter',
  'name',
  'debug',
  'connectionTimeout',
  'maxOfflineRequests',
  'catchFailure',
  'inqLimit',
  'maxDepthOfQuery',
  'maxDepthOfData',
  'prohibitHiddenPropertiesInQuery',
  'normalizeUndefinedInQuery',
  'defaultForType',
]);

/**
 * Options drivers 2 to 6 took and driver 7 refuses, whose behaviour is now always on (or gone
 * without a switch): dropped, since refusing them would break configs that worked. Lower case:
 * the driver matches option names case-insensitively.
 */
const REMOVED = new Set([
  'usenewurlparser',
  'useunifiedtopology',
  'safe',
  'autoreconnect',
  'auto_reconnect',
  'reconnecttries',
  'reconnectinterval',
  'buffermaxentries',
  'keepalive',
  'native_parser',
  'numberofretries',
  'ha',
  'hainterval',
  'domainsenabled',
  'validateoptions',
  'promiselibrary',
  'logger',
  'loggerlevel',
]);

/** Options driver 7 knows under another name with the same meaning (lower case, as above). */
const RENAMED: Record<string, { to: keyof MongoClientOptions; value?: (v: unknown) => unknown }> = {
  poolsize: { to: 'maxPoolSize' },
  sslca: { to: 'tlsCAFile' },
  sslcrl: { to: 'tlsCRLFile' },
  sslpass: { to: 'tlsCertificateKeyFilePassword' },
  sslkey: { to: 'tlsCertificateKeyFile' },
  sslcert: { to: 'tlsCertificateKeyFile' },
  tlscertificatefile: { to: 'tlsCertificateKeyFile' },
  sslvalidate: { to: 'tlsAllowInvalidCertificates', value: (v) => v === false || v === 'false' },
};

const DRIVER_KNOWS = new Set(Object.keys(DRIVER_OPTIONS).map((k) => k.toLowerCase()));

const DEFAULT_PORT = 27017;
const DEFAULT_HOST = '127.0.0.1';

/** A setting is "not given" when absent, null, or the empty answer of a generator. */
function given(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/**
 * Sorts every setting into the connection string, the database, the driver's options, the
 * removed, the renamed and the unknown ones. Throws InvalidSettingError for a value of ours that cannot
 * work (the driver's own options are checked by {@link checkDriverOptions}).
 */
export function resolveSettings(settings: MongoDBSettings): ConnectionPlan {
  checkOwnValues(settings);
  const driverOptions: Record<string, unknown> = {};
  const dropped: string[] = [];
  const renamed: Array<[string, string]> = [];
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(settings)) {
    if (NOT_FOR_DRIVER.has(key) || !given(value)) continue;
    const lower = key.toLowerCase();
    const rename = RENAMED[lower];
    if (REMOVED.has(lower)) dropped.push(key);
    else if (rename) {
      renamed.push([key, rename.to]);
      driverOptions[rename.to] = rename.value ? rename.value(value) : value;
    } else if (DRIVER_KNOWS.has(lower)) driverOptions[key] = value;
    else unknown.push(key);
  }
  return {
    url: connectionUrl(settings),
    dbName: databaseName(settings),
    driverOptions: {
      ...driverOptions,
      // The driver loads `os` with a dynamic import() by default, which fails inside jest's VM
      // (apps testing with jest get an empty handshake and a refused connection); handing it
      // over costs nothing elsewhere. An app's own adapters win.
      runtimeAdapters: { os, ...(driverOptions.runtimeAdapters as object | undefined) },
    } as MongoClientOptions,
    dropped,
    renamed,
    unknown,
  };
}

/**
 * Asks the driver's own parser (synchronous, no network) whether it takes the plan, and names
 * the setting it refuses: `url` when the string alone fails, else the first option that fails
 * alone, else all of them (options that only conflict together, e.g. `tls: true, ssl: false`).
 */
export function checkDriverOptions(plan: ConnectionPlan, settings: MongoDBSettings): void {
  try {
    parseOptions(plan.url, plan.driverOptions);
    return;
  } catch (error) {
    const refused = culprit(plan, settings);
    // the driver's message would quote pieces of the password (`Unable to parse ss:w with URL`)
    if (refused[0]?.[1] === plan.url && hasUnencodedPassword(plan.url))
      throw new InvalidSettingError(
        refused,
        'its password holds characters a url must percent-encode (@ : / ? # [ ] %): ' +
          'encode it with encodeURIComponent, or give it as the password setting',
      );
    throw new InvalidSettingError(refused, error);
  }
}

function culprit(plan: ConnectionPlan, settings: MongoDBSettings): [string, unknown][] {
  const urlSetting = (['url', 'hosts', 'host', 'hostname'] as const).find((k) =>
    given(settings[k]),
  );
  if (fails(plan.url, {})) return [[urlSetting ?? 'url', plan.url]];
  const options = Object.entries(plan.driverOptions).filter(([k]) => k !== 'runtimeAdapters');
  const alone = options.find(([k, v]) => fails(plan.url, { [k]: v }));
  if (alone) return [[settingNameFor(alone[0], plan), alone[1]]];
  return options.map(([k, v]) => [settingNameFor(k, plan), v]);
}

function fails(url: string, options: Record<string, unknown>): boolean {
  try {
    parseOptions(url, options);
    return false;
  } catch {
    return true;
  }
}

/** The name the app wrote, for an option we handed over renamed. */
export function settingNameFor(option: string, plan: ConnectionPlan): string {
  return plan.renamed.find(([, to]) => to === option)?.[0] ?? option;
}

/** Our own settings' values, checked before anything reaches the driver. */
function checkOwnValues(settings: MongoDBSettings): void {
  for (const key of ['url', 'host', 'hostname', 'database', 'db'] as const) {
    const value = settings[key];
    if (given(value) && typeof value !== 'string')
      throw new InvalidSettingError([[key, value]], 'must be a string');
  }
  // JSON configs and env parsers turn `4815162342` into a number; the official connector takes it
  for (const key of ['user', 'username', 'password'] as const) {
    const value = settings[key];
    if (given(value) && typeof value !== 'string' && !Number.isFinite(value))
      throw new InvalidSettingError([[key, value]], 'must be a string (or a number)');
  }
  for (const key of BOOLEAN_KEYS) {
    const value = settings[key];
    if (given(value) && typeof value !== 'boolean')
      throw new InvalidSettingError([[key, value]], 'must be true or false');
  }
  const { protocol, port, hosts, collation } = settings;
  if (given(protocol) && protocol !== 'mongodb' && protocol !== 'mongodb+srv')
    throw new InvalidSettingError([['protocol', protocol]], 'must be "mongodb" or "mongodb+srv"');
  if (given(port) && port !== 0 && !/^\d{1,5}$/.test(String(port)))
    throw new InvalidSettingError([['port', port]], 'must be a port number');
  if (
    given(hosts) &&
    typeof hosts !== 'string' &&
    !(Array.isArray(hosts) && hosts.every((h) => typeof h === 'string'))
  )
    throw new InvalidSettingError(
      [['hosts', hosts]],
      'must be "host:port,..." or an array of them',
    );
  if (
    given(collation) &&
    typeof collation !== 'string' &&
    typeof (collation as { locale?: unknown }).locale !== 'string'
  )
    throw new InvalidSettingError([['collation', collation]], 'must be {locale: ...} or a locale');
}

/** The default collation, a bare locale string read as `{locale}`. */
export function collationOf(settings: MongoDBSettings): CollationOptions | undefined {
  const { collation } = settings;
  if (!given(collation)) return undefined;
  return typeof collation === 'string' ? { locale: collation } : collation;
}

/**
 * The connection string: `url` if given (with `database` put in when it names none, so the
 * driver also takes it as the default auth database, as with the parts), else built from them.
 */
export function connectionUrl(settings: MongoDBSettings): string {
  const database = settings.database || settings.db;
  if (given(settings.url)) {
    const url = settings.url as string;
    return database && !urlDatabase(url) ? withDatabase(url, database) : url;
  }
  const protocol = settings.protocol || 'mongodb';
  const user = settings.user || settings.username;
  const auth = given(user)
    ? `${encodeCredential(String(user))}${
        given(settings.password) ? ':' + encodeCredential(String(settings.password)) : ''
      }@`
    : '';
  return `${protocol}://${auth}${hostList(settings, protocol)}/${encodeURIComponent(database || '')}`;
}

/** Percent-encodes a user or password, keeping escapes already there (`pa%24%24wd`). */
function encodeCredential(text: string): string {
  return text
    .split(/(%[0-9a-fA-F]{2})/)
    .map((part, i) => (i % 2 === 1 ? part : encodeURIComponent(part)))
    .join('');
}

function hostList(settings: MongoDBSettings, protocol: string): string {
  const hosts = typeof settings.hosts === 'string' ? settings.hosts.split(',') : settings.hosts;
  const named = (hosts ?? []).map((h) => h.trim()).filter(Boolean);
  if (named.length) return named.join(',');
  const host = settings.host || settings.hostname || DEFAULT_HOST;
  // an SRV record names the ports itself; a port in a mongodb+srv URL is an error
  if (protocol === 'mongodb+srv') return host;
  return `${host}:${settings.port || DEFAULT_PORT}`;
}

/** The database: the one the url names, else `database`/`db`, else undefined (driver: test). */
export function databaseName(settings: MongoDBSettings): string | undefined {
  const fromUrl = given(settings.url) ? urlDatabase(settings.url as string) : undefined;
  return fromUrl || settings.database || settings.db || undefined;
}

/** Splits `scheme://authority/path?query` at the path; the authority never holds a raw `/`. */
function splitUrl(url: string): { head: string; path: string; query: string } {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? '';
  const rest = url.slice(scheme.length);
  const end = rest.search(/[/?]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  const tail = end < 0 ? '' : rest.slice(end);
  const q = tail.indexOf('?');
  const path = (q < 0 ? tail : tail.slice(0, q)).replace(/^\//, '');
  return { head: scheme + authority, path, query: q < 0 ? '' : tail.slice(q) };
}

function urlDatabase(url: string): string | undefined {
  const { path } = splitUrl(url);
  if (!path) return undefined;
  try {
    return decodeURIComponent(path);
  } catch {
    // a malformed escape: the driver's parser will name it
    return path;
  }
}

function withDatabase(url: string, database: string): string {
  const { head, query } = splitUrl(url);
  return `${head}/${encodeURIComponent(database)}${query}`;
}
