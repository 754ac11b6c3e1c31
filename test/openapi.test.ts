import t from 'tap'
import { readFile } from 'node:fs/promises'
import { openapiDocument } from '../src/openapi.ts'

t.test('the checked-in OpenAPI document is the one the routes generate', async (t) => {
  const generated = await openapiDocument()
  const checkedIn = JSON.parse(await readFile(new URL('../openapi/openapi.json', import.meta.url), 'utf8'))
  t.same(checkedIn, generated, 'openapi/openapi.json is stale: run `npm run openapi`')
  const paths = Object.keys(generated.paths as object)
  for (const path of ['/health', '/requisitions', '/requisitions/{id}', '/candidates', '/candidates/{id}', '/candidates/{id}/resume']) {
    t.ok(paths.includes(path), `documents ${path}`)
  }
})
