export default async function globalTeardown(): Promise<void> {
  await globalThis.__testRedis?.stop();
  await globalThis.__testPostgres?.stop();
}
