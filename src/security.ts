/**
 * Authentication and TLS: the checks that can be made before connecting (certificate and key
 * files, the key's passphrase), fail-fast on a server certificate nobody vouches for, and the
 * driver's authentication, authorization and TLS failures as typed errors that say what to fix.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import * as fs from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type {
  MongoClient,
  ServerHeartbeatFailedEvent,
  ServerHeartbeatSucceededEvent,
  TopologyDescriptionChangedEvent,
} from 'mongodb';
import { parseOptions } from 'mongodb/lib/connection_string';
import { AuthenticationError, AuthorizationError, TlsError } from './errors';
import { settingNameFor, type ConnectionPlan } from './settings';

/** What the driver makes of the plan: the options the messages below need. */
interface ParsedOptions {
  tls?: boolean;
  tlsCAFile?: string;
  tlsCRLFile?: string;
  tlsCertificateKeyFile?: string;
  passphrase?: string;
  ca?: SecureContextOptions['ca'];
  cert?: SecureContextOptions['cert'];
  key?: SecureContextOptions['key'];
  pfx?: SecureContextOptions['pfx'];
  credentials?: { username?: string; source?: string; mechanism?: string };
  hosts?: unknown[];
  srvHost?: string;
}

/** Parsed once per plan: every failed operation looks at them. */
const parsedPlans = new WeakMap<ConnectionPlan, ParsedOptions>();

function parsed(plan: ConnectionPlan): ParsedOptions {
  let options = parsedPlans.get(plan);
  if (!options) {
    // already accepted by checkDriverOptions; only read here
    options = parseOptions(plan.url, plan.driverOptions) as unknown as ParsedOptions;
    parsedPlans.set(plan, options);
  }
  return options;
}

// ---- before connecting -------------------------------------------------------------------------

/**
 * With TLS on, reads the CA, CRL and certificate-key files and builds the TLS context the driver
 * will build, so an unreadable file, a malformed certificate, a key without its certificate or a
 * passphrase that does not decrypt the key is refused at start-up, naming the setting, instead
 * of surfacing as a server selection timeout. Throws TlsError.
 */
export function checkTlsFiles(plan: ConnectionPlan): void {
  const options = parsed(plan);
  if (!options.tls) return;
  const name = (option: string) => settingNameFor(option, plan);
  const read = (option: 'tlsCAFile' | 'tlsCRLFile' | 'tlsCertificateKeyFile') => {
    const file = options[option];
    if (typeof file !== 'string') return undefined;
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new TlsError(`${name(option)}: cannot read ${file}: ${reasonOf(error)}`, {
        setting: name(option),
        cause: error,
      });
    }
  };
  const ca = read('tlsCAFile');
  if (ca !== undefined) checkCertificates(ca, options.tlsCAFile as string, name('tlsCAFile'));
  const crl = read('tlsCRLFile');
  const keyFile = read('tlsCertificateKeyFile');
  if (keyFile !== undefined)
    checkKeyFile(keyFile, options.tlsCertificateKeyFile as string, options.passphrase, name);
  try {
    createSecureContext({
      ca: ca ?? options.ca,
      crl,
      cert: keyFile ?? options.cert,
      key: keyFile ?? options.key,
      pfx: options.pfx,
      passphrase: options.passphrase,
    });
  } catch (error) {
    throw new TlsError(`the TLS certificates and keys cannot be used: ${reasonOf(error)}`, {
      cause: error,
    });
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate in a CA file must parse; Node would skip a broken one without a word. */
function checkCertificates(pem: string, file: string, setting: string): void {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (!blocks.length)
    throw new TlsError(`${setting}: ${file} holds no PEM certificate`, { setting });
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new TlsError(
        `${setting}: certificate ${i + 1} in ${file} is malformed: ${reasonOf(error)}`,
        { setting, cause: error },
      );
    }
  });
}

