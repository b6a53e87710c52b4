import { Getter, inject } from '@loopback/core';
import { type BelongsToAccessor, repository } from '@loopback/repository';
// an app that installed the package imports 'loopback-connector-mongo/repository'
import { MongoCrudRepository } from '../../../../src/repository';
import { MongoDataSource } from '../datasources/mongo.datasource';
import { Customer, Order, type OrderRelations } from '../models';
import type { CustomerRepository } from './customer.repository';

/** CRUD, relations and transactions as usual, plus watch, iterate, distinct and aggregate. */
export class OrderRepository extends MongoCrudRepository<
  Order,
  typeof Order.prototype.id,
  OrderRelations
> {
  public readonly customer: BelongsToAccessor<Customer, typeof Order.prototype.id>;

  constructor(
    @inject('datasources.mongo') dataSource: MongoDataSource,
    @repository.getter('CustomerRepository') customerRepositoryGetter: Getter<CustomerRepository>,
  ) {
    super(Order, dataSource);
    this.customer = this.createBelongsToAccessorFor('customer', customerRepositoryGetter);
    this.registerInclusionResolver('customer', this.customer.inclusionResolver);
  }
}
