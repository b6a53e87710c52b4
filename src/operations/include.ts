import type { AppData } from './context';

/** The part of a juggler model class that runs includes. */
export interface IncludingModel {
  include(
    found: AppData[],
    include: unknown,
    options: unknown,
    cb: (err: unknown, withRelated?: AppData[]) => void,
  ): void;
}

/** juggler's own default for the number of keys in one `inq` of an include query. */
const JUGGLER_INQ_LIMIT = 256;

/**
 * Runs juggler's include over `found` in slices of a few `inq` pages each, all at once, and
 * answers `found` with the related instances attached. juggler dedupes the keys of one include
 * call with `uniq` (an `indexOf` per key: quadratic, 1.2 s of CPU for 10,000 parents and minutes
 * for 100,000) and gathers the pages with a `concat` per page (quadratic too). In slices, both
 * stay linear in the number of instances, and the queries are the ones juggler sends anyway: it
 * splits the keys into pages of `inqLimit`, and a slice is a whole number of pages. Each instance
 * gets the same related data whichever slice it is in: includes relate instances one by one.
 */
export async function includeInSlices(
  modelClass: IncludingModel,
  found: AppData[],
  include: unknown,
  options: unknown,
  inqLimit: number = JUGGLER_INQ_LIMIT,
): Promise<AppData[]> {
  const slice = 2 * (inqLimit > 0 ? inqLimit : JUGGLER_INQ_LIMIT);
  const run = (part: AppData[]) =>
    new Promise<void>((resolve, reject) =>
      modelClass.include(part, include, options, (err) => (err ? reject(err) : resolve())),
    );
  if (found.length <= slice) {
    await run(found);
    return found;
  }
  const parts: Promise<void>[] = [];
  for (let start = 0; start < found.length; start += slice) {
    parts.push(run(found.slice(start, start + slice)));
  }
  await Promise.all(parts);
  return found;
}
