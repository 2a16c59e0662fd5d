/** A throwaway self-signed certificate for the TLS tests (syslog over TLS, SMTP STARTTLS), made by the real openssl. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Writes cert.pem and key.pem into `dir` for CN=localhost with these subjectAltNames; returns their paths. */
export async function selfSignedCertificate(dir: string, altNames = 'DNS:localhost,IP:127.0.0.1'): Promise<{ cert: string; key: string }> {
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    `subjectAltName=${altNames}`,
  ]);
  return { cert, key };
}
