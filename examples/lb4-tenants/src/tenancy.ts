/**
 * Tenancy for the example: a request's `X-Tenant` header chooses its MongoDB database, through a
 * request-scoped binding that every repository call folds into its options. One datasource, one
 * connection pool, a database per tenant (see the connector's `tenantDatabases` setting).
 */
import { BindingKey, inject, type Provider } from '@loopback/core';
import {
  type AnyObject,
  type Command,
  DefaultTransactionalRepository,
  type Count,
  type DataObject,
  type Entity,
  type Filter,
  type FilterExcludingWhere,
  type juggler,
  type NamedParameters,
  type Options,
  type PositionalParameters,
  type Where,
} from '@loopback/repository';
import { HttpErrors, RestBindings, type Request } from '@loopback/rest';

/** What every repository call of a request carries: the tenant's database. */
export interface TenantOptions {
  database: string;
}

export const TenancyBindings = {
  /** `{database}` for the current request; resolved per request from its header. */
  OPTIONS: BindingKey.create<TenantOptions>('tenancy.options'),
  /** The database name prefix, the same the datasource's `tenantDatabases.prefix` allows. */
  PREFIX: BindingKey.create<string>('tenancy.prefix'),
};

/** Tenant ids the app accepts: short, lower case, safe in a database name. */
const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,30}$/;

/**
 * The one place a request becomes a tenant. Bound transient: each request that injects it gets
 * its own header's answer. The connector checks the database name again (reserved and malformed
 * names, and the datasource's prefix), so a bug here cannot reach another database.
 */
export class TenantOptionsProvider implements Provider<TenantOptions> {
  constructor(
    @inject(RestBindings.Http.REQUEST) private readonly request: Request,
    @inject(TenancyBindings.PREFIX) private readonly prefix: string,
  ) {}

  value(): TenantOptions {
    const tenant = this.request.header('x-tenant');
    if (!tenant || !TENANT_ID.test(tenant))
      throw new HttpErrors.BadRequest(
        `X-Tenant header: ${JSON.stringify(tenant ?? null)} is not a tenant id (${TENANT_ID})`,
      );
    return { database: this.prefix + tenant };
  }
}

/**
 * A CRUD repository whose every call runs in the request's tenant database: the tenant's
 * `{database}` is folded into the options of each call (relation repositories and inclusion
 * resolvers call these methods, or pass the options down to juggler, which passes them on).
 * Made per request (LoopBack 4 repositories are transient), so it holds that request's tenant.
 */
export class TenantRepository<
  T extends Entity,
  ID,
  Relations extends object = object,
> extends DefaultTransactionalRepository<T, ID, Relations> {
  constructor(
    entityClass: typeof Entity & { prototype: T },
    dataSource: juggler.DataSource,
    private readonly tenant: TenantOptions,
  ) {
    super(entityClass, dataSource);
  }

  /** The tenant's database wins over anything a caller passes. */
  private in(options?: Options): Options {
    return { ...options, database: this.tenant.database };
  }

  override create(entity: DataObject<T>, options?: Options): Promise<T> {
    return super.create(entity, this.in(options));
  }

  override createAll(entities: DataObject<T>[], options?: Options): Promise<T[]> {
    return super.createAll(entities, this.in(options));
  }

  override find(filter?: Filter<T>, options?: Options): Promise<(T & Relations)[]> {
    return super.find(filter, this.in(options));
  }

  override findOne(filter?: Filter<T>, options?: Options): Promise<(T & Relations) | null> {
    return super.findOne(filter, this.in(options));
  }

  override findById(
    id: ID,
    filter?: FilterExcludingWhere<T>,
    options?: Options,
  ): Promise<T & Relations> {
    return super.findById(id, filter, this.in(options));
  }

  override updateAll(data: DataObject<T>, where?: Where<T>, options?: Options): Promise<Count> {
    return super.updateAll(data, where, this.in(options));
  }

  override replaceById(id: ID, data: DataObject<T>, options?: Options): Promise<void> {
    return super.replaceById(id, data, this.in(options));
  }

  override deleteAll(where?: Where<T>, options?: Options): Promise<Count> {
    return super.deleteAll(where, this.in(options));
  }

  override deleteById(id: ID, options?: Options): Promise<void> {
    return super.deleteById(id, this.in(options));
  }

  override count(where?: Where<T>, options?: Options): Promise<Count> {
    return super.count(where, this.in(options));
  }

  override exists(id: ID, options?: Options): Promise<boolean> {
    return super.exists(id, this.in(options));
  }

  /** `execute('Customer', 'aggregate', pipeline)`, in the tenant's database (and only there). */
  override execute(
    command: Command,
    parameters: NamedParameters | PositionalParameters,
    options?: Options,
  ): Promise<AnyObject>;
  override execute(
    collection: string,
    command: string,
    ...parameters: PositionalParameters
  ): Promise<AnyObject>;
  override execute(...args: PositionalParameters): Promise<AnyObject>;
  override execute(...args: PositionalParameters): Promise<AnyObject> {
    const [collection, ...rest] = args;
    if (typeof collection !== 'string')
      throw new TypeError('execute: give a collection or model name, then the driver method');
    return super.execute({ model: collection, database: this.tenant.database }, ...rest);
  }
}
