/**
 * Real proxies for tests: Debian's nginx (a reverse proxy or an auth gateway in front of the simulator) and squid
 * (a forward proxy for HTTPS_PROXY), each started as a child process on a free loopback port with its own config
 * in a temp dir, and stopped with the test. Where a binary is missing, `describeWith` skips its tests with one
 * line saying how to install it; with REQUIRE_PROXY_TESTS=1 (set by .ci/run) a missing binary fails instead.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { accessSync, chmodSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const SEARCH_PATH = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin']

/** The path of an installed program, or undefined. */
export function installed(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), ...SEARCH_PATH].filter((dir) => dir !== '')
  return dirs
    .map((dir) => join(dir, name))
    .find((path) => {
      try {
        accessSync(path, constants.X_OK)
        return true
      } catch {
        return false
      }
    })
}

/**
 * A describe block that runs only where `program` is installed. Elsewhere it shows one skipped test that says how
 * to install it, or, when the run requires these tests, one failing test.
 */
export function describeWith(program: 'nginx' | 'squid', title: string, body: () => void): void {
  if (installed(program)) {
    describe(title, body)
    return
  }
  const advice = `${program} is not installed: apt-get install -y ${program} (see CONTRIBUTING.md)`
  if (process.env.REQUIRE_PROXY_TESTS === '1') {
    describe(title, () => {
      it(`needs ${program}`, () => {
        throw new Error(`${advice}; REQUIRE_PROXY_TESTS=1 makes these tests required.`)
      })
    })
  } else {
    // One plain line in the test output, whatever the reporter shows of skipped tests.
    process.stderr.write(`Skipping "${title}": ${advice}.\n`)
    describe(title, () => {
      it.skip(`skipped: ${advice}`, () => undefined)
    })
  }
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

async function listening(port: number, child: ChildProcess, logOf: () => string): Promise<void> {
  const deadline = Date.now() + 15_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the proxy exited (${child.exitCode}): ${logOf()}`)
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy()
        resolve(true)
      })
      socket.on('error', () => resolve(false))
    })
    if (open) return
    if (Date.now() > deadline) throw new Error(`the proxy did not listen on ${port}: ${logOf()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export interface RunningProxy {
  /** http://127.0.0.1:port */
  url: string
  port: number
  stop(): Promise<void>
}

function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * nginx in the foreground, one process, with `server` as the body of its one server block (after `listen`).
 * `{upstream}` in it stands for the proxied address, e.g. `proxy_pass {upstream};`.
 */
export async function startNginx(upstream: string, server: string): Promise<RunningProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'memos-nginx-'))
  const port = await freePort()
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `  ${name}_temp_path ${join(dir, name)};`)
  const config = [
    'daemon off;',
    // One process as the user that runs the tests: no worker to switch to nobody, no files it could not open.
    'master_process off;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')} warn;`,
    'events { worker_connections 256; }',
    'http {',
    '  access_log off;',
    ...temp,
    '  server {',
    `    listen 127.0.0.1:${port};`,
    server.replaceAll('{upstream}', upstream),
    '  }',
    '}'
  ].join('\n')
  writeFileSync(join(dir, 'nginx.conf'), config)
  const child = spawn(installed('nginx') as string, ['-e', join(dir, 'error.log'), '-p', dir, '-c', join(dir, 'nginx.conf')], {
    stdio: 'ignore'
  })
  const logOf = (): string => readIfThere(join(dir, 'error.log'))
  await listening(port, child, logOf)
  return { url: `http://127.0.0.1:${port}`, port, stop: stopper(child, dir) }
}

export interface RunningSquid extends RunningProxy {
  /** The lines of squid's access log: one per request it handled (`TCP_TUNNEL/200 … CONNECT host:port`). */
  accessLog(): string[]
}

export interface SquidOptions {
  /** Only clients that give this user and password (Basic) may use it. */
  auth?: { user: string; password: string }
  /** Names squid resolves to 127.0.0.1 (it looks hosts up itself, in its own hosts file). */
  loopbackNames?: string[]
}

/** squid in the foreground, allowing loopback clients; with `auth`, only those giving that user and password. */
export async function startSquid({ auth, loopbackNames = [] }: SquidOptions = {}): Promise<RunningSquid> {
  const dir = mkdtempSync(join(tmpdir(), 'memos-squid-'))
  // squid drops to its own user (proxy) to write its logs and read the password file.
  chmodSync(dir, 0o777)
  const port = await freePort()
  const config = [
    `http_port 127.0.0.1:${port}`,
    `pid_filename ${join(dir, 'squid.pid')}`,
    `cache_log ${join(dir, 'cache.log')}`,
    `access_log stdio:${join(dir, 'access.log')}`,
    `coredump_dir ${dir}`,
    'cache deny all',
    'pinger_enable off',
    'shutdown_lifetime 0 seconds',
    'acl loopback src 127.0.0.1/32',
    `hosts_file ${join(dir, 'hosts')}`
  ]
  writeFileSync(join(dir, 'hosts'), ['127.0.0.1 localhost', ...loopbackNames.map((name) => `127.0.0.1 ${name}`)].join('\n') + '\n', {
    mode: 0o644
  })
  if (auth) {
    const hash = execFileSync('openssl', ['passwd', '-apr1', auth.password], { encoding: 'utf8' }).trim()
    writeFileSync(join(dir, 'passwd'), `${auth.user}:${hash}\n`, { mode: 0o644 })
    config.push(
      `auth_param basic program ${installed('basic_ncsa_auth') ?? '/usr/lib/squid/basic_ncsa_auth'} ${join(dir, 'passwd')}`,
      'auth_param basic realm memos-test',
      'acl authenticated proxy_auth REQUIRED',
      'http_access allow loopback authenticated'
    )
  } else {
    config.push('http_access allow loopback')
  }
  config.push('http_access deny all')
  writeFileSync(join(dir, 'squid.conf'), `${config.join('\n')}\n`, { mode: 0o644 })
  const child = spawn(installed('squid') as string, ['-N', '-f', join(dir, 'squid.conf')], { stdio: 'ignore' })
  await listening(port, child, () => readIfThere(join(dir, 'cache.log')))
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: stopper(child, dir),
    accessLog: () =>
      readIfThere(join(dir, 'access.log'))
        .split('\n')
        .filter((line) => line !== '')
  }
}

function readIfThere(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}
