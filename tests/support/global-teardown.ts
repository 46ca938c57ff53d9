import { removeLogScanDir, scanLogs } from './log-scan';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__testRedis?.stop();
  await globalThis.__testPostgres?.stop();
  const dir = process.env.TEST_LOG_DIR;
  if (!dir) return;
  const { lines, secrets, leaks } = scanLogs(dir);
  removeLogScanDir(dir);
  if (leaks.length > 0) {
    throw new Error(`${leaks.length} secret(s) used by the tests appear in the logs:\n${leaks.join('\n')}`);
  }
  if (lines > 0)
    process.stdout.write(
      `log scan: ${lines} log lines, none holding any of ${secrets} secrets the tests used\n`,
    );
}
