import type { DataSource } from 'loopback-datasource-juggler';
import {
  createDataSource,
  defineModel,
  mongoConnector,
  type TestModel,
} from '../support/datasource';
import { CITIES, PARIS, type City } from '../support/cities';

const KM_PER_MILE = 1.609344;

/**
 * Great-circle distance by the haversine formula. The server and juggler use slightly different
 * earth radii (6378.1 and 6371 km); no city below lies within 1% of a bound the tests use, so
 * both agree with this one.
 */
function haversineKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/** The cities within [minKm, maxKm] of Paris that pass `keep`, nearest first. */
function expectedNames(minKm: number, maxKm: number, keep: (city: City) => boolean = () => true) {
  return CITIES.map((city) => ({ city, km: haversineKm(PARIS, city) }))
    .filter(({ city, km }) => km >= minKm && km <= maxKm && keep(city))
    .sort((a, b) => a.km - b.km)
    .map(({ city }) => city.name);
}

function names(found: TestModel[]): string[] {
  return found.map((city: TestModel) => city.name);
}

/** The same queries, with the server doing the geo work (GeoJSON, 2dsphere) or juggler (memory). */
describe.each([
  ['with enableGeoIndexing: $nearSphere on the server', 'GeoCity', true],
  ['without enableGeoIndexing: juggler filters in memory', 'PlainCity', false],
])('near queries %s', (_label, modelName, enableGeoIndexing) => {
  let ds: DataSource;
  let City: TestModel;

  beforeAll(async () => {
    ds = createDataSource('geo', { enableGeoIndexing });
    City = defineModel(ds, modelName, {
      name: { type: String },
      country: { type: String },
      location: { type: 'GeoPoint' },
    });
    await ds.automigrate(modelName);
    await City.create(
      CITIES.map(({ name, country, lat, lng }) => ({ name, country, location: { lat, lng } })),
    );
  });

  afterAll(() => ds.disconnect());

  it('has buildNearFilter only when the server does the geo work', async () => {
    const connector = mongoConnector(ds);
    expect(typeof connector.buildNearFilter).toBe(enableGeoIndexing ? 'function' : 'undefined');
    // a wrapper of the same arity: juggler passes options only to methods that declare them
    const filters: unknown[] = [];
    const all = connector.all;
    connector.all = function (model, filter, options, cb) {
      filters.push(filter);
      all.call(this, model, filter, options, cb);
    };
    try {
      await City.find({ where: { location: { near: PARIS, maxDistance: 1 } } });
    } finally {
      delete (connector as { all?: unknown }).all;
    }
    // in memory, juggler reads every instance and filters them itself
    expect(filters).toEqual([enableGeoIndexing ? { where: { location: expect.anything() } } : {}]);
  });

  it('returns the cities within maxDistance in kilometers, nearest first', async () => {
    const found = await City.find({
      where: { location: { near: PARIS, maxDistance: 500, unit: 'kilometers' } },
    });
    const expected = expectedNames(0, 500);
    expect(expected).toEqual(['Paris', 'Brussels', 'London', 'Lyon', 'Geneva', 'Amsterdam']);
    expect(names(found)).toEqual(expected);
  });

  it(
    enableGeoIndexing
      ? 'reads distances in meters when no unit is given, as MongoDB and the official connector do'
      : "reads distances in miles when no unit is given, as juggler's memory filter does",
    async () => {
      const found = await City.find({ where: { location: { near: PARIS, maxDistance: 300 } } });
      const unit = enableGeoIndexing ? 'meters' : 'miles';
      const km = enableGeoIndexing ? 0.3 : 300 * KM_PER_MILE;
      expect(names(found)).toEqual(expectedNames(0, km));
      const explicit = await City.find({
        where: { location: { near: PARIS, maxDistance: 300, unit } },
      });
      expect(names(explicit)).toEqual(names(found));
      const wide = await City.find({ where: { location: { near: PARIS, maxDistance: 300_000 } } });
      expect(names(wide)).toEqual(
        expectedNames(0, enableGeoIndexing ? 300 : 300_000 * KM_PER_MILE),
      );
    },
  );

  it('keeps to a ring between minDistance and maxDistance', async () => {
    const found = await City.find({
      where: {
        location: { near: PARIS, minDistance: 300, maxDistance: 1000, unit: 'kilometers' },
      },
    });
    const expected = expectedNames(300, 1000);
    expect(expected).toEqual(['London', 'Lyon', 'Geneva', 'Amsterdam', 'Marseille', 'Berlin']);
    expect(names(found)).toEqual(expected);
  });

  it('sorts everything by distance when no distance is given, and honours limit', async () => {
    const all = await City.find({ where: { location: { near: PARIS } } });
    expect(names(all)).toEqual(expectedNames(0, Infinity));
    const nearest = await City.find({ where: { location: { near: PARIS } }, limit: 3 });
    expect(names(nearest)).toEqual(['Paris', 'Brussels', 'London']);
  });

  it('combines near with other conditions, beside it or in an and', async () => {
    const french = await City.find({
      where: {
        location: { near: PARIS, maxDistance: 1000, unit: 'kilometers' },
        country: 'FR',
      },
    });
    expect(names(french)).toEqual(expectedNames(0, 1000, (city) => city.country === 'FR'));
    expect(names(french)).toEqual(['Paris', 'Lyon', 'Marseille']);

    const notFrench = await City.find({
      where: {
        and: [
          { location: { near: PARIS, maxDistance: 1200, unit: 'kilometers' } },
          { country: { neq: 'FR' } },
        ],
      },
    });
    expect(names(notFrench)).toEqual(expectedNames(0, 1200, (city) => city.country !== 'FR'));
  });

  it('gives locations back as {lat, lng}', async () => {
    const rome = await City.findOne({ where: { name: 'Rome' } });
    expect(rome.location.lat).toBe(41.9028);
    expect(rome.location.lng).toBe(12.4964);
  });
});

describe('GeoPoint storage with enableGeoIndexing', () => {
  let ds: DataSource;

  beforeAll(() => {
    ds = createDataSource('geo', { enableGeoIndexing: true });
  });

  afterAll(() => ds.disconnect());

  it('stores GeoJSON under a 2dsphere index that automigrate makes', async () => {
    const Shop = defineModel(ds, 'GeoShop', {
      name: String,
      location: { type: 'GeoPoint', mongodb: { fieldName: 'loc' } },
    });
    await ds.automigrate('GeoShop');
    await Shop.create({ name: 'corner', location: { lat: 10, lng: 20 } });
    const collection = mongoConnector(ds).collection('GeoShop');
    expect(await collection.findOne({}, { projection: { _id: 0 } })).toEqual({
      name: 'corner',
      loc: { type: 'Point', coordinates: [20, 10] },
    });
    const indexes = await collection.listIndexes().toArray();
    expect(indexes.map(({ key, name }) => ({ key, name }))).toContainEqual({
      key: { loc: '2dsphere' },
      name: 'loc_2dsphere',
    });
  });

  it('leaves the query to the where translator in buildNearFilter', () => {
    const query = { where: { location: { near: PARIS, maxDistance: 2 } }, limit: 1 };
    const copy = structuredClone(query);
    mongoConnector(ds).buildNearFilter?.(query, [{ near: PARIS, key: 'location' }]);
    expect(query).toEqual(copy);
  });
});
