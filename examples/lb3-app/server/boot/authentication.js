'use strict';

module.exports = function enableAuthentication(app) {
  app.enableAuth();
};
