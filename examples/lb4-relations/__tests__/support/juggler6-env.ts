// setupFiles of the "lb4-relations (juggler 6)" project: @loopback/repository must really get
// juggler 6 through the project's mapper, not the juggler 7 it depends on
// eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved through jest's mapper
const { version } = require('loopback-datasource-juggler/package.json') as { version: string };
if (!version.startsWith('6.')) {
  throw new Error(`the juggler 6 project loaded loopback-datasource-juggler ${version}`);
}
