export * from './customer.controller';
export * from './customer-order.controller';
export * from './order.controller';
export * from './order-feed.controller';
