import { Getter, inject } from '@loopback/core';
import {
  DefaultCrudRepository,
  type HasManyRepositoryFactory,
  repository,
} from '@loopback/repository';
import { MongoDataSource } from '../datasources/mongo.datasource';
import { Customer, type CustomerRelations, Order } from '../models';
import { OrderRepository } from './order.repository';

export class CustomerRepository extends DefaultCrudRepository<
  Customer,
  typeof Customer.prototype.id,
  CustomerRelations
> {
  public readonly orders: HasManyRepositoryFactory<Order, typeof Customer.prototype.id>;

  constructor(
    @inject('datasources.mongo') dataSource: MongoDataSource,
    @repository.getter('OrderRepository') orderRepositoryGetter: Getter<OrderRepository>,
  ) {
    super(Customer, dataSource);
    this.orders = this.createHasManyRepositoryFactoryFor('orders', orderRepositoryGetter);
    this.registerInclusionResolver('orders', this.orders.inclusionResolver);
  }
}
