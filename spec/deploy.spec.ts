import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { parseAllDocuments } from 'yaml'
import { cli, writeConfig } from './helpers/run-cli.js'
import { ROOT } from './helpers/spawn-node.js'

/**
 * deploy/: the Dockerfile and the Kubernetes manifests, read as text (no Docker or cluster here):
 * they parse, and agree with each other, with the image, and with the gateway's file.
 */
const DEPLOY = join(ROOT, 'deploy')
const KUBERNETES = join(DEPLOY, 'kubernetes')

/** A parsed manifest, read by the tests as Kubernetes reads it. */
type Manifest = Record<string, any>

function manifests(): { file: string; doc: Manifest }[] {
  const found: { file: string; doc: Manifest }[] = []
  for (const file of readdirSync(KUBERNETES).filter((name) => name.endsWith('.yaml'))) {
    for (const document of parseAllDocuments(readFileSync(join(KUBERNETES, file), 'utf8'))) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((error) => error.message).join('; ')}`)
      found.push({ file, doc: document.toJS() as Manifest })
    }
  }
  return found
}

function one(all: { doc: Manifest }[], kind: string, name: string): Manifest {
  const matching = all.filter(({ doc }) => doc.kind === kind && doc.metadata?.name === name)
  if (matching.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${matching.length}`)
  return matching[0]!.doc
}

/** Whether a selector picks pods with these labels. */
function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value)
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function dockerfile(): { instruction: string; args: string }[] {
  const text = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ')
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [instruction, ...rest] = line.split(/\s+/)
      return { instruction: instruction!.toUpperCase(), args: rest.join(' ') }
    })
}

const all = manifests()
const steps = dockerfile()
const finalStage = steps.slice(steps.findLastIndex((step) => step.instruction === 'FROM'))
const deployment = one(all, 'Deployment', 'rxgate')
const pod = deployment.spec.template
const container = pod.spec.containers.find((c: Manifest) => c.name === 'rxgate') as Manifest
const configMap = one(all, 'ConfigMap', 'rxgate-config')
const CONFIG_PATH = '/etc/rxgate/krakend.json'

t.test('every manifest parses and says what it is; kustomization.yaml lists every file', async (t) => {
  t.ok(all.length >= 7, 'ConfigMap, Deployment, Service, HorizontalPodAutoscaler, Redis Deployment and Service, Kustomization')
  for (const { file, doc } of all) {
    t.ok(doc.apiVersion && doc.kind, `${file}: apiVersion and kind`)
    if (doc.kind !== 'Kustomization') t.ok(doc.metadata?.name, `${file} ${doc.kind}: a name`)
  }
  const kustomization = all.find(({ doc }) => doc.kind === 'Kustomization')!.doc
  const files = readdirSync(KUBERNETES).filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml')
  t.same([...kustomization.resources].sort(), files.sort())
})

t.test("the Deployment's pods: selected by their own Deployment and Service, probed on /__health, running the image as uid 1000", async (t) => {
  t.ok(selects(deployment.spec.selector.matchLabels, pod.metadata.labels), 'the Deployment selects its pods')
  const service = one(all, 'Service', 'rxgate')
  t.ok(selects(service.spec.selector, pod.metadata.labels), 'the Service selects them')
  const redisPods = one(all, 'Deployment', 'rxgate-redis').spec.template.metadata.labels
  t.notOk(selects(service.spec.selector, redisPods), "and not Redis's")

  const http = container.ports.find((port: Manifest) => port.name === 'http')
  t.equal(http.containerPort, 8080)
  t.equal(service.spec.ports[0].targetPort, 'http', "the Service sends to the container's named port")
  for (const probe of ['readinessProbe', 'livenessProbe']) {
    t.same(container[probe].httpGet, { path: '/__health', port: 'http' }, `${probe} on rxgate's health endpoint`)
  }

  t.equal(pod.spec.securityContext.runAsUser, 1000)
  t.equal(pod.spec.securityContext.runAsNonRoot, true)
  t.equal(finalStage.find((step) => step.instruction === 'USER')?.args, 'node', "the image's user: node, uid 1000 in node's images")
  t.ok(container.resources.requests.cpu, 'a CPU request, which the autoscaler measures against')
  const grace = pod.spec.terminationGracePeriodSeconds as number
  const pause = Number(container.lifecycle.preStop.exec.command.at(-1))
  t.ok(grace >= pause + 10 + 5, `the grace period (${grace} s) covers the preStop pause and rxgate's 10 s drain`)
})

