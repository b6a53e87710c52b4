/**
 * What a connector shows when it is inspected or serialised: an assertion message, a log line,
 * a test reporter's JSON. Its real state holds the juggler datasource (which points back at it),
 * the driver's MongoClient (sockets, timers, credentials) and Node's `os` module, which the driver
 * options carry; walking those crashes JSON reporters and prints passwords. So a connector answers
 * `toJSON` and `util.inspect` with this summary instead (pure).
 */
import { MASK, isSecretSetting, maskUrl } from './credentials';
import { isPlainObject } from './sanitize';

export interface ConnectorSummary {
  readonly name: string;
  /** The datasource settings, secrets as `***`, passwords in URLs hidden, objects reduced. */
  readonly settings: Record<string, unknown>;
  /** Whether a MongoClient has been made (it connects on its first operation). */
  readonly clientCreated: boolean;
  readonly models: string[];
}

/** The part of a connector the summary reads. */
export interface InspectableConnector {
  readonly name: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly client: unknown;
  readonly _models: Readonly<Record<string, unknown>>;
}

export function connectorSummary(connector: InspectableConnector): ConnectorSummary {
  return {
    name: connector.name,
    settings: safeSettings(connector.settings),
    clientCreated: connector.client !== undefined,
    models: Object.keys(connector._models ?? {}),
  };
}

/** Nested data deeper than this is shown by its kind only: settings are shallow. */
const MAX_DEPTH = 2;

function safeSettings(settings: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const safe: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(settings ?? {})) {
    safe[name] = safeValue(name, value, 0);
  }
  return safe;
}

function safeValue(name: string, value: unknown, depth: number): unknown {
  if (value === undefined || value === null) return value;
  if (isSecretSetting(name)) return MASK;
  if (typeof value === 'string') return /:\/\//.test(value) ? maskUrl(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (depth < MAX_DEPTH && Array.isArray(value)) {
    return value.map((item) => safeValue(name, item, depth + 1));
  }
  // a module object (the connector module given as `connector`, `os`) is a plain object of
  // functions: shown by its kind, like every other object that is not data
  if (depth < MAX_DEPTH && isPlainObject(value) && !holdsFunctions(value)) {
    const safe: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) safe[key] = safeValue(key, item, depth + 1);
    return safe;
  }
  return `[${typeof value === 'function' ? 'Function' : (value.constructor?.name ?? 'Object')}]`;
}

function holdsFunctions(value: Record<string, unknown>): boolean {
  return Object.values(value).some((item) => typeof item === 'function');
}
