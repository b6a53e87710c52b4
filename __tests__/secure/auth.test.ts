/**
 * Authentication against a mongod started with `--auth` (see scripts/mongod/secure.ts): the
 * settings apps write, on our connector and on loopback-connector-mongodb 7.0.5; and each failure
 * as a typed error that names what to fix, in time, with no secret in any form.
 */
import {
  AuthenticationError,
  AuthorizationError,
  InvalidSettingError,
  MongoConnectorError,
} from '../../src';
import {
  APP_DB,
  USERS,
  allSecrets,
  authUrl,
  expectNoSecrets,
  hostOf,
  modelName,
  roundTrip,
  worksOnEachConnector,
  dataSources,
  PROMPT_MS,
  SELECTION_TIMEOUT_MS,
} from '../support/secure';
import type { TestModel } from '../support/datasource';

const host = () => hostOf(authUrl());
const port = () => Number(host().split(':')[1]);
const credentials = (user: { user: string; password: string }) =>
  `${user.user}:${encodeURIComponent(user.password)}`;

const start = dataSources();

describe('credentials that work, on both connectors', () => {
  const cases: Array<[string, () => Record<string, unknown>]> = [
    [
      'url with credentials; authSource is the url database',
      () => ({ url: `mongodb://${credentials(USERS.app)}@${host()}/${APP_DB}` }),
    ],
    [
      'parts: host, port, database, user, password, authSource',
      () => ({
        host: '127.0.0.1',
        port: port(),
        database: APP_DB,
        user: USERS.sha256.user,
        password: USERS.sha256.password,
        authSource: 'admin',
      }),
    ],
    [
      'SCRAM-SHA-1 (authMechanism in the url)',
      () => ({
        url:
          `mongodb://${credentials(USERS.sha1)}@${host()}/${APP_DB}` +
          '?authSource=admin&authMechanism=SCRAM-SHA-1',
      }),
    ],
    [
      'SCRAM-SHA-256 (authMechanism as a setting)',
      () => ({
        url: `mongodb://${credentials(USERS.sha256)}@${host()}/${APP_DB}?authSource=admin`,
        authMechanism: 'SCRAM-SHA-256',
      }),
    ],
    [
      'special characters, percent-encoded in the url',
      () => ({
        url: `mongodb://${credentials(USERS.special)}@${host()}/${APP_DB}?authSource=admin`,
      }),
    ],
    [
      'a numeric password, as JSON configs and env parsers give it',
      () => ({
        host: '127.0.0.1',
        port: port(),
        database: APP_DB,
        user: USERS.numeric.user,
        password: Number(USERS.numeric.password),
        authSource: 'admin',
      }),
    ],
  ];
  for (const [name, settings] of cases) {
    it(name, () => worksOnEachConnector(start, settings()));
  }

  it('special characters given as the password setting (ours percent-encodes them)', async () => {
    const { ds, error } = await start({
      host: '127.0.0.1',
      port: port(),
      database: APP_DB,
      user: USERS.special.user,
      password: USERS.special.password,
      authSource: 'admin',
    });
    expect(error).toBeUndefined();
    await roundTrip(ds);
  });
});

describe('an authentication failure: AuthenticationError, 500, as fast as the server answers', () => {
  async function refused(settings: Record<string, unknown>, secret: string) {
    const { ds, error, ms } = await start({
      serverSelectionTimeoutMS: SELECTION_TIMEOUT_MS,
      ...settings,
    });
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ statusCode: 500, code: 'AUTHENTICATION_FAILED' });
    expect(ms).toBeLessThan(PROMPT_MS);
    expect((error as Error).message).not.toMatch(/within \d+ ms/);
    expectNoSecrets(error, allSecrets([secret]));
    // the connect promise and an operation get the same, as fast
    const again = await ds.connect().catch((e: unknown) => e);
    expect(again).toBeInstanceOf(AuthenticationError);
    const Model: TestModel = ds.createModel(modelName('Refused'), { label: String });
    const fromOperation = await Model.create({ label: 'x' }).catch((e: unknown) => e);
    expect(fromOperation).toBeInstanceOf(AuthenticationError);
    expectNoSecrets(fromOperation, allSecrets([secret]));
    return error as AuthenticationError;
  }

  it('a wrong password in the url', async () => {
    const error = await refused(
      { url: `mongodb://appuser:Wrong-pw-url1@${host()}/${APP_DB}` },
      'Wrong-pw-url1',
    );
    expect(error.message).toBe(
      `MongoDB refused to authenticate user "appuser" against authSource "${APP_DB}": check the ` +
        'user name, the password and authSource (the database the user was created in). ' +
        'The server said: Authentication failed.',
    );
    expect((error.cause as { code?: number }).code).toBe(18);
  });

  it('a wrong password in the parts', async () => {
    await refused(
      {
        host: '127.0.0.1',
        port: port(),
        database: APP_DB,
        user: USERS.sha256.user,
        password: 'Wrong-pw-parts2',
        authSource: 'admin',
      },
      'Wrong-pw-parts2',
    );
  });

  it('a wrong numeric password', async () => {
    const error = await refused(
      {
        host: '127.0.0.1',
        port: port(),
        database: APP_DB,
        user: USERS.numeric.user,
        password: 1234567890,
        authSource: 'admin',
      },
      '1234567890',
    );
    expect(error.message).toMatch(/user "numeric" against authSource "admin"/);
  });

  it('the right password against the wrong authSource', async () => {
    const error = await refused(
      { url: `mongodb://${credentials(USERS.sha256)}@${host()}/${APP_DB}` },
      USERS.sha256.password,
    );
    expect(error.message).toMatch(/authSource "shop"/);
  });

  it('a mechanism the user has no credentials for', async () => {
    const error = await refused(
      {
        url: `mongodb://${credentials(USERS.sha1)}@${host()}/${APP_DB}?authSource=admin`,
        authMechanism: 'SCRAM-SHA-256',
      },
      USERS.sha1.password,
    );
    expect(error.message).toMatch(/user "sha1user" with SCRAM-SHA-256 against authSource/);
  });
});

