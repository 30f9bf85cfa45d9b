/**
 * rxgate's operators: plain RxJS operators, usable in any RxJS app. `fanOut`, `timeoutEach` and
 * `merge` build one answer from several sources; `pick`, `omit`, `group`, `wrap`, `rename` and
 * `target` reshape plain values, KrakenD-style.
 */
export { fanOut, type Source, type Sources } from './fan-out.js'
export { timeoutEach } from './timeout-each.js'
export { merge, type Merged } from './merge.js'
export { pick } from './pick.js'
export { omit } from './omit.js'
export { group } from './group.js'
export { wrap } from './wrap.js'
export { rename } from './rename.js'
export { target } from './target.js'
export { fan, delivered, failed, type Part, type Delivered, type Failed, type Fan } from './part.js'
export { toMilliseconds, type Duration } from './duration.js'
export { fieldTree, pickFields, omitFields, type FieldTree } from './fields.js'
