/**
 * The front page's demo backends alone, on fixed ports 8081 to 8084, for the KrakenD-format
 * file beside this one:
 *
 *   node dist/examples/frontpage/serve-backends.js &
 *   rxgate run -c examples/frontpage/krakend.json
 *   curl localhost:8080/frontpage/1
 */
import { startDemoBackends } from './backends.js'

const services = await startDemoBackends([8081, 8082, 8083, 8084])
process.stdout.write(`demo backends: ${[services.users, services.carts, services.posts, services.notifications].join(' ')}\n`)
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void services.close())
