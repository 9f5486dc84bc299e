/**
 * Real TLS for tests: a certificate authority made on the spot with the `openssl` command, certificates it
 * issues, and an https front that terminates TLS and passes the bytes to a plain-HTTP server (the simulator).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, type TLSSocket } from 'node:tls'

export interface KeyPair {
  key: string
  cert: string
}

export interface CertificateAuthority {
  /** The CA certificate (PEM). */
  certificate: string
  /** Its path, for NODE_EXTRA_CA_CERTS. */
  certificatePath: string
  /** A server certificate for these names (DNS names or IPs), signed by this CA; `expired` ends it yesterday. */
  issue(names: string[], options?: { expired?: boolean }): KeyPair
  /** A certificate for these names that signs itself, outside any CA. */
  selfSigned(names: string[]): KeyPair
  /** Removes the files. */
  dispose(): void
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' })
}

function subjectAltName(names: string[]): string {
  return `subjectAltName=${names.map((name) => (/^[\d.]+$/.test(name) ? `IP:${name}` : `DNS:${name}`)).join(',')}`
}

export function makeCertificateAuthority(): CertificateAuthority {
  const dir = mkdtempSync(join(tmpdir(), 'memos-tls-'))
  openssl(['req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Memos Test CA'], dir)
  let serial = 0
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8')
  return {
    certificate: read('ca.pem'),
    certificatePath: join(dir, 'ca.pem'),
    issue(names, { expired = false } = {}) {
      const name = `server-${++serial}`
      writeFileSync(join(dir, `${name}.ext`), `${subjectAltName(names)}\n`)
      openssl(['req', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${names[0]}`], dir)
      // A negative validity puts the end before the start: a certificate that has already expired.
      const days = expired ? '-1' : '2'
      openssl(
        ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(1000 + serial)].concat([
          '-days',
          days,
          '-extfile',
          `${name}.ext`,
          '-out',
          `${name}.pem`
        ]),
        dir
      )
      return { key: read(`${name}.key`), cert: read(`${name}.pem`) }
    },
    selfSigned(names) {
      const name = `self-${++serial}`
      openssl(
        ['req', '-x509', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2'].concat([
          '-subj',
          `/CN=${names[0]}`,
          '-addext',
          subjectAltName(names)
        ]),
        dir
      )
      return { key: read(`${name}.key`), cert: read(`${name}.pem`) }
    },
    dispose: () => rmSync(dir, { recursive: true, force: true })
  }
}

export interface TlsFront {
  port: number
  /** Completed TLS handshakes: one per connection the client opened. */
  handshakes: number
  close(): Promise<void>
}

/** An https endpoint on 127.0.0.1 with this certificate, in front of the plain-HTTP server on `targetPort`. */
export async function startTlsFront(targetPort: number, pair: KeyPair): Promise<TlsFront> {
  const sockets = new Set<Socket>()
  const track = (socket: Socket): void => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  }
  const front: TlsFront = { port: 0, handshakes: 0, close: async () => undefined }
  const server = createServer(pair, (client: TLSSocket) => {
    front.handshakes++
    const upstream = connect(targetPort, '127.0.0.1')
    track(upstream)
    client.pipe(upstream)
    upstream.pipe(client)
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  server.on('connection', track)
  // A client that rejects the certificate aborts the handshake: expected here, not a test failure.
  server.on('tlsClientError', () => undefined)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  front.port = typeof address === 'object' && address ? address.port : 0
  front.close = async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return front
}
