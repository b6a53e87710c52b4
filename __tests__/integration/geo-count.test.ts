import type { DataSource } from 'loopback-datasource-juggler';
import { CITIES, PARIS } from '../support/cities';
import { createDataSource, defineModel, type TestModel } from '../support/datasource';

const EARTH_RADIUS_KM = 6378.1;

// distances from Paris (km): Brussels 264, London 344, Lyon 392, Geneva 411, Amsterdam 430,
// Marseille 661, Berlin 878, Madrid 1053, Rome 1106, New York 5837

/** 500 km in each unit find accepts; no city lies within 1% of 500 km from Paris. */
const FIVE_HUNDRED_KM: ReadonlyArray<[string, number]> = [
  ['meters', 500_000],
  ['kilometers', 500],
  ['miles', 500 / 1.609344],
  ['feet', 500_000 / 0.3048],
  ['radians', 500 / EARTH_RADIUS_KM],
  ['degrees', ((500 / EARTH_RADIUS_KM) * 180) / Math.PI],
];

describe('count with near (enableGeoIndexing)', () => {
  let ds: DataSource;
  let City: TestModel;

  /** count and find on the same where, so that each is checked against the other. */
  async function countAndFind(where: object): Promise<[number, string[]]> {
    const [count, found] = await Promise.all([City.count(where), City.find({ where })]);
    return [count, found.map((city: TestModel) => city.name)];
  }

  beforeAll(async () => {
    ds = createDataSource('geo_count', { enableGeoIndexing: true });
    City = defineModel(ds, 'CountCity', {
      name: { type: String },
      country: { type: String },
      location: { type: 'GeoPoint' },
    });
    await ds.automigrate('CountCity');
    await City.create([
      ...CITIES.map(({ name, country, lat, lng }) => ({ name, country, location: { lat, lng } })),
      // no location: never near anything, in find as in count
      { name: 'Nowhere', country: 'FR' },
    ]);
  });

  afterAll(() => ds.disconnect());

  it.each(FIVE_HUNDRED_KM)('agrees with find for maxDistance in %s', async (unit, distance) => {
    const [count, names] = await countAndFind({
      location: { near: PARIS, maxDistance: distance, unit },
    });
    expect(names).toEqual(['Paris', 'Brussels', 'London', 'Lyon', 'Geneva', 'Amsterdam']);
    expect(count).toBe(names.length);
  });

  it('agrees with find for a ring between minDistance and maxDistance', async () => {
    const [count, names] = await countAndFind({
      location: { near: PARIS, minDistance: 300, maxDistance: 1000, unit: 'kilometers' },
    });
    expect(names).toEqual(['London', 'Lyon', 'Geneva', 'Amsterdam', 'Marseille', 'Berlin']);
    expect(count).toBe(6);
  });

  it('counts every located city without maxDistance, and outside minDistance alone', async () => {
    const [all, allNames] = await countAndFind({ location: { near: PARIS } });
    expect(allNames).toHaveLength(CITIES.length);
    expect(all).toBe(CITIES.length);
    const [far, farNames] = await countAndFind({
      location: { near: PARIS, minDistance: 1000, unit: 'kilometers' },
    });
    expect(farNames).toEqual(['Madrid', 'Rome', 'New York']);
    expect(far).toBe(3);
  });

  it('reads meters when no unit is given, as find does', async () => {
    const [count, names] = await countAndFind({ location: { near: PARIS, maxDistance: 300_000 } });
    expect(names).toEqual(['Paris', 'Brussels']);
    expect(count).toBe(2);
    const [ring, ringNames] = await countAndFind({
      location: { near: PARIS, minDistance: 300_000, maxDistance: 400_000 },
    });
    expect(ringNames).toEqual(['London', 'Lyon']);
    expect(ring).toBe(2);
  });

  it('reads a list as [lng, lat] and a string as "lng,lat", as find does', async () => {
    for (const near of [[PARIS.lng, PARIS.lat], `${PARIS.lng},${PARIS.lat}`]) {
      const [count, names] = await countAndFind({ location: { near, maxDistance: 300_000 } });
      expect(names).toEqual(['Paris', 'Brussels']);
      expect(count).toBe(2);
    }
  });

  it('agrees with find when near sits beside other conditions or inside an and', async () => {
    const [french, frenchNames] = await countAndFind({
      location: { near: PARIS, maxDistance: 1000, unit: 'kilometers' },
      country: 'FR',
    });
    expect(frenchNames).toEqual(['Paris', 'Lyon', 'Marseille']);
    expect(french).toBe(3);
    const [notFrench, notFrenchNames] = await countAndFind({
      and: [
        { location: { near: PARIS, maxDistance: 1200, unit: 'kilometers' } },
        { country: { neq: 'FR' } },
      ],
    });
    expect(notFrenchNames).toEqual([
      'Brussels',
      'London',
      'Geneva',
      'Amsterdam',
      'Berlin',
      'Madrid',
      'Rome',
    ]);
    expect(notFrench).toBe(7);
  });

  it('counts near inside an or, which find cannot run (the server wants $nearSphere on top)', async () => {
    const where = {
      or: [{ location: { near: PARIS, maxDistance: 400, unit: 'kilometers' } }, { country: 'US' }],
    };
    await expect(City.find({ where })).rejects.toThrow(/top-level/);
    // Paris, Brussels, London, Lyon, and New York
    expect(await City.count(where)).toBe(5);
  });

  it('counts the same as find after a write moves a city', async () => {
    const rome = await City.findOne({ where: { name: 'Rome' } });
    await rome.updateAttributes({ location: { lat: 48.9, lng: 2.4 } });
    try {
      const [count, names] = await countAndFind({
        location: { near: PARIS, maxDistance: 10, unit: 'kilometers' },
      });
      expect(names.sort()).toEqual(['Paris', 'Rome']);
      expect(count).toBe(2);
    } finally {
      await rome.updateAttributes({ location: { lat: 41.9028, lng: 12.4964 } });
    }
  });
});
