/**
 * `npm start`: the demo backends and the front-page gateway in one process.
 * Then: curl localhost:8080/frontpage/1   (and /frontpage/2 for a partial answer)
 */
import { startDemoBackends } from './backends.js'
import { frontpage } from './frontpage.js'

const port = Number(process.env.PORT ?? 8080)
const services = await startDemoBackends()
const gw = frontpage(services)
try {
  await gw.listen(port)
} catch (error) {
  gw.logger.fatal({ err: error }, `cannot listen on port ${port}: set PORT to another one`)
  await services.close()
  process.exit(1)
}
gw.logger.info(`try: curl localhost:${port}/frontpage/1   (and /frontpage/2: notifications are late, the answer is partial)`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await gw.close()
    await services.close()
    process.exit(0)
  })
}
