import { pino, type Logger, type LoggerOptions } from 'pino'

export type { Logger }

/**
 * The gateway's logger: JSON lines, or pino-pretty when stdout is a terminal, since JSON is for
 * machines and a person at a terminal reads the pretty form.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = process.stdout.isTTY && !process.env.CI
  return pino({
    name: 'rxgate',
    level: process.env.RXGATE_LOG_LEVEL ?? 'info',
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
    ...options,
  })
}
