import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throwaway certificate for the bench's stand-ins, and the file that makes the children trust it. */
export interface LocalTls {
  readonly key: string;
  readonly cert: string;
  /** Give it to a child as `NODE_EXTRA_CA_CERTS`. */
  readonly caFile: string;
}

/**
 * Makes a self-signed P-256 certificate for 127.0.0.1, valid one day, with `openssl` (Node cannot issue
 * certificates). The stand-ins serve HTTPS with it because Lambda's clients only ever speak HTTPS: a
 * plain `http://` endpoint sends the SDK down another path (it imports `node:http` as an ES module,
 * whose facade loads undici in Node 24), which no deployed function takes.
 */
export const createLocalTls = async (workDir: string): Promise<LocalTls> => {
  const keyFile = join(workDir, 'stand-in-key.pem');
  const caFile = join(workDir, 'stand-in-cert.pem');
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=bulwark-bench',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      caFile,
    ]);
  } catch (error) {
    throw new Error(
      'the cold-start bench needs `openssl` to make its stand-ins a certificate (Debian: apt-get install openssl)',
      { cause: error },
    );
  }
  return { key: await readFile(keyFile, 'utf8'), cert: await readFile(caFile, 'utf8'), caFile };
};
