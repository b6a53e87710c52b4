import type { Document } from 'mongodb';
import { driverOptionsFor } from '../driver-options';
import { InvalidQueryError } from '../errors';
import { storedPath, type ModelInfo } from '../model-info';
import { observed } from '../observers';
import { restoreBoxedOperands } from '../query/boxed-operands';
import { buildFilter } from '../query/where';
import { isPlainObject, type SanitizeOptions } from '../sanitize';
import { fromStoredDocument } from '../values';
import type { AppData, OperationContext } from './context';

/** Stages after which every document is still one of the model's, as stored. */
const KEEPS_MODEL_SHAPE = new Set(['$match', '$sort', '$skip', '$limit', '$sample']);

/** How many stages from the start of the pipeline see (and leave) documents in the model's shape. */
export function modelShapedStages(pipeline: readonly Document[]): number {
  let n = 0;
  while (n < pipeline.length && KEEPS_MODEL_SHAPE.has(stageName(pipeline[n]))) n++;
  return n;
}

function stageName(stage: Document): string {
  const keys = isPlainObject(stage) ? Object.keys(stage) : [];
  return keys.length === 1 ? keys[0] : '';
}

/**
 * The pipeline the server runs: while the documents are still the model's, a `$match` is a
 * juggler where (property names, juggler operators, ids as 24-hex strings), translated and
 * sanitized exactly as for `find`, and a `$sort` names properties. Later stages go as given: they
 * are the app's own code, about documents of the app's own making.
 */
export function buildPipeline(
  info: ModelInfo,
  pipeline: readonly Document[],
  sanitize: SanitizeOptions,
): Document[] {
  if (!Array.isArray(pipeline)) {
    throw new InvalidQueryError(info.model, 'aggregate needs a pipeline: an array of stages');
  }
  const shaped = modelShapedStages(pipeline);
  return pipeline.map((stage, i) => {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      throw new InvalidQueryError(
        info.model,
        `aggregate: stage ${i} must be an object with one stage name, such as {$match: {...}}`,
      );
    }
    if (i >= shaped) return stage;
    if ('$match' in stage) {
      restoreBoxedOperands(info, stage.$match);
      return { $match: buildFilter(info, stage.$match, sanitize) };
    }
    if ('$sort' in stage && isPlainObject(stage.$sort)) {
      const sort: Document = {};
      for (const [key, direction] of Object.entries(stage.$sort)) {
        sort[storedPath(info, key).field] = direction;
      }
      return { $sort: sort };
    }
    return stage;
  });
}

/**
 * Run an aggregation on the model's collection. Results still in the model's shape (every stage
 * one that keeps it) are mapped back as `find` maps documents; any other result is as the server
 * gives it.
 */
export async function aggregate(
  ctx: OperationContext,
  pipeline: readonly Document[],
): Promise<AppData[]> {
  const stages = buildPipeline(ctx.info, pipeline, ctx.sanitize);
  const options = { ...ctx.driverOptions, ...driverOptionsFor('aggregate', ctx.perCall) };
  const docs = await observed(ctx.observer, 'aggregate', [stages, options], () =>
    ctx.collection.aggregate(stages, options).toArray(),
  );
  if (modelShapedStages(stages) < stages.length) return docs;
  return docs.map((doc) => fromStoredDocument(ctx.info, doc));
}
