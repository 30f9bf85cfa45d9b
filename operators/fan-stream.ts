import { Observable, map, type Subscriber, type TeardownLogic } from 'rxjs'
import type { Fan } from './part.js'

/**
 * The fans `fanOut` makes of a stream of requests, one per request, kept as the requests and the
 * function from a request to its fan. `timeoutEach` and `merge()` piped right after it see this
 * and fold their own step into that function, so that a request goes through one RxJS operator
 * where it would go through three (a `map`, a `map`, a `mergeMap`), with the same outcome.
 * Anything else in between (a user's operator) sees a plain observable of fans.
 *
 * @example
 * const fans = new FanStream(request$, (request) => fan(['users'], [users$(request)]))
 * fans.andThen((parts) => withDeadline(parts)) // another FanStream: the same fans, with deadlines
 */
export class FanStream<R, T> extends Observable<Fan<T>> {
  constructor(
    readonly requests: Observable<R>,
    readonly make: (request: R) => Fan<T>,
  ) {
    // rxjs calls the subscribe function with the observable as `this`: no closure per request.
    super(subscribeFans as (this: Observable<Fan<T>>, subscriber: Subscriber<Fan<T>>) => TeardownLogic)
  }

  /** The same requests' fans, each passed through `step`. */
  andThen<U>(step: (parts: Fan<T>) => Fan<U>): FanStream<R, U> {
    const make = this.make
    return new FanStream(this.requests, (request) => step(make(request)))
  }
}

function subscribeFans<R, T>(this: FanStream<R, T>, subscriber: Subscriber<Fan<T>>): TeardownLogic {
  return this.requests.pipe(map(this.make)).subscribe(subscriber)
}
