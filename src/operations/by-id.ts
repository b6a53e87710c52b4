import type { Document } from 'mongodb';
import { MissingIdError } from '../errors';
import { toStoredId } from '../values';
import type { OperationContext } from './context';

/** The filter that selects one instance by its app-side id. */
export function idFilter(ctx: OperationContext, id: unknown, operation: string): Document {
  if (id === undefined || id === null || id === '') {
    throw new MissingIdError(ctx.info.model, operation);
  }
  return { _id: toStoredId(ctx.info, id) };
}
