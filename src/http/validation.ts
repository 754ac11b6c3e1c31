// Request validation with one Ajv per kind of input. A JSON body says what
// type each value is, so it is taken as sent: `true` is not the threshold 1,
// "70" is not 70 and a string is not a list. Query strings, path parameters
// and headers arrive as text and are converted to the types their schemas name.
import { Ajv, type Options, type ValidateFunction } from 'ajv'
import ajvFormats from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

// ajv-formats is CommonJS; the function is both the module and its default export.
const addFormats = ((ajvFormats as unknown as { default?: typeof ajvFormats }).default ?? ajvFormats) as unknown as (ajv: Ajv) => Ajv

const COMMON: Options = {
  removeAdditional: false,
  useDefaults: true,
  // All errors of a large body cost time an attacker chooses; the first one is enough to say what is wrong.
  allErrors: false,
}

export function requestValidatorCompiler(sharedSchemas: readonly object[]): FastifySchemaCompiler<unknown> {
  const asSent = new Ajv({ ...COMMON, coerceTypes: false })
  const fromText = new Ajv({ ...COMMON, coerceTypes: 'array' })
  for (const ajv of [asSent, fromText]) {
    addFormats(ajv)
    for (const schema of sharedSchemas) ajv.addSchema(schema)
  }
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? asSent : fromText
    const id = (schema as { $id?: string }).$id
    // Ajv compiles a schema with a given $id once per instance.
    const known = id ? ajv.getSchema(id) : undefined
    return (known ?? ajv.compile(schema as object)) as ValidateFunction
  }
}
