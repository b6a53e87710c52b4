import { Getter, inject } from '@loopback/core';
import { type BelongsToAccessor, DefaultCrudRepository, repository } from '@loopback/repository';
import { MongoDataSource } from '../datasources/mongo.datasource';
import { Customer, Order, type OrderRelations } from '../models';
import type { CustomerRepository } from './customer.repository';

export class OrderRepository extends DefaultCrudRepository<
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
