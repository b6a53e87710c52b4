import * as util from 'node:util';
import {
  hasUnencodedPassword,
  maskError,
  maskSettingValue,
  maskText,
  maskUrl,
  secretsOf,
} from '../../src/credentials';
import { InvalidSettingError } from '../../src/errors';
import { connectionUrl, resolveSettings } from '../../src/settings';

describe('maskUrl', () => {
  it('masks the userinfo password, percent-encoded or not', () => {
    expect(maskUrl('mongodb://app:s3cret@db1:27017,db2/shop?replicaSet=rs')).toBe(
      'mongodb://app:***@db1:27017,db2/shop?replicaSet=rs',
    );
    expect(maskUrl('mongodb://app:p%40ss@h/shop')).toBe('mongodb://app:***@h/shop');
    // not percent-encoded: the LAST @ before the host list ends the userinfo
    expect(maskUrl('mongodb://special:p@ss:w/rd%?#@host/db')).toBe('mongodb://special:***@host/db');
    expect(maskUrl('mongodb+srv://u:pw@cluster0.example.net/shop')).toBe(
      'mongodb+srv://u:***@cluster0.example.net/shop',
    );
  });

  it('leaves a url without a password as it is', () => {
    for (const url of [
      'mongodb://127.0.0.1:27017/shop',
      'mongodb://x509user@h/shop?authMechanism=MONGODB-X509',
      'mongodb://h/shop?appName=reports',
    ])
      expect(maskUrl(url)).toBe(url);
  });

  it('masks every secret query option, and the secret entries of authMechanismProperties', () => {
    expect(
      maskUrl(
        'mongodb://h/db?tls=true&tlsCertificateKeyFilePassword=k%3Ap%40ss&proxyPassword=pp12' +
          '&sslPass=sp34&authMechanism=MONGODB-AWS' +
          '&authMechanismProperties=SERVICE_NAME:mongodb,AWS_SESSION_TOKEN:tok%2Fen99',
      ),
    ).toBe(
      'mongodb://h/db?tls=true&tlsCertificateKeyFilePassword=***&proxyPassword=***' +
        '&sslPass=***&authMechanism=MONGODB-AWS' +
        '&authMechanismProperties=SERVICE_NAME:mongodb,AWS_SESSION_TOKEN:***',
    );
  });
});

describe('secretsOf', () => {
  it('collects every secret of the settings in each form, never a user name or a path', () => {
    const secrets = secretsOf({
      url: 'mongodb://app:url%2Fpw1@h/db?tlsCertificateKeyFilePassword=qp%3A99&appName=visible1',
      user: 'visibleuser',
      password: 4815162342,
      tlsCertificateKeyFile: '/etc/ssl/visible.pem',
      sslPass: 'legacy-pass',
      proxyPassword: 'proxy-pass',
      auth: { username: 'visibleauth', password: 'auth-pass' },
      authMechanismProperties: { SERVICE_NAME: 'visibleservice', AWS_SESSION_TOKEN: 'aws-token' },
      key: Buffer.from('-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n'),
    });
    for (const secret of [
      'url%2Fpw1',
      'url/pw1',
      'qp%3A99',
      'qp:99',
      '4815162342',
      'legacy-pass',
      'proxy-pass',
      'auth-pass',
      'aws-token',
      '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n',
    ])
      expect(secrets).toContain(secret);
    expect(secrets.join('|')).not.toMatch(/visible/);
    // longest first, so a secret is masked whole before a part of it
    expect(secrets).toEqual([...secrets].sort((a, b) => b.length - a.length));
  });

  it('does not search for secrets too short to be told from ordinary text', () => {
    expect(secretsOf({ password: 'pw7' })).toEqual([]);
    expect(maskSettingValue('password', 'pw7')).toBe('***');
  });
});

describe('maskError', () => {
  it('masks message, stack, causes, properties at any depth, Maps and non-enumerables', () => {
    const secrets = secretsOf({ password: 'hunter2-secret' });
    const inner = new Error('driver said hunter2-secret');
    const error = new Error('outer hunter2-secret', { cause: inner }) as Error & {
      value?: unknown;
      reason?: unknown;
    };
    error.value = { nested: [{ deep: { deeper: 'hunter2-secret' } }] };
    error.reason = { servers: new Map([['h:1', { error: new Error('x hunter2-secret') }]]) };
    // read-only but configurable, as some driver properties are
    Object.defineProperty(error, 'hidden', { value: 'hunter2-secret', configurable: true });
    maskError(error, secrets);
    for (const form of [
      error.message,
      String(error.stack),
      inner.message,
      String(inner.stack),
      JSON.stringify(error),
      util.inspect(error, { depth: Infinity, showHidden: true }),
    ]) {
      expect(form).not.toContain('hunter2-secret');
    }
    expect(error.message).toBe('outer ***');
  });

  it('masks a secret wherever it stands in text, however often', () => {
    expect(maskText('a pw-1234 b pw-1234', ['pw-1234'])).toBe('a *** b ***');
  });
});

describe('secrets in settings errors', () => {
  it('InvalidSettingError never holds a url password or a secret in `value`', () => {
    const error = new InvalidSettingError([['url', 'mongodb://u:pw-in-url@h/db']], 'no');
    expect(error.value).toBe('mongodb://u:***@h/db');
    expect(new InvalidSettingError([['password', 4815162342]], 'no').value).toBe('***');
    expect(JSON.stringify(error) + util.inspect(error, { depth: Infinity })).not.toContain(
      'pw-in-url',
    );
  });

  it('hasUnencodedPassword: reserved characters that a url must percent-encode', () => {
    expect(hasUnencodedPassword('mongodb://special:p@ss:w/rd%?#@host/db')).toBe(true);
    expect(hasUnencodedPassword('mongodb://u:50%off@h')).toBe(true);
    expect(hasUnencodedPassword('mongodb://u:p%40ss%3Aw@h/db')).toBe(false);
    expect(hasUnencodedPassword('mongodb://h/db')).toBe(false);
  });

  it('a numeric password is taken in its string form, as the official connector does', () => {
    expect(connectionUrl({ user: 'numeric', password: 4815162342, database: 'shop' })).toBe(
      'mongodb://numeric:4815162342@127.0.0.1:27017/shop',
    );
    expect(resolveSettings({ user: 'n', password: 4815162342 }).url).toContain(':4815162342@');
  });
});
