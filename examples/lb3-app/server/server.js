'use strict';

const loopback = require('loopback');
const boot = require('loopback-boot');

/**
 * Boots the app against `mongoUrl` (what `${mongoUrl}` in datasources.json stands for).
 * `dataSources`, when given, replaces datasources.json: the test runs the same app on
 * loopback-connector-mongodb. A local registry lets one process hold several apps.
 */
module.exports = function createApp({ mongoUrl, dataSources }) {
  const app = loopback({ localRegistry: true, loadBuiltinModels: true });
  app.set('mongoUrl', mongoUrl);
  return new Promise((resolve, reject) => {
    // boot finds scripts by the extensions `require.extensions` lists, which jest's require lacks
    const options = { appRootDir: __dirname, dataSources, scriptExtensions: ['.js'] };
    boot(app, options, (err) => (err ? reject(err) : resolve(app)));
  });
};