t.test("the ConfigMap's file: mounted where the image reads it, valid for rxgate check, on the Dockerfile's port", async (t) => {
  const volume = pod.spec.volumes.find((v: Manifest) => v.configMap?.name === 'rxgate-config')
  t.ok(volume, 'the pods mount the ConfigMap')
  const mount = container.volumeMounts.find((m: Manifest) => m.name === volume.name)
  const [file] = Object.keys(configMap.data)
  t.equal(`${mount.mountPath}/${file}`, CONFIG_PATH)
  t.same(JSON.parse(finalStage.find((step) => step.instruction === 'CMD')!.args), ['run', '-c', CONFIG_PATH], "the image's command reads it")

  const text = configMap.data[file!] as string
  const path = writeConfig(text, 'krakend.json')
  const checked = await cli('check', '--lint', '-c', path)
  t.equal(checked.code, 0, checked.output)
  t.match(checked.output, /the configuration is valid/)
  const config = JSON.parse(text) as Manifest
  t.equal(config.port, 8080, "the file's port is the container's")
})

t.test('shared state: the pool the file names is the Redis Service, which selects the Redis pods', async (t) => {
  const config = JSON.parse(configMap.data['krakend.json']) as Manifest
  const pools = config.extra_config.redis.connection_pools as { name: string; address: string }[]
  const [host, port] = pools[0]!.address.split(':')
  const service = one(all, 'Service', host!)
  t.equal(service.spec.ports[0].port, Number(port), "the pool's port is the Service's")
  const redis = one(all, 'Deployment', host!)
  t.ok(selects(service.spec.selector, redis.spec.template.metadata.labels))
  t.ok(selects(redis.spec.selector.matchLabels, redis.spec.template.metadata.labels))
  const redisPorts = redis.spec.template.spec.containers[0].ports as Manifest[]
  t.equal(redisPorts.find((p) => p.name === service.spec.ports[0].targetPort)?.containerPort, 6379)

  const text = JSON.stringify(config)
  const users = config.endpoints.find((e: Manifest) => e.endpoint === '/users/{id}')
  for (const [where, block] of [
    ['the service rate limit', config.extra_config['qos/ratelimit/redis']],
    ["an endpoint's rate limit", users.extra_config['qos/ratelimit/router/redis']],
    ["a backend's HTTP cache", users.backend[0].extra_config['qos/http-cache']],
  ]) {
    t.equal(block?.connection_pool, pools[0]!.name, `${where} is kept in Redis`)
  }
  t.match(text, /"sd":"dns"/, 'backends found by DNS SRV')
})

t.test("the autoscaler scales the gateway's Deployment", async (t) => {
  const hpa = all.find(({ doc }) => doc.kind === 'HorizontalPodAutoscaler')!.doc
  t.same(hpa.spec.scaleTargetRef, { apiVersion: deployment.apiVersion, kind: 'Deployment', name: 'rxgate' })
  t.ok(hpa.spec.minReplicas >= 2 && hpa.spec.minReplicas <= hpa.spec.maxReplicas)
  t.equal(deployment.spec.replicas, hpa.spec.minReplicas, "the Deployment starts with the autoscaler's minimum")
})

t.test('the Dockerfile: multi-stage on node:20-slim, paths that exist, the port and health path of the manifests', async (t) => {
  const froms = steps.filter((step) => step.instruction === 'FROM').map((step) => step.args.split(/\s+/)[0])
  t.ok(froms.length >= 2, 'multi-stage')
  t.same([...new Set(froms)], ['node:20-slim'])
  for (const step of steps.filter((s) => s.instruction === 'COPY' && !s.args.startsWith('--from'))) {
    const sources = step.args.split(/\s+/).slice(0, -1)
    for (const source of sources) t.ok(existsSync(join(ROOT, source)), `COPY ${source}: in the repository (the build context is its root)`)
  }
  // The runtime stage holds what the package ships.
  const { files } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] }
  const copied = finalStage.filter((step) => step.instruction === 'COPY' && step.args.startsWith('--from')).map((step) => step.args.split(/\s+/).at(-1))
  for (const shipped of files) t.ok(copied.includes(shipped), `${shipped} is in the image`)

  t.equal(finalStage.find((step) => step.instruction === 'EXPOSE')?.args, String(container.ports[0].containerPort))
  const health = finalStage.find((step) => step.instruction === 'HEALTHCHECK')!.args
  t.match(health, /http:\/\/127\.0\.0\.1:8080\/__health/, 'HEALTHCHECK asks /__health on the exposed port')
  t.same(JSON.parse(finalStage.find((step) => step.instruction === 'ENTRYPOINT')!.args), ['rxgate'])
})
