import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import t from 'tap'
import { cors } from '../../lib/middleware/cors.js'
import { sampleGateway } from './sample-gateway.js'

t.test("node:http's createServer(gw.handler()): without next, rxgate answers every request as its own server does", async (t) => {
  const { gateway: gw } = await sampleGateway(t)
  const server = createServer(gw.handler())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  t.same(await (await fetch(`${base}/users/7`)).json(), { id: '7', name: 'Ada' })
  const missing = await fetch(`${base}/nowhere`)
  t.equal(missing.status, 404)
  t.equal(((await missing.json()) as { error: { code: string } }).error.code, 'RXGATE_ERR_NOT_FOUND')
  const redirected = await fetch(`${base}/users/7/`, { redirect: 'manual' })
  t.same([redirected.status, redirected.headers.get('location')], [301, '/users/7'], 'the trailing-slash redirect, as KrakenD')
  const wrongMethod = await fetch(`${base}/users/7`, { method: 'DELETE' })
  t.same([wrongMethod.status, wrongMethod.headers.get('allow')], [405, 'GET'])
})

t.test("the gateway's server middlewares run on every request that reaches the handler, the app's included", async (t) => {
  const { gateway: gw } = await sampleGateway(t)
  gw.use(cors({ allow_origins: ['https://app.example'] }))
  const app = express()
  app.use(gw.handler())
  app.get('/status', (_req, res) => {
    res.json({ app: 'ok' })
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const origin = { origin: 'https://app.example' }
  const ours = await fetch(`${base}/users/7`, { headers: origin })
  t.equal(ours.headers.get('access-control-allow-origin'), 'https://app.example')
  const theirs = await fetch(`${base}/status`, { headers: origin })
  t.same(await theirs.json(), { app: 'ok' })
  t.equal(theirs.headers.get('access-control-allow-origin'), 'https://app.example', "the app's answer carries them too: the handler sits before its routes")
  t.throws(() => gw.use(cors()), /use\(\) comes before listen\(\) and handler\(\)/, 'a middleware added once the handler exists would not run: refused')
})
