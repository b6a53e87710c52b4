// setupFiles of the "(juggler 7)" jest projects: they run the same test files as the juggler 6
// ones in the same run, so their databases get their own names (see testDatabaseName)
process.env.MONGODB_TEST_VARIANT = 'j7';

// and they must really load juggler 7: the project maps the package name to its npm alias
// eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved through jest's mapper
const { version } = require('loopback-datasource-juggler/package.json') as { version: string };
if (!version.startsWith('7.')) {
  throw new Error(`a juggler 7 project loaded loopback-datasource-juggler ${version}`);
}
