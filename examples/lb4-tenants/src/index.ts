import { TenantShopApplication, type TenantShopConfig } from './application';

export * from './application';
export * from './tenancy';

/** `npx tsx examples/lb4-tenants/src/index.ts`: two tenants migrated, then serve. */
export async function main(options: TenantShopConfig = {}): Promise<TenantShopApplication> {
  const app = new TenantShopApplication(options);
  for (const tenant of ['acme', 'globex']) await app.migrateTenant(tenant);
  await app.start();
  console.log(`Server is running at ${app.restServer.url}; send X-Tenant: acme or globex`);
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
