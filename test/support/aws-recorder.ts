// A local stand-in for AWS services that speaks their wire protocols as the
// SDK clients send them today, records every decoded call and can be told to
// fail or hang:
// - CloudWatch: AWS JSON 1.0 (`X-Amz-Target: GraniteServiceVersion20100801.PutMetricData`,
//   query-compatible errors in `x-amzn-query-error`), bodies gzipped above
//   the SDK's compression threshold;
// - SNS: the query protocol (form-encoded `Action=Publish&...`, XML answers
//   and `<ErrorResponse>` errors).
// It checks what the real service checks before answering (limits, required
// parameters, SNS's subject rules), so a client that passes here does not
// fail on the first real call.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import { randomUUID } from 'node:crypto'

export interface AwsCall {
  /** The SigV4 signing name: `monitoring` (CloudWatch), `sns`, ... */
  service: string
  /** The region the request was signed for. */
  region: string
  protocol: 'json' | 'query'
  action: string
  /** The JSON body, or the query form unflattened (`A.entry.1.Name` → `{ A: { entry: [{ Name }] } }`). */
  params: Record<string, unknown>
  /** The body arrived gzipped (Content-Encoding: gzip). */
  gzip: boolean
  /** Size of the decoded body. */
  bytes: number
  /** How the stand-in answered. */
  outcome: 'ok' | 'error' | 'hang'
}

export interface AwsFault {
  status: number
  /** The error code as the query protocol names it (`InternalFailure`, `Throttling`, `InvalidParameter`). */
  code: string
  message?: string
}

export const faults = {
  /** A 500 the SDK retries, then gives up on. */
  serverError: { status: 500, code: 'InternalFailure', message: 'We encountered an internal error. Please try again.' },
  /** The throttling answer of CloudWatch (and of most query services). */
  throttling: { status: 400, code: 'Throttling', message: 'Rate exceeded' },
} satisfies Record<string, AwsFault>

/** A custom answer for an action: the result (JSON object, or the elements of `<ActionResult>`), or a fault. */
export type AwsAnswer = (call: AwsCall) => Record<string, unknown> | AwsFault

export interface AwsRecorder {
  endpoint: string
  calls: AwsCall[]
  /** The calls of one action that were answered with success. */
  succeeded(action: string): AwsCall[]
  /** Makes the next `times` calls of `action` (every call when omitted) fail with `fault`, or never be answered. */
  fail(action: string, fault: AwsFault | 'hang', times?: number): void
  /** Ends every fault; requests left hanging have their connection cut. */
  recover(): void
  /** Replaces the default answer for an action. */
  answer(action: string, answer: AwsAnswer): void
  close(): Promise<void>
}

const XMLNS: Record<string, string> = { sns: 'http://sns.amazonaws.com/doc/2010-03-31/' }
const MAX_BODY_BYTES = 1_048_576

