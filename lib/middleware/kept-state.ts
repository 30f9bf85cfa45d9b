/** What a piece of kept state is released with, when no configuration uses it any more. */
type Release = (value: never) => unknown

interface Piece {
  readonly value: unknown
  readonly release: Release | undefined
}

/**
 * The state a compiled configuration holds (rate-limit buckets, circuit breakers, cache buckets,
 * Redis pools, DNS SRV lists), each piece under a key that says where it sits in the file and
 * what made it. A configuration compiled to replace another (a reload) is given the old one's
 * pieces for the keys it has too, so that a rate limit whose block did not change keeps its
 * buckets; the pieces it did not take are released once the old configuration's requests are
 * done. A key met twice in one configuration (two endpoints with the same path and block) is
 * two pieces, matched to the old ones in the order the file lists them.
 *
 * @example
 * const live = new KeptState()
 * const limits = live.keep('endpoint /users {"max_rate":10}', () => new LocalLimits(...))
 * const next = live.successor()                   // the reloaded file, being compiled
 * next.keep('endpoint /users {"max_rate":10}', () => new LocalLimits(...)) === limits   // true
 * next.adopt()                                    // it serves: what it took from `live` is its own
 * await live.release()                            // the old requests are done: the rest goes
 */
export class KeptState {
  /** The pieces this configuration made, or took over when it started to serve. */
  private readonly owned = new Map<string, Piece>()
  /** The pieces it takes from the configuration it replaces, until it serves (`adopt`). */
  private readonly taken = new Map<string, Piece>()
  /** How many times each key was asked for, so that a key met twice is two pieces. */
  private readonly asked = new Map<string, number>()

  private constructor(private previous: KeptState | undefined) {}

  /** The state of a configuration that replaces none. */
  static fresh(): KeptState {
    return new KeptState(undefined)
  }

  /** The state of a configuration compiled to replace this one: it may take this one's pieces. */
  successor(): KeptState {
    return new KeptState(this)
  }

  /**
   * The piece under `key`: the replaced configuration's, when it had one, else made by `make`;
   * `release` (a pool's `close`, say) is called when no configuration uses it any more.
   */
  keep<T>(key: string, make: () => T, release?: (value: T) => unknown): T {
    const count = (this.asked.get(key) ?? 0) + 1
    this.asked.set(key, count)
    const slot = count === 1 ? key : `${key} #${count}`
    const old = this.previous?.owned.get(slot)
    if (old !== undefined) {
      this.taken.set(slot, old)
      return old.value as T
    }
    const value = make()
    this.owned.set(slot, { value, release: release as Release | undefined })
    return value
  }

  /** This configuration now serves: the pieces it took are its own, and the replaced one will not release them. */
  adopt(): void {
    for (const [slot, piece] of this.taken) {
      this.previous?.owned.delete(slot)
      this.owned.set(slot, piece)
    }
    this.taken.clear()
    this.previous = undefined
  }

  /** Releases every piece this configuration owns: once its requests are done, or when its compilation failed. */
  async release(): Promise<void> {
    const pieces = [...this.owned.values()]
    this.owned.clear()
    await Promise.all(pieces.map(async (piece) => piece.release?.(piece.value as never)))
  }
}