describe('a password the app did not percent-encode in the url', () => {
  it('is refused at once, with none of its characters shown', async () => {
    const { error, ms } = await start({
      url: `mongodb://special:${USERS.special.password}@${host()}/${APP_DB}`,
    });
    expect(ms).toBeLessThan(PROMPT_MS);
    expect(error).toBeInstanceOf(InvalidSettingError);
    expect((error as Error).message).toBe(
      `datasource setting url = "mongodb://special:***@${host()}/${APP_DB}" cannot work: ` +
        'its password holds characters a url must percent-encode (@ : / ? # [ ] %): ' +
        'encode it with encodeURIComponent, or give it as the password setting',
    );
    expect((error as InvalidSettingError).value).toBe(`mongodb://special:***@${host()}/${APP_DB}`);
    // the case: masking that stopped at the first @ showed 11 of its 12 characters
    expectNoSecrets(error, allSecrets(['ss:w/rd%?#', 'ss:w', '/rd%?#']));
  });
});

describe('an authorization failure: AuthorizationError, 403, naming the command, not the data', () => {
  const readerUrl = () =>
    `mongodb://${credentials(USERS.reader)}@${host()}/${APP_DB}?authSource=admin`;

  it('a read-only user reads, and its writes are refused with nothing written', async () => {
    const writer = await start({ url: `mongodb://${credentials(USERS.app)}@${host()}/${APP_DB}` });
    const name = modelName('Ledger');
    const Written: TestModel = writer.ds.createModel(name, { label: String });
    await Written.destroyAll();
    await Written.create({ label: 'seen' });

    const { ds, error } = await start({ url: readerUrl() });
    expect(error).toBeUndefined();
    const Ledger: TestModel = ds.createModel(name, { label: String });
    expect((await Ledger.find()).map((l: { label: string }) => l.label)).toEqual(['seen']);

    const refusedCreate = await Ledger.create({ label: 'confidential-entry-77' }).catch(
      (e: unknown) => e,
    );
    expect(refusedCreate).toBeInstanceOf(AuthorizationError);
    expect(refusedCreate).toMatchObject({
      statusCode: 403,
      code: 'NOT_AUTHORIZED',
      model: name,
    });
    expect((refusedCreate as Error).message).toBe(
      `${name}: the database user "reader" is not authorized to run insert on database ` +
        `${APP_DB}: grant it a role that allows it (readWrite for writes), or use a user that has one`,
    );
    // MongoDB's own message, kept as the cause, echoes the document; ours does not
    expect((refusedCreate as Error).message).not.toContain('confidential-entry-77');
    expect(((refusedCreate as Error).cause as Error).message).toContain('confidential-entry-77');
    expectNoSecrets(refusedCreate);

    const refusedUpdate = await Ledger.updateAll({ label: 'seen' }, { label: 'changed' }).catch(
      (e: unknown) => e,
    );
    expect(refusedUpdate).toBeInstanceOf(AuthorizationError);
    expect((refusedUpdate as Error).message).toMatch(/not authorized to run update on database/);
    const refusedMigrate = await ds.automigrate(name).catch((e: unknown) => e);
    expect(refusedMigrate).toBeInstanceOf(AuthorizationError);
    expect(refusedMigrate).toBeInstanceOf(MongoConnectorError);

    expect((await Written.find()).map((l: { label: string }) => l.label)).toEqual(['seen']);
  });
});
