/**
 * Keeps secrets inside the process: passwords, key passphrases, keys and tokens from the
 * settings and the connection string never reach an error, a warning or a debug line. Two tools:
 * `maskUrl` for a connection string we show, and `maskError`, which replaces every secret the
 * settings hold wherever it stands in an error we hand out (message, stack, cause chain, any
 * property at any depth, so `JSON.stringify` and `util.inspect` show none either).
 */

/** What stands in for a secret. */
export const MASK = '***';

/**
 * Secrets shorter than this are masked where they stand (the url's password, a secret setting's
 * value) but not searched for in other text: masking every `7` of a message helps nobody.
 */
const MIN_SEARCHED_LENGTH = 4;

/**
 * Settings and url options whose values are secrets: passwords and passphrases of every name
 * (`password`, `proxyPassword`, `tlsCertificateKeyFilePassword`, `sslPass`, `passphrase`), tokens,
 * in-memory keys (`key`, `pfx`), the driver's `auth` object and authMechanismProperties.
 */
const SECRET_NAME =
  /pass(word|phrase)?$|secret|token|^key$|^pfx$|^auth$|^authmechanismproperties$/i;

export function isSecretSetting(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Inside authMechanismProperties (`AWS_SESSION_TOKEN:...`), which entries are secrets. */
const SECRET_PROPERTY = /token|secret|pass|key/i;

/** A value fit for a message: `***` for a secret setting, the url masked for a url. */
export function maskSettingValue(name: string, value: unknown): unknown {
  if (isSecretSetting(name)) return MASK;
  return typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)
    ? maskUrl(value)
    : value;
}

interface UrlParts {
  /** `mongodb://` */
  scheme: string;
  /** Everything between the scheme and the last `@`, undefined without an `@`. */
  userinfo: string | undefined;
  /** After the userinfo: host list, path, query. */
  rest: string;
}

/**
 * The userinfo ends at the LAST `@` before the host list, not the first: a password the app did
 * not percent-encode (`mongodb://u:p@ss:w/rd%?#@host/db`) holds `@`, `/`, `?` and `#` of its own.
 * An `@` in the query (rare) makes us mask more than the password, never less.
 */
function splitUserinfo(url: string): UrlParts {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? '';
  const body = url.slice(scheme.length);
  const at = body.lastIndexOf('@');
  return at < 0
    ? { scheme, userinfo: undefined, rest: body }
    : { scheme, userinfo: body.slice(0, at), rest: body.slice(at) };
}

/** The url's password as written (undefined without one). */
function urlPassword(url: string): string | undefined {
  const { userinfo } = splitUserinfo(url);
  const colon = userinfo?.indexOf(':') ?? -1;
  return userinfo !== undefined && colon >= 0 ? userinfo.slice(colon + 1) : undefined;
}

/** Whether the url's password holds a character that a url must percent-encode. */
export function hasUnencodedPassword(url: string): boolean {
  const password = urlPassword(url);
  return password !== undefined && /[@:/?#[\]]|%(?![0-9a-f]{2})/i.test(password);
}

/** A connection string fit for logs and messages: its password and secret options masked. */
export function maskUrl(url: string): string {
  const { scheme, userinfo, rest } = splitUserinfo(url);
  const colon = userinfo?.indexOf(':') ?? -1;
  const user =
    userinfo === undefined ? '' : colon < 0 ? userinfo : `${userinfo.slice(0, colon)}:${MASK}`;
  return scheme + user + maskQuery(rest);
}

/** `?name=value&...` with every secret value masked (authMechanismProperties entry by entry). */
function maskQuery(text: string): string {
  const q = text.indexOf('?');
  if (q < 0) return text;
  const query = text
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const name = pair.slice(0, eq);
      if (/^authMechanismProperties$/i.test(name))
        return `${name}=${maskProperties(decode(pair.slice(eq + 1)))}`;
      return isSecretSetting(name) ? `${name}=${MASK}` : pair;
    })
    .join('&');
  return `${text.slice(0, q)}?${query}`;
}

