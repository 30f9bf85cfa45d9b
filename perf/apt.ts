/**
 * Installs a Debian package the bench needs (wrk, h2load, nginx, redis-server) with apt-get, as root only. A package
 * must not start a service of its own on the way: Debian's nginx would start a system nginx on
 * port 80 beside the one the bench runs, and keep it running after the bench.
 */
import { spawnSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'

/** Whether the bench may install packages: apt-get needs root. */
export function canInstall(): boolean {
  return process.getuid?.() === 0
}

/** `apt-get install -y pkg`, then `apt-get update` and again if that fails. Says what it runs. */
export function aptInstall(pkg: string): boolean {
  return withoutServiceStarts(() => {
    console.log(`running \`apt-get install -y ${pkg}\``)
    if (apt(['install', '-y', pkg])) return true
    console.log(`that failed: running \`apt-get update\`, then \`apt-get install -y ${pkg}\` again`)
    return apt(['update']) && apt(['install', '-y', pkg])
  })
}

/**
 * `command`'s version line (`version()`, undefined when it does not run), installing Debian's `pkg`
 * first if needed. Exits the bench, saying how to install it, when it cannot.
 */
export function ensureCommand(command: string, pkg: string, version: () => string | undefined): string {
  const found = version()
  if (found) return found
  if (!canInstall()) {
    console.error(`${command} is not installed, and the bench is not running as root so it cannot install it.\n` +
      `Install it, then run the bench again:  sudo apt-get install -y ${pkg}`)
    process.exit(1)
  }
  console.log(`${command} is not installed: installing Debian's ${pkg}`)
  if (!aptInstall(pkg)) {
    console.error(`could not install ${command} (${pkg}) with apt-get: install it by hand, then run the bench again`)
    process.exit(1)
  }
  const installed = version()
  if (!installed) {
    console.error(`apt-get installed ${pkg} but ${command} does not run: check it by hand`)
    process.exit(1)
  }
  return installed
}

function apt(args: string[]): boolean {
  const result = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  return result.status === 0
}

const POLICY = '/usr/sbin/policy-rc.d'

/**
 * Runs `install` with a policy-rc.d that denies every service action: invoke-rc.d and
 * deb-systemd-invoke, which packages' scripts start services with, ask it first, and exit 0 on a
 * denial, so the install still succeeds. A policy-rc.d already there is the machine's own (Docker
 * images have one that denies all): it stays, and decides.
 */
function withoutServiceStarts(install: () => boolean): boolean {
  let written = false
  try {
    // 'wx': only if there is none, checked and created in one step.
    writeFileSync(POLICY, '#!/bin/sh\n# The rxgate bench: no service starts while it installs a package.\nexit 101\n', { flag: 'wx', mode: 0o755 })
    written = true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      console.error(`could not write ${POLICY} to keep the package's services from starting, so not installing: ${(error as Error).message}`)
      return false
    }
  }
  try {
    return install()
  } finally {
    if (written) rmSync(POLICY, { force: true })
  }
}
