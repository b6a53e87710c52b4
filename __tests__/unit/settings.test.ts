import { hostname } from 'node:os';
import { MongoParseError, MongoInvalidArgumentError } from 'mongodb';
import { OPTIONS } from 'mongodb/lib/connection_string';
import { InvalidSettingError } from '../../src/errors';
import {
  checkDriverOptions,
  collationOf,
  connectionUrl,
  databaseName,
  resolveSettings,
  type MongoDBSettings,
} from '../../src/settings';

/** The plan without the runtime adapter every plan carries (checked once below). */
// configs arrive as untyped JSON (datasources.json, env): the helpers take them as such
type Config = Record<string, unknown>;

function planOf(config: Config) {
  const plan = resolveSettings(config as MongoDBSettings);
  const { runtimeAdapters, ...driverOptions } = plan.driverOptions;
  expect(runtimeAdapters).toBeDefined();
  return { ...plan, driverOptions };
}

/** resolveSettings and the driver's own parser, as the connector runs them at start-up. */
function accepted(config: Config) {
  const settings = config as MongoDBSettings;
  const plan = planOf(settings);
  checkDriverOptions(resolveSettings(settings), settings);
  return plan;
}

function refusal(config: Config): InvalidSettingError {
  const settings = config as MongoDBSettings;
  try {
    checkDriverOptions(resolveSettings(settings), settings);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSettingError);
    return error as InvalidSettingError;
  }
  throw new Error(`accepted ${JSON.stringify(settings)}`);
}

// what `lb4 datasource` writes for MongoDB (the generator's answers left blank are '')
const lb4Cli = {
  name: 'db',
  connector: 'mongodb',
  url: '',
  host: 'localhost',
  port: 27017,
  user: '',
  password: '',
  database: 'testdb',
  useNewUrlParser: true,
};

describe('settings written by LoopBack generators', () => {
  it("lb4 datasource's config: parts build the url, blanks are not given, useNewUrlParser is dropped", () => {
    expect(accepted(lb4Cli)).toEqual({
      url: 'mongodb://localhost:27017/testdb',
      dbName: 'testdb',
      driverOptions: {},
      dropped: ['useNewUrlParser'],
      renamed: [],
      unknown: [],
    });
  });

  it('with useUnifiedTopology and writeConcern: {j: null} too', () => {
    const plan = accepted({ ...lb4Cli, useUnifiedTopology: true, writeConcern: { j: null } });
    expect(plan.driverOptions).toEqual({ writeConcern: { j: null } });
    expect(plan.dropped).toEqual(['useNewUrlParser', 'useUnifiedTopology']);
    expect(plan.unknown).toEqual([]);
  });

  it('a url naming a database wins over `database` (the CLI writes both)', () => {
    const plan = accepted({
      ...lb4Cli,
      url: 'mongodb+srv://app:s3cret@cluster0.example.net/shop?retryWrites=true&w=majority',
      user: 'app',
      password: 's3cret',
      database: 'myFirstDatabase',
    });
    expect(plan.url).toBe(
      'mongodb+srv://app:s3cret@cluster0.example.net/shop?retryWrites=true&w=majority',
    );
    expect(plan.dbName).toBe('shop');
  });

  it('a url naming no database gets `database`, in the path, so it is also the auth database', () => {
    const settings = { ...lb4Cli, url: 'mongodb://app:pw@db1:27017,db2:27017/?replicaSet=rs0' };
    expect(accepted(settings)).toMatchObject({
      url: 'mongodb://app:pw@db1:27017,db2:27017/testdb?replicaSet=rs0',
      dbName: 'testdb',
    });
    expect(connectionUrl({ url: 'mongodb://h:1', database: 'a b' })).toBe('mongodb://h:1/a%20b');
    expect(connectionUrl({ url: 'mongodb://h:1?appName=x', db: 'd' })).toBe(
      'mongodb://h:1/d?appName=x',
    );
  });

  it("LoopBack 3's generator (host '', port 0, database ''): the defaults", () => {
    expect(
      accepted({
        host: '',
        port: 0,
        url: '',
        database: '',
        password: '',
        name: 'mongoDs',
        user: '',
        connector: 'mongodb',
      }),
    ).toMatchObject({ url: 'mongodb://127.0.0.1:27017/', dbName: undefined, unknown: [] });
  });
});

