import { lastValueFrom } from 'rxjs'
import t from 'tap'
import { closeAll, httpCall } from '../../lib/backend/index.js'
import { gatewayRequest, httpBackend, sendJson } from '../fixtures/backends.js'

t.teardown(closeAll)

t.test('redirects are followed, across origins, without credentials there', async (t) => {
  const other = await httpBackend((req, res) => sendJson(res, { at: req.url, auth: req.headers.authorization ?? null }))
  t.teardown(other.close)
  const backend = await httpBackend((req, res) => {
    if (req.url === '/old') return void res.writeHead(301, { location: '/new?x=1' }).end('moved')
    if (req.url === '/away') return void res.writeHead(302, { location: `${other.origin}/there` }).end()
    sendJson(res, { at: req.url, auth: req.headers.authorization ?? null })
  })
  t.teardown(backend.close)
  const options = { headers: ['authorization'] }
  const req = gatewayRequest({ headers: { host: 'gw', authorization: 'Bearer t' } })
  t.same(await lastValueFrom(httpCall(`${backend.origin}/old`, options)(req)), { at: '/new?x=1', auth: 'Bearer t' })
  t.same(await lastValueFrom(httpCall(`${backend.origin}/away`, options)(req)), { at: '/there', auth: null })
})

t.test('303 turns a POST into a GET; 307 repeats it with its body', async (t) => {
  const backend = await httpBackend((req, res, seen) => {
    if (req.url === '/see-other') return void res.writeHead(303, { location: '/result' }).end()
    if (req.url === '/temporary') return void res.writeHead(307, { location: '/result' }).end()
    sendJson(res, { method: seen.method, body: seen.body.toString() })
  })
  t.teardown(backend.close)
  const req = gatewayRequest({ method: 'POST', body: Buffer.from('payload') })
  t.same(await lastValueFrom(httpCall(`${backend.origin}/see-other`, { method: 'POST' })(req)), { method: 'GET', body: '' })
  t.same(await lastValueFrom(httpCall(`${backend.origin}/temporary`, { method: 'POST' })(req)), {
    method: 'POST',
    body: 'payload',
  })
})

t.test('a redirect loop fails with BACKEND_REDIRECT after maxRedirects', async (t) => {
  const backend = await httpBackend((req, res) => {
    const n = Number(req.url!.slice(1))
    res.writeHead(302, { location: `/${n + 1}` }).end()
  })
  t.teardown(backend.close)
  await t.rejects(lastValueFrom(httpCall(`${backend.origin}/0`)(gatewayRequest())), {
    code: 'RXGATE_ERR_BACKEND_REDIRECT',
    details: { maxRedirects: 10 },
  })
  t.equal(backend.seen.length, 11, 'the first request and 10 redirects')
  await t.rejects(lastValueFrom(httpCall(`${backend.origin}/0`, { maxRedirects: 2 })(gatewayRequest())), {
    code: 'RXGATE_ERR_BACKEND_REDIRECT',
  })
  t.equal(backend.seen.length, 14)
})

t.test('a redirect without location fails with BACKEND_REDIRECT', async (t) => {
  const backend = await httpBackend((_req, res) => void res.writeHead(302).end())
  t.teardown(backend.close)
  await t.rejects(lastValueFrom(httpCall(`${backend.origin}/x`)(gatewayRequest())), {
    code: 'RXGATE_ERR_BACKEND_REDIRECT',
    details: { status: 302 },
  })
})

t.test('a followed redirect carries Referer: the URL redirected from, or the first request\'s own', async (t) => {
  const backend = await httpBackend((req, res) => {
    if (req.url === '/one') return void res.writeHead(302, { location: '/two' }).end()
    if (req.url === '/two') return void res.writeHead(307, { location: '/three' }).end()
    sendJson(res, { referer: req.headers.referer ?? null })
  })
  t.teardown(backend.close)
  t.same(await lastValueFrom(httpCall(`${backend.origin}/one`)(gatewayRequest())), { referer: `${backend.origin}/two` }, 'the last hop, as Go')
  t.same(await lastValueFrom(httpCall(`${backend.origin}/three`)(gatewayRequest())), { referer: null }, 'no redirect, no Referer')
  const withOwn = gatewayRequest({ headers: { host: 'gw', referer: 'https://shop.example/cart' } })
  t.same(
    await lastValueFrom(httpCall(`${backend.origin}/one`, { headers: ['referer'] })(withOwn)),
    { referer: 'https://shop.example/cart' },
    'a Referer the request had is kept, as Go keeps an explicit one',
  )
})
