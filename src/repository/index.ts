/**
 * Typed LoopBack 4 access to what only MongoDB has: `loopback-connector-mongo/repository`.
 * A separate entry point, so that apps on juggler alone never load @loopback/repository.
 */
import {
  DefaultTransactionalRepository,
  type AnyObject,
  type Entity,
  type Filter,
  type Options,
  type Where,
} from '@loopback/repository';
import type { Document } from 'mongodb';
import type { WatchOptions } from '../change-streams';
import { MongoDB } from '../connector';
import type { MongoDriverCallOptions } from '../driver-options';
import { InvalidQueryError, MongoConnectorError } from '../errors';
import { modelShapedStages } from '../operations/aggregate';
import { entityChange, type EntityChangeStream } from './change-stream';
import { coercedWhere, loadedInstance, preparedQuery, preparedWhere } from './juggler-steps';

export { type EntityChange, type EntityChangeStream } from './change-stream';

/** A repository call's options: LoopBack's (`transaction`...) and the driver options we pass on. */
export type MongoCallOptions = Options & MongoDriverCallOptions;

/** `watch`'s options; the where is its own argument. */
export type MongoWatchOptions = Omit<WatchOptions, 'where'>;

/**
 * A pipeline stage. While the documents are still the model's (before any stage other than
 * `$match`, `$sort`, `$skip`, `$limit`, `$sample`), `$match` takes a LoopBack where and `$sort`
 * property names; every other stage is MongoDB's own.
 */
export type PipelineStage<T extends object> = { $match: Where<T> } | Document;

/**
 * The values `distinct` gives for a property of type V: an array property's items, since the
 * server answers with them one by one; never undefined, since a missing field has no value.
 */
export type DistinctValue<V> =
  NonNullable<V> extends readonly (infer I)[] ? I : Exclude<V, undefined>;

/** A repository used with a datasource of another connector. */
export class NotMongoDataSourceError extends MongoConnectorError {
  constructor(model: string, connector: string | undefined) {
    super(
      `${model}: MongoCrudRepository needs a datasource on loopback-connector-mongo, and this ` +
        `one is on ${connector ?? 'an unknown connector'}`,
      { code: 'NOT_MONGO_DATASOURCE', statusCode: 500, model },
    );
  }
}

/**
 * DefaultTransactionalRepository (so every CRUD method, relations and transactions as usual) with
 * MongoDB's own operations, typed with the entity: `watch`, `iterate`, `distinct`, `aggregate`.
 * Ids and ObjectIds come back as 24-hex strings and properties by their names, as from `find`.
 */
export class MongoCrudRepository<
  T extends Entity,
  ID,
  // the default @loopback/repository's own repositories use, so both read alike
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  Relations extends object = {},
> extends DefaultTransactionalRepository<T, ID, Relations> {
  /** The connector behind the repository's datasource. */
  protected get mongo(): MongoDB {
    const connector = this.dataSource.connector;
    if (connector instanceof MongoDB) return connector;
    throw new NotMongoDataSourceError(this.modelClass.modelName, connector?.name);
  }

  /**
   * The entities the filter selects, one at a time from the server's cursor, so a large result
   * never has to fit in memory. The filter, the default scope and the `access`/`loaded` hooks
   * apply as for `find`; `include` is for `find`.
   */
  async *iterate(filter?: Filter<T>, options: MongoCallOptions = {}): AsyncGenerator<T> {
    const model = this.modelClass;
    if (filter?.include) {
      throw new InvalidQueryError(model.modelName, 'iterate does not include relations');
    }
    const query = await preparedQuery(model, filter, options);
    for await (const data of this.mongo.iterate(model.modelName, query, options)) {
      yield this.toEntity(await loadedInstance(model, data, query, options));
    }
  }

  /**
   * The distinct values of a property among the entities the where matches (all of them without
   * one), in the app's form: ids as 24-hex strings; an array property gives its distinct items.
   */
  async distinct<K extends keyof T & string>(
    property: K,
    where?: Where<T>,
    options: MongoCallOptions = {},
  ): Promise<Array<DistinctValue<T[K]>>> {
    const model = this.modelClass;
    const scoped = await preparedWhere(model, where, options);
    return (await this.mongo.distinct(model.modelName, property, scoped, options)) as Array<
      DistinctValue<T[K]>
    >;
  }

  /**
   * Run an aggregation pipeline on the model's collection (see PipelineStage for which stages
   * take LoopBack's terms). The default scope and `access` hooks apply to the first `$match`, or
   * to one put first when there is none. Results still in the model's shape come back as `find`
   * gives them (plain data); any other result as the server gives it. Honours
   * `options.transaction`.
   */
  async aggregate<R extends object = AnyObject>(
    pipeline: PipelineStage<T>[],
    options: MongoCallOptions = {},
  ): Promise<R[]> {
    const model = this.modelClass;
    const stages = Array.isArray(pipeline) ? [...pipeline] : pipeline;
    const leadingMatch = modelShapedStages(stages) > 0 && '$match' in stages[0];
    const scoped = await preparedWhere(model, leadingMatch ? stages[0].$match : undefined, options);
    if (leadingMatch) stages[0] = { $match: scoped ?? {} };
    else if (scoped && Object.keys(scoped).length) stages.unshift({ $match: scoped });
    // later $match stages while the documents are the model's: coerced as juggler coerces a where
    const shaped = modelShapedStages(stages);
    for (let i = 1; i < shaped; i++) {
      if ('$match' in stages[i])
        stages[i] = { $match: coercedWhere(model, stages[i].$match, options) };
    }
    return (await this.mongo.aggregate(model.modelName, stages, options)) as R[];
  }

  /**
   * The entities' changes as they happen (a replica set or sharded cluster is needed): an async
   * iterator of EntityChange, or an emitter of `change` events. The where applies as for `find`.
   */
  async watch(
    where?: Where<T>,
    options: MongoWatchOptions = {},
  ): Promise<EntityChangeStream<T, ID>> {
    const model = this.modelClass;
    const scoped = await preparedWhere(model, where, options);
    const stream = await this.mongo.watch(model.modelName, { ...options, where: scoped });
    const toEntity = (data: Record<string, unknown>) =>
      this.toEntity<T>(new model(data, { applySetters: false, persisted: true } as never));
    return stream.mapChanges((change) => entityChange<T, ID>(change, toEntity));
  }
}
