import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'

/** A certificate and its key, as PEM files and their content. */
export interface Issued {
  readonly cert: string
  readonly key: string
  readonly certPem: Buffer
  readonly keyPem: Buffer
}

/** A test CA, with what it issues; removed when the test ends. */
export interface TestPki {
  readonly dir: string
  /** The CA's certificate (PEM file) and its content. */
  readonly ca: string
  readonly caPem: Buffer
  /** A server certificate for localhost and 127.0.0.1. */
  readonly server: Issued
  /** A client certificate, signed by the CA. */
  readonly client: Issued
  /** A client certificate signed by another CA. */
  readonly stranger: Issued
  /** A server certificate for `host`, signed by the CA. */
  issue(host: string): Issued
  /** A certificate for localhost that expired in 2020. */
  expired(): Issued
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

/** Makes a CA and its certificates with openssl (installed by .ci/run), in a folder removed when the test ends. */
export function makePki(t: Test): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'rxgate-pki-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' })
  const selfSigned = (name: string, subject: string) => {
    openssl('req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', subject)
  }
  const issue = (name: string, subject: string, ca: string, extensions?: string): Issued => {
    openssl('req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject)
    const extra: string[] = []
    if (extensions) {
      writeFileSync(join(dir, `${name}.ext`), `${extensions}\n`)
      extra.push('-extfile', `${name}.ext`)
    }
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', ...extra)
    const cert = join(dir, `${name}.pem`)
    const key = join(dir, `${name}.key`)
    return { cert, key, certPem: readFileSync(cert), keyPem: readFileSync(key) }
  }
  selfSigned('ca', '/CN=rxgate test CA')
  selfSigned('other-ca', '/CN=another CA')
  let issued = 0
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    caPem: readFileSync(join(dir, 'ca.pem')),
    server: issue('server', '/CN=localhost', 'ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1'),
    client: issue('client', '/CN=a client', 'ca'),
    stranger: issue('stranger', '/CN=a stranger', 'other-ca'),
    issue: (host) => issue(`host-${issued++}`, `/CN=${host}`, 'ca', `subjectAltName=DNS:${host}`),
    expired: () => {
      // `openssl ca` is the one that takes dates in the past
      writeFileSync(join(dir, 'ca.cnf'), '[ca]\ndefault_ca=test\n[test]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=any\n[any]\ncommonName=supplied\n')
      writeFileSync(join(dir, 'index.txt'), '')
      writeFileSync(join(dir, 'serial'), '01\n')
      openssl('req', ...EC, '-keyout', 'expired.key', '-out', 'expired.csr', '-subj', '/CN=localhost')
      openssl('ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', 'expired.csr', '-out', 'expired.pem', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z')
      const cert = join(dir, 'expired.pem')
      const key = join(dir, 'expired.key')
      return { cert, key, certPem: readFileSync(cert), keyPem: readFileSync(key) }
    },
  }
}
