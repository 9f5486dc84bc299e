/** The entry point the runner starts (dist/index.js is this file, bundled). */
import { run } from './main.js'

await run()
