import type { Document } from 'mongodb';
import { MissingIdError } from '../errors';
import { buildFilter } from '../query/where';
import type { OperationContext } from './context';

/**
 * The filter that selects one instance by its id (app-side or stored): the where `{id}` would
 * give, so the id matches the stored forms that where would match (see ../ids).
 */
export function idFilter(ctx: OperationContext, id: unknown, operation: string): Document {
  if (id === undefined || id === null || id === '') {
    throw new MissingIdError(ctx.info.model, operation);
  }
  return buildFilter(ctx.info, { [ctx.info.idName]: id }, ctx.sanitize);
}
