import type { Document, UpdateFilter } from 'mongodb';
import { InvalidQueryError } from './errors';
import { storedPath, type ModelInfo } from './model-info';
import { isOperatorKey, sanitizeData, type SanitizeOptions } from './sanitize';
import { toStoredDocument, toStoredValue } from './values';

/**
 * Update operators a caller may use once `allowExtendedOperators` is on. The ones whose operand
 * is a property value get that value coerced like a plain write; the rest take counts, flags or
 * specs that we hand on as given.
 */
const VALUE_OPERATORS: ReadonlySet<string> = new Set(['$set', '$setOnInsert', '$min', '$max']);
const ITEM_OPERATORS: ReadonlySet<string> = new Set(['$push', '$addToSet', '$pull', '$pullAll']);
const OTHER_OPERATORS: ReadonlySet<string> = new Set([
  '$inc',
  '$mul',
  '$unset',
  '$rename',
  '$currentDate',
  '$pop',
  '$bit',
]);

/** A patch split into the fields to set and the extra operators the caller gave. */
export interface UpdateDocument {
  readonly update: UpdateFilter<Document>;
  /** The id from the data, when it had one: it cannot be `$set`, only matched or inserted. */
  readonly id: unknown;
}

/**
 * Turn juggler's patch data into an update document. Plain properties become `$set` (the id
 * excepted: MongoDB ids are immutable); `$`-operators are accepted only when the options allow.
 */
export function buildUpdate(
  info: ModelInfo,
  data: Record<string, unknown>,
  options: SanitizeOptions,
): UpdateDocument {
  const safe = sanitizeData(info, data, options);
  const plain: Record<string, unknown> = {};
  const update: Record<string, Document> = {};
  for (const key of Object.keys(safe)) {
    // sanitizeData has already refused the operators these options do not allow
    if (isOperatorKey(key)) {
      update[key] = operatorOperand(info, key, safe[key]);
    } else {
      plain[key] = safe[key];
    }
  }
  const { _id: id, ...stored } = toStoredDocument(info, plain);
  const fields = withoutTargetedPaths(stored, update);
  // an empty $set (allowed since MongoDB 5.0) keeps a patch of only the id a valid update
  if (Object.keys(fields).length || !Object.keys(update).length) {
    update.$set = { ...fields, ...update.$set };
  }
  return { update, id };
}

/**
 * The implicit `$set` of a patch without the fields an operator of the same patch works on. A
 * whole instance carries every property, also the one its `$addToSet` or `$inc` changes; setting
 * that field as well is a conflict the server refuses, and the operator is what the caller asked
 * for. A path conflicts with another when they are equal or one lies inside the other.
 */
export function withoutTargetedPaths(
  fields: Document,
  operators: Readonly<Record<string, Document>>,
): Document {
  const targeted: string[] = [];
  for (const [operator, operand] of Object.entries(operators)) {
    for (const [path, value] of Object.entries(operand)) {
      targeted.push(path);
      // $rename writes the field it names, too
      if (operator === '$rename') targeted.push(String(value));
    }
  }
  if (!targeted.length) return fields;
  const kept: Document = {};
  for (const [field, value] of Object.entries(fields)) {
    if (!targeted.some((path) => overlaps(field, path))) kept[field] = value;
  }
  return kept;
}

function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

function operatorOperand(info: ModelInfo, operator: string, operand: unknown): Document {
  if (operand === null || typeof operand !== 'object' || Array.isArray(operand)) {
    throw new InvalidQueryError(info.model, `${operator} needs an object of properties`);
  }
  const known =
    VALUE_OPERATORS.has(operator) || ITEM_OPERATORS.has(operator) || OTHER_OPERATORS.has(operator);
  if (!known) throw new InvalidQueryError(info.model, `unknown update operator ${operator}`);
  const result: Document = {};
  for (const [path, value] of Object.entries(operand as Record<string, unknown>)) {
    const { field, property } = storedPath(info, path);
    if (VALUE_OPERATORS.has(operator)) {
      result[field] = toStoredValue(info, property, value);
    } else if (ITEM_OPERATORS.has(operator) && !isModifierDocument(value)) {
      result[field] = toStoredValue(info, property, value);
    } else if (operator === '$rename') {
      result[field] = storedPath(info, String(value)).field;
    } else {
      result[field] = value;
    }
  }
  return result;
}

/** `{$each: [...]}`, `{$in: [...]}` and friends: a spec, not an item. */
function isModifierDocument(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.keys(value).some((key) => key.startsWith('$'))
  );
}
