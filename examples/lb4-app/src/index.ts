import { ShopApplication, type ShopConfig } from './application';

export * from './application';

/** `npx tsx examples/lb4-app/src/index.ts`: migrate (indexes included), then serve. */
export async function main(options: ShopConfig = {}): Promise<ShopApplication> {
  const app = new ShopApplication(options);
  await app.migrateSchema();
  await app.start();
  console.log(`Server is running at ${app.restServer.url}`);
  return app;
}

if (require.main === module) {
  main({
    rest: { port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' },
  }).catch((err) => {
    console.error('Cannot start the application.', err);
    process.exit(1);
  });
}