export async function startAwsRecorder(test?: { teardown(fn: () => unknown): void }): Promise<AwsRecorder> {
  const calls: AwsCall[] = []
  const armed = new Map<string, { fault: AwsFault | 'hang'; left: number }>()
  const answers = new Map<string, AwsAnswer>(Object.entries(defaultAnswers))
  const hanging = new Set<ServerResponse>()

  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const gzip = request.headers['content-encoding'] === 'gzip'
    const protocol = String(request.headers['content-type'] ?? '').startsWith('application/x-amz-json-') ? 'json' : 'query'
    let body: Buffer
    try {
      body = gzip ? gunzipSync(Buffer.concat(chunks)) : Buffer.concat(chunks)
    } catch {
      return reply(response, protocol, 'unknown', { status: 400, code: 'MalformedInput', message: 'The gzip body does not inflate' })
    }
    const call = decode(request, protocol, body, gzip)
    if (!call) return reply(response, protocol, 'unknown', { status: 400, code: 'MalformedInput', message: 'No action in the request' })
    calls.push(call)
    if (!/^AWS4-HMAC-SHA256 Credential=/.test(request.headers.authorization ?? '')) {
      call.outcome = 'error'
      return reply(response, protocol, call.action, {
        status: 403,
        code: 'MissingAuthenticationToken',
        message: 'Request is missing a SigV4 signature',
      })
    }
    const fault = armed.get(call.action)
    if (fault) {
      fault.left -= 1
      if (fault.left <= 0) armed.delete(call.action)
      if (fault.fault === 'hang') {
        call.outcome = 'hang'
        hanging.add(response)
        response.on('close', () => hanging.delete(response))
        return
      }
      call.outcome = 'error'
      return reply(response, protocol, call.action, fault.fault)
    }
    const answer = answers.get(call.action)
    const result = answer
      ? body.length > MAX_BODY_BYTES
        ? { status: 413, code: 'RequestEntityTooLarge', message: `Request size ${body.length} exceeded ${MAX_BODY_BYTES} bytes` }
        : answer(call)
      : { status: 400, code: 'InvalidAction', message: `The action ${call.action} is not valid for this endpoint` }
    call.outcome = isFault(result) ? 'error' : 'ok'
    reply(response, protocol, call.action, result, call.service)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')

  const recorder: AwsRecorder = {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    succeeded: (action) => calls.filter((call) => call.action === action && call.outcome === 'ok'),
    fail(action, fault, times = Infinity) {
      armed.set(action, { fault, left: times })
    },
    recover() {
      armed.clear()
      for (const response of hanging) response.socket?.destroy()
      hanging.clear()
    },
    answer(action, answer) {
      answers.set(action, answer)
    },
    async close() {
      recorder.recover()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
  test?.teardown(() => recorder.close())
  return recorder
}

function decode(request: IncomingMessage, protocol: 'json' | 'query', body: Buffer, gzip: boolean): AwsCall | undefined {
  const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\//.exec(request.headers.authorization ?? '')
  const [region, service] = scope ? [scope[1]!, scope[2]!] : ['', '']
  const base = { service, region, protocol, gzip, bytes: body.length, outcome: 'ok' as const }
  if (protocol === 'json') {
    const action = String(request.headers['x-amz-target'] ?? '').split('.')[1]
    if (!action) return undefined
    let params: Record<string, unknown>
    try {
      params = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>
    } catch {
      params = {}
    }
    return { ...base, action, params }
  }
  const form = new URLSearchParams(body.toString('utf8'))
  const action = form.get('Action')
  if (!action) return undefined
  return { ...base, action, params: unflatten(form) }
}

/** The query protocol's flattened names back into objects, numbered members into arrays. */
function unflatten(form: URLSearchParams): Record<string, unknown> {
  const root: Record<string, unknown> = {}
  for (const [name, value] of form) {
    if (name === 'Action' || name === 'Version') continue
    const path = name.split('.')
    let node: Record<string, unknown> | unknown[] = root
    for (const [index, segment] of path.entries()) {
      const key: string | number = /^\d+$/.test(segment) ? Number(segment) - 1 : segment
      const last = index === path.length - 1
      const container = node as Record<string | number, unknown>
      if (last) container[key] = value
      else container[key] ??= /^\d+$/.test(path[index + 1]!) ? [] : {}
      node = container[key] as Record<string, unknown> | unknown[]
    }
  }
  return root
}

function isFault(result: Record<string, unknown> | AwsFault): result is AwsFault {
  return typeof result.status === 'number' && typeof result.code === 'string'
}

function reply(
  response: ServerResponse,
  protocol: 'json' | 'query',
  action: string,
  result: Record<string, unknown> | AwsFault,
  service = '',
) {
  const requestId = randomUUID()
  if (protocol === 'json') {
    if (isFault(result)) {
      response.writeHead(result.status, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': requestId,
        'x-amzn-query-error': `${result.code};${result.status >= 500 ? 'Receiver' : 'Sender'}`,
      })
      response.end(JSON.stringify({ __type: result.code, message: result.message ?? result.code }))
      return
    }
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId })
    response.end(JSON.stringify(result))
    return
  }
  const xmlns = XMLNS[service] ?? 'https://aws.amazon.com/'
  if (isFault(result)) {
    response.writeHead(result.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId })
    response.end(
      `<ErrorResponse xmlns="${xmlns}"><Error><Type>${result.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
        `<Code>${xml(result.code)}</Code><Message>${xml(result.message ?? result.code)}</Message></Error>` +
        `<RequestId>${requestId}</RequestId></ErrorResponse>`,
    )
    return
  }
  const elements = Object.entries(result)
    .map(([name, value]) => `<${name}>${xml(String(value))}</${name}>`)
    .join('')
  response.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId })
  response.end(
    `<${action}Response xmlns="${xmlns}"><${action}Result>${elements}</${action}Result>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
  )
}

