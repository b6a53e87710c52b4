export * from './customer.model';
export * from './order.model';
