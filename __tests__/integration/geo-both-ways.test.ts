/**
 * `near` on both connectors: the same cities, the same ids, the same queries, the same answers in
 * the same order, with the server doing the geo work (enableGeoIndexing). Where ours deliberately
 * differs (radians and degrees, which the official ignores; count, which the official cannot run;
 * juggler's in-memory filter, which fails on the official), the test is ours alone.
 */
import type { DataSource } from 'loopback-datasource-juggler';
// juggler exports GeoPoint at run time, but its typings leave it out
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { GeoPoint } = require('loopback-datasource-juggler') as {
  GeoPoint: new (point: { lat: number; lng: number }) => object;
};
import { ObjectId } from 'mongodb';
import * as ours from '../../src';
import { CITIES, PARIS } from '../support/cities';
import { CONNECTORS, connectedDataSource } from '../support/connectors';
import { defineModel, type TestModel } from '../support/datasource';

// distances from Paris (km): Brussels 264, London 344, Lyon 392, Geneva 411, Amsterdam 430,
// Marseille 661, Berlin 878, Madrid 1053, Rome 1106, New York 5837; no bound below lies within 3%
// of one of them, so the official's 1600 m mile and the earth radii of server and juggler agree

/** One id per city, the same on both connectors. */
const IDS = new Map(CITIES.map((city) => [city.name, new ObjectId().toHexString()]));
const ALL = ['Paris', 'Brussels', 'London', 'Lyon', 'Geneva', 'Amsterdam', 'Marseille'].concat([
  'Berlin',
  'Madrid',
  'Rome',
  'New York',
]);
const WITHIN_500_KM = ALL.slice(0, 6);
const LNG_LAT = [PARIS.lng, PARIS.lat];
const LNG_LAT_TEXT = `${PARIS.lng},${PARIS.lat}`;

function defineCities(ds: DataSource, name: string): TestModel {
  // the official makes the 2dsphere index only for an indexed GeoPoint; ours for every one
  const properties = { name: String, country: String, location: { type: 'GeoPoint', index: true } };
  return defineModel(ds, name, properties, { forceId: false });
}

function seed(City: TestModel): Promise<unknown> {
  return City.create(
    CITIES.map(({ name, country, lat, lng }) => ({
      id: IDS.get(name),
      name,
      country,
      location: { lat, lng },
    })),
  );
}

const ids = (found: TestModel[]) => found.map((city: TestModel) => String(city.id));
const idsOf = (names: string[]) => names.map((name) => IDS.get(name));

/** A where and the cities the server path finds for it: no unit means meters, lists [lng, lat]. */
type Near = { near: unknown; maxDistance?: number; minDistance?: number; unit?: string };

const SERVER_QUERIES: ReadonlyArray<[string, Near, string[]]> = [
  ['no distance: every city, nearest first', { near: PARIS }, ALL],
  ['maxDistance without unit (meters)', { near: PARIS, maxDistance: 400_000 }, ALL.slice(0, 4)],
  ['minDistance without unit (meters)', { near: PARIS, minDistance: 1_000_000 }, ALL.slice(8)],
  [
    'a ring without unit',
    { near: PARIS, minDistance: 300_000, maxDistance: 700_000 },
    ALL.slice(2, 7),
  ],
  ['a [lng, lat] list', { near: LNG_LAT, maxDistance: 500_000 }, WITHIN_500_KM],
  ["a 'lng,lat' string", { near: LNG_LAT_TEXT, maxDistance: 500_000 }, WITHIN_500_KM],
  ['a [lng, lat] list, no distance', { near: LNG_LAT }, ALL],
  ['a GeoPoint', { near: new GeoPoint(PARIS), maxDistance: 500_000 }, WITHIN_500_KM],
  ['kilometers', { near: PARIS, maxDistance: 500, unit: 'kilometers' }, WITHIN_500_KM],
  ['miles', { near: PARIS, maxDistance: 300, unit: 'miles' }, WITHIN_500_KM],
  ['feet', { near: PARIS, maxDistance: 1_500_000, unit: 'feet' }, WITHIN_500_KM],
  ['meters', { near: PARIS, maxDistance: 500_000, unit: 'meters' }, WITHIN_500_KM],
  [
    'a ring in kilometers',
    { near: LNG_LAT, minDistance: 300, maxDistance: 1000, unit: 'kilometers' },
    ALL.slice(2, 8),
  ],
];

