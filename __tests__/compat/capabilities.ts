/**
 * `connectorCapabilities` handed to juggler's compatibility suites when they run against OUR
 * connector (the default under `npm test`).
 *
 * A flag set to false turns matching juggler tests into skipped "[UNSUPPORTED]" ones, so it may be
 * set only where MongoDB truly lacks the feature, never to hide a connector bug; each carries a
 * comment saying why. A flag set to true claims a behaviour the suites then check.
 */
export type ConnectorCapabilities = Record<string, boolean | undefined>;

export const mongoCapabilities: ConnectorCapabilities = {
  // upsertWithWhere is one findOneAndUpdate: with several matches it patches the first in id
  // order instead of failing, and the suite checks exactly that
  atomicUpsertWithWhere: true,
  // replaceOrCreate learns from the server whether it inserted (lastErrorObject.updatedExisting)
  replaceOrCreateReportsNewInstance: true,
  // dotted paths query inside embedded documents natively
  nestedProperty: true,
};
