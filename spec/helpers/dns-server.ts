import { createSocket } from 'node:dgram'
import { Resolver } from 'node:dns/promises'
import dnsPacket from 'dns-packet'
import type { Test } from 'tap'

export interface SrvRecord {
  readonly priority: number
  readonly weight: number
  readonly port: number
}

/** A real DNS server on loopback answering SRV questions with `records()`, or failing when it is null. */
export async function startDns(t: Test, records: () => SrvRecord[] | null) {
  const socket = createSocket('udp4')
  socket.on('message', (message, peer) => {
    const query = dnsPacket.decode(message)
    const answers = records()
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (answers ? 0 : 2),
      questions: query.questions,
      answers: (answers ?? []).map((record) => ({
        type: 'SRV',
        name: query.questions![0]!.name,
        ttl: 1,
        data: { ...record, target: '127.0.0.1' },
      })),
    })
    socket.send(reply, peer.port, peer.address)
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  t.teardown(() => socket.close())
  const resolver = new Resolver({ timeout: 200, tries: 1 })
  resolver.setServers([`127.0.0.1:${socket.address().port}`])
  return { resolver, server: `127.0.0.1:${socket.address().port}` }
}
