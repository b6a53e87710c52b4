/**
 * `near` for counting. countDocuments runs its filter in an aggregation `$match`, where the server
 * refuses `$nearSphere`: that operator orders by distance, and a `$match` cannot sort. A count
 * needs the set, not the order, and the set `$nearSphere` selects is a ring around the point:
 * within maxDistance (a `$geoWithin` sphere), outside minDistance (not within the inner sphere),
 * and, with no maxDistance, every document that has a location at all (the 2dsphere index holds
 * no missing or null location, so `$nearSphere` never returns one).
 */
import type { Document, Filter } from 'mongodb';
import { isPlainObject } from '../sanitize';
import { EARTH_RADIUS_METERS } from './where';

const LOGICAL = new Set(['$and', '$or', '$nor']);

/** The `$nearSphere` operand the where translator writes: a GeoJSON point, distances in meters. */
interface NearSphereOperand {
  $geometry: { type: 'Point'; coordinates: [number, number] };
  $maxDistance?: number;
  $minDistance?: number;
}

/**
 * `filter` with every `$nearSphere` (at any depth of `$and`/`$or`/`$nor`) replaced by the
 * condition that selects the same documents without ordering them. Filters without one come back
 * as they are (the same object).
 */
export function countableFilter(filter: Filter<Document>): Filter<Document> {
  let rewritten: Document | undefined;
  const and: Document[] = [];
  for (const [key, condition] of Object.entries(filter)) {
    const replacement = countableCondition(key, condition, and);
    if (replacement === condition) continue;
    rewritten ??= { ...filter };
    if (replacement === undefined) delete rewritten[key];
    else rewritten[key] = replacement;
  }
  if (!rewritten) return filter;
  if (and.length) rewritten.$and = [...((rewritten.$and as Document[] | undefined) ?? []), ...and];
  return rewritten;
}

/**
 * The condition to keep under `key` (undefined: none), pushing onto `and` the parts of a ring
 * that cannot share the key's object: the server takes no other operator beside `$geoWithin`,
 * and an operator may already be there.
 */
function countableCondition(key: string, condition: unknown, and: Document[]): unknown {
  if (LOGICAL.has(key) && Array.isArray(condition)) {
    const clauses = condition.map((clause: Filter<Document>) => countableFilter(clause));
    return clauses.every((clause, i) => clause === condition[i]) ? condition : clauses;
  }
  if (!isPlainObject(condition) || !isNearSphereOperand(condition.$nearSphere)) return condition;
  const { $nearSphere, ...others } = condition;
  const [outer, ...rest] = ringConditions($nearSphere);
  for (const part of rest) and.push({ [key]: part });
  if (Object.keys(others).length === 0) return outer;
  if (!('$geoWithin' in outer) && !Object.hasOwn(others, '$ne')) return { ...others, ...outer };
  and.push({ [key]: outer });
  return others;
}

function isNearSphereOperand(operand: unknown): operand is NearSphereOperand {
  return isPlainObject(operand) && isPlainObject(operand.$geometry);
}

/**
 * The documents between the two distances of `near`, as conditions on the location field that
 * all must hold: the outer bound first.
 */
function ringConditions(near: NearSphereOperand): Document[] {
  const center = near.$geometry.coordinates;
  // $centerSphere takes its radius in radians of the same earth radius $nearSphere measures with
  const sphere = (meters: number) => ({ $centerSphere: [center, meters / EARTH_RADIUS_METERS] });
  const ring: Document[] = [
    near.$maxDistance ? { $geoWithin: sphere(near.$maxDistance) } : { $ne: null },
  ];
  if (near.$minDistance) ring.push({ $not: { $geoWithin: sphere(near.$minDistance) } });
  return ring;
}
