/**
 * globalSetup of the "secure" jest projects (both juggler versions name this one file, so jest
 * runs it once): a mongod with authentication and one that requires TLS and client certificates,
 * with certificates made for the run. Jest runs it only when a file of those projects is
 * selected, in the process of the main globalSetup, before any worker starts: workers inherit
 * the URLs and the certificate paths.
 */
import {
  freshCertificates,
  removeCertificates,
  startAuthServer,
  startTlsServer,
  type SecureServer,
} from '../../scripts/mongod/secure';
import { serverLine } from '../../scripts/mongod/server';

declare global {
  // held between this setup and secure-global-teardown, which share one process
  var __MONGO_SECURE__: { servers: SecureServer[]; stop: () => Promise<void> } | undefined;
}

export default async function secureGlobalSetup(): Promise<void> {
  const started = Date.now();
  const certificates = freshCertificates();
  const [auth, tls] = await Promise.allSettled([
    startAuthServer(certificates),
    startTlsServer(certificates),
  ]);
  const servers = [auth, tls].flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    removeCertificates(certificates);
  };
  const failed = [auth, tls].find((s) => s.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  globalThis.__MONGO_SECURE__ = { servers, stop };
  console.log(`\nauth and TLS servers up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const server of servers) console.log(serverLine(server));
  process.env.MONGODB_TEST_AUTH_URL = servers[0].url;
  process.env.MONGODB_TEST_TLS_URL = servers[1].url;
  process.env.MONGODB_TEST_CERTIFICATES = JSON.stringify(certificates);
}
