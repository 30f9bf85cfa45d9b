/**
 * The peers the bench measures against (fastify, @fastify/http-proxy, fast-gateway) are
 * perf/package.json's own dependencies, installed into perf/node_modules by `npm run bench`, so
 * that rxgate's install carries none of them. The compiled contenders run from dist/perf/, where
 * a bare import would not find that folder: they are resolved from perf/ itself.
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

// dist/perf/peers.js -> perf/package.json
const fromPerfFolder = createRequire(new URL('../../perf/package.json', import.meta.url))

/**
 * Imports a package installed in perf/node_modules, or throws saying how to install it.
 *
 * @example
 * const { default: fastGateway } = await importPeer<{ default: (options: object) => Gateway }>('fast-gateway')
 */
export async function importPeer<Module>(name: string): Promise<Module> {
  let path: string
  try {
    path = fromPerfFolder.resolve(name)
  } catch {
    throw new Error(`${name} is not installed in perf/: npm install --prefix perf`)
  }
  return (await import(pathToFileURL(path).href)) as Module
}
