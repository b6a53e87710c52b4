export * from './customer.repository';
export * from './order.repository';