describe('near with enableGeoIndexing on both connectors', () => {
  const cities = new Map<string, TestModel>();
  const sources: DataSource[] = [];

  beforeAll(async () => {
    for (const [label, connector] of CONNECTORS) {
      const ds = await connectedDataSource(connector, 'geo_both', { enableGeoIndexing: true });
      sources.push(ds);
      const City = defineCities(ds, 'BothCity');
      await ds.automigrate('BothCity');
      await seed(City);
      cities.set(label, City);
    }
  });
  afterAll(() => Promise.all(sources.map((ds) => ds.disconnect())));

  /** The ids each connector finds, ours first. */
  async function bothFind(filter: object): Promise<[string[], string[]]> {
    const [a, b] = await Promise.all(
      CONNECTORS.map(async ([label]) => ids(await cities.get(label)!.find(filter))),
    );
    return [a, b];
  }

  it.each(SERVER_QUERIES)('%s: the same ids in the same order', async (_name, near, expected) => {
    const [mine, theirs] = await bothFind({ where: { location: near } });
    expect(mine).toEqual(idsOf(expected));
    expect(theirs).toEqual(mine);
  });

  it('combines near with other conditions, skip and limit alike', async () => {
    const where = { location: { near: PARIS, maxDistance: 1_000_000 }, country: 'FR' };
    const [mine, theirs] = await bothFind({ where });
    expect(mine).toEqual(idsOf(['Paris', 'Lyon', 'Marseille']));
    expect(theirs).toEqual(mine);
    const [page, theirPage] = await bothFind({
      where: { location: { near: LNG_LAT, maxDistance: 2000, unit: 'kilometers' } },
      skip: 1,
      limit: 2,
    });
    expect(page).toEqual(idsOf(['Brussels', 'London']));
    expect(theirPage).toEqual(page);
  });

  it('counts with near what find finds (ours; the official count fails: $near in a count)', async () => {
    const City = cities.get('ours')!;
    for (const [, near] of SERVER_QUERIES) {
      const where = { location: near };
      expect(await City.count(where)).toBe((await City.find({ where })).length);
    }
    await expect(
      cities.get('loopback-connector-mongodb')!.count({ location: { near: PARIS } }),
    ).rejects.toThrow(/\$near/);
  });
});

/**
 * Without enableGeoIndexing juggler reads every instance and filters them itself, by its own
 * rules: no unit is miles, a list `[lat, lng]`. On the official connector that path throws in
 * juggler's memory filter (`key.match is not a function`: the ids are ObjectIds) and never calls
 * back, so this is ours alone.
 */
describe('near without enableGeoIndexing (ours: juggler filters in memory)', () => {
  let ds: DataSource;
  let City: TestModel;

  beforeAll(async () => {
    ds = await connectedDataSource(ours, 'geo_memory');
    City = defineCities(ds, 'MemoryCity');
    await ds.automigrate('MemoryCity');
    await seed(City);
  });
  afterAll(() => ds.disconnect());

  it.each<[string, object, string[]]>([
    ['no distance', { near: PARIS }, ALL],
    ['maxDistance without unit (miles)', { near: PARIS, maxDistance: 300 }, WITHIN_500_KM],
    ['a [lat, lng] list', { near: [PARIS.lat, PARIS.lng], maxDistance: 300 }, WITHIN_500_KM],
    ["a 'lat,lng' string", { near: `${PARIS.lat},${PARIS.lng}`, maxDistance: 300 }, WITHIN_500_KM],
    ...SERVER_QUERIES.filter(([, near]) => 'unit' in near && !Array.isArray(near.near)),
  ])('%s', async (_name, near, expected) => {
    expect(ids(await City.find({ where: { location: near } }))).toEqual(idsOf(expected));
  });

  it('refuses count with near, which juggler hands to the connector as it is', async () => {
    await expect(City.count({ location: { near: PARIS } })).rejects.toThrow(
      /near needs the enableGeoIndexing setting/,
    );
  });
});

describe('radians and degrees (ours honours them; the official reads them as meters)', () => {
  let ds: DataSource;
  let City: TestModel;

  beforeAll(async () => {
    ds = await connectedDataSource(ours, 'geo_units', { enableGeoIndexing: true });
    City = defineModel(ds, 'UnitCity', { name: String, location: 'GeoPoint' });
    await ds.automigrate('UnitCity');
    await City.create(CITIES.map(({ name, lat, lng }) => ({ name, location: { lat, lng } })));
  });
  afterAll(() => ds.disconnect());

  it.each([
    ['radians', 500 / 6378.1],
    ['degrees', ((500 / 6378.1) * 180) / Math.PI],
  ])('finds 500 km given in %s', async (unit, distance) => {
    const where = { location: { near: LNG_LAT, maxDistance: distance, unit } };
    const found: TestModel[] = await City.find({ where });
    expect(found.map((city) => city.name)).toEqual(WITHIN_500_KM);
    expect(await City.count(where)).toBe(WITHIN_500_KM.length);
  });
});
