import type { PropertyDefinition } from 'loopback-connector';
import { buildModelInfo, ObjectIdType, type ModelInfo } from '../../src/model-info';
import type { MongoDBSettings } from '../../src/settings';
import type { SanitizeOptions } from '../../src/sanitize';

/** Facts for a model named `name`, built the way the connector builds them. */
export function modelInfo(
  name: string,
  properties: Record<string, PropertyDefinition>,
  settings: Record<string, unknown> = {},
  dataSourceSettings: MongoDBSettings = {},
): ModelInfo {
  return buildModelInfo({ model: { modelName: name }, properties, settings }, dataSourceSettings);
}

/**
 * A model with one property of each kind the translators treat differently; its id is generated,
 * as juggler defines it for a default-id model.
 */
export function customerInfo(
  settings: Record<string, unknown> = {},
  dataSourceSettings: MongoDBSettings = {},
): ModelInfo {
  return modelInfo(
    'Customer',
    {
      id: { type: ObjectIdType, id: true, generated: true },
      name: { type: String },
      age: { type: Number },
      vip: { type: Boolean },
      born: { type: Date },
      balance: { type: Number, mongodb: { dataType: 'Decimal128' } },
      price: { type: String, mongodb: { dataType: 'Decimal128' } },
      accountId: { type: ObjectIdType },
      friendIds: { type: [ObjectIdType] },
      visits: { type: [Date] },
      tags: { type: [String] },
      location: { type: 'GeoPoint' },
      address: { type: Object },
      email: { type: String, mongodb: { fieldName: 'mail' } },
      photo: { type: Buffer },
    },
    settings,
    dataSourceSettings,
  );
}

export const STRICT: SanitizeOptions = {
  allowExtendedOperators: false,
  disableSanitization: false,
};
export const EXTENDED: SanitizeOptions = {
  allowExtendedOperators: true,
  disableSanitization: false,
};
export const UNSANITIZED: SanitizeOptions = {
  allowExtendedOperators: false,
  disableSanitization: true,
};

export const HEX = '5f1d7a3b9c8e4d2a1b0c3d4e';
export const OTHER_HEX = '6a2b3c4d5e6f708192a3b4c5';
