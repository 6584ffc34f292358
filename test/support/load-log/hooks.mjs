// Module hooks that append the URL of every module loaded to the file named by SIGMATEST_LOAD_LOG
// (test/command-loading.test.ts: which modules a command loads).
import { appendFileSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  if (process.env.SIGMATEST_LOAD_LOG) appendFileSync(process.env.SIGMATEST_LOAD_LOG, `${url}\n`);
  return nextLoad(url, context);
}
