/**
 * Behaviours an app switching from loopback-connector-mongodb meets. Where both connectors are
 * meant to behave alike, the same app code runs on both (describe.each); where ours deliberately
 * differs, the test is ours alone and the README's switching table says why.
 */
import type { DataSource } from 'loopback-datasource-juggler';
import { OperatorNotAllowedError } from '../../src';
import * as ours from '../../src';
import { CONNECTORS, connectedDataSource } from '../support/connectors';
import type { TestModel } from '../support/datasource';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- juggler's define is untyped here
const define = (ds: DataSource, ...args: unknown[]): TestModel => (ds as any).define(...args);

const COUNTER = { name: String, n: Number, tags: [String] };
const ALLOW = { allowExtendedOperators: true };

describe.each(CONNECTORS)('allowExtendedOperators on %s', (label, connector) => {
  let ds: DataSource;
  let Counter: TestModel;
  let ByModel: TestModel;
  let Loose: TestModel;
  let Strict: TestModel;

  beforeAll(async () => {
    ds = await connectedDataSource(connector, 'ob_ext');
    Counter = define(ds, 'Counter', COUNTER, { forceId: false });
    ByModel = define(ds, 'ByModel', COUNTER, { mongodb: { allowExtendedOperators: true } });
    Loose = define(ds, 'Loose', COUNTER, { strict: false, forceId: false });
    Strict = define(ds, 'Strict', COUNTER, { strict: true, forceId: false });
    await ds.automigrate();
  });
  afterAll(() => ds.disconnect());
  afterEach(() => {
    delete ds.settings.allowExtendedOperators;
  });

  async function seed(Model: TestModel): Promise<TestModel> {
    await Model.destroyAll();
    return Model.create({ name: 'a', n: 1, tags: ['t'] });
  }
  const stored = async (Model: TestModel, id: unknown) => (await Model.findById(id)).toObject();

  it('honours the datasource setting when it is turned on after the models are in use', async () => {
    const c = await seed(Counter);
    ds.settings.allowExtendedOperators = true;
    await Counter.updateAll({ name: 'a' }, { $inc: { n: 2 }, $push: { tags: 'u' } });
    expect(await stored(Counter, c.id)).toMatchObject({ n: 3, tags: ['t', 'u'] });
    // juggler reads the same setting for where clauses
    expect(await Counter.count({ n: { $gt: 2 } })).toBe(1);
  });

  it('honours the model setting under mongodb', async () => {
    const c = await seed(ByModel);
    await ByModel.updateAll({ name: 'a' }, { $inc: { n: 2 } });
    expect(await stored(ByModel, c.id)).toMatchObject({ n: 3 });
  });

  it('honours the per-call option in updateAll, updateAttributes and upsertWithWhere', async () => {
    const c = await seed(Counter);
    await Counter.updateAll({ name: 'a' }, { $inc: { n: 10 } }, ALLOW);
    await (await Counter.findById(c.id)).updateAttributes({ $push: { tags: 'v' } }, ALLOW);
    await Counter.upsertWithWhere({ name: 'a' }, { $inc: { n: 100 } }, ALLOW);
    expect(await stored(Counter, c.id)).toMatchObject({ n: 111, tags: ['t', 'v'] });
  });

  it('applies $inc and $push in updateOrCreate on a non-strict model', async () => {
    const c = await seed(Loose);
    await Loose.updateOrCreate({ id: c.id, $inc: { n: 1 }, $push: { tags: 'w' } }, ALLOW);
    expect(await stored(Loose, c.id)).toMatchObject({ n: 2, tags: ['t', 'w'] });
  });

  it('gets no operators in updateOrCreate on a strict model: juggler strips them first', async () => {
    const c = await seed(Strict);
    // juggler logs "Ignoring validation errors in updateOrCreate()" and drops $push; the plain
    // property still reaches the connector
    await Strict.updateOrCreate({ id: c.id, name: 'b', $push: { tags: 'x' } }, ALLOW);
    expect(await stored(Strict, c.id)).toMatchObject({ name: 'b', n: 1, tags: ['t'] });
  });

  it('passes $where with the per-call disableSanitization option', async () => {
    await seed(Counter);
    await Counter.create({ name: 'b', n: 5 });
    const found = await Counter.find(
      { where: { $where: 'this.n > 2' } },
      { disableSanitization: true },
    );
    expect(found.map((c: TestModel) => c.name)).toEqual(['b']);
  });

  if (label !== 'ours') return;

  // ---- where ours differs (README: switching table) ----------------------------------------

  it('refuses operators again when the datasource setting is turned off', async () => {
    const c = await seed(Counter);
    ds.settings.allowExtendedOperators = true;
    await Counter.updateAll({ name: 'a' }, { $inc: { n: 1 } });
    ds.settings.allowExtendedOperators = false;
    await expect(Counter.updateAll({ name: 'a' }, { $inc: { n: 1 } })).rejects.toBeInstanceOf(
      OperatorNotAllowedError,
    );
    expect(await stored(Counter, c.id)).toMatchObject({ n: 2 });
  });

  it('honours the model setting at the top level, where juggler reads it', async () => {
    const Top = define(ds, 'Top', COUNTER, { allowExtendedOperators: true });
    const c = await seed(Top);
    await Top.updateAll({ name: 'a' }, { $inc: { n: 2 } });
    expect(await stored(Top, c.id)).toMatchObject({ n: 3 });
  });

  it('lets a call refuse what the model allows', async () => {
    const c = await seed(ByModel);
    await expect(
      ByModel.updateAll({ name: 'a' }, { $inc: { n: 2 } }, { allowExtendedOperators: false }),
    ).rejects.toBeInstanceOf(OperatorNotAllowedError);
    expect(await stored(ByModel, c.id)).toMatchObject({ n: 1 });
  });

  it('sets the plain properties beside the operators in updateOrCreate', async () => {
    // loopback-connector-mongodb applies the operators and drops `name`
    const c = await seed(Loose);
    await Loose.updateOrCreate({ id: c.id, name: 'b', $inc: { n: 1 } }, ALLOW);
    expect(await stored(Loose, c.id)).toMatchObject({ name: 'b', n: 2 });
  });

  it('answers a strict updateOrCreate whose operators juggler stripped without an error', async () => {
    // loopback-connector-mongodb sends an empty update and fails with the server's error
    const c = await seed(Strict);
    await Strict.updateOrCreate({ id: c.id, $inc: { n: 1 } }, ALLOW);
    expect(await stored(Strict, c.id)).toMatchObject({ n: 1 });
  });

  it('refuses $where, even with allowExtendedOperators, unless sanitization is disabled', async () => {
    await seed(Counter);
    await expect(Counter.find({ where: { $where: 'this.n > 0' } }, ALLOW)).rejects.toBeInstanceOf(
      OperatorNotAllowedError,
    );
  });
});

describe('disableSanitization as a datasource setting (ours; the official reads only the option)', () => {
  let ds: DataSource;
  let Counter: TestModel;

  beforeAll(async () => {
    ds = await connectedDataSource(ours, 'ob_unsanitized', { disableSanitization: true });
    Counter = define(ds, 'Counter', COUNTER);
    await ds.automigrate();
    await Counter.create([
      { name: 'a', n: 1 },
      { name: 'b', n: 5 },
    ]);
  });
  afterAll(() => ds.disconnect());

  it('passes $where, as README promises', async () => {
    const found = await Counter.find({ where: { $where: 'this.n > 2' } });
    expect(found.map((c: TestModel) => c.name)).toEqual(['b']);
  });
});
