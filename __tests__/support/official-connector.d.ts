// loopback-connector-mongodb ships no types; tests hand it to juggler's DataSource as a connector module.
declare module 'loopback-connector-mongodb';
