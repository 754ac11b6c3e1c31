import t from 'tap'
import { readFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { ConfigError, loadConfig, VARIABLES } from '../src/config.ts'

t.test('defaults are the embedded ones and loopback without keys', async (t) => {
  const config = loadConfig({}, '/srv/hireflow')
  t.equal(config.port, 3000)
  t.equal(config.host, '127.0.0.1')
  t.equal(config.loopbackOnly, true)
  t.equal(config.dataDir, '/srv/hireflow/data')
  t.equal(config.sqlitePath, '/srv/hireflow/data/hireflow.sqlite')
  t.equal(config.candidateStore, 'sqlite')
  t.equal(config.resumeStore, 'local')
  t.equal(config.mailer, 'outbox')
  t.equal(config.redisUrl, 'redis://127.0.0.1:6379')
  t.equal(config.maxResumeBytes, 10 * 1024 * 1024)
})

t.test('without API keys HOST is forced to loopback', async (t) => {
  t.equal(loadConfig({ HOST: '0.0.0.0' }).host, '127.0.0.1')
  t.equal(loadConfig({ HOST: '0.0.0.0', API_KEYS: 'a-long-enough-key-1' }).host, '0.0.0.0')
})

t.test('API keys are kept as sha256 digests, plain or given as hashes', async (t) => {
  const digest = createHash('sha256').update('another-long-key-22').digest('hex')
  const config = loadConfig({ API_KEYS: `a-long-enough-key-1, sha256:${digest}` })
  t.equal(config.apiKeyHashes.length, 2)
  t.equal(config.apiKeyHashes[1]!.toString('hex'), digest)
  t.throws(() => loadConfig({ API_KEYS: 'short' }), ConfigError)
})

t.test('bad values name the variable', async (t) => {
  t.throws(() => loadConfig({ PORT: 'eighty' }), /PORT must be a whole number/)
  t.throws(() => loadConfig({ CANDIDATE_STORE: 'mongo' }), /CANDIDATE_STORE must be one of sqlite, dynamodb/)
  t.throws(() => loadConfig({ RESUME_STORE: 's3' }), /S3_BUCKET is required/)
  t.throws(() => loadConfig({ MAILER: 'ses' }), /HR_EMAIL is required with MAILER=ses/)
  t.throws(() => loadConfig({ HR_EMAIL: 'not-an-address' }), /HR_EMAIL has an invalid email address/)
  t.throws(() => loadConfig({ REDIS_URL: 'nope' }), /REDIS_URL must be a URL/)
})

t.test('the README documents every variable', async (t) => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
  for (const variable of VARIABLES) {
    const shownDefault = variable.default.startsWith('(') ? variable.default : `\`${variable.default}\``
    const row = `| \`${variable.name}\` | ${shownDefault} | ${variable.meaning} |`
    t.ok(readme.includes(row), `README documents ${variable.name} as: ${row}`)
  }
})

t.test('a task manager needs its project and credentials; OAuth2 needs its client', async (t) => {
  t.equal(loadConfig({}).taskManager, undefined, 'no task manager unless configured')
  const clickup = loadConfig({ TASK_MANAGER: 'clickup', TASK_MANAGER_TOKEN: 'pk_1_ABC', HIRING_PROJECT_ID: '901' }).taskManager
  t.match(clickup, {
    provider: 'clickup',
    auth: { kind: 'token', token: 'pk_1_ABC' },
    projectId: '901',
    filterLabels: ['candidate', 'resume', 'hiring'],
    processedLabel: 'hireflow-processed',
    attachmentHosts: [],
  })
  t.throws(() => loadConfig({ TASK_MANAGER: 'trello' }), /TASK_MANAGER must be one of clickup, asana, jira/)
  t.throws(() => loadConfig({ TASK_MANAGER: 'asana', TASK_MANAGER_TOKEN: 'x' }), /HIRING_PROJECT_ID is required/)
  t.throws(() => loadConfig({ TASK_MANAGER: 'asana', HIRING_PROJECT_ID: '1' }), /TASK_MANAGER_TOKEN .* is required/)
  t.throws(() => loadConfig({ TASK_MANAGER: 'jira', HIRING_PROJECT_ID: 'HIRE', TASK_MANAGER_TOKEN: 't' }), /TASK_MANAGER_USER/)
  t.throws(
    () => loadConfig({ TASK_MANAGER: 'jira', HIRING_PROJECT_ID: 'HIRE', TASK_MANAGER_TOKEN: 't', TASK_MANAGER_USER: 'a@b.c' }),
    /TASK_MANAGER_BASE_URL \(https:\/\/<site>\.atlassian\.net\) is required with TASK_MANAGER=jira/,
  )
  t.throws(
    () => loadConfig({ TASK_MANAGER: 'jira', HIRING_PROJECT_ID: 'HIRE', TASK_MANAGER_TOKEN_ENDPOINT: 'https://auth.example.com/token' }),
    /TASK_MANAGER_CLIENT_ID and TASK_MANAGER_CLIENT_SECRET are required/,
  )
  const oauth = loadConfig({
    TASK_MANAGER: 'jira',
    HIRING_PROJECT_ID: 'HIRE',
    TASK_MANAGER_BASE_URL: 'https://api.atlassian.com/ex/jira/cloud-1',
    TASK_MANAGER_TOKEN_ENDPOINT: 'https://auth.example.com/token',
    TASK_MANAGER_CLIENT_ID: 'id',
    TASK_MANAGER_CLIENT_SECRET: 'secret',
    TASK_MANAGER_REFRESH_TOKEN: 'r1',
    TASK_FILTER_LABELS: ' hiring , ,cv ',
    TASK_MANAGER_ATTACHMENT_HOSTS: 'Files.Example.com',
  }).taskManager
  t.match(oauth, {
    auth: { kind: 'oauth2', clientId: 'id', refreshToken: 'r1' },
    filterLabels: ['hiring', 'cv'],
    attachmentHosts: ['files.example.com'],
  })
  t.throws(() => loadConfig({ POLL_INTERVAL_SECONDS: '1' }), /POLL_INTERVAL_SECONDS must be a whole number from 10/)
})