/** `SERVICE_NAME:mongodb,AWS_SESSION_TOKEN:abc` with the secret entries masked. */
function maskProperties(properties: string): string {
  return properties
    .split(',')
    .map((entry) => {
      const colon = entry.indexOf(':');
      return colon >= 0 && SECRET_PROPERTY.test(entry.slice(0, colon))
        ? `${entry.slice(0, colon)}:${MASK}`
        : entry;
    })
    .join(',');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // a malformed escape: the text as written
    return text;
  }
}

/**
 * Every secret the settings hold, in each form it may take in a message: as given, decoded and
 * percent-encoded. Longest first, so a secret is masked whole before any part of it.
 */
export function secretsOf(settings: Record<string, unknown>): string[] {
  const found = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') {
      const text = String(value);
      for (const form of [text, decode(text), encodeURIComponent(text)])
        if (form.length >= MIN_SEARCHED_LENGTH) found.add(form);
    } else if (Buffer.isBuffer(value)) add(value.toString('utf8'));
  };
  /** Within a secret setting: every value of an array or a secret-named key of an object. */
  const addWithin = (value: unknown, depth = 0): void => {
    if (depth > 4) return;
    if (Array.isArray(value)) value.forEach((item) => addWithin(item, depth + 1));
    else if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
      for (const [key, inner] of Object.entries(value))
        if (SECRET_PROPERTY.test(key) || isSecretSetting(key)) addWithin(inner, depth + 1);
    } else add(value);
  };
  for (const [name, value] of Object.entries(settings)) {
    if (isSecretSetting(name)) addWithin(value);
    else if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(value))
      urlSecrets(value).forEach(add);
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/** The password of a connection string and the values of its secret options. */
function urlSecrets(url: string): string[] {
  const secrets: string[] = [];
  const password = urlPassword(url);
  if (password) secrets.push(password);
  const { rest } = splitUserinfo(url);
  const q = rest.indexOf('?');
  if (q < 0) return secrets;
  for (const pair of rest.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (/^authMechanismProperties$/i.test(name)) {
      for (const entry of decode(value).split(',')) {
        const colon = entry.indexOf(':');
        if (colon >= 0 && SECRET_PROPERTY.test(entry.slice(0, colon)))
          secrets.push(entry.slice(colon + 1));
      }
    } else if (isSecretSetting(name)) secrets.push(value);
  }
  return secrets.filter(Boolean);
}

/** `text` with every secret replaced by `***`. */
export function maskText(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of secrets)
    if (masked.includes(secret)) masked = masked.split(secret).join(MASK);
  return masked;
}

/** How far maskError walks: errors hold driver state (topology descriptions), not whole clients. */
const MAX_OBJECTS = 2_000;

/**
 * Masks, in place, every secret in `error` and everything reachable from it: message, stack,
 * cause chain, own properties (enumerable or not) of errors, plain objects, arrays and Maps, at
 * any depth. Returns `error`.
 */
export function maskError<T>(error: T, secrets: readonly string[]): T {
  if (!secrets.length) return error;
  const seen = new Set<object>();
  const visit = (value: unknown): unknown => {
    if (typeof value === 'string') return maskText(value, secrets);
    if (!value || typeof value !== 'object' || seen.has(value) || seen.size >= MAX_OBJECTS)
      return value;
    seen.add(value);
    if (value instanceof Map) {
      for (const [key, inner] of value) {
        const masked = visit(inner);
        if (masked !== inner) value.set(key, masked);
      }
      return value;
    }
    if (value instanceof Set || ArrayBuffer.isView(value)) return value;
    for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(value))) {
      if (!('value' in descriptor)) continue; // getters derive from the data we mask
      const masked = visit(descriptor.value);
      if (masked === descriptor.value) continue;
      if (descriptor.writable) (value as Record<string, unknown>)[key] = masked;
      else if (descriptor.configurable)
        Object.defineProperty(value, key, { ...descriptor, value: masked });
    }
    return value;
  };
  visit(error);
  return error;
}