/** The certificate-key file: a certificate, a private key, and a passphrase that opens it. */
function checkKeyFile(
  pem: string,
  file: string,
  passphrase: string | undefined,
  name: (option: string) => string,
): void {
  const setting = name('tlsCertificateKeyFile');
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (!blocks.length)
    throw new TlsError(
      `${setting}: ${file} holds no certificate; it needs the certificate and its key`,
      {
        setting,
      },
    );
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem))
    throw new TlsError(
      `${setting}: ${file} holds no private key; it needs the certificate and its key`,
      {
        setting,
      },
    );
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem);
  const passphraseSetting = name('tlsCertificateKeyFilePassword');
  if (encrypted && passphrase === undefined)
    throw new TlsError(
      `${setting}: the key in ${file} is encrypted: set ${passphraseSetting} to its passphrase`,
      { setting: passphraseSetting },
    );
  try {
    createPrivateKey({ key: pem, passphrase });
  } catch (error) {
    if (encrypted)
      throw new TlsError(
        `${passphraseSetting} does not decrypt the key in ${file} (${setting}): check the passphrase`,
        { setting: passphraseSetting, cause: error },
      );
    throw new TlsError(`${setting}: the key in ${file} cannot be used: ${reasonOf(error)}`, {
      setting,
      cause: error,
    });
  }
}

// ---- while connecting --------------------------------------------------------------------------

/** Node's codes for a server certificate that does not verify: certain, retrying cannot help. */
const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Rejects as soon as every server the driver knows has failed in a way retrying cannot mend (the
 * driver itself would retry until serverSelectionTimeoutMS): a certificate that does not verify,
 * or, twice in a row, a server that hangs up before the TLS handshake completes (one without TLS
 * does) or, when no client certificate is set, right after it (one that requires a client
 * certificate does).
 * `stop` ends the watch.
 */
export function watchCertificateFailures(
  client: MongoClient,
  plan: ConnectionPlan,
): {
  failed: Promise<never>;
  /** Whether it rejected (the driver's connect is then still under way). */
  settled: () => boolean;
  stop: () => void;
} {
  let stop = () => {};
  let settled = false;
  const options = parsed(plan);
  const withoutClientCertificate = Boolean(options.tls) && !clientCertificateOf(options);
  /** The servers the driver knows, and how many certain failures in a row each has had. */
  let known: string[] = [];
  const failures = new Map<string, number>();
  const failed = new Promise<never>((_, reject) => {
    const check = (error: unknown) => {
      if (known.length && known.every((address) => (failures.get(address) ?? 0) >= 2)) {
        settled = true;
        reject(error);
      }
    };
    const onTopology = (event: TopologyDescriptionChangedEvent) => {
      known = [...event.newDescription.servers.keys()];
    };
    const onFailure = (event: ServerHeartbeatFailedEvent) => {
      const error = event.failure;
      // an untrusted certificate is certain at once; a hang-up could be chance, so twice
      const weight = UNTRUSTED_CERTIFICATE.has(tlsCode(error))
        ? 2
        : noTlsHandshake(error) || (withoutClientCertificate && closedInHandshake(error))
          ? 1
          : 0;
      failures.set(event.connectionId, weight && (failures.get(event.connectionId) ?? 0) + weight);
      check(error);
    };
    const onSuccess = (event: ServerHeartbeatSucceededEvent) => failures.delete(event.connectionId);
    client.on('topologyDescriptionChanged', onTopology);
    client.on('serverHeartbeatFailed', onFailure);
    client.on('serverHeartbeatSucceeded', onSuccess);
    stop = () => {
      client.off('topologyDescriptionChanged', onTopology);
      client.off('serverHeartbeatFailed', onFailure);
      client.off('serverHeartbeatSucceeded', onSuccess);
    };
  });
  // a watch that ends without failing must not leave an unhandled rejection behind
  failed.catch(() => undefined);
  return { failed, settled: () => settled, stop };
}

function clientCertificateOf(options: ParsedOptions): unknown {
  return options.tlsCertificateKeyFile ?? options.cert ?? options.pfx;
}

