/**
 * TLS against two mongods (see scripts/mongod/secure.ts): the auth server takes TLS with client
 * certificates optional (and X.509 users), the TLS server requires TLS and a client certificate.
 * The settings apps write, on our connector and on loopback-connector-mongodb 7.0.5; and each
 * failure as a TlsError that names the setting to fix, at once for what can be checked locally.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AuthenticationError, TlsError } from '../../src';
import {
  APP_DB,
  USERS,
  allSecrets,
  authUrl,
  certificates,
  expectNoSecrets,
  hostOf,
  worksOnEachConnector,
  dataSources,
  PROMPT_MS,
  SELECTION_TIMEOUT_MS,
  tlsUrl,
} from '../support/secure';
import { testDatabaseUrl } from '../support/database';

const start = dataSources();

const sha256Url = (query = '') =>
  `mongodb://${USERS.sha256.user}:${encodeURIComponent(USERS.sha256.password)}@` +
  `${hostOf(authUrl())}/${APP_DB}?authSource=admin${query}`;

describe('TLS settings that work, on both connectors', () => {
  const cases: Array<[string, () => Record<string, unknown>]> = [
    [
      'tls + tlsCAFile, a SCRAM user, no client certificate',
      () => ({ url: sha256Url(), tls: true, tlsCAFile: certificates().caFile }),
    ],
    [
      "the official connector's names: ssl, sslCA, sslValidate",
      () => ({ url: sha256Url(), ssl: true, sslCA: certificates().caFile, sslValidate: true }),
    ],
    [
      'a client certificate (tlsCertificateKeyFile), where the server requires one',
      () => ({
        url: tlsUrl(),
        tls: true,
        tlsCAFile: certificates().caFile,
        tlsCertificateKeyFile: certificates().clientPemFile,
      }),
    ],
    [
      'an encrypted key with its passphrase (tlsCertificateKeyFilePassword)',
      () => ({
        url: tlsUrl(),
        tls: true,
        tlsCAFile: certificates().caFile,
        tlsCertificateKeyFile: certificates().clientEncryptedPemFile,
        tlsCertificateKeyFilePassword: certificates().clientKeyPassphrase,
      }),
    ],
    [
      "an encrypted key under the official connector's names: sslKey, sslCert, sslPass",
      () => ({
        url: tlsUrl(),
        ssl: true,
        sslCA: certificates().caFile,
        sslKey: certificates().clientEncryptedPemFile,
        sslCert: certificates().clientEncryptedPemFile,
        sslPass: certificates().clientKeyPassphrase,
      }),
    ],
    [
      'every TLS option in the url, the passphrase included',
      () => ({
        url: tlsUrl(
          `?tls=true&tlsCAFile=${encodeURIComponent(certificates().caFile)}` +
            `&tlsCertificateKeyFile=${encodeURIComponent(certificates().clientEncryptedPemFile)}` +
            `&tlsCertificateKeyFilePassword=${encodeURIComponent(certificates().clientKeyPassphrase)}`,
        ),
      }),
    ],
    [
      'MONGODB-X509: the client certificate is the credential',
      () => ({
        url: authUrl('?authMechanism=MONGODB-X509'),
        tls: true,
        tlsCAFile: certificates().caFile,
        tlsCertificateKeyFile: certificates().clientPemFile,
      }),
    ],
    [
      'tlsAllowInvalidCertificates: a server certificate no given CA signed',
      () => ({
        url: tlsUrl(),
        tls: true,
        tlsCAFile: certificates().otherCaFile,
        tlsCertificateKeyFile: certificates().clientPemFile,
        tlsAllowInvalidCertificates: true,
      }),
    ],
  ];
  for (const [name, settings] of cases) {
    it(name, () => worksOnEachConnector(start, settings()));
  }
});

describe('a TLS failure: TlsError, 500, naming what to fix', () => {
  async function failed(settings: Record<string, unknown>) {
    const outcome = await start({ serverSelectionTimeoutMS: SELECTION_TIMEOUT_MS, ...settings });
    expect(outcome.error).toBeInstanceOf(TlsError);
    expect(outcome.error).toMatchObject({ statusCode: 500, code: 'TLS_FAILED' });
    expect(outcome.ms).toBeLessThan(PROMPT_MS);
    expectNoSecrets(outcome.error, allSecrets(['Wrong-passphrase-3']));
    return { ...outcome, error: outcome.error as TlsError };
  }
  const withClientCertificate = () => ({
    url: tlsUrl(),
    tls: true,
    tlsCAFile: certificates().caFile,
    tlsCertificateKeyFile: certificates().clientPemFile,
  });

  it('a server certificate the CA did not sign: without waiting for server selection', async () => {
    const { error, ds } = await failed({
      ...withClientCertificate(),
      tlsCAFile: certificates().otherCaFile,
    });
    expect(error.message).toBe(
      `the certificate of the MongoDB server at ${hostOf(tlsUrl())} is not trusted ` +
        '(self-signed certificate in certificate chain): set tlsCAFile to the CA that signed it',
    );
    // an operation tries again, and fails the same way
    const again = await ds.connect().catch((e: unknown) => e);
    expect(again).toBeInstanceOf(TlsError);
  });

  it("the same under the official connector's names", async () => {
    const { error } = await failed({
      url: tlsUrl(),
      ssl: true,
      sslCA: certificates().otherCaFile,
      sslKey: certificates().clientPemFile,
      sslCert: certificates().clientPemFile,
    });
    expect(error.message).toMatch(/: set sslCA to the CA that signed it$/);
  });

  it('no client certificate where the server requires one', async () => {
    const { error } = await failed({ url: tlsUrl(), tls: true, tlsCAFile: certificates().caFile });
    expect(error.message).toBe(
      `the MongoDB server at ${hostOf(tlsUrl())} closed the connection after the TLS handshake: ` +
        'it requires a client certificate; set tlsCertificateKeyFile',
    );
  });

  it('MONGODB-X509 with a certificate no $external user is named after: AuthenticationError', async () => {
    const { error, ms } = await start({
      url: authUrl('?authMechanism=MONGODB-X509'),
      tls: true,
      tlsCAFile: certificates().caFile,
      tlsCertificateKeyFile: certificates().strangerPemFile,
      serverSelectionTimeoutMS: SELECTION_TIMEOUT_MS,
    });
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(ms).toBeLessThan(PROMPT_MS);
    expect((error as Error).message).toBe(
      'MongoDB refused to authenticate the client certificate (MONGODB-X509) against authSource ' +
        '"$external": the server needs a user in $external named after the certificate subject. ' +
        'The server said: Could not find user "CN=stranger,OU=apps,O=LoopbackConnectorMongoClients" ' +
        'for db "$external"',
    );
  });

  it("tls on against a server without TLS (the run's plain one)", async () => {
    const url = testDatabaseUrl('tls_plain');
    const { error } = await failed({ url, tls: true });
    expect(error.message).toMatch(
      /^the MongoDB server at \S+ did not complete a TLS handshake \(.*\): it probably does not use TLS; turn tls off, or enable TLS on the server$/,
    );
  });

  describe('checked before connecting, so at once, lazyConnect or not', () => {
    const encrypted = () => ({
      ...withClientCertificate(),
      tlsCertificateKeyFile: certificates().clientEncryptedPemFile,
    });

    it('a wrong key passphrase', async () => {
      for (const lazyConnect of [false, true]) {
        const { error } = await failed({
          ...encrypted(),
          tlsCertificateKeyFilePassword: 'Wrong-passphrase-3',
          lazyConnect,
        });
        expect(error.message).toBe(
          `tlsCertificateKeyFilePassword does not decrypt the key in ` +
            `${certificates().clientEncryptedPemFile} (tlsCertificateKeyFile): check the passphrase`,
        );
        expect(error.setting).toBe('tlsCertificateKeyFilePassword');
      }
    });

    it('a wrong passphrase in the url, or as the official sslPass', async () => {
      const inUrl = await failed({
        ...encrypted(),
        url: tlsUrl('?tlsCertificateKeyFilePassword=Wrong-passphrase-3'),
      });
      expect(inUrl.error.setting).toBe('tlsCertificateKeyFilePassword');
      const official = await failed({ ...encrypted(), sslPass: 'Wrong-passphrase-3' });
      expect(official.error.message).toMatch(/^sslPass does not decrypt the key/);
    });

    it('an encrypted key without a passphrase', async () => {
      const { error } = await failed(encrypted());
      expect(error.message).toBe(
        `tlsCertificateKeyFile: the key in ${certificates().clientEncryptedPemFile} is ` +
          'encrypted: set tlsCertificateKeyFilePassword to its passphrase',
      );
    });

    it('a CA file or key file that cannot be read', async () => {
      const missing = path.join(certificates().dir, 'missing.pem');
      const ca = await failed({ ...withClientCertificate(), tlsCAFile: missing });
      expect(ca.error.message).toMatch(
        new RegExp(`^tlsCAFile: cannot read ${missing}: ENOENT: no such file or directory`),
      );
      expect(ca.error.setting).toBe('tlsCAFile');
      const key = await failed({ ...withClientCertificate(), tlsCertificateKeyFile: missing });
      expect(key.error.setting).toBe('tlsCertificateKeyFile');
    });

    it('a malformed CA certificate, and a key file without its key', async () => {
      const malformed = path.join(certificates().dir, 'malformed-ca.pem');
      fs.writeFileSync(
        malformed,
        '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n',
      );
      const ca = await failed({ ...withClientCertificate(), tlsCAFile: malformed });
      expect(ca.error.message).toMatch(
        new RegExp(`^tlsCAFile: certificate 1 in ${malformed} is malformed: `),
      );
      const notPem = path.join(certificates().dir, 'not-pem.txt');
      fs.writeFileSync(notPem, 'hello');
      const empty = await failed({ ...withClientCertificate(), tlsCAFile: notPem });
      expect(empty.error.message).toBe(`tlsCAFile: ${notPem} holds no PEM certificate`);
      const keyless = await failed({
        ...withClientCertificate(),
        tlsCertificateKeyFile: certificates().caFile,
      });
      expect(keyless.error.message).toBe(
        `tlsCertificateKeyFile: ${certificates().caFile} holds no private key; it needs the ` +
          'certificate and its key',
      );
    });
  });
});
