/**
 * No secret leaves the process, seen from outside it: a child process starts datasources that
 * fail in every way a secret could show (a wrong password in the url and in the parts, a numeric
 * one, a password not percent-encoded, a key passphrase in the url and as a setting, a read-only
 * user writing), logs each error as an app does, with DEBUG on; nothing it writes holds a secret.
 * Juggler's own "Connection fails: ..." line goes to stderr too. The one exception is juggler's
 * `loopback:datasource` debug line of the settings as given (DEBUG=* enables it), printed before
 * a connector is called.
 */
import { runChild } from '../support/child';
import {
  APP_DB,
  USERS,
  allSecrets,
  authUrl,
  certificates,
  hostOf,
  tlsUrl,
} from '../support/secure';

const WRONG = ['Wrong-pw-child1', '9876543210', 'Wrong-passphrase-child2'];

function cases() {
  const host = hostOf(authUrl());
  const certs = certificates();
  const encoded = (user: { user: string; password: string }) =>
    `${user.user}:${encodeURIComponent(user.password)}`;
  return [
    // AuthenticationError
    { settings: { url: `mongodb://appuser:${WRONG[0]}@${host}/${APP_DB}` } },
    {
      settings: {
        host: '127.0.0.1',
        port: Number(host.split(':')[1]),
        database: APP_DB,
        user: USERS.numeric.user,
        password: Number(WRONG[1]),
        authSource: 'admin',
      },
    },
    // the right password against the wrong authSource
    { settings: { url: `mongodb://${encoded(USERS.sha256)}@${host}/${APP_DB}` } },
    // InvalidSettingError: not percent-encoded
    { settings: { url: `mongodb://special:${USERS.special.password}@${host}/${APP_DB}` } },
    // TlsError: the right passphrase in the url, a CA that did not sign the server's certificate
    {
      settings: {
        url: tlsUrl(
          `?tls=true&tlsCAFile=${encodeURIComponent(certs.otherCaFile)}` +
            `&tlsCertificateKeyFile=${encodeURIComponent(certs.clientEncryptedPemFile)}` +
            `&tlsCertificateKeyFilePassword=${encodeURIComponent(certs.clientKeyPassphrase)}`,
        ),
      },
    },
    // TlsError: a wrong passphrase as a setting
    {
      settings: {
        url: tlsUrl(),
        tls: true,
        tlsCAFile: certs.caFile,
        tlsCertificateKeyFile: certs.clientEncryptedPemFile,
        tlsCertificateKeyFilePassword: WRONG[2],
      },
    },
    // AuthorizationError
    {
      settings: { url: `mongodb://${encoded(USERS.reader)}@${host}/${APP_DB}?authSource=admin` },
      write: true,
    },
  ];
}

const EXPECTED = [
  'AuthenticationError',
  'AuthenticationError',
  'AuthenticationError',
  'InvalidSettingError',
  'TlsError',
  'TlsError',
  'AuthorizationError',
];

describe.each(['loopback:connector:mongodb*', '*'])('with DEBUG=%s', (debug) => {
  it('nothing the process writes holds a password or passphrase', async () => {
    const run = await runChild(['failures'], authUrl(), 120_000, {
      DEBUG: debug,
      MONGODB_CHILD_CASES: JSON.stringify(cases()),
    });
    expect(run).toMatchObject({ exited: true, code: 0 });
    expect(JSON.parse(run.stdout.trim().split('\n').pop() as string)).toEqual(EXPECTED);
    // juggler's own `loopback:datasource Settings: {...}` line prints the settings as the app
    // gave them, before any connector is called: not ours to mask (README says so)
    const jugglers = /^\S+ loopback:datasource Settings: /;
    const lines = (run.stdout + run.stderr).split('\n');
    const leaks = lines.flatMap((line) =>
      jugglers.test(line)
        ? []
        : allSecrets(WRONG)
            .filter((secret) => line.includes(secret))
            .map((secret) => `${JSON.stringify(secret)} in: ${line.slice(0, 300)}`),
    );
    expect(leaks).toEqual([]);
    expect(lines.filter((line) => jugglers.test(line))).toHaveLength(
      debug === '*' ? cases().length : 0,
    );
    // what was searched is really there: juggler's line, the errors as logged, our debug lines
    expect(run.stderr).toContain('Connection fails: AuthenticationError: MongoDB refused');
    expect(run.stderr).toContain('Connection fails: TlsError: tlsCertificateKeyFilePassword');
    expect(run.stderr).toContain('Connection fails: InvalidSettingError: datasource setting url');
    expect(run.stderr).toContain('AuthorizationError: ChildEntry: the database user "reader"');
    expect(run.stderr).toMatch(/loopback:connector:mongodb connected to shop/);
    if (debug === '*') expect(run.stderr).toMatch(/loopback:datasource/);
  });
});