/** The server closed the connection before answering the driver's first command. */
function closedInHandshake(error: unknown): boolean {
  return (
    /closed/.test(messageOf(error)) &&
    Boolean(
      (error as { hasErrorLabel?: (label: string) => boolean } | null)?.hasErrorLabel?.(
        'HandshakeError',
      ),
    )
  );
}

/** The other end did not complete a TLS handshake: a mongod without TLS hangs up on the hello. */
function noTlsHandshake(error: unknown): boolean {
  return (
    /WRONG_VERSION_NUMBER/.test(tlsCode(error)) ||
    /before secure TLS connection was established/.test(messageOf(error))
  );
}

// ---- after failing -----------------------------------------------------------------------------

const AUTHENTICATION_FAILED = 18;
/** MechanismUnavailable: the user has no credentials for the mechanism asked for. */
const MECHANISM_UNAVAILABLE = 334;
/** UserNotFound: what the server answers MONGODB-X509 for a subject no $external user has. */
const USER_NOT_FOUND = 11;
const UNAUTHORIZED = 13;
/** Atlas answers a missing privilege with its own code and "not allowed to do action". */
const ATLAS_ERROR = 8000;

/** Where the model's operation failed, for the messages below. */
export interface FailureContext {
  plan: ConnectionPlan;
  model?: string;
  database?: string;
}

/**
 * The typed error for an authentication, authorization or TLS failure anywhere in `error` (the
 * driver wraps a monitor's failure in a server selection error); undefined for anything else.
 */
export function securityFailure(error: unknown, context: FailureContext): Error | undefined {
  const found = findServerFailure(error);
  const code = Number((found as { code?: unknown } | undefined)?.code);
  if ([AUTHENTICATION_FAILED, MECHANISM_UNAVAILABLE, USER_NOT_FOUND].includes(code))
    return authenticationFailure(found, context.plan);
  const text = messageOf(found);
  if (code === UNAUTHORIZED || (code === ATLAS_ERROR && /not allowed to do action/i.test(text)))
    return authorizationFailure(found, context);
  return tlsFailure(error, context.plan);
}

function authenticationFailure(error: unknown, plan: ConnectionPlan): AuthenticationError {
  const { credentials } = parsed(plan);
  const mechanism = credentials?.mechanism;
  const x509 = mechanism === 'MONGODB-X509';
  const who = x509
    ? 'the client certificate (MONGODB-X509)'
    : `user ${JSON.stringify(credentials?.username ?? '')}`;
  const fix = x509
    ? 'the server needs a user in $external named after the certificate subject'
    : 'check the user name, the password and authSource (the database the user was created in)';
  const how = mechanism && mechanism !== 'DEFAULT' && !x509 ? ` with ${mechanism}` : '';
  return new AuthenticationError(
    `MongoDB refused to authenticate ${who}${how} against authSource ` +
      `${JSON.stringify(credentials?.source ?? 'admin')}: ${fix}. The server said: ${messageOf(error)}`,
    error,
  );
}