describe('settings the official connector documents', () => {
  it('mongodb+srv from parts has no port', () => {
    expect(
      accepted({
        host: 'myserver.example.net',
        port: 27017,
        database: 'testdb',
        protocol: 'mongodb+srv',
      }),
    ).toMatchObject({ url: 'mongodb+srv://myserver.example.net/testdb', dbName: 'testdb' });
  });

  it('TLS options, authSource and replicaSet go to the driver, also next to a url', () => {
    const tls = {
      tls: true,
      tlsCertificateKeyFile: '/local/path/to/pem-file',
      tlsCAFile: '/local/path/to/ca-file',
    };
    expect(planOf({ ...lb4Cli, ...tls }).driverOptions).toEqual(tls);
    expect(
      accepted({ url: 'mongodb://h:27017/shop', authSource: 'admin', replicaSet: 'rs0' })
        .driverOptions,
    ).toEqual({ authSource: 'admin', replicaSet: 'rs0' });
  });

  it('hosts as an array or a comma-separated string; username and db as older spellings', () => {
    expect(
      accepted({ hosts: ['db1:27017', ' db2:27018'], username: 'u', password: 'p', db: 'shop' })
        .url,
    ).toBe('mongodb://u:p@db1:27017,db2:27018/shop');
    expect(connectionUrl({ hosts: 'db1:1,db2:2', hostname: 'ignored' })).toBe(
      'mongodb://db1:1,db2:2/',
    );
    expect(connectionUrl({ hostname: 'h', port: '27018' })).toBe('mongodb://h:27018/');
  });

  it("the connector's own switches are typed and never reach the driver", () => {
    const plan = accepted({
      url: 'mongodb://h/shop',
      lazyConnect: true,
      allowExtendedOperators: true,
      disableSanitization: false,
      strictObjectIDCoercion: true,
      enableGeoIndexing: true,
      collation: { locale: 'en', strength: 2 },
      disableDefaultSort: true,
      enableOptimisedfindOrCreate: true,
      enableOptimisedFindOrCreate: true,
      enableOptimizedfindOrCreate: true,
      enableOptimizedFindOrCreate: true,
      implicitNullType: false,
    });
    expect(plan.driverOptions).toEqual({});
    expect(plan.unknown).toEqual([]);
  });

  it("juggler's and LoopBack's datasource settings never reach the driver", () => {
    const plan = accepted({
      url: 'mongodb://h/shop',
      name: 'db', // also a driver option (driverInfo.name), but not what a datasource means by it
      connector: {},
      adapter: 'mongodb',
      debug: true,
      connectionTimeout: 5000,
      maxOfflineRequests: 10,
      catchFailure: true,
      inqLimit: 100,
      maxDepthOfQuery: 12,
      maxDepthOfData: 32,
      prohibitHiddenPropertiesInQuery: true,
      normalizeUndefinedInQuery: 'ignore',
      defaultForType: 'db',
    });
    expect(plan.driverOptions).toEqual({});
    expect(plan.unknown).toEqual([]);
  });
});

