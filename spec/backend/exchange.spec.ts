import net from 'node:net'
import { lastValueFrom } from 'rxjs'
import t from 'tap'
import { closeAll, httpCall } from '../../lib/backend/index.js'
import { failure, gatewayRequest, httpBackend } from '../fixtures/backends.js'

t.teardown(closeAll)

t.test('a server that destroys the socket fails the call with BACKEND_NETWORK', async (t) => {
  const backend = await httpBackend((req, res) => {
    if (req.url === '/midway') {
      res.writeHead(200, { 'content-length': 1000 })
      res.write('{"a":')
      setTimeout(() => req.socket.destroy(), 10)
      return
    }
    req.socket.destroy()
  })
  t.teardown(backend.close)
  const call = (path: string) => lastValueFrom(httpCall(`${backend.origin}${path}`)(gatewayRequest()))
  const error = await failure(call('/reset'))
  t.equal(error.code, 'RXGATE_ERR_BACKEND_NETWORK')
  t.equal(error.details.url, `${backend.origin}/reset`)
  t.ok(error.cause instanceof Error, 'the cause is kept')
  await t.rejects(call('/midway'), { code: 'RXGATE_ERR_BACKEND_NETWORK' }, 'closed in the middle of the body')
})

t.test('a refused connection fails with BACKEND_NETWORK and ECONNREFUSED', async (t) => {
  const port = await freePort()
  await t.rejects(lastValueFrom(httpCall(`http://127.0.0.1:${port}/x`)(gatewayRequest())), {
    code: 'RXGATE_ERR_BACKEND_NETWORK',
    details: { code: 'ECONNREFUSED' },
  })
})

t.test('an unknown host fails with BACKEND_NETWORK', async (t) => {
  await t.rejects(lastValueFrom(httpCall('http://no-such-host.invalid/x')(gatewayRequest())), {
    code: 'RXGATE_ERR_BACKEND_NETWORK',
  })
})

t.test('a server speaking garbage fails with BACKEND_NETWORK', async (t) => {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined) // the client resets it
    socket.resume() // read the request, so the client's close is seen
    socket.end('this is not HTTP\r\n\r\n')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const { port } = server.address() as net.AddressInfo
  await t.rejects(lastValueFrom(httpCall(`http://127.0.0.1:${port}/x`)(gatewayRequest())), {
    code: 'RXGATE_ERR_BACKEND_NETWORK',
  })
})

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
