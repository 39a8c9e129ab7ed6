import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A certificate authority made for one test run, and one server certificate it signed. */
export interface TestCertificates {
  /** The CA's certificate (PEM). */
  caFile: string;
  /** The server certificate followed by the CA's: what nginx and coturn present. */
  chainFile: string;
  keyFile: string;
  /**
   * SHA-256 of the CA's public key (SubjectPublicKeyInfo), base64: Chromium's
   * `--ignore-certificate-errors-spki-list` trusts chains that contain it, which is how the test's
   * browsers trust this CA without a certificate store of their own.
   */
  caSpki: string;
}

/**
 * Makes a CA and a server certificate for `addresses` (IP subject alternative names) with openssl,
 * valid for one day, in `folder`; nothing of it is ever committed.
 */
export function makeTestCertificates(folder: string, addresses: string[]): TestCertificates {
  const file = (name: string) => join(folder, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...newKey,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=Konferenz Test CA',
    ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
  );
  openssl('req', ...newKey, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=konferenz.test');
  writeFileSync(
    file('server.ext'),
    [
      `subjectAltName=${addresses.map((address) => `IP:${address}`).join(',')}`,
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'),
  );
  openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-out',
    file('server.pem'),
    '-extfile',
    file('server.ext'),
  );
  const ca = readFileSync(file('ca.pem'), 'utf8');
  writeFileSync(file('chain.pem'), readFileSync(file('server.pem'), 'utf8') + ca);
  const spki = new X509Certificate(ca).publicKey.export({ type: 'spki', format: 'der' });
  return { caFile: file('ca.pem'), chainFile: file('chain.pem'), keyFile: file('server.key'), caSpki: createHash('sha256').update(spki).digest('base64') };
}
