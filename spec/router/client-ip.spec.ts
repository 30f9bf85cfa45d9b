import t from 'tap'
import { compileClientIp, plainIp } from '../../lib/router/client-ip.js'

t.test('by default the client is the connection peer, IPv4 written plainly, whatever the headers say', async (t) => {
  const clientIp = compileClientIp()
  t.equal(clientIp('::ffff:10.0.0.7', { 'x-forwarded-for': '203.0.113.9' }), '10.0.0.7')
  t.equal(clientIp('::1', {}), '::1')
  t.equal(clientIp(undefined, {}), '', 'a socket already gone has no peer')
  t.equal(compileClientIp({ forwardedByClientIp: true })('10.0.0.7', { 'x-forwarded-for': '203.0.113.9' }), '10.0.0.7', 'no trusted proxies: no header is believed')
})

t.test('behind trusted proxies: the last address before them, header by header', async (t) => {
  const clientIp = compileClientIp({ forwardedByClientIp: true, trustedProxies: ['10.0.0.0/8', '192.0.2.1', '2001:db8::/32'] })
  const proxy = '::ffff:10.1.2.3'
  t.equal(clientIp(proxy, { 'x-forwarded-for': '203.0.113.9' }), '203.0.113.9')
  t.equal(clientIp(proxy, { 'x-forwarded-for': '198.51.100.1, 203.0.113.9, 192.0.2.1, 10.0.0.1' }), '203.0.113.9', 'A, B, C, D with C and D trusted: B')
  t.equal(clientIp(proxy, { 'x-forwarded-for': '10.0.0.2, 10.0.0.1' }), '10.0.0.2', 'only proxies: the leftmost')
  t.equal(clientIp(proxy, { 'x-forwarded-for': ['203.0.113.9', '10.0.0.1'] }), '203.0.113.9', 'repeated headers read as one list')
  t.equal(clientIp(proxy, { 'x-forwarded-for': 'not-an-ip', 'x-real-ip': '203.0.113.7' }), '203.0.113.7', 'a header without an address is skipped')
  t.equal(clientIp(proxy, {}), '10.1.2.3', 'no header: the peer')
  t.equal(clientIp('2001:db8::5', { 'x-real-ip': '2001:db9::1' }), '2001:db9::1', 'IPv6 proxies and clients')
  t.equal(clientIp('198.51.100.9', { 'x-forwarded-for': '203.0.113.9' }), '198.51.100.9', 'an untrusted peer is the client')
})

t.test('remote_ip_headers replaces the default headers', async (t) => {
  const clientIp = compileClientIp({ forwardedByClientIp: true, trustedProxies: ['127.0.0.1'], remoteIpHeaders: ['CF-Connecting-IP'] })
  t.equal(clientIp('127.0.0.1', { 'cf-connecting-ip': '203.0.113.5', 'x-forwarded-for': '198.51.100.1' }), '203.0.113.5')
  t.equal(clientIp('127.0.0.1', { 'x-forwarded-for': '198.51.100.1' }), '127.0.0.1')
})

t.test('plainIp writes IPv4-mapped IPv6 addresses as IPv4 only', async (t) => {
  t.equal(plainIp('::ffff:127.0.0.1'), '127.0.0.1')
  t.equal(plainIp('::ffff:abcd'), '::ffff:abcd')
  t.equal(plainIp('fe80::1'), 'fe80::1')
})
