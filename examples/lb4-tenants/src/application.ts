import { type ApplicationConfig, BindingScope, Context } from '@loopback/core';
import { RepositoryMixin, type juggler } from '@loopback/repository';
import { RestApplication } from '@loopback/rest';
import type { MongoDB } from '../../../src';
import { ShopController } from './controller';
// the shop's datasource, unchanged: the tenantDatabases setting comes with its config below
import { MongoDataSource } from '../../lb4-app/src/datasources/mongo.datasource';
import { CustomerRepository, OrderRepository } from './repositories';
import { TenancyBindings, TenantOptionsProvider } from './tenancy';

export const DEFAULT_TENANT_PREFIX = 'tenant_';

export interface TenantShopConfig extends ApplicationConfig {
  /** Overrides for the datasource's defaultConfig, e.g. `{url, tenantDatabases: {prefix}}`. */
  mongo?: { tenantDatabases?: { prefix: string }; [setting: string]: unknown };
}

/** The shop, a database per tenant, all on one datasource. */
export class TenantShopApplication extends RepositoryMixin(RestApplication) {
  constructor(options: TenantShopConfig = {}) {
    super(options);
    // one datasource, so one MongoClient and one pool, for every tenant; calls may choose a
    // database whose name starts with the prefix, and no other
    const mongo = { tenantDatabases: { prefix: DEFAULT_TENANT_PREFIX }, ...options.mongo };
    this.bind('datasources.config.mongo').to(mongo);
    this.bind(TenancyBindings.PREFIX).to(mongo.tenantDatabases.prefix);
    // transient: resolved again from each request's context, so each request gets its own tenant
    this.bind(TenancyBindings.OPTIONS)
      .toProvider(TenantOptionsProvider)
      .inScope(BindingScope.TRANSIENT);
    this.dataSource(MongoDataSource);
    this.repository(CustomerRepository);
    this.repository(OrderRepository);
    this.controller(ShopController);
  }

  /**
   * Create the models' indexes (Customer.email is unique) in a tenant's database: run it when a
   * tenant signs up, and for every tenant when a model's indexes change. LoopBack 4 attaches a
   * model to the datasource when its repository is first made, so the repositories are made
   * first, as migrateSchema does, here in a context that stands for the tenant's request.
   */
  async migrateTenant(tenant: string): Promise<void> {
    const options = { database: (await this.get(TenancyBindings.PREFIX)) + tenant };
    const asTenant = new Context(this);
    asTenant.bind(TenancyBindings.OPTIONS).to(options);
    for (const binding of this.findByTag('repository')) await asTenant.get(binding.key);
    const ds = await this.get<juggler.DataSource>('datasources.mongo');
    await (ds.connector as unknown as MongoDB).autoupdate(undefined, options);
  }
}
