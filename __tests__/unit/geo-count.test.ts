import { countableFilter } from '../../src/query/geo-count';
import { EARTH_RADIUS_METERS, buildFilter } from '../../src/query/where';
import { STRICT, customerInfo } from './fixtures';

const geoInfo = customerInfo({}, { enableGeoIndexing: true });
const PARIS = { lat: 48.8566, lng: 2.3522 };
const CENTER = [2.3522, 48.8566];

/** What count sends for a where: the where translator's filter, made countable. */
function countFilter(where: unknown) {
  return countableFilter(buildFilter(geoInfo, where, STRICT));
}

function within(meters: number) {
  return { $geoWithin: { $centerSphere: [CENTER, meters / EARTH_RADIUS_METERS] } };
}

describe('countableFilter', () => {
  it('returns a filter without $nearSphere as it is', () => {
    const filter = { name: 'Ann', $or: [{ age: 3 }, { location: { $exists: true } }] };
    expect(countableFilter(filter)).toBe(filter);
  });

  it('turns maxDistance into a $geoWithin sphere with the radius in radians', () => {
    expect(
      countFilter({ location: { near: PARIS, maxDistance: 500, unit: 'kilometers' } }),
    ).toEqual({ location: within(500_000) });
    // the server measures $nearSphere in meters of a 6378.1 km earth, $centerSphere in radians
    const [, radians] = (
      countFilter({ location: { near: PARIS, maxDistance: 1, unit: 'radians' } }) as {
        location: { $geoWithin: { $centerSphere: [unknown, number] } };
      }
    ).location.$geoWithin.$centerSphere;
    expect(radians).toBeCloseTo(1, 12);
  });

  it('reads meters when no unit is given, as find does', () => {
    expect(countFilter({ location: { near: PARIS, maxDistance: 10 } })).toEqual({
      location: within(10),
    });
    expect(countFilter({ location: { near: PARIS, maxDistance: 10, unit: 'miles' } })).toEqual({
      location: within(16_093.44),
    });
  });

  it('keeps minDistance out with $not of the inner sphere, beside the outer one in an $and', () => {
    expect(
      countFilter({
        location: { near: PARIS, minDistance: 300, maxDistance: 1000, unit: 'kilometers' },
      }),
    ).toEqual({ location: within(1_000_000), $and: [{ location: { $not: within(300_000) } }] });
  });

  it('counts every document with a location when no maxDistance is given', () => {
    expect(countFilter({ location: { near: PARIS } })).toEqual({ location: { $ne: null } });
    expect(countFilter({ location: { near: PARIS, minDistance: 2, unit: 'meters' } })).toEqual({
      location: { $ne: null },
      $and: [{ location: { $not: within(2) } }],
    });
    // zero means no bound, in find as here
    expect(countFilter({ location: { near: PARIS, maxDistance: 0 } })).toEqual({
      location: { $ne: null },
    });
  });

  it('keeps the conditions beside near, on other properties and on the same one', () => {
    expect(
      countFilter({ location: { near: PARIS, maxDistance: 1, unit: 'meters' }, name: 'Ann' }),
    ).toEqual({ location: within(1), name: 'Ann' });
    expect(
      countFilter({ location: { near: PARIS, maxDistance: 1, unit: 'meters', exists: true } }),
    ).toEqual({ location: { $exists: true }, $and: [{ location: within(1) }] });
    expect(countFilter({ location: { near: PARIS, exists: true } })).toEqual({
      location: { $exists: true, $ne: null },
    });
  });

  it('moves the ring into an $and when its operator is already on the property', () => {
    const filter = {
      location: { $nearSphere: { $geometry: { type: 'Point', coordinates: CENTER } }, $ne: 'x' },
    };
    expect(countableFilter(filter)).toEqual({
      location: { $ne: 'x' },
      $and: [{ location: { $ne: null } }],
    });
  });

  it('rewrites near inside and, or and nor, at any depth', () => {
    const near = { near: PARIS, maxDistance: 5, unit: 'kilometers' };
    expect(
      countFilter({
        and: [{ location: near }, { or: [{ name: 'Ann' }, { nor: [{ location: near }] }] }],
      }),
    ).toEqual({
      $and: [
        { location: within(5000) },
        { $or: [{ name: 'Ann' }, { $nor: [{ location: within(5000) }] }] },
      ],
    });
  });

  it('rewrites a near on a nested path the same way', () => {
    const near = { $geometry: { type: 'Point', coordinates: CENTER }, $maxDistance: 10 };
    expect(countableFilter({ 'address.location': { $nearSphere: near } })).toEqual({
      'address.location': within(10),
    });
  });

  it('does not change the filter it was given', () => {
    const filter = buildFilter(geoInfo, { location: { near: PARIS, maxDistance: 5 } }, STRICT);
    const copy = structuredClone(filter);
    countableFilter(filter);
    expect(filter).toEqual(copy);
  });
});