describe('driver options', () => {
  it('every option of the driver passes under the name given, in any case', () => {
    // `name` is the datasource's name to juggler, so the driver's driverInfo.name is not meant
    // (runtimeAdapters: see below)
    const names = Object.keys(OPTIONS).filter((n) => n !== 'name' && n !== 'runtimeAdapters');
    expect(names.length).toBeGreaterThan(80); // the driver's table is really there
    for (const name of names) {
      expect(planOf({ [name]: 'x' }).driverOptions).toEqual({ [name]: 'x' });
    }
    expect(accepted({ maxpoolsize: 5, MaxPoolSize: undefined }).driverOptions).toEqual({
      maxpoolsize: 5,
    });
  });

  it("the driver's os adapter is always handed over; an app's own adapters win", () => {
    expect(resolveSettings({}).driverOptions.runtimeAdapters?.os).toHaveProperty(
      'hostname',
      hostname,
    );
    const os = { platform: () => 'test' };
    expect(
      resolveSettings({ runtimeAdapters: { os } as never }).driverOptions.runtimeAdapters,
    ).toEqual({ os });
  });

  it('options driver 7 removed, whose behaviour is built in, are dropped (any case)', () => {
    const removed = {
      useNewUrlParser: true,
      useUnifiedTopology: true,
      safe: true,
      autoReconnect: true,
      auto_reconnect: true,
      reconnectTries: 30,
      reconnectInterval: 1000,
      bufferMaxEntries: 0,
      keepAlive: true,
      native_parser: true,
      numberOfRetries: 5,
      ha: true,
      haInterval: 1000,
      domainsEnabled: false,
      validateOptions: true,
      promiseLibrary: Promise,
      logger: console,
      loggerLevel: 'error',
      USENEWURLPARSER: true,
    };
    const plan = accepted({ url: 'mongodb://h/shop', ...removed });
    expect(plan.dropped).toEqual(Object.keys(removed));
    expect(plan.driverOptions).toEqual({});
    expect(plan.unknown).toEqual([]);
  });

  it('options driver 7 renamed are handed over under the new name', () => {
    const plan = accepted({
      url: 'mongodb://h/shop',
      poolSize: 7,
      sslValidate: false,
      sslCA: '/ca.pem',
      sslCRL: '/crl.pem',
      sslPass: 'pem-pass',
      sslKey: '/client.pem',
    });
    expect(plan.driverOptions).toEqual({
      maxPoolSize: 7,
      tlsAllowInvalidCertificates: true,
      tlsCAFile: '/ca.pem',
      tlsCRLFile: '/crl.pem',
      tlsCertificateKeyFilePassword: 'pem-pass',
      tlsCertificateKeyFile: '/client.pem',
    });
    expect(plan.renamed).toContainEqual(['poolSize', 'maxPoolSize']);
    expect(planOf({ sslValidate: true }).driverOptions).toEqual({
      tlsAllowInvalidCertificates: false,
    });
  });

  it('names nobody knows are listed as unknown and kept from the driver', () => {
    const plan = accepted({ ...lb4Cli, frobnicate: 1, maxPoolSise: 3 });
    expect(plan.unknown).toEqual(['frobnicate', 'maxPoolSise']);
    expect(plan.driverOptions).toEqual({});
  });

  it('null and undefined values are not given', () => {
    expect(planOf({ maxPoolSize: null, appName: undefined, frobnicate: null })).toMatchObject({
      driverOptions: {},
      unknown: [],
    });
  });
});

describe('credentials', () => {
  it('are percent-encoded, keeping escapes already there', () => {
    expect(connectionUrl({ user: 'app@corp', password: 'p@ss:w/rd', database: 'd' })).toBe(
      'mongodb://app%40corp:p%40ss%3Aw%2Frd@127.0.0.1:27017/d',
    );
    // the official connector's README tells users to encode themselves: 'pa$$wd' as 'pa%24%24wd'
    expect(connectionUrl({ user: 'app', password: 'pa%24%24wd' })).toBe(
      'mongodb://app:pa%24%24wd@127.0.0.1:27017/',
    );
    expect(connectionUrl({ user: 'app', password: '50%off' })).toBe(
      'mongodb://app:50%25off@127.0.0.1:27017/',
    );
  });

  it('a user without a password (x509, or a blank answer) has no password part', () => {
    expect(connectionUrl({ user: 'app', password: '' })).toBe('mongodb://app@127.0.0.1:27017/');
    expect(connectionUrl({ user: '', password: 'pw' })).toBe('mongodb://127.0.0.1:27017/');
  });
});

