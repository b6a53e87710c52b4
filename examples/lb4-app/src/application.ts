import type { ApplicationConfig } from '@loopback/core';
import { RepositoryMixin } from '@loopback/repository';
import { RestApplication } from '@loopback/rest';
import {
  CustomerController,
  CustomerOrderController,
  OrderController,
  OrderFeedController,
} from './controllers';
import { MongoDataSource } from './datasources/mongo.datasource';
import { CustomerRepository, OrderRepository } from './repositories';

export interface ShopConfig extends ApplicationConfig {
  /** Overrides for the datasource's defaultConfig, e.g. `{url: 'mongodb://...'}`. */
  mongo?: Record<string, unknown>;
}

/** A small REST app: customers, their orders, MongoDB through loopback-connector-mongo. */
export class ShopApplication extends RepositoryMixin(RestApplication) {
  constructor(options: ShopConfig = {}) {
    super(options);
    if (options.mongo) this.bind('datasources.config.mongo').to(options.mongo);
    this.dataSource(MongoDataSource);
    this.repository(CustomerRepository);
    this.repository(OrderRepository);
    this.controller(CustomerController);
    this.controller(CustomerOrderController);
    this.controller(OrderController);
    this.controller(OrderFeedController);
  }
}
