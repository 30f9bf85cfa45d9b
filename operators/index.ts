/**
 * rxgate's operators: plain RxJS operators, usable in any RxJS app. `fanOut`, `timeoutEach` and
 * `merge` build one answer from several sources, `sequence` chains them, `concurrent`, `balance`
 * and `shadow` decide how a source is called; `pick`, `omit`, `group`, `wrap`, `rename`, `target`
 * and `flatmap` reshape plain values, and `staticData` decorates an answer, KrakenD-style.
 */
export { fanOut, type Source, type Sources } from './fan-out.js'
export { perRequest, callSource } from './per-request.js'
export { labelSource, sourceLabel } from './source-label.js'
export { timeoutEach } from './timeout-each.js'
export { merge, merged, isMerged, MERGED, type Merged } from './merge.js'
export { pick } from './pick.js'
export { omit } from './omit.js'
export { group } from './group.js'
export { wrap } from './wrap.js'
export { rename } from './rename.js'
export { target } from './target.js'
export { flatmap, type FlatmapOperation } from './flatmap.js'
export { staticData, type StaticStrategy } from './static-data.js'
export { concurrent } from './concurrent.js'
export { balance } from './balance.js'
export { shadow, type ShadowOptions } from './shadow.js'
export { sequence, type SequenceOptions } from './sequence.js'
export { fan, delivered, failed, type Part, type Delivered, type Failed, type Fan } from './part.js'
export { toMilliseconds, type Duration } from './duration.js'
export { fieldTree, pickFields, omitFields, type FieldTree } from './fields.js'