describe('values that cannot work are refused, naming the setting and value', () => {
  it('a driver option the driver refuses: its own error as cause', () => {
    const pool = refusal({ ...lb4Cli, maxPoolSize: 'abc' });
    expect(pool.message).toBe(
      'datasource setting maxPoolSize = "abc" cannot work: ' +
        'Expected maxPoolSize to be stringified int value, got: abc',
    );
    expect([pool.setting, pool.value]).toEqual(['maxPoolSize', 'abc']);
    expect(pool.cause).toBeInstanceOf(MongoParseError);
    expect(pool.code).toBe('INVALID_SETTING');

    const readPreference = refusal({ url: 'mongodb://h/shop', readPreference: 'nope' });
    expect(readPreference.message).toMatch(
      /^datasource setting readPreference = "nope" cannot work: Invalid read preference mode "nope"$/,
    );
    expect(readPreference.cause).toBeInstanceOf(MongoInvalidArgumentError);
  });

  it('secrets are never shown', () => {
    expect(refusal({ auth: 's3cret' }).message).toMatch(
      /^datasource setting auth = "\*\*\*" cannot work: credentials must be an object/,
    );
    for (const name of ['password', 'proxyPassword', 'sslPass', 'tlsCertificateKeyFilePassword'])
      expect(new InvalidSettingError([[name, 's3cret']], 'no').message).toBe(
        `datasource setting ${name} = "***" cannot work: no`,
      );
  });

  it('a renamed option is named as the app wrote it', () => {
    expect(refusal({ poolSize: 'many' }).message).toMatch(/^datasource setting poolSize = "many"/);
  });

  it('options that fail only together are named together', () => {
    expect(refusal({ tls: true, ssl: false }).message).toBe(
      'datasource settings tls = true, ssl = false cannot work together: ' +
        'All values of tls/ssl must be the same.',
    );
  });

  it('a malformed url: the driver parse error, the password hidden', () => {
    const scheme = refusal({ url: 'http://db.example.net/shop' });
    expect(scheme.message).toMatch(
      /^datasource setting url = "http:\/\/db.example.net\/shop" cannot work: Invalid scheme/,
    );
    // thrown by the driver's connection-string package, which has its own MongoParseError class
    expect((scheme.cause as Error).name).toBe('MongoParseError');
    const password = refusal({ url: 'mongodb://app:a:b@h/shop' });
    // our own reason: the driver's messages may quote pieces of such a password
    expect(password.message).toBe(
      'datasource setting url = "mongodb://app:***@h/shop" cannot work: its password holds ' +
        'characters a url must percent-encode (@ : / ? # [ ] %): encode it with ' +
        'encodeURIComponent, or give it as the password setting',
    );
    expect(refusal({ url: 'mongodb+srv://h:27017/x' }).message).toMatch(/cannot have port number/);
    expect(refusal({ url: 'mongodb://h/x?frobnicate=1' }).message).toMatch(
      /^datasource setting url = .* option frobnicate is not supported/,
    );
  });

  it('a url built from parts that fails names the part that makes the host list', () => {
    expect(refusal({ host: 'h:1', port: 2 }).setting).toBe('host');
    expect(refusal({ hosts: 'h1:1,h2:x' }).setting).toBe('hosts');
  });

  it("our own settings' types", () => {
    const cases: Array<[MongoDBSettings, string, RegExp]> = [
      [{ port: 'x' }, 'port', /port = "x" cannot work: must be a port number/],
      [{ port: 123456 }, 'port', /must be a port number/],
      [{ protocol: 'http' as never }, 'protocol', /must be "mongodb" or "mongodb\+srv"/],
      [
        { lazyConnect: 'yes' as never },
        'lazyConnect',
        /lazyConnect = "yes" cannot work: must be true or false/,
      ],
      [
        { enableOptimisedFindOrCreate: 1 as never },
        'enableOptimisedFindOrCreate',
        /must be true or false/,
      ],
      [{ url: 42 as never }, 'url', /must be a string/],
      [{ password: true as never }, 'password', /password = "\*\*\*" cannot work/],
      [{ hosts: [1] as never }, 'hosts', /must be/],
      [{ collation: 5 as never }, 'collation', /must be \{locale: \.\.\.\} or a locale/],
    ];
    for (const [settings, setting, message] of cases) {
      let error: unknown;
      try {
        resolveSettings(settings);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidSettingError);
      expect((error as InvalidSettingError).setting).toBe(setting);
      expect((error as Error).message).toMatch(message);
    }
  });
});

describe('database and collation', () => {
  it('databaseName: the url, else database, else db, else the driver default', () => {
    expect(databaseName({ url: 'mongodb://h/fromUrl', database: 'other' })).toBe('fromUrl');
    expect(databaseName({ url: 'mongodb://h/', database: 'other' })).toBe('other');
    expect(databaseName({ url: 'mongodb://u:p%2F@h1,h2/my%20db?x=1' })).toBe('my db');
    expect(databaseName({ db: 'old' })).toBe('old');
    expect(databaseName({})).toBeUndefined();
  });

  it('collationOf: an object as is, a string as a locale', () => {
    expect(collationOf({ collation: { locale: 'fr', strength: 1 } })).toEqual({
      locale: 'fr',
      strength: 1,
    });
    expect(collationOf({ collation: 'en' })).toEqual({ locale: 'en' });
    expect(collationOf({})).toBeUndefined();
  });
});
