/** loopback-connector-mongodb ships no types; the benchmark only hands it to a DataSource. */
declare module 'loopback-connector-mongodb';
