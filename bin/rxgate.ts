#!/usr/bin/env node
/**
 * The rxgate command line. Gateways declared in code run with `node your-gateway.js`; this
 * command tells the version and how to get started.
 */
import { VERSION } from '../lib/version.js'

const HELP = `rxgate ${VERSION}: an API gateway whose endpoints are RxJS pipelines

Usage:
  rxgate version     print the version
  rxgate help        print this help

Declare a gateway in TypeScript:
  import { gateway, backend } from 'rxgate'
  import { fanOut, timeoutEach, merge, pick } from 'rxgate/operators'

See the README for the programmatic API and the operators.
`

const [command = 'help'] = process.argv.slice(2)
switch (command) {
  case 'version':
  case '--version':
  case '-v':
    process.stdout.write(`rxgate ${VERSION}\n`)
    break
  case 'help':
  case '--help':
  case '-h':
    process.stdout.write(HELP)
    break
  default:
    process.stderr.write(`rxgate: unknown command "${command}"\n\n${HELP}`)
    process.exitCode = 1
}
