import * as os from 'node:os';
import type { CollationOptions, MongoClientOptions } from 'mongodb';

/** What a LoopBack datasource may say to this connector. */
export interface MongoDBSettings {
  /** A full connection string; when present it wins over every part below. */
  url?: string;
  protocol?: 'mongodb' | 'mongodb+srv';
  host?: string;
  hostname?: string;
  /** Several `host[:port]` entries for a replica set or a sharded cluster. */
  hosts?: string | string[];
  port?: number | string;
  database?: string;
  /** Older spelling of `database`. */
  db?: string;
  user?: string;
  username?: string;
  password?: string;
  authSource?: string;
  replicaSet?: string;

  /** Do not connect until the first operation needs the server. */
  lazyConnect?: boolean;
  /** Let `$`-operators from where/data reach the server (update operators included). */
  allowExtendedOperators?: boolean;
  /** Pass user input through unchanged: no operator stripping at all. */
  disableSanitization?: boolean;
  /**
   * Which 24-hex strings are stored as ObjectIds: unset, ids, ObjectId-typed properties and
   * references (relation keys, names ending in Id); `true`, only ids and ObjectId-typed
   * properties; `false`, every one, as loopback-connector-mongodb does. See relation-typing.ts.
   */
  strictObjectIDCoercion?: boolean;
  /** Store GeoPoint properties as GeoJSON points and let migrations make 2dsphere indexes. */
  enableGeoIndexing?: boolean;
  /** Default collation for find, count, update and delete. */
  collation?: CollationOptions;
  /** Do not sort by id when a query gives no order. */
  disableDefaultSort?: boolean;

  /** Anything else is handed to the driver's MongoClient as an option. */
  [driverOption: string]: unknown;
}

/** Settings this connector interprets itself; none of them is a driver option. */
const CONNECTOR_KEYS = new Set([
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
  'authSource',
  'lazyConnect',
  'allowExtendedOperators',
  'disableSanitization',
  'strictObjectIDCoercion',
  'enableGeoIndexing',
  'collation',
  'disableDefaultSort',
  // set by juggler on every datasource, meaningless to the driver
  'connector',
  'name',
  'debug',
  'defaultForType',
  'enableOptimisedfindOrCreate',
]);

const DEFAULT_PORT = 27017;
const DEFAULT_HOST = '127.0.0.1';

/** The connection string for these settings: `url` if given, else one built from the parts. */
export function buildUrl(settings: MongoDBSettings): string {
  if (settings.url) return settings.url;
  const protocol = settings.protocol ?? 'mongodb';
  const user = settings.user ?? settings.username;
  const auth = user
    ? `${encodeURIComponent(user)}${
        settings.password !== undefined ? ':' + encodeURIComponent(settings.password) : ''
      }@`
    : '';
  const database = settings.database ?? settings.db ?? '';
  const query = new URLSearchParams();
  if (settings.authSource) query.set('authSource', settings.authSource);
  const search = query.toString();
  return `${protocol}://${auth}${hostList(settings, protocol)}/${encodeURIComponent(database)}${
    search ? '?' + search : ''
  }`;
}

function hostList(settings: MongoDBSettings, protocol: string): string {
  const hosts = typeof settings.hosts === 'string' ? settings.hosts.split(',') : settings.hosts;
  if (hosts && hosts.length) return hosts.map((h) => h.trim()).join(',');
  const host = settings.host ?? settings.hostname ?? DEFAULT_HOST;
  // an SRV record names the ports itself; a port in a mongodb+srv URL is an error
  if (protocol === 'mongodb+srv') return host;
  return `${host}:${settings.port ?? DEFAULT_PORT}`;
}

/** The database name: from the settings, else from the URL path, else the driver's default. */
export function databaseName(settings: MongoDBSettings): string | undefined {
  const explicit = settings.database ?? settings.db;
  if (explicit) return explicit;
  if (!settings.url) return undefined;
  const afterScheme = settings.url.replace(/^[a-z+]+:\/\//i, '');
  const slash = afterScheme.indexOf('/');
  if (slash < 0) return undefined;
  const name = afterScheme.slice(slash + 1).split('?')[0];
  return name ? decodeURIComponent(name) : undefined;
}

/** Every setting that is not the connector's own goes to MongoClient unchanged. */
export function driverOptions(settings: MongoDBSettings): MongoClientOptions {
  const options: Record<string, unknown> = {
    // The driver loads `os` with a dynamic import() by default, which fails inside jest's VM
    // (apps testing with jest get an empty handshake and a refused connection); handing it over
    // costs nothing elsewhere.
    runtimeAdapters: { os },
  };
  for (const [key, value] of Object.entries(settings)) {
    if (!CONNECTOR_KEYS.has(key) && value !== undefined) options[key] = value;
  }
  return options as MongoClientOptions;
}
