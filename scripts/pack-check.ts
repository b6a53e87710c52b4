/**
 * `npm run pack-check`: what a user gets from npm. From a clean clone of HEAD (committed work
 * only): `npm ci` (whose `prepare` builds dist/), `npm pack`; then a fresh LoopBack 4 app in a
 * temporary folder installs the tarball from the npm registry's point of view (`npm install
 * <tarball>`), compiles with LoopBack's own TypeScript settings (those of @loopback/build, which
 * `lb4 app` uses), and runs against a real mongod: a repository on `MongoCrudRepository` from
 * `loopback-connector-mongo/repository`, a REST call, and an error whose stack trace (`node
 * --enable-source-maps`) must name files the package ships.
 *
 * With `--git`, it also installs the package the way `npm install <git url>` does
 * (`git+file://` of this clone at HEAD) and checks that npm built dist/ for it.
 *
 * Slow (dependency installs: about 8 minutes on the development machine), so it is not part of
 * `npm test`.
 */
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer, urlForDatabase } from './mongod/server';

const ROOT = path.resolve(__dirname, '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  devDependencies: Record<string, string>;
};

function run(cmd: string, args: string[], cwd: string, options: ExecFileSyncOptions = {}): string {
  console.log(`pack-check: ${path.basename(cwd)}$ ${cmd} ${args.join(' ')}`);
  return String(
    execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      ...options,
    }),
  );
}

function fail(message: string): never {
  console.error(`pack-check: FAILED: ${message}`);
  process.exit(1);
}