function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

const invalidValue = (message: string): AwsFault => ({ status: 400, code: 'InvalidParameterValue', message })
const invalidParameter = (message: string): AwsFault => ({ status: 400, code: 'InvalidParameter', message })

interface CloudWatchDatum {
  MetricName?: string
  Value?: number
  Values?: number[]
  /** Epoch seconds, as AWS JSON sends timestamps. */
  Timestamp?: number
  Dimensions?: { Name?: string; Value?: string }[]
}

// What CloudWatch and SNS refuse, as their API references document it.
const defaultAnswers: Record<string, AwsAnswer> = {
  PutMetricData({ params }) {
    const namespace = params.Namespace
    const data = params.MetricData as CloudWatchDatum[] | undefined
    if (typeof namespace !== 'string' || !data)
      return { status: 400, code: 'MissingParameter', message: 'Namespace and MetricData are required' }
    if (namespace.length === 0 || namespace.length > 255 || namespace.startsWith('AWS/'))
      return invalidValue(`The namespace ${namespace} is not valid`)
    if (data.length === 0 || data.length > 1000)
      return invalidValue(`The collection MetricData must not have more than 1000 members (has ${data.length})`)
    for (const [index, datum] of data.entries()) {
      const where = `MetricData.member.${index + 1}`
      if (!datum.MetricName || datum.MetricName.length > 255) return invalidValue(`${where}.MetricName is not valid`)
      if (datum.Value === undefined && !datum.Values)
        return { status: 400, code: 'MissingParameter', message: `${where}.Value is required` }
      if (datum.Value !== undefined && (typeof datum.Value !== 'number' || !Number.isFinite(datum.Value))) {
        return invalidValue(`${where}.Value must be a number`)
      }
      const age = datum.Timestamp === undefined ? 0 : Date.now() / 1000 - datum.Timestamp
      if (age > 14 * 24 * 3600 || age < -2 * 3600)
        return invalidValue(`${where}.Timestamp must be within the last two weeks and no more than two hours ahead`)
      const dimensions = datum.Dimensions ?? []
      if (dimensions.length > 30) return invalidValue(`${where}.Dimensions must not have more than 30 members`)
      for (const dimension of dimensions) {
        if (!dimension.Name || !dimension.Value || dimension.Name.length > 255 || dimension.Value.length > 1024) {
          return invalidValue(`${where}.Dimensions has an empty or too long name or value`)
        }
      }
    }
    return {}
  },
  Publish({ params }) {
    if (!params.TopicArn && !params.TargetArn && !params.PhoneNumber)
      return invalidParameter('Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter')
    const message = params.Message
    if (typeof message !== 'string' || message.length === 0) return invalidParameter('Invalid parameter: Empty message')
    if (Buffer.byteLength(message) > 262_144) return invalidParameter('Invalid parameter: Message too long')
    const subject = params.Subject
    if (subject !== undefined) {
      if (typeof subject !== 'string' || subject.length === 0 || subject.length >= 100)
        return invalidParameter('Invalid parameter: Subject')
      if (!/^[\x21-\x7e][\x20-\x7e]*$/.test(subject)) return invalidParameter('Invalid parameter: Subject')
    }
    const attributes =
      (params.MessageAttributes as { entry?: { Name?: string; Value?: { DataType?: string; StringValue?: string } }[] })?.entry ?? []
    for (const attribute of attributes) {
      if (!attribute.Name || !attribute.Value?.DataType) return invalidParameter('Invalid parameter: MessageAttributes')
      if (attribute.Value.DataType === 'String' && !attribute.Value.StringValue) {
        return {
          status: 400,
          code: 'ParameterValueInvalid',
          message: `The message attribute '${attribute.Name}' must contain non-empty message attribute value`,
        }
      }
    }
    return { MessageId: randomUUID() }
  },
  ConfirmSubscription({ params }) {
    if (!params.TopicArn) return invalidParameter('Invalid parameter: TopicArn')
    if (!params.Token) return invalidParameter('Invalid parameter: Token')
    return { SubscriptionArn: `${String(params.TopicArn)}:${randomUUID()}` }
  },
}
