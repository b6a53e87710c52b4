import { Getter, inject } from '@loopback/core';
import {
  type BelongsToAccessor,
  type HasManyRepositoryFactory,
  repository,
} from '@loopback/repository';
import { Customer, type CustomerRelations, Order, type OrderRelations } from '../models';
import { MongoDataSource } from '../../../lb4-app/src/datasources/mongo.datasource';
import { TenancyBindings, TenantRepository, type TenantOptions } from '../tenancy';

export class CustomerRepository extends TenantRepository<
  Customer,
  typeof Customer.prototype.id,
  CustomerRelations
> {
  public readonly orders: HasManyRepositoryFactory<Order, typeof Customer.prototype.id>;

  constructor(
    @inject('datasources.mongo') dataSource: MongoDataSource,
    @inject(TenancyBindings.OPTIONS) tenant: TenantOptions,
    @repository.getter('OrderRepository') orders: Getter<OrderRepository>,
  ) {
    super(Customer, dataSource, tenant);
    this.orders = this.createHasManyRepositoryFactoryFor('orders', orders);
    this.registerInclusionResolver('orders', this.orders.inclusionResolver);
  }
}

export class OrderRepository extends TenantRepository<
  Order,
  typeof Order.prototype.id,
  OrderRelations
> {
  public readonly customer: BelongsToAccessor<Customer, typeof Order.prototype.id>;

  constructor(
    @inject('datasources.mongo') dataSource: MongoDataSource,
    @inject(TenancyBindings.OPTIONS) tenant: TenantOptions,
    @repository.getter('CustomerRepository') customers: Getter<CustomerRepository>,
  ) {
    super(Order, dataSource, tenant);
    this.customer = this.createBelongsToAccessorFor('customer', customers);
    this.registerInclusionResolver('customer', this.customer.inclusionResolver);
  }
}
