/**
 * Servers with authentication and TLS, for the tests that need them (each test file starts its
 * own and stops it): certificates from ./certificates.ts, mongod from ./server.ts.
 *
 *   auth server: `--auth`, TLS preferred (plain connections too) with client certificates
 *                optional, so SCRAM users connect with or without TLS and X.509 users with one;
 *                its users are made through the localhost exception.
 *   TLS server:  `--tlsMode requireTLS`, a client certificate required, no authentication.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';
import { makeCertificates, type TestCertificates } from './certificates';
import { startServer, type RunningServer } from './server';

/** A user the auth server holds: where it lives and what it may do. */
export interface TestUser {
  user: string;
  password: string;
  /** The database it is defined in (its authSource). */
  db: string;
  mechanisms?: Array<'SCRAM-SHA-1' | 'SCRAM-SHA-256'>;
  /** `read` only, or `readWrite` on the app database. */
  role: 'read' | 'readWrite';
}

/** The database the apps in the tests use; every user has a role on it. */
export const APP_DB = 'shop';

/**
 * The passwords are the secrets tests look for in every error form, so each is long enough to be
 * searched for and distinct from every other text.
 */
export const USERS = {
  /** Defined in the app database itself: the default authSource of a url naming it. */
  app: { user: 'appuser', password: 'Vx7-appuser-pw', db: APP_DB, role: 'readWrite' },
  sha1: {
    user: 'sha1user',
    password: 'Qz4-sha1-pw',
    db: 'admin',
    mechanisms: ['SCRAM-SHA-1'],
    role: 'readWrite',
  },
  sha256: {
    user: 'sha256user',
    password: 'Wy9-sha256-pw',
    db: 'admin',
    mechanisms: ['SCRAM-SHA-256'],
    role: 'readWrite',
  },
  reader: { user: 'reader', password: 'Rd2-reader-pw', db: 'admin', role: 'read' },
  /** Every character a url reserves, as the issue's `mongodb://special:p@ss:w/rd%?#@host/db`. */
  special: { user: 'special', password: 'p@ss:w/rd%?#', db: 'admin', role: 'readWrite' },
  /** What a JSON config or an env parser turns into a number. */
  numeric: { user: 'numeric', password: '4815162342', db: 'admin', role: 'readWrite' },
} satisfies Record<string, TestUser>;

export const CLIENT_KEY_PASSPHRASE = 'Kp5:p@ss/phrase%';

export interface SecureServer extends RunningServer {
  certificates: TestCertificates;
}

/** Makes the certificates in a fresh temporary folder (removed by `removeCertificates`). */
export function freshCertificates(): TestCertificates {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lbmongo-certs-'));
  return makeCertificates(dir, CLIENT_KEY_PASSPHRASE);
}

export function removeCertificates(certificates: TestCertificates): void {
  fs.rmSync(certificates.dir, { recursive: true, force: true });
}

function tlsArgs(certificates: TestCertificates, mode: string): string[] {
  return [
    '--tlsMode',
    mode,
    '--tlsCertificateKeyFile',
    certificates.serverPemFile,
    '--tlsCAFile',
    certificates.caFile,
  ];
}

export async function startAuthServer(certificates: TestCertificates): Promise<SecureServer> {
  const server = await startServer({
    own: true,
    root: ROOT,
    args: [...tlsArgs(certificates, 'preferTLS'), '--tlsAllowConnectionsWithoutCertificates'],
  });
  try {
    await createUsers(server.url, certificates.clientSubject);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { ...server, certificates };
}

export async function startTlsServer(certificates: TestCertificates): Promise<SecureServer> {
  const server = await startServer({
    own: true,
    args: tlsArgs(certificates, 'requireTLS'),
    clientOptions: {
      tls: true,
      tlsCAFile: certificates.caFile,
      tlsCertificateKeyFile: certificates.clientPemFile,
    },
  });
  return { ...server, certificates };
}

/** Made by mongodb-memory-server through the localhost exception; it makes the others. */
const ROOT = { user: 'root', password: 'Rt8-root-pw' };

async function createUsers(url: string, x509Subject: string): Promise<void> {
  const asRoot = url.replace('://', `://${ROOT.user}:${ROOT.password}@`) + '/?authSource=admin';
  await withClient(asRoot, async (client) => {
    for (const { user, password, db, role, ...rest } of Object.values(USERS) as TestUser[]) {
      await client.db(db).command({
        createUser: user,
        pwd: password,
        roles: [{ role, db: APP_DB }],
        ...(rest.mechanisms ? { mechanisms: rest.mechanisms } : {}),
      });
    }
    await client.db('$external').command({
      createUser: x509Subject,
      roles: [{ role: 'readWrite', db: APP_DB }],
    });
  });
}

async function withClient(url: string, use: (client: MongoClient) => Promise<void>) {
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: 10_000,
    runtimeAdapters: { os },
  });
  try {
    await use(client);
  } finally {
    await client.close();
  }
}
