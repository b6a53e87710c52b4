import { MongoClient, type ClientSession } from 'mongodb';
import { InvalidSettingError } from '../../src/errors';
import {
  bindSession,
  databaseNameProblem,
  ruleProblem,
  TenantDatabaseError,
  TenantDatabases,
  tenantRules,
  tenantsOff,
  type TenantRules,
} from '../../src/tenants';

const rules = (setting: unknown) => tenantRules(setting) as TenantRules;

describe('databaseNameProblem: what MongoDB (and we) refuse as a tenant database', () => {
  it.each(['tenant_a', 'Acme-42', 'ü'.repeat(31), 'a'.repeat(63)])('accepts %s', (name) => {
    expect(databaseNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['admin', /keeps for itself/],
    ['local', /keeps for itself/],
    ['config', /keeps for itself/],
    // one cannot make a database whose name differs from an existing one's only by case
    ['ADMIN', /keeps for itself/],
    ['Config', /keeps for itself/],
    ['a'.repeat(64), /at most 63 bytes/],
    // 32 two-byte characters: 64 bytes
    ['ü'.repeat(32), /at most 63 bytes/],
    [42, /must be a string/],
    [null, /must be a string/],
    [{ $ne: 'x' }, /must be a string/],
  ])('refuses %j', (name, reason) => {
    expect(databaseNameProblem(name)).toMatch(reason);
  });

  it.each(['/', '\\', '.', ' ', '"', '$', '*', '<', '>', ':', '|', '?'])(
    'refuses a name with %j',
    (char) => {
      expect(databaseNameProblem(`tenant${char}a`)).toMatch(
        new RegExp(`cannot contain ${JSON.stringify(char).replace(/[\\$*.|?]/g, '\\$&')}`),
      );
    },
  );

  it('refuses NUL', () => {
    expect(databaseNameProblem('tenant\0a')).toMatch(/cannot contain NUL/);
  });
});

describe('tenantRules: the tenantDatabases setting, checked at start-up', () => {
  it('is off when absent', () => {
    expect(tenantRules(undefined)).toBeUndefined();
    expect(tenantRules(null)).toBeUndefined();
    expect(tenantRules(false)).toBeUndefined();
  });

  it('compiles a pattern string once', () => {
    const { pattern, cacheSize } = rules({ pattern: '^t_[a-z]+$' });
    expect(pattern).toEqual(/^t_[a-z]+$/);
    expect(cacheSize).toBe(1000);
  });

  it.each([
    [true, 'tenantDatabases', /must be an object/],
    ['tenant_', 'tenantDatabases', /must be an object/],
    [{}, 'tenantDatabases', /say which database names/],
    [{ prefx: 't_' }, 'tenantDatabases.prefx', /not a key/],
    [{ prefix: '' }, 'tenantDatabases.prefix', /non-empty string/],
    [{ prefix: 3 }, 'tenantDatabases.prefix', /non-empty string/],
    [{ prefix: 'admin' }, 'tenantDatabases.prefix', /keeps for itself/],
    [{ prefix: 'a.b' }, 'tenantDatabases.prefix', /cannot contain "\."/],
    [{ pattern: '(' }, 'tenantDatabases.pattern', /Invalid regular expression/],
    [{ pattern: /t/g }, 'tenantDatabases.pattern', /g or y flag/],
    [{ pattern: 7 }, 'tenantDatabases.pattern', /regular expression/],
    [{ allow: 'yes' }, 'tenantDatabases.allow', /must be a function/],
    [{ prefix: 't_', cacheSize: 0 }, 'tenantDatabases.cacheSize', /integer ≥ 1/],
  ])('refuses %p, naming %s', (setting, name, reason) => {
    let error: unknown;
    try {
      tenantRules(setting);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidSettingError);
    expect((error as InvalidSettingError).setting).toBe(name);
    expect((error as Error).message).toMatch(reason);
  });
});

describe('ruleProblem: the allowed set', () => {
  it('prefix: the name starts with it and has more', () => {
    const r = rules({ prefix: 't_' });
    expect(ruleProblem(r, 't_acme')).toBeUndefined();
    expect(ruleProblem(r, 't_')).toMatch(/starting with "t_"/);
    expect(ruleProblem(r, 'acme')).toMatch(/starting with "t_"/);
  });

  it('pattern', () => {
    const r = rules({ pattern: /^t_[a-z]{1,8}$/ });
    expect(ruleProblem(r, 't_acme')).toBeUndefined();
    expect(ruleProblem(r, 't_ACME')).toMatch(/matching \/\^t_\[a-z\]\{1,8\}\$\//);
  });

  it('allow: only `true` lets a name through; each rule given must pass', () => {
    const known = new Set(['t_acme', 't_beta']);
    const r = rules({ prefix: 't_', allow: (name: string) => known.has(name) });
    expect(ruleProblem(r, 't_acme')).toBeUndefined();
    expect(ruleProblem(r, 't_gone')).toMatch(/allow refused/);
    expect(ruleProblem(r, 'u_acme')).toMatch(/starting with/);
    const truthy = rules({ allow: () => 1 as unknown as boolean });
    expect(ruleProblem(truthy, 'x')).toMatch(/allow refused/);
  });
});

describe('TenantDatabases: Db handles per name on one client', () => {
  // a client that is never connected: db() makes a handle without any I/O
  const client = new MongoClient('mongodb://127.0.0.1:1');

  it('gives one handle per name and asks allow on every call', () => {
    const allowed = new Set(['t_a', 't_b']);
    const tenants = new TenantDatabases(
      rules({ prefix: 't_', allow: (n: string) => allowed.has(n) }),
    );
    const a = tenants.database(client, 't_a');
    expect(a.databaseName).toBe('t_a');
    expect(tenants.database(client, 't_a')).toBe(a);
    expect(tenants.database(client, 't_b')).not.toBe(a);
    // a tenant removed while its handle is cached is refused from the next call on
    allowed.delete('t_a');
    expect(() => tenants.database(client, 't_a')).toThrow(TenantDatabaseError);
  });

  it('refuses malformed and reserved names that the rules would let through', () => {
    const tenants = new TenantDatabases(rules({ pattern: /.*/ }));
    for (const name of ['admin', 'local', 'config', '', 'a.b', 'a'.repeat(64), 5]) {
      expect(() => tenants.database(client, name)).toThrow(/^options\.database = .* is refused: /);
    }
    expect(tenants.size).toBe(0);
  });

  it('keeps at most cacheSize handles, dropping the first made', () => {
    const tenants = new TenantDatabases(rules({ prefix: 't_', cacheSize: 2 }));
    const a = tenants.database(client, 't_a');
    const b = tenants.database(client, 't_b');
    expect(tenants.database(client, 't_a')).toBe(a);
    tenants.database(client, 't_c');
    expect(tenants.size).toBe(2);
    // t_a went (a new handle for it now), t_b stayed
    expect(tenants.database(client, 't_b')).toBe(b);
    expect(tenants.database(client, 't_a')).not.toBe(a);
  });

  it('makes a new handle for a new client (after a reconnect)', () => {
    const tenants = new TenantDatabases(rules({ prefix: 't_' }));
    const first = tenants.database(client, 't_a');
    const other = new MongoClient('mongodb://127.0.0.1:2');
    const second = tenants.database(other, 't_a');
    expect(second).not.toBe(first);
    expect(second.client).toBe(other);
  });
});

describe('errors', () => {
  it('name the option and the value', () => {
    const off = tenantsOff('t_a');
    expect(off.message).toMatch(/^options\.database = "t_a" is refused: .*no tenantDatabases/);
    expect(off.statusCode).toBe(500);
    expect(off.code).toBe('TENANT_DATABASE_REFUSED');
    expect(new TenantDatabaseError('x', 'why').statusCode).toBe(400);
  });

  it('a transaction stays in the database of its first operation', () => {
    const session = {} as ClientSession;
    bindSession(session, 't_a');
    bindSession(session, 't_a');
    expect(() => bindSession(session, 't_b')).toThrow(/runs in database "t_a"/);
  });
});
