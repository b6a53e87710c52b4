/**
 * Test certificates made on the spot with the machine's `openssl` (Debian's, present on every
 * machine the offline mongod runs on; no network): a CA, a server certificate for localhost and
 * 127.0.0.1, a client certificate (plain and with its key encrypted), and a second CA that signed
 * neither, for "wrong CA" failures. EC P-256 keys: generated in milliseconds.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TestCertificates {
  dir: string;
  /** The CA that signed the server and client certificates. */
  caFile: string;
  /** A CA that signed neither. */
  otherCaFile: string;
  /** Certificate and key of the server, in one PEM file (mongod's --tlsCertificateKeyFile). */
  serverPemFile: string;
  /** Client certificate and key, in one PEM file. */
  clientPemFile: string;
  /** A client certificate from the same CA that no X.509 user is named after. */
  strangerPemFile: string;
  /** The same certificate with its key encrypted (PKCS#8, AES-256) under `clientKeyPassphrase`. */
  clientEncryptedPemFile: string;
  clientKeyPassphrase: string;
  /** The client certificate's subject as MongoDB names an X.509 user (RFC 2253). */
  clientSubject: string;
}

/** Makes the certificates in `dir` (created if missing). */
export function makeCertificates(dir: string, clientKeyPassphrase: string): TestCertificates {
  fs.mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  const openssl = (args: string[], env: Record<string, string> = {}) => {
    try {
      return execFileSync('openssl', args, {
        cwd: dir,
        encoding: 'utf8',
        // the passphrase goes through the environment, never the command line
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT')
        throw new Error('the auth and TLS tests make their certificates with openssl: install it');
      throw error;
    }
  };
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

  const ca = (name: string, cn: string) =>
    openssl([
      'req',
      '-x509',
      ...newKey,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '365',
      '-subj',
      `/O=LoopbackConnectorMongoTest/CN=${cn}`,
    ]);
  ca('ca', 'Test CA');
  ca('other-ca', 'Other CA');

  const leaf = (name: string, subject: string, extensions: string) => {
    openssl(
      ['req', '-new', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.csr`].concat([
        '-subj',
        subject,
      ]),
    );
    fs.writeFileSync(
      file(`${name}.ext`),
      'basicConstraints=CA:FALSE\nsubjectKeyIdentifier=hash\n' +
        'authorityKeyIdentifier=keyid,issuer\n' +
        extensions,
    );
    openssl([
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '365',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ]);
    fs.writeFileSync(
      file(`${name}.pem`),
      fs.readFileSync(file(`${name}.crt`), 'utf8') + fs.readFileSync(file(`${name}.key`), 'utf8'),
    );
  };
  leaf(
    'server',
    '/O=LoopbackConnectorMongoTest/OU=servers/CN=localhost',
    'extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n',
  );
  // O and OU differ from the server's: mongod would take a matching one for a cluster member
  leaf(
    'client',
    '/O=LoopbackConnectorMongoClients/OU=apps/CN=lbapp',
    'extendedKeyUsage=clientAuth\n',
  );
  // signed by the CA too, but no X.509 user is named after it
  leaf(
    'stranger',
    '/O=LoopbackConnectorMongoClients/OU=apps/CN=stranger',
    'extendedKeyUsage=clientAuth\n',
  );

  openssl(
    [
      'pkcs8',
      '-topk8',
      '-in',
      'client.key',
      '-v2',
      'aes-256-cbc',
      '-passout',
      'env:CLIENT_KEY_PASSPHRASE',
      '-out',
      'client-encrypted.key',
    ],
    { CLIENT_KEY_PASSPHRASE: clientKeyPassphrase },
  );
  fs.writeFileSync(
    file('client-encrypted.pem'),
    fs.readFileSync(file('client.crt'), 'utf8') +
      fs.readFileSync(file('client-encrypted.key'), 'utf8'),
  );
  const clientSubject = openssl([
    'x509',
    '-in',
    'client.crt',
    '-noout',
    '-subject',
    '-nameopt',
    'RFC2253',
  ])
    .trim()
    .replace(/^subject=/, '');

  return {
    dir,
    caFile: file('ca.crt'),
    otherCaFile: file('other-ca.crt'),
    serverPemFile: file('server.pem'),
    clientPemFile: file('client.pem'),
    clientEncryptedPemFile: file('client-encrypted.pem'),
    strangerPemFile: file('stranger.pem'),
    clientKeyPassphrase,
    clientSubject,
  };
}