function authorizationFailure(error: unknown, context: FailureContext): AuthorizationError {
  const text = messageOf(error);
  // "not authorized on shop to execute command { insert: ..." / "... do action [insert] on [shop.x]"
  const command =
    /execute command \{ *"?(\w+)"?:/.exec(text)?.[1] ?? /action \[(\w+)\]/.exec(text)?.[1];
  const database = /not authorized on (\S+)/.exec(text)?.[1] ?? context.database;
  const user = parsed(context.plan).credentials?.username;
  return new AuthorizationError(
    `${context.model ? context.model + ': ' : ''}the database user` +
      `${user ? ' ' + JSON.stringify(user) : ''} is not authorized to run ` +
      `${command ?? 'this command'}${database ? ` on database ${database}` : ''}: ` +
      'grant it a role that allows it (readWrite for writes), or use a user that has one',
    context.model,
    error,
  );
}

function tlsFailure(error: unknown, plan: ConnectionPlan): TlsError | undefined {
  const options = parsed(plan);
  if (!options.tls) return undefined;
  const network = findNetworkFailure(error);
  if (!network) return undefined;
  const code = tlsCode(network);
  const host = ` at ${options.srvHost ?? (options.hosts ?? []).map(String).join(',')}`;
  if (UNTRUSTED_CERTIFICATE.has(code)) {
    const fix =
      code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? 'connect by a host name the certificate holds'
        : code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID'
          ? "renew the server's certificate"
          : `set ${settingNameFor('tlsCAFile', plan)} to the CA that signed it`;
    return new TlsError(
      `the certificate of the MongoDB server${host} is not trusted (${messageOf(network)}): ${fix}`,
      { cause: error },
    );
  }
  if (/ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|CERTIFICATE_EXPIRED)/.test(code))
    return new TlsError(
      `the MongoDB server${host} refused the client certificate (${messageOf(network)}): use ` +
        'one signed by a CA the server trusts (tlsCertificateKeyFile)',
      { cause: error },
    );
  if (noTlsHandshake(network))
    return new TlsError(
      `the MongoDB server${host} did not complete a TLS handshake (${messageOf(network)}): it ` +
        'probably does not use TLS; turn tls off, or enable TLS on the server',
      { cause: error },
    );
  const clientCertificate = clientCertificateOf(options);
  if (closedInHandshake(network) || /CERTIFICATE_REQUIRED/.test(code))
    return new TlsError(
      `the MongoDB server${host} closed the connection after the TLS handshake` +
        (clientCertificate
          ? ` (${messageOf(network)}): it may not accept this client certificate`
          : `: it requires a client certificate; set ${settingNameFor('tlsCertificateKeyFile', plan)}`),
      { cause: error },
    );
  return undefined;
}

// ---- reading driver errors ---------------------------------------------------------------------

interface TopologyReason {
  servers?: Map<string, { error?: unknown }>;
}

/** The error itself, its causes, and the last error of each server a selection error names. */
function* errorsIn(error: unknown, depth = 0): Generator<unknown> {
  if (!error || typeof error !== 'object' || depth > 6) return;
  yield error;
  yield* errorsIn((error as { cause?: unknown }).cause, depth + 1);
  const servers = ((error as { reason?: TopologyReason }).reason ?? {}).servers;
  if (servers instanceof Map)
    for (const server of servers.values()) yield* errorsIn(server.error, depth + 1);
}

function findServerFailure(error: unknown): unknown {
  for (const inner of errorsIn(error)) {
    const code = Number((inner as { code?: unknown }).code);
    if (
      [
        AUTHENTICATION_FAILED,
        MECHANISM_UNAVAILABLE,
        USER_NOT_FOUND,
        UNAUTHORIZED,
        ATLAS_ERROR,
      ].includes(code)
    )
      return inner;
  }
  return error;
}

/** The innermost network-level error: Node's TLS error when there is one. */
function findNetworkFailure(error: unknown): unknown {
  let found: unknown;
  for (const inner of errorsIn(error)) {
    if (tlsCode(inner)) return inner;
    if ((inner as { name?: unknown }).name === 'MongoNetworkError') found ??= inner;
  }
  return found;
}

/** Node's code for a TLS failure, from the error or its cause. */
function tlsCode(error: unknown): string {
  for (const inner of [error, (error as { cause?: unknown } | null)?.cause]) {
    const code = (inner as { code?: unknown } | null)?.code;
    if (
      typeof code === 'string' &&
      (UNTRUSTED_CERTIFICATE.has(code) || /^ERR_SSL|^EPROTO$/.test(code))
    )
      return code;
  }
  return '';
}

function messageOf(error: unknown): string {
  // not `instanceof Error`: errors from Node's own modules come from another realm under jest
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return `${messageOf(error)}${typeof code === 'string' && !messageOf(error).includes(code) ? ` (${code})` : ''}`;
}