/** A fresh LB4 app: one model, a MongoCrudRepository, a controller; prints one JSON line. */
const APP_SOURCE = `
import { inject } from '@loopback/core';
import { Entity, juggler, model, property, repository, RepositoryMixin } from '@loopback/repository';
import { get, RestApplication } from '@loopback/rest';
import { ObjectID } from 'loopback-connector-mongo';
import { MongoCrudRepository } from 'loopback-connector-mongo/repository';

@model()
export class Note extends Entity {
  @property({ type: 'string', id: true, generated: true }) id?: string;
  @property({ type: 'string', required: true }) title: string;
  @property({ type: 'number' }) stars?: number;
}

export class NoteRepository extends MongoCrudRepository<Note, string> {
  constructor(@inject('datasources.db') ds: juggler.DataSource) {
    super(Note, ds);
  }
}

export class NoteController {
  constructor(@repository(NoteRepository) private notes: NoteRepository) {}

  @get('/notes/stars')
  stars(): Promise<number[]> {
    return this.notes.distinct('stars');
  }
}

class App extends RepositoryMixin(RestApplication) {}

async function main(): Promise<void> {
  const app = new App({ rest: { port: 0, host: '127.0.0.1' } });
  // the connector by name, as lb4 datasource writes it: juggler resolves loopback-connector-mongo
  const ds = new juggler.DataSource({ name: 'db', connector: 'mongo', url: process.env.APP_DB_URL });
  app.bind('datasources.db').to(ds);
  app.repository(NoteRepository);
  app.controller(NoteController);
  await app.start();
  const notes = await app.getRepository(NoteRepository);
  await notes.deleteAll();
  await notes.createAll([{ title: 'a', stars: 3 }, { title: 'b', stars: 5 }, { title: 'c', stars: 3 }]);
  const stars = await (await fetch(app.restServer.url + '/notes/stars')).json();
  const first = await notes.findOne({ order: ['title ASC'] });
  let stack = '';
  try {
    await notes.aggregate('not a pipeline' as never);
  } catch (err) {
    stack = String((err as Error).stack);
  }
  await app.stop();
  await ds.disconnect();
  console.log(JSON.stringify({ stars, id: first?.id, isHex: ObjectID.isValid(String(first?.id)), stack }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

/** @loopback/build's tsconfig.common.json, which lb4 app's tsconfig extends. */
const APP_TSCONFIG = {
  compilerOptions: {
    emitDecoratorMetadata: true,
    experimentalDecorators: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    strict: true,
    strictPropertyInitialization: false,
    useUnknownInCatchVariables: false,
    lib: ['es2020'],
    module: 'commonjs',
    esModuleInterop: true,
    moduleResolution: 'node',
    target: 'es2018',
    sourceMap: true,
    outDir: 'dist',
    rootDir: 'src',
  },
  include: ['src'],
};

function checkApp(work: string, tarball: string, dbUrl: string): void {
  const app = path.join(work, 'app');
  fs.mkdirSync(path.join(app, 'src'), { recursive: true });
  const dev = PKG.devDependencies;
  fs.writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'pack-check-app',
        private: true,
        dependencies: {
          '@loopback/core': dev['@loopback/core'],
          '@loopback/repository': dev['@loopback/repository'],
          '@loopback/rest': dev['@loopback/rest'],
        },
        devDependencies: { typescript: dev.typescript, '@types/node': dev['@types/node'] },
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify(APP_TSCONFIG, null, 2));
  fs.writeFileSync(path.join(app, 'src', 'index.ts'), APP_SOURCE);
  run('npm', ['install', '--no-audit', '--no-fund'], app);
  run('npm', ['install', '--no-audit', '--no-fund', tarball], app);
  run(path.join(app, 'node_modules', '.bin', 'tsc'), ['-p', '.'], app);
  const out = run(process.execPath, ['--enable-source-maps', 'dist/index.js'], app, {
    env: { ...process.env, APP_DB_URL: dbUrl },
  });
  const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as {
    stars: number[];
    isHex: boolean;
    stack: string;
  };
  if (JSON.stringify([...result.stars].sort()) !== '[3,5]') {
    fail(`GET /notes/stars answered ${JSON.stringify(result.stars)}, not [3, 5]`);
  }
  if (!result.isHex) fail('the id is not a 24-hex string');
  const installed = path.join(app, 'node_modules', PKG.name);
  const frames = [...result.stack.matchAll(/\(?(\/[^():]+):\d+:\d+\)?/g)]
    .map(([, file]) => file)
    .filter((file) => file.startsWith(installed + path.sep));
  if (!frames.length) fail(`the stack trace names no file of the package:\n${result.stack}`);
  const missing = frames.filter((file) => !fs.existsSync(file));
  if (missing.length) fail(`the stack trace names files the package lacks: ${missing.join(', ')}`);
  if (!frames.some((file) => file.endsWith('.ts'))) {
    fail(`the stack trace names no TypeScript source:\n${result.stack}`);
  }
  console.log(`pack-check: the app ran; its stack trace names shipped files:`);
  for (const file of new Set(frames)) console.log(`  ${path.relative(app, file)}`);
}

function checkGitInstall(work: string, sha: string): void {
  const scratch = path.join(work, 'git-install');
  fs.mkdirSync(scratch);
  fs.writeFileSync(
    path.join(scratch, 'package.json'),
    JSON.stringify({ name: 'git-install-check', private: true }),
  );
  run('npm', ['install', '--no-audit', '--no-fund', `git+file://${ROOT}#${sha}`], scratch);
  const dist = path.join(scratch, 'node_modules', PKG.name, 'dist', 'repository', 'index.js');
  if (!fs.existsSync(dist)) fail(`npm install git+file:// gave no ${path.relative(scratch, dist)}`);
  console.log('pack-check: npm install git+file://... built dist/ (prepare ran)');
}

async function main(): Promise<void> {
  const sha = run('git', ['rev-parse', 'HEAD'], ROOT).trim();
  if (run('git', ['status', '--porcelain'], ROOT).trim()) {
    console.log('pack-check: the working tree has changes; checking the committed HEAD only');
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-check-'));
  const server = await startServer({ log: (line) => console.log(line) });
  try {
    const clone = path.join(work, 'clone');
    run('git', ['clone', '--quiet', ROOT, clone], work);
    run('git', ['checkout', '--quiet', sha], clone);
    run('npm', ['ci', '--no-audit', '--no-fund'], clone);
    const [packed] = JSON.parse(
      run('npm', ['pack', '--json', '--pack-destination', work], clone),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = new Set(packed.files.map((file) => file.path));
    for (const needed of ['dist/index.js', 'dist/repository/index.js', 'src/index.ts', 'LICENSE']) {
      if (!files.has(needed)) fail(`the tarball lacks ${needed}`);
    }
    console.log(`pack-check: ${packed.filename}: ${files.size} files, dist/ and src/ included`);
    checkApp(work, path.join(work, packed.filename), urlForDatabase(server.url, 'pack_check'));
    if (process.argv.includes('--git')) checkGitInstall(work, sha);
    console.log('pack-check: OK');
  } finally {
    await server.stop();
    if (!process.argv.includes('--keep')) fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => fail(String(error instanceof Error ? error.message : error)));
