export default async function secureGlobalTeardown(): Promise<void> {
  await globalThis.__MONGO_SECURE__?.stop();
  globalThis.__MONGO_SECURE__ = undefined;
}
