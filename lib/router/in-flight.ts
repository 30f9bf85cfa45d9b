/** A place in an `InFlight`: what `remove` takes. */
export interface InFlightEntry<T> {
  readonly value: T
  /** Toward the newer entries. */
  newer: InFlightEntry<T> | undefined
  /** Toward the older entries. */
  older: InFlightEntry<T> | undefined
  removed: boolean
}

/**
 * What a long-lived owner has in flight (the server's exchanges, a listener's sockets): added and
 * removed once each, counted, walked when closing. A linked list rather than a `Map` or a `Set`,
 * for the garbage collector: a table that takes and drops an entry per request is rebuilt every
 * few dozen requests, and the one it leaves keeps a link to its successor (for iterators still
 * walking it). Once one of them is in the old generation, every successor, with the requests in
 * flight it held, outlives the young collections until the next full one. Measured on a proxied
 * request: 2.8 KB promoted per request with the `Map`, 0.1 KB with this list, 3.5 times less
 * time in young collections, and the same promotion as a hand-written node:http server.
 * A removed entry keeps no link, so nothing of it holds a later one.
 *
 * @example
 * const sockets = new InFlight<Socket>()
 * server.on('connection', (socket) => {
 *   const entry = sockets.add(socket)
 *   socket.once('close', () => sockets.remove(entry))
 * })
 * for (const socket of sockets) socket.destroy()
 */
export class InFlight<T> implements Iterable<T> {
  private newest: InFlightEntry<T> | undefined
  private count = 0

  get size(): number {
    return this.count
  }

  add(value: T): InFlightEntry<T> {
    const entry: InFlightEntry<T> = { value, newer: undefined, older: this.newest, removed: false }
    if (this.newest !== undefined) this.newest.newer = entry
    this.newest = entry
    this.count++
    return entry
  }

  /** Whether it was still there: a second remove does nothing. */
  remove(entry: InFlightEntry<T>): boolean {
    if (entry.removed) return false
    entry.removed = true
    const { newer, older } = entry
    if (newer === undefined) this.newest = older
    else newer.older = older
    if (older !== undefined) older.newer = newer
    entry.newer = undefined
    entry.older = undefined
    this.count--
    return true
  }

  /** Newest first. Removing the value just given, or any other, while walking is safe. */
  *[Symbol.iterator](): Iterator<T> {
    const values: T[] = []
    for (let entry = this.newest; entry !== undefined; entry = entry.older) values.push(entry.value)
    yield* values
  }
}
